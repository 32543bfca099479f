package dev.musicgen.internal.codec;

import dev.musicgen.CheckpointException;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Weight normalization folded once at load: {@code w = g * v / ||v||}, the norm taken over all dims but 0 (torch's
 * {@code weight_norm(module, dim=0)}, i.e. per output channel of a Conv1d and per input channel of a
 * ConvTranspose1d). Checkpoints store {@code weight_g [d0, 1, 1]} and {@code weight_v}.
 */
final class WeightNorm {
    private WeightNorm() {}

    /**
     * The effective weight of a conv module view ({@code <conv>.weight_g/weight_v} when {@code weightNorm}, else
     * {@code <conv>.weight}), shape-checked against {@code shape}.
     */
    static float[] load(WeightStore conv, boolean weightNorm, long... shape) {
        if (!weightNorm) {
            return conv.tensor("weight", shape).toFloatArray();
        }
        float[] g = conv.tensor("weight_g", shape[0], 1, 1).toFloatArray();
        float[] v = conv.tensor("weight_v", shape).toFloatArray();
        return fold(g, v, conv.prefix() + "weight_v");
    }

    /** {@code v * (g / ||v||)} per slice of dim 0, evaluated in float as torch's {@code _weight_norm} does. */
    static float[] fold(float[] g, float[] v, String name) {
        int n = g.length;
        if (v.length % n != 0) {
            throw new CheckpointException(
                    "weight norm of '" + name + "': " + v.length + " values do not split into " + n + " slices");
        }
        int per = v.length / n;
        float[] w = new float[v.length];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < per; j++) {
                double x = v[i * per + j];
                sum += x * x;
            }
            float scale = g[i] / (float) Math.sqrt(sum);
            for (int j = 0; j < per; j++) {
                w[i * per + j] = v[i * per + j] * scale;
            }
        }
        return w;
    }
}
