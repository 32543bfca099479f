package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ComputeType#INT8_WEIGHTS} against the fp32 reference on the fixtures, with the defaults (one scale per
 * output channel, int8 self-attention cache). Documented tolerance for logits: atol {@value #ATOL}, about 3x the
 * largest difference measured on the lm_forward fixture (3.5e-2 teacher-forced through the engine with the
 * dequantized weights, 3.7e-2 through the Java decode step and its int8 cache, on logits up to 3.5; RMS 7.5e-3):
 * int8 keeps about 8 bits per weight where fp16 keeps 11, so the error is ~15x FLOAT16_WEIGHTS' (2.2e-3).
 */
class Int8WeightsTest {
    static final double ATOL = 0.1;
    /**
     * Guided-logit margin below which int8 may flip a greedy token: 2 × (CFG 3: up to 5×) the largest logit error.
     */
    static final double MARGIN = 0.4;

    private static NDManager root;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    @Test
    void int8_logits_stay_within_the_documented_tolerance_of_fp32_teacher_forced_and_through_java_steps() {
        Map<String, TensorData> exp = Fixtures.tensors("lm_forward", "expected.safetensors");
        long[][][] seq = dev.musicgen.testing.TestArrays.longs3(exp.get("pattern_sequence"));
        int n = seq.length;
        int s = seq[0][0].length;
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
                LMModel f32 = LMModel.load(ck.config(), ck.store(), root, ComputeType.FLOAT32);
                LMModel i8 = LMModel.load(ck.config(), ck.store(), root, ComputeType.INT8_WEIGHTS)) {
            assertThat(i8.computeType()).isEqualTo(ComputeType.INT8_WEIGHTS);
            int k = ck.config().nQ();
            int card = ck.config().card();
            for (String which : List.of("cond", "uncond")) {
                LMConditions c = LMForwardTest.description(exp.get("cross_attention_src_" + which));
                float[] ref = f32.forward(seq, c); // [N, K, S, card]
                float[] forward = i8.forward(seq, c);
                Tensors.assertAllClose("int8 teacher-forced logits " + which, forward, ref, ATOL, 0);
                assertThat(forward).isNotEqualTo(ref);
                // decode steps one position at a time: the Java step and its int8 cache
                float[] stepped = new float[ref.length];
                try (NDManager m = i8.newManager();
                        LMState st = i8.newState(m, c, n, s)) {
                    for (int t = 1; t <= s; t++) {
                        try (NDScope scope = new NDScope()) {
                            float[] got = i8.step(st, seq, t - 1, t).toFloatArray(); // [N, K, card]
                            for (int b = 0; b < n; b++) {
                                for (int q = 0; q < k; q++) {
                                    System.arraycopy(
                                            got, (b * k + q) * card, stepped, ((b * k + q) * s + t - 1) * card, card);
                                }
                            }
                        }
                    }
                }
                Tensors.assertAllClose("int8 Java-step logits " + which, stepped, ref, ATOL, 0);
            }
        }
    }

    @Test
    void int8_weights_leave_no_projection_matrix_in_the_engine() {
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
                LMModel i8 = LMModel.load(ck.config(), ck.store(), root, ComputeType.INT8_WEIGHTS)) {
            LMConfig c = ck.config();
            long elements = 0;
            for (var a : i8.weightsManager().getManagedArrays()) {
                if (a instanceof NDArray) {
                    elements += ((NDArray) a).size();
                }
            }
            // the embedding tables, norms, the attention scales and embedding offsets: nothing of [d, d] or larger
            long expected = (long) c.nQ() * (c.card() + 1) * c.dim() + (4L * c.numLayers() + 2) * c.dim() + 64;
            assertThat(elements).isLessThanOrEqualTo(expected + 2L * c.numLayers() * c.dim());
        }
    }

    /**
     * Greedy generation with int8 weights follows the fixture's tokens step by step until the first position whose
     * fp32 guided-logit margin (top-1 minus top-2 of {@code u + 3(c - u)}) is below {@link #MARGIN}. This tiny random
     * model's logits are flat (margins down to 1e-3 from the first steps), so that comes early: measured, the first
     * 35 tokens are identical and the first difference is at step 9, codebook 3, where the fp32 margin is 0.0015.
     */
    @Test
    void int8_weights_generate_the_generate_text_tokens_up_to_a_near_tie() {
        assertThat(Float16WeightsTest.tokensBeforeNearTie(root, ComputeType.INT8_WEIGHTS, MARGIN))
                .as("tokens identical before the first near-tie")
                .isGreaterThanOrEqualTo(30);
    }

    /** Live engine arrays stay flat over a 300-step INT8 pass; closing the model stops its decode threads. */
    @Test
    void int8_generation_keeps_native_memory_flat_and_close_stops_the_decode_threads() throws InterruptedException {
        TensorData text =
                Fixtures.tensors("generate_text", "expected.safetensors").get("condition_description");
        LMConditions c = LMForwardTest.description(text);
        int before = decodeThreads();
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
                LMModel i8 = LMModel.load(ck.config(), ck.store(), root, ComputeType.INT8_WEIGHTS)) {
            assertThat(decodeThreads()).isEqualTo(before + i8.decodeThreads() - 1);
            int weights = i8.weightsManager().getManagedArrays().size();
            List<Integer> counts = new java.util.ArrayList<>();
            try (NDManager call = i8.newManager()) {
                dev.musicgen.internal.generation.LMGenerator.generate(
                        i8,
                        call,
                        c,
                        null,
                        1,
                        300,
                        new dev.musicgen.internal.generation.Sampler(true, 1.0, 250, 0),
                        3.0,
                        new java.util.Random(0),
                        (done, total) -> {
                            if (done == 10 || done == 150 || done == total) {
                                counts.add(call.getManagedArrays().size());
                            }
                        },
                        null);
                assertThat(call.getManagedArrays()).isEmpty();
            }
            assertThat(counts).hasSize(3).containsOnly(counts.get(0));
            assertThat(i8.weightsManager().getManagedArrays()).hasSize(weights);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (decodeThreads() > before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(decodeThreads()).as("decode threads after close").isEqualTo(before);
    }

    private static int decodeThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("musicgen-int8-decode") && t.isAlive()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void the_refusal_without_the_vector_module_names_the_flag() {
        assertThat(LMModel.int8WithoutVectorModule())
                .contains("--add-modules jdk.incubator.vector")
                .contains("INT8_WEIGHTS");
        // this JVM runs with the module (surefire's argLine): no refusal
        assertThat(LMModel.vectorModulePresent()).isTrue();
        LMModel.requireSupported(ComputeType.INT8_WEIGHTS);
        LMModel.requireSupported(ComputeType.FLOAT32);
    }
}
