package dev.musicgen.internal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A transposed convolution with kernel K and stride S along axis 2 and no padding (torch {@code ConvTranspose1d}, or
 * {@code ConvTranspose2d} with kernel {@code [K, 1]} and stride {@code [S, 1]}), run as its polyphase form because
 * the engine has none: output phase {@code r} of frame {@code q} is {@code sum_j x[q - j] w[:, :, j S + r]}, so one
 * ordinary convolution with {@code S * Cout} output channels and {@code G = ceil(K / S)} taps over the input padded
 * by {@code G - 1} on both sides gives every phase as channels, which are then interleaved. The weight is rearranged
 * once, at construction. The form needs no buffer larger than the output. Used by EnCodec's
 * {@code StreamableConvTranspose1d} and demucs' {@code HDecLayer}.
 */
public final class PolyphaseConvTranspose {
    private final int cout;
    private final int kernelSize;
    private final int stride;
    private final int taps;
    private final NDArray weight; // [S*Cout, Cin, G] for 1-D input
    private final NDArray weight2d; // the same as [S*Cout, Cin, G, 1] for 2-D input
    private final NDArray bias; // [S*Cout] or null

    /**
     * @param manager owns the rearranged weight (the weights' manager)
     * @param weight the torch weight {@code [Cin, Cout, K]} (or {@code [Cin, Cout, K, 1]}), row-major
     * @param bias {@code [Cout]}, or null for none
     */
    public PolyphaseConvTranspose(
            NDManager manager, float[] weight, float[] bias, int cin, int cout, int kernelSize, int stride) {
        if (cin < 1 || cout < 1 || kernelSize < 1 || stride < 1) {
            throw new IllegalArgumentException("cin, cout, kernelSize and stride must be >= 1, but are " + cin + ", "
                    + cout + ", " + kernelSize + " and " + stride);
        }
        if (weight.length != (long) cin * cout * kernelSize) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, [" + cin + ", " + cout + ", "
                    + kernelSize + "] needs " + (long) cin * cout * kernelSize);
        }
        this.cout = cout;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.taps = (kernelSize + stride - 1) / stride;
        this.weight = manager.create(
                rearrange(weight, cin, cout, kernelSize, stride), new Shape((long) stride * cout, cin, taps));
        this.weight2d = this.weight.reshape((long) stride * cout, cin, taps, 1);
        if (bias == null) {
            this.bias = null;
        } else {
            if (bias.length != cout) {
                throw new IllegalArgumentException("bias has " + bias.length + " values, cout is " + cout);
            }
            float[] tiled = new float[stride * cout];
            for (int r = 0; r < stride; r++) {
                System.arraycopy(bias, 0, tiled, r * cout, cout);
            }
            this.bias = manager.create(tiled, new Shape((long) stride * cout));
        }
    }

    /**
     * The polyphase weight {@code wp[r*Cout + o][i][j] = w[i][o][(G-1-j)*S + r]} (zero where that tap is past K):
     * output phase r of every stride step is an ordinary convolution of the input with the taps
     * {@code r, r + S, r + 2S, ...} reversed.
     */
    static float[] rearrange(float[] w, int cin, int cout, int k, int s) {
        int taps = (k + s - 1) / s;
        float[] wp = new float[s * cout * cin * taps];
        for (int r = 0; r < s; r++) {
            for (int o = 0; o < cout; o++) {
                for (int i = 0; i < cin; i++) {
                    int dst = ((r * cout + o) * cin + i) * taps;
                    for (int t = 0; t < taps; t++) {
                        int tap = (taps - 1 - t) * s + r;
                        if (tap < k) {
                            wp[dst + t] = w[(i * cout + o) * k + tap];
                        }
                    }
                }
            }
        }
        return wp;
    }

    /**
     * The untrimmed transposed convolution along axis 2: x {@code [B, Cin, L]} → {@code [B, Cout, (L-1)*S + K]}
     * (a 1-D convolution), or x {@code [B, Cin, L, W]} → {@code [B, Cout, (L-1)*S + K, W]} (a 2-D convolution with a
     * {@code [G, 1]} kernel).
     */
    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long len = s.get(2);
        long q = len + taps - 1;
        long outLen = (len - 1) * stride + kernelSize;
        if (s.dimension() == 3) {
            NDArray xp = taps > 1 ? x.pad(new Shape(taps - 1, taps - 1), 0) : x;
            NDArray z = F.conv1d(xp, weight, bias, 1, 0, 1, 1); // [B, S*Cout, Q]
            // phases interleave: [B, S, Cout, Q] -> [B, Cout, Q, S] -> [B, Cout, Q*S]
            NDArray y = z.reshape(batch, stride, cout, q).transpose(0, 2, 3, 1).reshape(batch, cout, q * stride);
            return outLen == q * stride ? y : y.get(new NDIndex(":, :, 0:{}", outLen));
        }
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("x must be [B, Cin, L] or [B, Cin, L, W], but is " + s);
        }
        long w = s.get(3);
        NDArray xp = taps > 1 ? x.pad(new Shape(0, 0, taps - 1, taps - 1), 0f) : x;
        NDArray z = F.conv2d(xp, weight2d, bias, 1, 1, 0, 0); // [B, S*Cout, Q, W]
        NDArray y =
                z.reshape(batch, stride, cout, q, w).transpose(0, 2, 3, 1, 4).reshape(batch, cout, q * stride, w);
        return outLen == q * stride ? y : y.get(new NDIndex(":, :, 0:{}, :", outLen));
    }
}
