package dev.musicgen.testing;

import java.util.SplittableRandom;

/**
 * Torch ops written out literally in plain Java (double accumulation) over row-major arrays: the definitions the
 * engine emulations in {@code dev.musicgen.internal.nn} and the modules' faster forms are checked against.
 */
public final class TorchReference {
    private TorchReference() {}

    /** {@code n} values uniform in [-1, 1). */
    public static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /**
     * {@code F.conv_transpose1d}: {@code out[n, o, t*s + kk - pad] += x[n, i, t] * w[i, o, kk]}, plus the bias.
     * x {@code [batch, cin, len]}, w {@code [cin, cout, k]}, bias {@code [cout]} or null; out
     * {@code [batch, cout, (len-1)*s - 2*pad + k + outPad]}.
     */
    public static float[] convTranspose1d(
            float[] x,
            int batch,
            int cin,
            int len,
            float[] w,
            int cout,
            int k,
            float[] bias,
            int s,
            int pad,
            int outPad) {
        int outLen = (len - 1) * s - 2 * pad + k + outPad;
        float[] y = new float[batch * cout * outLen];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < cout; o++) {
                double[] acc = new double[outLen];
                for (int i = 0; i < cin; i++) {
                    for (int t = 0; t < len; t++) {
                        for (int kk = 0; kk < k; kk++) {
                            int pos = t * s + kk - pad;
                            if (pos >= 0 && pos < outLen) {
                                acc[pos] += (double) x[(n * cin + i) * len + t] * w[(i * cout + o) * k + kk];
                            }
                        }
                    }
                }
                for (int p = 0; p < outLen; p++) {
                    y[(n * cout + o) * outLen + p] = (float) (acc[p] + (bias == null ? 0 : bias[o]));
                }
            }
        }
        return y;
    }

    /**
     * {@code F.conv1d} (zero padding, one group): {@code out[n, o, t] = bias[o] + sum_{i,kk} w[o, i, kk]
     * x[n, i, t*s + kk*d - p]}. x {@code [batch, cin, len]}, w {@code [cout, cin, k]}, bias or null.
     */
    public static float[] conv1d(
            float[] x, int batch, int cin, int len, float[] w, int cout, int k, float[] bias, int s, int p, int d) {
        int outLen = (len + 2 * p - d * (k - 1) - 1) / s + 1;
        float[] out = new float[batch * cout * outLen];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < cout; o++) {
                for (int t = 0; t < outLen; t++) {
                    double acc = bias == null ? 0 : bias[o];
                    for (int i = 0; i < cin; i++) {
                        for (int kk = 0; kk < k; kk++) {
                            int pos = t * s + kk * d - p;
                            if (pos >= 0 && pos < len) {
                                acc += (double) w[(o * cin + i) * k + kk] * x[(n * cin + i) * len + pos];
                            }
                        }
                    }
                    out[(n * cout + o) * outLen + t] = (float) acc;
                }
            }
        }
        return out;
    }

    /**
     * {@code nn.GroupNorm(groups, c, eps)} over x {@code [batch, c, rest]} (any trailing dims flattened into rest):
     * biased variance per (item, group), eps inside the square root, then the per-channel affine.
     */
    public static float[] groupNorm(
            float[] x, int batch, int c, int rest, int groups, float[] gamma, float[] beta, double eps) {
        float[] out = new float[x.length];
        int per = c / groups * rest;
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < groups; g++) {
                int off = (n * groups + g) * per;
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += x[off + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (x[off + i] - mean) * (x[off + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int ch = g * (c / groups) + i / rest;
                    out[off + i] = (float) ((x[off + i] - mean) / Math.sqrt(var + eps) * gamma[ch] + beta[ch]);
                }
            }
        }
        return out;
    }

    /**
     * audiocraft's {@code create_sin_embedding} for positions {@code [start, start + count)}: row p is
     * {@code cat([cos(phase), sin(phase)])} with {@code phase_i = p / max_period ** (i / (dim/2 - 1))}.
     */
    public static float[] sinEmbedding(long start, int count, int dim, double maxPeriod) {
        int half = dim / 2;
        float[] out = new float[count * dim];
        for (int p = 0; p < count; p++) {
            for (int i = 0; i < half; i++) {
                double phase = (start + p) / Math.pow(maxPeriod, i / (double) (half - 1));
                out[p * dim + i] = (float) Math.cos(phase);
                out[p * dim + half + i] = (float) Math.sin(phase);
            }
        }
        return out;
    }
}
