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
                .progressListener((phase, step, total) -> seen.add(phase + " " + step + "/" + total))
                .build()) {
            seen.clear();
            g.generate(GenerationRequest.builder()
                    .prompt("beat")
                    .duration(0.5)
                    .seed(3L)
                    .build());
        }
        assertThat(seen).contains("CONDITIONING 0/1", "CONDITIONING 1/1", "DECODING 1/1", "POST_PROCESSING 1/1");
        assertThat(seen.indexOf("CONDITIONING 1/1")).isLessThan(seen.indexOf("DECODING 0/1"));
        assertThat(seen.get(seen.size() - 1)).isEqualTo("POST_PROCESSING 1/1");
        assertThat(seen).anyMatch(s -> s.startsWith("GENERATING "));
    }

    @Test
    void multi_band_diffusion_reports_each_diffusion_step() {
        List<String> decoding = new ArrayList<>();
        try (MusicGenerator g = FixtureModels.builder("musicgen_mono", tmp)
                .progressListener((phase, step, total) -> {
                    if (phase == ProgressListener.Phase.DECODING) {
                        decoding.add(step + "/" + total);
                    }
                })
                .build()) {
            g.generate(GenerationRequest.builder()
                    .prompt("beat")
                    .duration(0.5)
                    .seed(3L)
                    .multiBandDiffusion(true)
                    .build());
        }
        // the pipeline's 0/1 and 1/1 around the decoder's own 0/N .. N/N (bands x steps)
        assertThat(decoding.size()).isGreaterThan(4);
        String last = decoding.get(decoding.size() - 2);
        assertThat(last.split("/")[0]).isEqualTo(last.split("/")[1]);
    }
}
