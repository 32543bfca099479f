package dev.musicgen.internal.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.ProgressListener;
import dev.musicgen.internal.lm.LMCheckpoint;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.TestArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seeds, validation, progress and batching of {@link MusicGenLM} on the tiny mono model. */
class MusicGenLMTest {
    private static NDManager root;
    private static LMCheckpoint ck;
    private static LMModel lm;
    private static MusicGenLM gen;
    private static LMConditions text;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
        ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
        lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32);
        gen = new MusicGenLM(lm, 50);
        Map<String, TensorData> exp = Fixtures.tensors("generate_text_cfg1", "expected.safetensors");
        text = LMConditions.of(GenerationFixturesTest.tensor("description", exp.get("condition_description")));
    }

    @AfterAll
    static void tearDown() {
        lm.close();
        ck.close();
        root.close();
    }

    static GenerationParams.Builder sampling() {
        return GenerationParams.builder()
                .duration(0.4)
                .temperature(1.0)
                .topK(250)
                .topP(0)
                .cfgCoef(3.0);
    }

    long[][][] run(GenerationParams p) {
        return gen.generate(ConditionSource.fixed(text), null, p, null, null).tokens();
    }

    @Test
    void same_seed_same_tokens_top_k_and_top_p() {
        for (GenerationParams p : List.of(
                sampling().seed(42L).build(), sampling().topP(0.9).seed(42L).build())) {
            long[][][] a = run(p);
            long[][][] b = run(p);
            assertThat(a).isDeepEqualTo(b);
            assertThat(a[0][0]).hasSize(20);
        }
        assertThat(java.util.Arrays.deepEquals(
                        run(sampling().seed(42L).build()),
                        run(sampling().seed(43L).build())))
                .isFalse();
    }

    @Test
    void seed_zero_is_a_seed_and_a_random_seed_is_returned_and_reproducible() {
        GenerationResult zero = gen.generate(
                ConditionSource.fixed(text), null, sampling().seed(0L).build(), null, null);
        assertThat(zero.seed()).isZero();
        assertThat(run(sampling().seed(0L).build())).isDeepEqualTo(zero.tokens());
        GenerationResult random = gen.generate(
                ConditionSource.fixed(text), null, sampling().seed(-1L).build(), null, null);
        assertThat(random.seed()).isBetween(0L, (1L << 32) - 1);
        assertThat(run(sampling().seed(random.seed()).build())).isDeepEqualTo(random.tokens());
    }

    @Test
    void progress_counts_every_lm_step_up_to_the_total() {
        List<long[]> events = new ArrayList<>();
        ProgressListener l = (phase, step, total) -> {
            assertThat(phase).isEqualTo(ProgressListener.Phase.GENERATING);
            events.add(new long[] {step, total});
        };
        gen.generate(ConditionSource.fixed(text), null, sampling().seed(1L).build(), l, null);
        // 20 frames + 3 delay steps after the initial special step
        assertThat(events).hasSize(23);
        assertThat(events.get(0)).containsExactly(1, 23);
        assertThat(events.get(22)).containsExactly(23, 23);
    }

    @Test
    void batch_of_prompts_matches_each_prompt_alone() {
        Map<String, TensorData> cont = Fixtures.tensors("continuation", "expected.safetensors");
        long[][][] p = TestArrays.longs3(cont.get("prompt_tokens"));
        long[][][] a = {slice(p[0], 0, 20)};
        long[][][] b = {slice(p[0], 15, 35)};
        LMConditions.Tensor t = text.tensors().get(0);
        int per = t.length() * t.dim();
        float[] two = new float[4 * per];
        // rows: cond, cond, null, null
        System.arraycopy(t.data(), 0, two, 0, per);
        System.arraycopy(t.data(), 0, two, per, per);
        System.arraycopy(t.data(), per, two, 2 * per, per);
        System.arraycopy(t.data(), per, two, 3 * per, per);
        LMConditions c2 = LMConditions.of(new LMConditions.Tensor("description", two, 4, t.length(), t.dim()));
        GenerationParams greedy =
                GenerationParams.builder().duration(0.8).topK(1).seed(0L).build();
        long[][][] both = gen.generate(ConditionSource.fixed(c2), new long[][][] {a[0], b[0]}, greedy, null, null)
                .tokens();
        long[][][] onlyA =
                gen.generate(ConditionSource.fixed(text), a, greedy, null, null).tokens();
        long[][][] onlyB =
                gen.generate(ConditionSource.fixed(text), b, greedy, null, null).tokens();
        assertThat(both[0]).isDeepEqualTo(onlyA[0]);
        assertThat(both[1]).isDeepEqualTo(onlyB[0]);
        // the prompt is kept as is at the start of the output
        assertThat(slice(both[1], 0, 20)).isDeepEqualTo(b[0]);
    }

    static long[][] slice(long[][] a, int from, int to) {
        long[][] out = new long[a.length][];
        for (int q = 0; q < a.length; q++) {
            out[q] = java.util.Arrays.copyOfRange(a[q], from, to);
        }
        return out;
    }

    @Test
    void refuses_a_prompt_as_long_as_the_output() {
        long[][][] prompt = new long[1][4][50];
        assertThatThrownBy(() -> gen.generate(
                        ConditionSource.fixed(text),
                        prompt,
                        GenerationParams.builder().duration(1.0).seed(0L).build(),
                        null,
                        null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the prompt is as long as or longer than the audio to generate")
                .hasMessageContaining("50 frames");
        assertThatThrownBy(() -> gen.generate(
                        ConditionSource.fixed(text),
                        new long[1][4][60],
                        GenerationParams.builder().duration(1.0).seed(0L).build(),
                        null,
                        null))
                .hasMessageContaining("60 frames");
    }

    @Test
    void refuses_malformed_prompts() {
        GenerationParams p = GenerationParams.builder().duration(1.0).seed(0L).build();
        assertThatThrownBy(() -> gen.generate(ConditionSource.fixed(text), new long[1][3][5], p, null, null))
                .hasMessage("promptTokens[0] must have 4 codebooks, but has 3");
        long[][][] bad = new long[1][4][5];
        bad[0][2][1] = 64;
        assertThatThrownBy(() -> gen.generate(ConditionSource.fixed(text), bad, p, null, null))
                .hasMessage("promptTokens values must be in [0, 64), but [0][2] holds 64");
    }

    @Test
    void refuses_extend_stride_not_below_max_duration() {
        assertThatThrownBy(() -> run(GenerationParams.builder()
                        .duration(1.0)
                        .extendStride(30)
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("extendStride must be < the model's maximum duration (30.0 s), but is: 30.0");
    }

    @Test
    void params_name_the_parameter_the_value_and_the_range() {
        assertThatThrownBy(() -> GenerationParams.builder().duration(0).build())
                .hasMessage("duration must be > 0 seconds, but is: 0.0");
        assertThatThrownBy(() -> GenerationParams.builder().duration(-2).build())
                .hasMessage("duration must be > 0 seconds, but is: -2.0");
        assertThatThrownBy(() -> GenerationParams.builder().duration(Double.NaN).build())
                .hasMessage("duration must be a finite number, but is: NaN");
        assertThatThrownBy(() -> GenerationParams.builder().topP(1.5).build())
                .hasMessage("topP must be between 0.0 and 1.0 (0 = disabled), but is: 1.5");
        assertThatThrownBy(() -> GenerationParams.builder().topP(-0.1).build())
                .hasMessage("topP must be between 0.0 and 1.0 (0 = disabled), but is: -0.1");
        assertThatThrownBy(() -> GenerationParams.builder().topK(-1).build())
                .hasMessage("topK must be >= 0 (0 = disabled), but is: -1");
        assertThatThrownBy(() -> GenerationParams.builder().temperature(-0.5).build())
                .hasMessage("temperature must be >= 0 (0 = greedy), but is: -0.5");
        assertThatThrownBy(() -> GenerationParams.builder().extendStride(0).build())
                .hasMessage("extendStride must be > 0 seconds, but is: 0.0");
        assertThatThrownBy(() -> GenerationParams.builder().seed(-2L).build())
                .hasMessage("seed must be >= 0, or null/-1 for a random seed, but is: -2");
        assertThat(GenerationParams.builder().seed(-1L).build().seed()).isNull();
        assertThat(GenerationParams.builder().seed(0L).build().seed()).isZero();
        assertThat(GenerationParams.builder()
                        .temperature(0)
                        .topK(0)
                        .topP(1)
                        .build()
                        .sampler()
                        .isRandom())
                .isFalse();
    }
}
