package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.device.DeviceSelector;
import dev.musicgen.testing.RealModels;
import dev.musicgen.testing.RequiresRealModels;
import org.junit.jupiter.api.Test;

/**
 * The released musicgen-small, from {@link RealModels} (offline; skipped when {@code MUSICGEN_REAL_MODELS} does not
 * hold it): one second, greedy. Run: {@code MUSICGEN_REAL_MODELS=~/.cache/huggingface/hub mvn -B verify}.
 */
@RequiresRealModels({MusicGenSmallIT.MODEL, MusicGenSmallIT.TEXT_ENCODER})
class MusicGenSmallIT {
    static final String MODEL = "facebook/musicgen-small";
    static final String TEXT_ENCODER = "google-t5/t5-base";

    static MusicGeneratorBuilder small() {
        MusicGeneratorBuilder b =
                MusicGenerator.builder().model(ModelVersion.SMALL).offline(true).device(DeviceSelector.cpu());
        RealModels.hubCache().ifPresent(b::cacheDir);
        for (String id : new String[] {MODEL, TEXT_ENCODER}) {
            RealModels.localDir(id).ifPresent(dir -> b.localRepo(id, dir));
        }
        return b;
    }

    @Test
    void one_second_greedy_is_deterministic_and_shaped_like_the_model() {
        GenerationRequest.Builder request = GenerationRequest.builder()
                .prompt("lo-fi hip hop beat")
                .duration(1)
                .topK(1);
        try (MusicGenerator g = small().build()) {
            GeneratedAudio first = g.generate(request.seed(1).build());
            // top-k 1 draws nothing: another seed gives the same tokens
            GeneratedAudio second = g.generate(request.seed(2).build());

            long[][] tokens = first.tokens();
            assertThat(tokens).as("codebooks").hasNumberOfRows(4);
            assertThat(tokens[0]).as("frames of 1 s at 50 Hz").hasSize(50);
            for (long[] row : tokens) {
                for (long t : row) {
                    assertThat(t).as("token").isBetween(0L, 2047L);
                }
            }
            assertThat(second.tokens()).isDeepEqualTo(tokens);

            assertThat(first.sampleRate()).isEqualTo(32000);
            assertThat(first.channels()).isEqualTo(1);
            assertThat(first.samples()[0]).hasSize(32000);
            for (float s : first.samples()[0]) {
                assertThat(Float.isFinite(s)).isTrue();
            }
            assertThat(second.samples()).isDeepEqualTo(first.samples());
        }
    }
}
