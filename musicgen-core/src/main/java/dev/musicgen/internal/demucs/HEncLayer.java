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
    private final int normGroups;
    private final NDArray convW;
    private final NDArray convB;
    private final NDArray norm1W;
    private final NDArray norm1B;
    private final Rewrite rewrite; // null without
    private final DConv dconv;

    /**
     * {@code HEncLayer(chin, chout, kernel_size, stride, norm_groups, freq, dconv, norm, context, dconv_kw, pad=True,
     * rewrite)}.
     */
    HEncLayer(
            Params p,
            int chin,
            int chout,
            int kernelSize,
            int stride,
            int normGroups,
            boolean freq,
            boolean useDconv,
            boolean norm,
            int context,
            double dconvComp,
            int dconvDepth,
            boolean rewrite) {
        this.freq = freq;
        this.stride = stride;
        this.pad = kernelSize / 4;
        this.normGroups = normGroups;
        convW = freq
                ? p.child("conv").get("weight", chout, chin, kernelSize, 1)
                : p.child("conv").get("weight", chout, chin, kernelSize);
        convB = p.child("conv").get("bias", chout);
        norm1W = norm ? p.child("norm1").get("weight", chout).reshape(chout, 1) : null;
        norm1B = norm ? p.child("norm1").get("bias", chout).reshape(chout, 1) : null;
        this.rewrite = rewrite
                ? new Rewrite(p.child("rewrite"), norm ? p.child("norm2") : null, chout, context, freq, normGroups)
                : null;
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
            y = dconv.forward(y, freq);
        }
        return rewrite == null ? y : rewrite.forward(y);
    }
}
