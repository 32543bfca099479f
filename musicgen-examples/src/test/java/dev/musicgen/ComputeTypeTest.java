package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ComputeType#FLOAT16_WEIGHTS} through the public API on the tiny mono model: generate_text comes out with
 * the fixture's length and, greedy, the fixture's tokens except the last one, a near-tie of the fp32 logits (margin
 * 0.006, see {@code dev.musicgen.internal.lm.Float16WeightsTest}).
 */
class ComputeTypeTest {
    @TempDir
    static Path tmp;

    @Test
    void fp16_weights_generate_through_the_facade() {
        Map<String, TensorData> exp = Fixtures.tensors("generate_text", "expected.safetensors");
        long[] want = exp.get("tokens").toLongArray(); // [1, 4, 50]
        try (MusicGenerator g = FixtureModels.builder("musicgen_mono", tmp)
                .computeType(ComputeType.FLOAT16_WEIGHTS)
                .build()) {
            GeneratedAudio a = g.generate(MusicGeneratorFixturesTest.request("generate_text")
                    .prompt(MusicGeneratorFixturesTest.text("generate_text", 0))
                    .build());
            assertThat(a.samples()[0]).hasSize(32000);
            long[][] got = a.tokens(); // [K, T]
            int differ = 0;
            for (int q = 0; q < got.length; q++) {
                for (int t = 0; t < got[q].length; t++) {
                    if (got[q][t] != want[q * got[q].length + t]) {
                        differ++;
                    }
                }
            }
            assertThat(differ).as("tokens that differ from the fp32 fixture").isLessThanOrEqualTo(1);
        }
    }

    /**
     * {@link ComputeType#INT8_WEIGHTS} through the facade: the fixture's length, and greedy tokens equal to the fp32
     * fixture's until the first near-tie (measured: the first 5 frames of every codebook; the first difference is at
     * a guided-logit margin of 0.0015, see {@code dev.musicgen.internal.lm.Int8WeightsTest}).
     */
    @Test
    void int8_weights_generate_through_the_facade() {
        Map<String, TensorData> exp = Fixtures.tensors("generate_text", "expected.safetensors");
        long[] want = exp.get("tokens").toLongArray(); // [1, 4, 50]
        try (MusicGenerator g = FixtureModels.builder("musicgen_mono", tmp)
                .computeType(ComputeType.INT8_WEIGHTS)
                .build()) {
            GeneratedAudio a = g.generate(MusicGeneratorFixturesTest.request("generate_text")
                    .prompt(MusicGeneratorFixturesTest.text("generate_text", 0))
                    .build());
            assertThat(a.samples()[0]).hasSize(32000);
            long[][] got = a.tokens(); // [K, T]
            int same = got[0].length;
            for (int q = 0; q < got.length; q++) {
                for (int t = 0; t < got[q].length; t++) {
                    if (got[q][t] != want[q * got[q].length + t]) {
                        same = Math.min(same, t);
                        break;
                    }
                }
            }
            assertThat(same)
                    .as("leading frames identical to the fp32 fixture in every codebook")
                    .isGreaterThanOrEqualTo(5);
        }
    }
}
