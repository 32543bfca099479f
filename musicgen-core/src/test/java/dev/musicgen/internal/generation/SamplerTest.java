package dev.musicgen.internal.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.lm.LMCheckpoint;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SamplerTest {
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
    void top_k_keeps_ties_of_the_kth_value() {
        float[] p = {0.3f, 0.2f, 0.2f, 0.2f, 0.1f};
        Sampler.filterTopK(p, 2);
        assertThat(p).containsExactly(0.3f, 0.2f, 0.2f, 0.2f, 0f);
    }

    @Test
    void kth_largest_and_descending_order_agree_with_sorting() {
        Random r = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = r.nextInt(4) == 0 ? 0.25f : r.nextFloat(); // with ties
            }
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = 1 + r.nextInt(n);
            assertThat(Sampler.kthLargest(a.clone(), k)).isEqualTo(sorted[n - k]);
            int[] order = Sampler.descendingOrder(a);
            for (int i = 1; i < n; i++) {
                float prev = a[order[i - 1]];
                float cur = a[order[i]];
                assertThat(prev > cur || (prev == cur && order[i - 1] < order[i]))
                        .isTrue();
            }
        }
    }

    @Test
    void top_k_larger_than_vocabulary_keeps_everything() {
        float[] p = {0.5f, 0.25f, 0.25f};
        Sampler.filterTopK(p, 250);
        assertThat(p).containsExactly(0.5f, 0.25f, 0.25f);
    }

    @Test
    void top_p_keeps_the_token_that_crosses_p() {
        float[] p = {0.05f, 0.5f, 0.15f, 0.3f};
        int[] order = Sampler.descendingOrder(p);
        assertThat(order).containsExactly(1, 3, 2, 0);
        assertThat(Sampler.topPWeights(p, order, 0.6)).containsExactly(0.5f, 0.3f, 0f, 0f);
        assertThat(Sampler.topPWeights(p, order, 0.4)).containsExactly(0.5f, 0f, 0f, 0f);
        assertThat(Sampler.topPWeights(p, order, 1.0)).containsExactly(0.5f, 0.3f, 0.15f, 0.05f);
    }

    @Test
    void inverse_cdf_edges_pick_tokens_with_mass() {
        float[] w = {0f, 0.5f, 0f, 0.5f, 0f};
        assertThat(Sampler.inverseCdf(w, null, 0.0)).isEqualTo(1);
        assertThat(Sampler.inverseCdf(w, null, 0.4999)).isEqualTo(1);
        assertThat(Sampler.inverseCdf(w, null, 0.5)).isEqualTo(3);
        assertThat(Sampler.inverseCdf(w, null, Math.nextDown(1.0))).isEqualTo(3);
        assertThat(Sampler.inverseCdf(w, new int[] {4, 3, 2, 1, 0}, 0.0)).isEqualTo(3);
        assertThatThrownBy(() -> Sampler.inverseCdf(new float[] {0f, 0f}, null, 0.5))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void argmax_when_not_sampling_or_temperature_zero() {
        try (NDManager m = root.newSubManager()) {
            NDArray logits = m.create(new float[] {0f, 3f, 1f, 3f, -1f, 2f}, new Shape(2, 3));
            Random rng = new Random(0);
            assertThat(new Sampler(true, 0.0, 250, 0).sample(logits, rng)).containsExactly(1, 0);
            assertThat(new Sampler(false, 1.0, 250, 0.9).sample(logits, rng)).containsExactly(1, 0);
            assertThat(new Sampler(true, 0.0, 250, 0).isRandom()).isFalse();
        }
    }

    @Test
    void engine_sampling_picks_the_same_tokens_as_the_java_reference() {
        Random r = new Random(5);
        int[][] settings = {{250, 2048}, {0, 2048}, {4000, 2048}, {1, 64}, {5, 40}, {40, 40}};
        for (int[] kc : settings) {
            for (double temp : new double[] {1.0, 0.7}) {
                Sampler s = new Sampler(true, temp, kc[0], 0);
                for (int trial = 0; trial < 40; trial++) {
                    int rows = 8;
                    float[] logits = new float[rows * kc[1]];
                    for (int i = 0; i < logits.length; i++) {
                        // every fourth value from a small set: ties at and around the k-th value
                        logits[i] = r.nextInt(4) == 0 ? r.nextInt(3) : (float) (r.nextGaussian() * 3);
                    }
                    try (NDManager m = root.newSubManager()) {
                        NDArray l = m.create(logits, new Shape(rows, kc[1]));
                        long seed = r.nextLong();
                        assertThat(s.sample(l, new Random(seed)))
                                .as("top_k %d of %d, temperature %s", kc[0], kc[1], temp)
                                .containsExactly(s.sampleInJava(l, new Random(seed)));
                    }
                }
            }
        }
    }

    @Test
    void engine_sampling_refuses_nan_logits_like_the_reference() {
        try (NDManager m = root.newSubManager()) {
            NDArray l = m.create(new float[] {0f, Float.NaN, 1f, 2f}, new Shape(1, 4));
            assertThatThrownBy(() -> new Sampler(true, 1.0, 2, 0).sample(l, new Random(0)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot sample");
        }
    }

    @Test
    void a_temperature_too_small_to_sample_with_is_named() {
        try (NDManager m = root.newSubManager()) {
            NDArray l = m.create(new float[] {10f, 20f, 30f, 40f}, new Shape(1, 4));
            for (int topK : new int[] {0, 2}) {
                assertThatThrownBy(() -> new Sampler(true, 1e-38, topK, 0).sample(l, new Random(0)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("temperature 1.0E-38 is too small");
            }
        }
    }

    @Test
    void rejects_out_of_range_settings() {
        assertThatThrownBy(() -> new Sampler(true, 1, -1, 0))
                .hasMessage("topK must be >= 0 (0 = disabled), but is: -1");
        assertThatThrownBy(() -> new Sampler(true, 1, 0, 1.5))
                .hasMessage("topP must be between 0.0 and 1.0 (0 = disabled), but is: 1.5");
    }

    /** Logits of the first guided step of the tiny mono model, [K, card]. */
    static float[] modelLogits(int[] shape) {
        Map<String, TensorData> exp = Fixtures.tensors("generate_text", "expected.safetensors");
        TensorData c = exp.get("condition_description");
        LMConditions cond = LMConditions.of(new LMConditions.Tensor(
                "description", c.toFloatArray(), (int) c.shape()[0], (int) c.shape()[1], (int) c.shape()[2]));
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32);
                NDManager m = lm.newManager();
                LMState st = lm.newState(m, cond, 2, 8);
                NDScope scope = new NDScope()) {
            long[][][] seq = new long[2][4][1];
            for (long[][] r : seq) {
                for (long[] q : r) {
                    q[0] = lm.config().specialToken();
                }
            }
            NDArray l = lm.step(st, seq, 0, 1); // [2, 4, card]
            shape[0] = 4;
            shape[1] = lm.config().card();
            NDArray u = l.get("1:2");
            return u.add(l.get("0:1").sub(u).mul(3.0)).reshape(4, shape[1]).toFloatArray();
        }
    }

    @Test
    void empirical_distribution_matches_the_filtered_softmax_on_the_tiny_model() {
        int[] shape = new int[2];
        float[] logits = modelLogits(shape);
        int card = shape[1];
        int draws = 20_000;
        for (double topP : new double[] {0.9, 0.0}) {
            Sampler s = new Sampler(true, 1.0, 250, topP); // top-p takes precedence; then top-k 250 (> card: all)
            for (int row = 0; row < shape[0]; row++) {
                float[] one = Arrays.copyOfRange(logits, row * card, (row + 1) * card);
                double[] expected = expectedDistribution(one, topP, 250);
                long[] counts = draw(s, one, draws, new Random(1234 + row));
                for (int i = 0; i < card; i++) {
                    if (expected[i] == 0) {
                        assertThat(counts[i])
                                .as("token %d outside the kept set (top_p %s)", i, topP)
                                .isZero();
                    }
                }
                assertChiSquare(counts, expected, draws, "row " + row + " top_p " + topP);
            }
        }
    }

    @Test
    void top_k_250_of_2048_matches_and_never_leaves_the_top_k() {
        Random r = new Random(7);
        int card = 2048;
        float[] logits = new float[card];
        for (int i = 0; i < card; i++) {
            logits[i] = (float) (r.nextGaussian() * 2.0);
        }
        int draws = 20_000;
        double[] expected = expectedDistribution(logits, 0.0, 250);
        long[] counts = draw(new Sampler(true, 1.0, 250, 0), logits, draws, new Random(99));
        long kept = Arrays.stream(expected).filter(e -> e > 0).count();
        assertThat(kept).isEqualTo(250);
        for (int i = 0; i < card; i++) {
            if (expected[i] == 0) {
                assertThat(counts[i]).isZero();
            }
        }
        assertChiSquare(counts, expected, draws, "top_k 250 of 2048");
    }

    /**
     * {@code draws} samples from one row of logits: the engine's softmax once, then the per-row filtering and draw
     * exactly as {@link Sampler#sample} does for each row.
     */
    static long[] draw(Sampler s, float[] logits, int draws, Random rng) {
        float[] probs;
        try (NDManager m = root.newSubManager()) {
            probs = s.probabilities(m.create(logits, new Shape(1, logits.length)));
        }
        long[] counts = new long[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[s.sampleRow(probs.clone(), rng.nextDouble())]++;
        }
        return counts;
    }

    @Test
    void sample_draws_one_uniform_per_row_in_order() {
        float[] logits = {0.1f, 1.2f, -0.3f, 0.7f, 2.0f, 0.0f};
        Sampler s = new Sampler(true, 1.0, 0, 0);
        long[] viaSample;
        try (NDManager m = root.newSubManager()) {
            viaSample = s.sample(m.create(logits, new Shape(2, 3)), new Random(5));
        }
        Random r = new Random(5);
        float[] p0 = s.probabilities(root.create(Arrays.copyOfRange(logits, 0, 3), new Shape(1, 3)));
        float[] p1 = s.probabilities(root.create(Arrays.copyOfRange(logits, 3, 6), new Shape(1, 3)));
        assertThat(viaSample).containsExactly(s.sampleRow(p0, r.nextDouble()), s.sampleRow(p1, r.nextDouble()));
    }

    /** The target distribution computed independently in double: softmax, then top-p or top-k, renormalised. */
    static double[] expectedDistribution(float[] logits, double topP, int topK) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(p[b], p[a]));
        double[] q = new double[n];
        if (topP > 0) {
            double before = 0;
            for (int j = 0; j < n; j++) {
                if (before <= topP) {
                    q[idx[j]] = p[idx[j]];
                }
                before += p[idx[j]];
            }
        } else {
            for (int j = 0; j < Math.min(topK, n); j++) {
                q[idx[j]] = p[idx[j]];
            }
        }
        double z = Arrays.stream(q).sum();
        for (int i = 0; i < n; i++) {
            q[i] /= z;
        }
        return q;
    }

    /** Pearson chi-square with cells of expected count < 5 pooled; fails beyond the 0.999 quantile. */
    static void assertChiSquare(long[] counts, double[] expected, int draws, String what) {
        double chi = 0;
        int cells = 0;
        double pooledE = 0;
        long pooledO = 0;
        for (int i = 0; i < counts.length; i++) {
            double e = expected[i] * draws;
            if (e == 0) {
                continue;
            }
            if (e < 5) {
                pooledE += e;
                pooledO += counts[i];
                continue;
            }
            chi += (counts[i] - e) * (counts[i] - e) / e;
            cells++;
        }
        if (pooledE > 0) {
            chi += (pooledO - pooledE) * (pooledO - pooledE) / pooledE;
            cells++;
        }
        int df = Math.max(1, cells - 1);
        // Wilson-Hilferty approximation of the chi-square quantile, z(0.999) = 3.09
        double a = 2.0 / (9 * df);
        double crit = df * Math.pow(1 - a + 3.09 * Math.sqrt(a), 3);
        assertThat(chi)
                .as("%s: chi-square %.1f with %d dof (critical %.1f)", what, chi, df, crit)
                .isLessThan(crit);
    }
}
