package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every phase of a generation is reported and each one that has an end reaches it. */
class ProgressPhasesTest {
    @TempDir
    Path tmp;

    @Test
    void conditioning_generating_decoding_and_post_processing_each_reach_their_end() {
        List<String> seen = new ArrayList<>();
        try (MusicGenerator g = FixtureModels.builder("musicgen_mono", tmp)
                .progressListener((phase, step, total) -> seen.add(phase + " " + step + "/" + total)).build()) {
            seen.clear();
            g.generate(GenerationRequest.builder().prompt("beat").duration(0.5).seed(3L).build());
        }
        assertThat(seen).contains("CONDITIONING 0/1", "CONDITIONING 1/1", "DECODING 1/1", "POST_PROCESSING 1/1");
        assertThat(seen.indexOf("CONDITIONING 1/1")).isLessThan(seen.indexOf("DECODING 0/1"));
        assertThat(seen.get(seen.size() - 1)).isEqualTo("POST_PROCESSING 1/1");
        assertThat(seen).anyMatch(s -> s.startsWith("GENERATING "));
    }
}
