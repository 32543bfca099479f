package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's offline setting reaches input audio URLs too, not only the Hub (they share one network layer). */
class OfflineInputAudioTest {
    @TempDir
    Path tmp;

    @Test
    void an_offline_generator_fetches_no_input_audio_url() {
        try (MusicGenerator g = FixtureModels.builder("musicgen_mono", tmp).build()) {
            GenerationRequest r = GenerationRequest.builder()
                    .prompt("beat")
                    .duration(1)
                    .seed(1L)
                    .inputAudio(InputAudio.of(URI.create("https://example.invalid/prompt.wav")))
                    .continuation(true)
                    .build();
            assertThatThrownBy(() -> g.generate(r))
                    .isInstanceOf(HubException.class)
                    .hasMessageContaining("offline");
        }
    }
}
