package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;

/**
 * The tensor ops HTDemucs needs beyond {@link dev.musicgen.internal.nn.F}. Every op is called on the activation, never on a
 * weight, so results attach to the activation's manager; weights come pre-shaped from load time.
 */
final class Ops {
    private Ops() {}

    /** {@code F.glu(x, dim=1)}: first half times sigmoid of the second half along channels. */
    static NDArray glu(NDArray x) {
        NDList halves = x.split(2, 1);
        return halves.get(0).mul(Activation.sigmoid(halves.get(1)));
    }

    /** 2-D convolution, x [B, Cin, H, W], w [Cout, Cin, kh, kw]. */
    static NDArray conv2d(NDArray x, NDArray w, NDArray b, int strideH, int strideW, int padH, int padW) {
        return Conv2d.conv2d(x, w, b, new Shape(strideH, strideW), new Shape(padH, padW), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /**
     * {@code nn.GroupNorm(groups, C)} over x [B, C, ...] with per-channel gamma/beta given as [C, 1]; biased variance,
     * eps inside the square root, as torch. Fused kernels instead of a chain of full-size temporaries: with many rows
     * and one group (the frequency branch's DConv), one layer norm over C × rest with the affine tiled per channel;
     * otherwise (a single long row: the time branch) the group statistics come from the engine's batch norm in
     * training mode over the view [1, B·G, C/G·rest], whose "channels" are exactly the (item, group) pairs, followed by
     * the per-channel affine.
     */
    static NDArray groupNorm(NDArray x, int groups, NDArray gammaCol, NDArray betaCol, float eps) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long rest = s.size() / (b * c);
        NDManager m = x.getManager();
        if (groups == 1 && b >= 4) {
            NDArray ones = m.ones(new Shape(c, rest));
            NDArray g = ones.mul(gammaCol).reshape(c * rest);
            NDArray bb = ones.mul(betaCol).reshape(c * rest);
            return LayerNorm.layerNorm(x.reshape(b, c * rest), new Shape(c * rest), g, bb, eps).singletonOrThrow()
                    .reshape(s);
        }
        long bg = b * groups;
        NDArray n = BatchNorm.batchNorm(x.reshape(1, bg, -1), m.zeros(new Shape(bg)), m.ones(new Shape(bg)),
                m.ones(new Shape(bg)), m.zeros(new Shape(bg)), 1, 0f, eps, true).singletonOrThrow();
        return n.reshape(b, c, rest).mul(gammaCol).add(betaCol).reshape(s);
    }

    /**
     * demucs' {@code MyGroupNorm} with one group on x [B, T, C] (channel last): normalises each batch item over all
     * of T and C together, then a per-channel affine (gamma/beta [C]). This is the transformer's {@code norm_out}: it
     * spans every token, so its result depends on the sequence length.
     */
    static NDArray groupNormOneChannelLast(NDArray x, NDArray gamma, NDArray beta, float eps) {
        Shape s = x.getShape();
        Shape tc = new Shape(s.get(1), s.get(2));
        NDArray ones = x.getManager().ones(tc);
        return LayerNorm.layerNorm(x, tc, ones.mul(gamma), ones.mul(beta), eps).singletonOrThrow();
    }

    /**
     * The weight of a transposed convolution with kernel [K, 1] and stride [S, 1] along axis 2 rearranged for its
     * polyphase form (the engine has no transposed convolution): output phase r of every stride step is an ordinary
     * convolution of the input with the taps {@code r, r + S, r + 2S, ...} reversed. Returns the conv2d weight
     * [S * Cout, Cin, G, 1] with G = ceil(K / S) and {@code wp[r*Cout + co, ci, j] = w[ci, co, (G-1-j)*S + r]}
     * (zero past K), and the bias tiled to [S * Cout].
     *
     * @param w torch ConvTranspose weight [Cin, Cout, K] or [Cin, Cout, K, 1]
     */
    static NDArray[] polyphase(NDManager m, NDArray w, NDArray bias, int stride) {
        Shape s = w.getShape();
        int cin = (int) s.get(0);
        int cout = (int) s.get(1);
        int k = (int) s.get(2);
        int g = (k + stride - 1) / stride;
        float[] src = w.toFloatArray();
        float[] dst = new float[stride * cout * cin * g];
        for (int r = 0; r < stride; r++) {
            for (int co = 0; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int j = 0; j < g; j++) {
                        int tap = (g - 1 - j) * stride + r;
                        if (tap < k) {
                            dst[(((r * cout + co) * cin) + ci) * g + j] = src[(ci * cout + co) * k + tap];
                        }
                    }
                }
            }
        }
        float[] b = bias.toFloatArray();
        float[] bt = new float[stride * cout];
        for (int r = 0; r < stride; r++) {
            System.arraycopy(b, 0, bt, r * cout, cout);
        }
        return new NDArray[] {m.create(dst, new Shape((long) stride * cout, cin, g, 1)), m.create(bt)};
    }

    /**
     * Transposed convolution along axis 2 of x [B, Cin, L, W] with kernel [K, 1], stride [S, 1], no padding (torch
     * {@code ConvTranspose2d(Cin, Cout, [K, 1], [S, 1])}; W = 1 is the 1-D case), in polyphase form: pad G - 1 zeros
     * on both sides, one convolution with the {@link #polyphase} weight giving all S phases as channels, then
     * interleave the phases.
     *
     * @return [B, Cout, (L - 1) * S + K, W]
     */
    static NDArray convTransposeAxis2(NDArray x, NDArray wPoly, NDArray biasTiled, int cout, int k, int stride) {
        Shape s = x.getShape();
        long b = s.get(0);
        long len = s.get(2);
        long w = s.get(3);
        int g = (int) wPoly.getShape().get(2);
        NDArray xp = g > 1 ? x.pad(new Shape(0, 0, g - 1, g - 1), 0f) : x;
        NDArray y = conv2d(xp, wPoly, biasTiled, 1, 1, 0, 0);               // [B, S*Cout, L+G-1, W]
        long lp = len + g - 1;
        NDArray out = y.reshape(b, stride, cout, lp, w).transpose(0, 2, 3, 1, 4).reshape(b, cout, lp * stride, w);
        long outLen = (len - 1) * stride + k;
        return outLen == lp * stride ? out : out.get(new NDIndex(":, :, 0:{}, :", outLen));
    }
}
