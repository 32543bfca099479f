package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.testing.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java decode step of {@link ComputeType#INT8_WEIGHTS} against the engine's fp32 step on the same weights. The
 * weights are built so that int8 quantization is lossless (each row is {@code k · 2^e} with integers |k| ≤ 127 and a
 * ±127 in every block), and the self-attention cache is kept in fp32: the two steps then compute the same function and
 * differ only by float summation order, so their logits agree within 1e-5 (relative, and absolute on logits of order
 * 1). This covers everything but the rounding of quantization: the int8 products and their scales, embeddings,
 * positions, LayerNorm, GELU, both attentions, the cache written by a prefill and by steps, biases, the heads.
 */
class JavaDecodeStepTest {
    static final double TOL = 1e-5;

    private static NDManager root;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    static LMConfig config(int dim, int heads, int layers, int ffn, int card, boolean biases, boolean prepend) {
        ConditionFuser fuser = prepend
                ? new ConditionFuser(List.of("self_wav"), List.of("description"), false, 1.0)
                : new ConditionFuser(List.of(), List.of("description"), false, 1.0);
        return new LMConfig(
                dim,
                heads,
                layers,
                ffn,
                4,
                card,
                biases,
                biases,
                biases,
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

    /** Random weights whose matrices int8 quantization keeps exactly (see the class comment). */
    static WeightStore exactInt8Weights(LMConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, TensorData> t = new LinkedHashMap<>();
        int d = c.dim();
        for (int q = 0; q < c.nQ(); q++) {
            gaussian(t, r, "emb." + q + ".weight", 1.0, c.card() + 1, d);
            exact(t, r, "linears." + q + ".weight", c.card(), d);
            if (c.biasProj()) {
                gaussian(t, r, "linears." + q + ".bias", 0.1, c.card());
            }
        }
        for (int i = 0; i < c.numLayers(); i++) {
            String l = "transformer.layers." + i + ".";
            for (String attn : c.crossAttention() ? List.of("self_attn", "cross_attention") : List.of("self_attn")) {
                exact(t, r, l + attn + ".in_proj_weight", 3 * d, d);
                exact(t, r, l + attn + ".out_proj.weight", d, d);
                if (c.biasAttn()) {
                    gaussian(t, r, l + attn + ".in_proj_bias", 0.1, 3 * d);
                    gaussian(t, r, l + attn + ".out_proj.bias", 0.1, d);
                }
            }
            if (c.crossAttention()) {
                StreamingConsistencyTest.norm(t, r, l + "norm_cross", d);
            }
            exact(t, r, l + "linear1.weight", c.ffnDim(), d);
            exact(t, r, l + "linear2.weight", d, c.ffnDim());
            if (c.biasFf()) {
                gaussian(t, r, l + "linear1.bias", 0.1, c.ffnDim());
                gaussian(t, r, l + "linear2.bias", 0.1, d);
            }
            StreamingConsistencyTest.norm(t, r, l + "norm1", d);
            StreamingConsistencyTest.norm(t, r, l + "norm2", d);
        }
        StreamingConsistencyTest.norm(t, r, "out_norm", d);
        return WeightStore.of("exact-int8", t);
    }

    private static void gaussian(Map<String, TensorData> t, Random r, String name, double std, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * r.nextGaussian());
        }
        t.put(name, TensorData.ofFloats(name, shape, v));
    }

    /** {@code k · 2^e} per row, e chosen so rows have about unit-variance products; ±127 at every 32nd column. */
    private static void exact(Map<String, TensorData> t, Random r, String name, int rows, int cols) {
        float[] v = new float[rows * cols];
        int e = -Math.round((float) (Math.log(60 * Math.sqrt(cols)) / Math.log(2)));
        for (int o = 0; o < rows; o++) {
            float scale = Math.scalb(1f, e + r.nextInt(2));
            for (int i = 0; i < cols; i++) {
                int k = i % Int8Linear.BLOCK == 0 ? (r.nextBoolean() ? 127 : -127) : r.nextInt(255) - 127;
                v[o * cols + i] = k * scale;
            }
        }
        t.put(name, TensorData.ofFloats(name, new long[] {rows, cols}, v));
    }

    private static long[][][] randomSequence(Random r, int n, int k, int s, int card) {
        long[][][] seq = new long[n][k][s];
        for (long[][] row : seq) {
            for (long[] cb : row) {
                for (int i = 0; i < s; i++) {
                    cb[i] = r.nextInt(card + 1);
                }
            }
        }
        return seq;
    }

    private static LMConditions.Tensor condition(String name, Random r, int n, int len, int dim) {
        float[] v = new float[n * len * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new LMConditions.Tensor(name, v, n, len, dim);
    }

    /**
     * Steps {@code seq} through an fp32 model and an INT8 one (fp32 cache) from a prefill of {@code prefill}
     * positions, comparing the logits of every step.
     */
    private static void check(LMConfig c, int n, int prefill, int steps, boolean prepend) {
        for (int block : new int[] {0, Int8Linear.BLOCK}) {
            int saved = Int8Linear.preferredBlock;
            Int8Linear.preferredBlock = block;
            try {
                check(c, n, prefill, steps, prepend, DecodeCache.F32, null, TOL);
            } finally {
                Int8Linear.preferredBlock = saved;
            }
        }
    }

    /**
     * Steps {@code seq} through an fp32 model and an INT8 one whose cache is in {@code format}, comparing every step's
     * logits within {@code tol} (absolute and relative); {@code worst}, when given, receives the largest difference.
     */
    private static void check(
            LMConfig c, int n, int prefill, int steps, boolean prepend, int format, double[] worst, double tol) {
        Random r = new Random(7);
        long[][][] seq = randomSequence(r, n, c.nQ(), prefill + steps, c.card());
        LMConditions conds = prepend
                ? LMConditions.of(condition("description", r, n, 5, c.dim()), condition("self_wav", r, n, 3, c.dim()))
                : LMConditions.of(condition("description", r, n, 7, c.dim()));
        WeightStore store = exactInt8Weights(c, 3);
        int saved = DecodeCache.defaultFormat;
        DecodeCache.defaultFormat = format;
        try (LMModel f32 = LMModel.load(c, store, root, ComputeType.FLOAT32);
                LMModel i8 = LMModel.load(c, store, root, ComputeType.INT8_WEIGHTS);
                NDManager m = root.newSubManager();
                LMState a = f32.newState(m, conds, n, prefill + steps);
                LMState b = i8.newState(m, conds, n, prefill + steps)) {
            assertThat(i8.decodeThreads()).isGreaterThan(0);
            int prev = 0;
            for (int t = prefill; t <= prefill + steps; t++) {
                try (NDScope scope = new NDScope()) {
                    float[] want = f32.step(a, seq, prev, t).toFloatArray();
                    float[] got = i8.step(b, seq, prev, t).toFloatArray();
                    for (int i = 0; worst != null && i < got.length; i++) {
                        worst[0] = Math.max(worst[0], Math.abs(got[i] - want[i]));
                    }
                    Tensors.assertAllClose(
                            "logits at position " + (t - 1) + " (dim " + c.dim() + ", " + n + " rows, " + "block "
                                    + Int8Linear.preferredBlock + ", cache " + DecodeCache.formatName(format) + ")",
                            got,
                            want,
                            tol,
                            tol);
                }
                prev = t;
            }
            assertThat(b.offset()).isEqualTo(a.offset());
        } finally {
            DecodeCache.defaultFormat = saved;
        }
    }

    @Test
    void java_step_with_lossless_int8_weights_matches_the_fp32_engine_step() {
        // head dim 64, vector-length multiples everywhere; a prefill of 3 positions then steps across key blocks
        check(config(256, 4, 2, 512, 64, false, false), 2, 3, 40, false);
    }

    @Test
    void java_step_handles_odd_sizes_biases_an_odd_row_count_and_a_prepended_prefix() {
        // dim 48 (not a multiple of the 32-value block: per-row scales), head dim 12, ffn 80: every scalar tail
        check(config(48, 4, 2, 80, 20, true, true), 3, 1, 35, true);
    }

    /**
     * The int8 cache in a whole step, against the fp32 cache on the same exact weights over 60 steps. Measured worst
     * logit difference {@value #I8_CACHE_MEASURED} (logits up to ~4; this random model's attention is sharp, scores
     * up to ~3 after scaling); asserted within 2x that. The kernels' own error is bounded exactly in
     * {@link #int8_cache_kernels_err_by_at_most_half_a_step_per_element}.
     */
    @Test
    void int8_cache_stays_close_to_the_fp32_cache_in_a_step() {
        double[] worst = {0};
        check(config(256, 4, 2, 512, 64, false, false), 2, 1, 60, false, DecodeCache.I8, worst, 2 * I8_CACHE_MEASURED);
        assertThat(worst[0]).isGreaterThan(0);
    }

    static final double I8_CACHE_MEASURED = 0.24;

    /**
     * Scores and weighted values over an int8 cache against the same over the fp32 values it was written from: each
     * stored value is within half a step ({@code scale / 2}) of the original, so a score may differ by at most
     * {@code Σ_d |q_d| · scale_j / 2} and an output by {@code Σ_j p_j · vscale_j / 2}.
     */
    @Test
    void int8_cache_kernels_err_by_at_most_half_a_step_per_element() {
        int dh = 64;
        int n = 77; // not a multiple of the key block
        int cap = 96;
        Random r = new Random(1);
        float[] q = new float[dh];
        for (int i = 0; i < dh; i++) {
            q[i] = (float) r.nextGaussian();
        }
        float[] kf = new float[cap * dh];
        float[] vf = new float[cap * dh];
        byte[] kb = new byte[cap * dh];
        byte[] vb = new byte[cap * dh];
        float[] ks = new float[cap];
        float[] vs = new float[cap];
        float[] src = new float[2 * dh];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) (r.nextGaussian() * (1 + j % 3));
            }
            AttentionKernels.writeF32(kf, true, 0, j, src, 0, dh);
            AttentionKernels.writeI8(kb, true, 0, ks, 0, j, src, 0, dh);
            AttentionKernels.writeF32(vf, false, 0, j, src, dh, dh);
            AttentionKernels.writeI8(vb, false, 0, vs, 0, j, src, dh, dh);
        }
        float[] exact = new float[cap];
        float[] approx = new float[cap];
        AttentionKernels.scoresF32(kf, 0, q, 0, dh, n, exact);
        AttentionKernels.scoresI8(kb, 0, ks, 0, q, 0, dh, n, approx);
        double qAbs = 0;
        for (float v : q) {
            qAbs += Math.abs(v);
        }
        for (int j = 0; j < n; j++) {
            assertThat((double) Math.abs(approx[j] - exact[j]))
                    .as("score %d", j)
                    .isLessThanOrEqualTo(qAbs * ks[j] / 2 * 1.001 + 1e-5);
        }
        float sum = AttentionKernels.softmaxUnnormalized(exact, n, 0.125f);
        float[] o1 = new float[dh];
        float[] o2 = new float[dh];
        AttentionKernels.weightedValuesF32(vf, 0, exact, n, sum, dh, o1, 0);
        AttentionKernels.weightedValuesI8(vb, 0, vs, 0, exact, n, sum, dh, o2, 0);
        double bound = 0;
        for (int j = 0; j < n; j++) {
            bound += exact[j] / sum * vs[j] / 2;
        }
        for (int d = 0; d < dh; d++) {
            assertThat((double) Math.abs(o2[d] - o1[d])).as("output %d", d).isLessThanOrEqualTo(bound * 1.001 + 1e-6);
        }
    }

    @Test
    void int8_quantization_is_exact_on_representable_weights_and_dequantizes_for_the_engine() {
        Random r = new Random(1);
        Map<String, TensorData> t = new LinkedHashMap<>();
        exact(t, r, "w", 5, 64);
        float[] w = t.get("w").toFloatArray();
        try (NDManager m = root.newSubManager()) {
            Int8Linear q = Int8Linear.quantize(w, 5, 64, Int8Linear.BLOCK);
            assertThat(q.block).isEqualTo(Int8Linear.BLOCK);
            float[] back = q.dequantize(m).toFloatArray();
            assertThat(back).containsExactly(w);
            for (int i = 0; i < w.length; i++) {
                assertThat(q.get(i / 64, i % 64)).isEqualTo(w[i]);
            }
            // rows narrower than a block: one scale per row, values within half a step of the originals
            float[] small = {1, -2, 0.5f, 4, 0, -1e-3f};
            Int8Linear narrow = Int8Linear.quantize(small, 2, 3, Int8Linear.BLOCK);
            assertThat(narrow.block).isEqualTo(3);
            float[] approx = narrow.dequantize(m).toFloatArray();
            for (int i = 0; i < small.length; i++) {
                float step = (i < 3 ? 2f : 4f) / 127;
                assertThat(Math.abs(approx[i] - small[i])).as("value %d", i).isLessThanOrEqualTo(step / 2 * 1.0001f);
            }
        }
    }
}
