package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * Port of demucs {@code HEncLayer} (demucs 4.0.1 {@code demucs/hdemucs.py}), used by both branches: a strided
 * convolution (over frequencies with a [K, 1] kernel, or over time), optional GroupNorm, GELU, a {@link DConv}
 * residual, and a {@code rewrite} convolution followed by GLU. The "empty" variant (only the first convolution, used
 * where the branches merge) never occurs in the supported configurations.
 * Weight names: {@code conv}, {@code norm1}, {@code rewrite}, {@code norm2}, {@code dconv}.
 */
final class HEncLayer {
    private static final float EPS = 1e-5f;

    private final boolean freq;
    private final int stride;
    private final int pad;
    private final int context;
    private final int normGroups;
    private final NDArray convW;
    private final NDArray convB;
    private final NDArray norm1W;
    private final NDArray norm1B;
    private final NDArray rewriteW;
    private final NDArray rewriteB;
    private final NDArray norm2W;
    private final NDArray norm2B;
    private final DConv dconv;

    /**
     * {@code HEncLayer(chin, chout, kernel_size, stride, norm_groups, freq, dconv, norm, context, dconv_kw, pad=True,
     * rewrite)}.
     */
    HEncLayer(Params p, int chin, int chout, int kernelSize, int stride, int normGroups, boolean freq,
            boolean useDconv, boolean norm, int context, double dconvComp, int dconvDepth, boolean rewrite) {
        this.freq = freq;
        this.stride = stride;
        this.pad = kernelSize / 4;
        this.context = context;
        this.normGroups = normGroups;
        int ctx = 1 + 2 * context;
        if (freq) {
            convW = p.child("conv").get("weight", chout, chin, kernelSize, 1);
            rewriteW = rewrite ? p.child("rewrite").get("weight", 2L * chout, chout, ctx, ctx) : null;
        } else {
            convW = p.child("conv").get("weight", chout, chin, kernelSize);
            rewriteW = rewrite ? p.child("rewrite").get("weight", 2L * chout, chout, ctx) : null;
        }
        convB = p.child("conv").get("bias", chout);
        rewriteB = rewrite ? p.child("rewrite").get("bias", 2L * chout) : null;
        norm1W = norm ? p.child("norm1").get("weight", chout).reshape(chout, 1) : null;
        norm1B = norm ? p.child("norm1").get("bias", chout).reshape(chout, 1) : null;
        norm2W = norm && rewrite ? p.child("norm2").get("weight", 2L * chout).reshape(2L * chout, 1) : null;
        norm2B = norm && rewrite ? p.child("norm2").get("bias", 2L * chout).reshape(2L * chout, 1) : null;
        dconv = useDconv ? new DConv(p.child("dconv"), chout, dconvComp, dconvDepth) : null;
    }

    /**
     * Frequency branch: x [B, Cin, Fr, T] → [B, Cout, Fr / stride, T]. Time branch: x [B, Cin, T] →
     * [B, Cout, ceil(T / stride)] (zero-padded on the right to a multiple of the stride first).
     */
    NDArray forward(NDArray x) {
        NDArray y;
        if (freq) {
            y = F.conv2d(x, convW, convB, stride, 1, pad, 0);
        } else {
            long le = x.getShape().get(2);
            if (le % stride != 0) {
                x = x.pad(new Shape(0, stride - le % stride), 0f);
            }
            y = F.conv1d(x, convW, convB, stride, pad, 1, 1);
        }
        y = F.gelu(norm1W == null ? y : F.groupNorm(y, normGroups, norm1W, norm1B, EPS));
        if (dconv != null) {
            if (freq) {
                Shape s = y.getShape(); // [B, C, Fr, T] -> [B*Fr, C, T]
                NDArray flat = y.transpose(0, 2, 1, 3).reshape(-1, s.get(1), s.get(3));
                y = dconv.forward(flat).reshape(s.get(0), s.get(2), s.get(1), s.get(3)).transpose(0, 2, 1, 3);
            } else {
                y = dconv.forward(y);
            }
        }
        if (rewriteW == null) {
            return y;
        }
        NDArray z = freq ? F.conv2d(y, rewriteW, rewriteB, 1, 1, context, context)
                : F.conv1d(y, rewriteW, rewriteB, 1, context, 1, 1);
        return F.glu(norm2W == null ? z : F.groupNorm(z, normGroups, norm2W, norm2B, EPS), 1);
    }
}
