package dev.musicgen.internal.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import java.util.Arrays;
import java.util.Random;

/**
 * The token choice of audiocraft's {@code LMModel._sample_next_token} with {@code utils.sample_top_k/sample_top_p}
 * (v1.2.0): when sampling with a positive temperature, {@code probs = softmax(logits / temperature)} (in the engine,
 * float32, as upstream), then top-p if {@code topP > 0}, else top-k if {@code topK > 0}, else the full distribution;
 * otherwise the argmax of the logits (first index on ties, as torch).
 *
 * <p>Filtering follows upstream exactly: top-k keeps every probability {@code >=} the k-th largest (ties may keep more
 * than k); top-p sorts descending, accumulates, and drops a token when the mass before it already exceeds p (so the
 * token crossing p is kept). The draw itself is an inverse-CDF over the kept (unnormalised) weights with a uniform
 * {@code u} from the caller's {@link Random}: {@code torch.multinomial}'s random stream cannot be reproduced outside
 * torch anyway, and a per-generation {@code java.util.Random} (a specified algorithm) makes a seed give the same tokens
 * on every JVM and thread, independent of the engine's global generator. One {@code u} is drawn per row, in row order.
 *
 * <p>Top-k and full-distribution sampling run in the engine ({@link #sample}): the uniforms go in, only the chosen
 * tokens come back. The engine computes exactly what the Java reference ({@link #sampleRow}) does: the k-th largest
 * probability from {@code topk}, the same {@code >=} filter, and a float64 {@code cumsum} that accumulates the float
 * weights in index order like the Java loop, so the first index whose running sum exceeds {@code u · Σw} is the same
 * token. Top-p needs a stable descending sort, which the engine does not promise for ties, so it stays in Java.
 */
public final class Sampler {
    private final boolean useSampling;
    private final double temperature;
    private final int topK;
    private final double topP;

    /**
     * @param useSampling false = argmax
     * @param temperature softmax temperature; {@code <= 0} = argmax
     * @param topK keep the k most likely tokens (0 = off)
     * @param topP keep the smallest set with mass {@code >= p} (0 = off; takes precedence over topK)
     */
    public Sampler(boolean useSampling, double temperature, int topK, double topP) {
        if (Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be a number, but is: NaN");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = disabled), but is: " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be between 0.0 and 1.0 (0 = disabled), but is: " + topP);
        }
        this.useSampling = useSampling;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
    }

    /** Whether this sampler draws random numbers (false: argmax). */
    public boolean isRandom() {
        return useSampling && temperature > 0;
    }

    /** One token per row of {@code logits [rows, card]}. */
    public long[] sample(NDArray logits, Random rng) {
        if (!isRandom()) {
            return logits.argMax(-1).toLongArray();
        }
        if (topP > 0) {
            return sampleInJava(logits, rng);
        }
        Shape shape = logits.getShape();
        int card = (int) shape.get(shape.dimension() - 1);
        int rows = (int) (shape.size() / card);
        double[] u = new double[rows];
        for (int r = 0; r < rows; r++) {
            u[r] = rng.nextDouble();
        }
        NDArray probs = logits.reshape(rows, card).div(temperature).softmax(-1); // [rows, card] float32
        NDArray weights = probs;
        if (topK > 0 && topK < card) {
            NDArray kth = F.narrow(probs.topK(topK, -1, true, true).get(0), 1, topK - 1, topK); // [rows, 1]
            weights = probs.mul(probs.gte(kth).toType(DataType.FLOAT32, false));
        }
        NDArray cum = weights.toType(DataType.FLOAT64, false).cumSum(1); // [rows, card], sequential in float64
        NDArray total = F.narrow(cum, 1, card - 1, card); // [rows, 1]
        NDArray target = total.mul(logits.getManager().create(u, new Shape(rows, 1)));
        NDArray index = cum.lte(target).toType(DataType.FLOAT64, false).sum(new int[] {1}, true); // [rows, 1]
        // tokens and the row totals in one read; a total that is not a positive finite number means NaN/inf logits
        double[] back = NDArrays.concat(new NDList(index, total), 1).toDoubleArray();
        long[] out = new long[rows];
        for (int r = 0; r < rows; r++) {
            double sum = back[2 * r + 1];
            if (!(sum > 0) || Double.isInfinite(sum)) {
                throw notSampleable(sum);
            }
            long token = (long) back[2 * r];
            if (token >= card) {
                // u·total rounded up to the whole sum: the Java reference picks the last token with mass
                float[] w = F.narrow(weights, 0, r, r + 1).toFloatArray();
                token = inverseCdf(w, null, u[r]);
            }
            out[r] = token;
        }
        return out;
    }

    /** The Java reference of {@link #sample}: probabilities copied out, filtered and drawn row by row. */
    long[] sampleInJava(NDArray logits, Random rng) {
        int card = (int) logits.getShape().get(logits.getShape().dimension() - 1);
        float[] probs = probabilities(logits);
        int rows = probs.length / card;
        long[] out = new long[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = sampleRow(Arrays.copyOfRange(probs, r * card, (r + 1) * card), rng.nextDouble());
        }
        return out;
    }

    /** {@code softmax(logits / temperature)} over the last axis, in the engine (float32), flattened. */
    float[] probabilities(NDArray logits) {
        return logits.div(temperature).softmax(-1).toFloatArray();
    }

    /** Samples one index from softmax probabilities {@code probs} (filtered in place) with uniform {@code u}. */
    int sampleRow(float[] probs, double u) {
        if (topP > 0) {
            return sampleTopP(probs, u);
        }
        if (topK > 0) {
            filterTopK(probs, topK);
        }
        return inverseCdf(probs, null, u);
    }

    /** Zeroes every probability below the k-th largest (upstream keeps {@code p >= kth}). */
    static void filterTopK(float[] probs, int k) {
        // upstream torch.topk would fail for k > card; all tokens are kept instead
        if (k >= probs.length) {
            return;
        }
        float kth = kthLargest(probs.clone(), k);
        for (int i = 0; i < probs.length; i++) {
            if (!(probs[i] >= kth)) {
                probs[i] = 0f;
            }
        }
    }

    /** The k-th largest value (1-based) by quickselect; reorders {@code a}. */
    static float kthLargest(float[] a, int k) {
        int target = a.length - k; // index in ascending order
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }

    /** The sorted order of {@code probs} (non-negative), descending; equal values keep index order. */
    static int[] descendingOrder(float[] probs) {
        // non-negative float bits order like the floats: sort (MAX - bits, index) keys as longs
        long[] keys = new long[probs.length];
        for (int i = 0; i < probs.length; i++) {
            long bits = Float.floatToIntBits(probs[i] + 0.0f);
            keys[i] = ((Integer.MAX_VALUE - bits) << 32) | i;
        }
        Arrays.sort(keys);
        int[] out = new int[probs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /**
     * Keeps the sorted prefix whose preceding mass is {@code <= p}: {@code mask = cumsum - p_sorted > p} in float32,
     * with the cumulative sum accumulated in double like torch's CPU cumsum.
     */
    static float[] topPWeights(float[] probs, int[] order, double p) {
        float[] kept = new float[probs.length];
        float pf = (float) p;
        double acc = 0;
        for (int i = 0; i < order.length; i++) {
            float ps = probs[order[i]];
            acc += ps;
            float cum = (float) acc;
            kept[i] = (cum - ps > pf) ? 0f : ps;
        }
        return kept;
    }

    private int sampleTopP(float[] probs, double u) {
        int[] order = descendingOrder(probs);
        return inverseCdf(topPWeights(probs, order, topP), order, u);
    }

    /** The first index whose running sum exceeds {@code u · Σw}; {@code order} maps positions to tokens (or null). */
    static int inverseCdf(float[] weights, int[] order, double u) {
        double total = 0;
        for (float w : weights) {
            total += w;
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalStateException(
                    "cannot sample: probabilities sum to " + total + " (logits contain NaN or inf?)");
        }
        double target = u * total;
        double acc = 0;
        int last = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                acc += weights[i];
                last = i;
                if (acc > target) {
                    return order == null ? i : order[i];
                }
            }
        }
        // u·total rounded up to the full sum: the last token with mass
        return order == null ? last : order[last];
    }

    /**
     * The error for probabilities that do not sum to a positive finite number. A tiny temperature is the usual cause
     * ({@code logits / 1e-38} overflows float32 and softmax turns inf into NaN), so it is named when it applies.
     */
    private RuntimeException notSampleable(double sum) {
        if (temperature < MIN_SAFE_TEMPERATURE) {
            return new IllegalArgumentException("temperature " + temperature + " is too small to sample with: logits "
                    + "divided by it overflow float32 (probabilities sum to " + sum + "); use a temperature of at "
                    + "least " + MIN_SAFE_TEMPERATURE + ", or top_k 1 for greedy decoding");
        }
        return new IllegalStateException("cannot sample: probabilities sum to " + sum + " (logits contain NaN or inf)");
    }

    /** Below this, a temperature is named as the likely cause: logits / temperature reach float32's limit. */
    static final double MIN_SAFE_TEMPERATURE = 1e-4;
}
