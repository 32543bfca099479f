package dev.musicgen.internal.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.testing.Slow;
import dev.musicgen.testing.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Streaming decode (prefill, then one step at a time through the KV cache) gives the teacher-forced logits, on a
 * randomly initialised LM wide enough (dim 1024) that decode steps take the {@code W · xᵀ} path.
 */
class StreamingConsistencyTest {
    static final int DIM = 1024;
    static final int K = 4;
    static final int CARD = 32;

    static LMConfig config(boolean prepend) {
        ConditionFuser fuser = prepend
                ? new ConditionFuser(List.of("self_wav", "description"), List.of(), false, 1.0)
                : new ConditionFuser(List.of(), List.of("description"), false, 1.0);
        return new LMConfig(
                DIM,
                16,
                1,
                4 * DIM,
                K,
                CARD,
                false,
                false,
                false,
                10_000,
                1.0,
                List.of(0, 1, 2, 3),
                fuser,
                30,
                3.0,
                1,
                false,
                32000);
    }

    static WeightStore randomWeights(LMConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, TensorData> t = new LinkedHashMap<>();
        int d = c.dim();
        for (int q = 0; q < K; q++) {
            put(t, r, "emb." + q + ".weight", 1.0, CARD + 1, d);
            put(t, r, "linears." + q + ".weight", 1 / Math.sqrt(d), CARD, d);
        }
        String l = "transformer.layers.0.";
        put(t, r, l + "self_attn.in_proj_weight", 1 / Math.sqrt(d), 3 * d, d);
        put(t, r, l + "self_attn.out_proj.weight", 1 / Math.sqrt(d), d, d);
        if (c.crossAttention()) {
            put(t, r, l + "cross_attention.in_proj_weight", 1 / Math.sqrt(d), 3 * d, d);
            put(t, r, l + "cross_attention.out_proj.weight", 1 / Math.sqrt(d), d, d);
            norm(t, r, l + "norm_cross", d);
        }
        put(t, r, l + "linear1.weight", 1 / Math.sqrt(d), c.ffnDim(), d);
        put(t, r, l + "linear2.weight", 1 / Math.sqrt(c.ffnDim()), d, c.ffnDim());
        norm(t, r, l + "norm1", d);
        norm(t, r, l + "norm2", d);
        norm(t, r, "out_norm", d);
        return WeightStore.of("random", t);
    }

    static void norm(Map<String, TensorData> t, Random r, String name, int d) {
        float[] w = new float[d];
        float[] b = new float[d];
        for (int i = 0; i < d; i++) {
            w[i] = (float) (1 + 0.1 * r.nextGaussian());
            b[i] = (float) (0.1 * r.nextGaussian());
        }
        t.put(name + ".weight", TensorData.ofFloats(name + ".weight", new long[] {d}, w));
        t.put(name + ".bias", TensorData.ofFloats(name + ".bias", new long[] {d}, b));
    }

    static void put(Map<String, TensorData> t, Random r, String name, double std, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * r.nextGaussian());
        }
        t.put(name, TensorData.ofFloats(name, new long[] {rows, cols}, v));
    }

    static LMConditions.Tensor randomCondition(String name, Random r, int n, int len) {
        float[] v = new float[n * len * DIM];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new LMConditions.Tensor(name, v, n, len, DIM);
    }

    void check(boolean prepend) {
        LMConfig c = config(prepend);
        Random r = new Random(11);
        int n = 2;
        int s = 12;
        long[][][] seq = new long[n][K][s];
        for (long[][] row : seq) {
            for (long[] cb : row) {
                for (int i = 0; i < s; i++) {
                    cb[i] = r.nextInt(CARD + 1);
                }
            }
        }
        LMConditions conds = prepend
                ? LMConditions.of(randomCondition("description", r, n, 3), randomCondition("self_wav", r, n, 4))
                : LMConditions.of(randomCondition("description", r, n, 5));
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                LMModel lm = LMModel.load(c, randomWeights(c, 5), root, DataType.FLOAT32)) {
            float[] full = lm.forward(seq, conds); // [N, K, S, card]
            try (NDManager m = lm.newManager();
                    LMState st = lm.newState(m, conds, n, s)) {
                int prefill = 4; // like a continuation prompt: several steps at once, then one by one
                int prev = 0;
                for (int t = prefill; t <= s; t++) {
                    try (NDScope scope = new NDScope()) {
                        NDArray logits = lm.step(st, seq, prev, t); // last position = t - 1
                        float[] got = logits.toFloatArray();
                        float[] want = new float[n * K * CARD];
                        for (int b = 0; b < n; b++) {
                            for (int q = 0; q < K; q++) {
                                System.arraycopy(
                                        full, ((b * K + q) * s + (t - 1)) * CARD, want, (b * K + q) * CARD, CARD);
                            }
                        }
                        Tensors.assertAllClose(
                                "step logits at position " + (t - 1) + (prepend ? " (prepend)" : ""),
                                got,
                                want,
                                1e-4,
                                1e-4);
                    }
                    prev = t;
                }
            }
        }
    }

    @Test
    void streaming_equals_teacher_forcing_with_cross_attention() {
        check(false);
    }

    @Test
    void streaming_equals_teacher_forcing_with_a_prepended_prefix() {
        check(true);
    }

    /**
     * Long inputs (a continuation prompt) run attention over blocks of queries and the feed-forward over blocks of
     * rows; with the block sizes shrunk so that a short input takes those paths, the teacher-forced logits equal the
     * one-pass ones, for fp32 and fp16 weights (where the blocks share one widened fp32 copy of each FFN weight).
     */
    @Slow
    @Test
    void blocked_attention_and_feed_forward_equal_one_pass() {
        LMConfig c = config(false);
        Random r = new Random(3);
        int n = 2;
        int s = 40; // 80 rows: above Projection.HALF_GEMM_ROWS, so fp16 weights are widened
        long[][][] seq = new long[n][K][s];
        for (long[][] row : seq) {
            for (long[] cb : row) {
                for (int i = 0; i < s; i++) {
                    cb[i] = r.nextInt(CARD + 1);
                }
            }
        }
        LMConditions conds = LMConditions.of(randomCondition("description", r, n, 5));
        // blocks of 3 queries in attention; blocks of 70 and 10 rows in the feed-forward
        Blocking small = new Blocking(3L * n * 16 * s, 70);
        for (ComputeType type : new ComputeType[] {ComputeType.FLOAT32, ComputeType.FLOAT16_WEIGHTS}) {
            try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                    LMModel lm = LMModel.load(c, randomWeights(c, 5), root, type);
                    LMModel blockedLm = LMModel.load(c, randomWeights(c, 5), root, type, small)) {
                float[] onePass = lm.forward(seq, conds);
                float[] blocked = blockedLm.forward(seq, conds);
                Tensors.assertAllClose("blocked vs one-pass logits (" + type + ")", blocked, onePass, 1e-5, 1e-5);
            }
        }
    }
}
