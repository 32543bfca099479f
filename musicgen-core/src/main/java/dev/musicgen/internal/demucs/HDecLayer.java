package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.nn.PolyphaseConvTranspose;

/**
 * Port of demucs {@code HDecLayer} (demucs 4.0.1 {@code demucs/hdemucs.py}) for both branches: add the skip
 * connection, {@code rewrite} convolution + GLU, {@link DConv} residual, then a strided transposed convolution
 * (over frequencies with a [K, 1] kernel, or over time), optional GroupNorm, trimming of the padding, and GELU
 * unless it is the last layer. {@code context_freq} is True (no MultiWrap), so the frequency rewrite kernel is square.
 * Weight names: {@code conv_tr}, {@code norm2}, {@code rewrite}, {@code norm1}, {@code dconv}.
 */
final class HDecLayer {
    private static final float EPS = 1e-5f;

    private final boolean freq;
    private final boolean last;
    private final int stride;
    private final int pad;
    private final int normGroups;
    private final int chout;
    private final PolyphaseConvTranspose convTr;
    private final NDArray norm2W;
    private final NDArray norm2B;
    private final Rewrite rewrite; // null without
    private final DConv dconv;

    /** {@code HDecLayer(chin, chout, last, kernel_size, stride, norm_groups, freq, dconv, norm, context, pad=True)}. */
    HDecLayer(
            Params p,
            int chin,
            int chout,
            boolean last,
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
        this.last = last;
        this.stride = stride;
        this.pad = kernelSize / 4;
        this.normGroups = normGroups;
        this.chout = chout;
        NDArray trW = freq
                ? p.child("conv_tr").get("weight", chin, chout, kernelSize, 1)
                : p.child("conv_tr").get("weight", chin, chout, kernelSize);
        NDArray trB = p.child("conv_tr").get("bias", chout);
        convTr = new PolyphaseConvTranspose(
                p.manager, trW.toFloatArray(), trB.toFloatArray(), chin, chout, kernelSize, stride);
        trW.close();
        trB.close();
        norm2W = norm ? p.child("norm2").get("weight", chout).reshape(chout, 1) : null;
        norm2B = norm ? p.child("norm2").get("bias", chout).reshape(chout, 1) : null;
        this.rewrite = rewrite
                ? new Rewrite(p.child("rewrite"), norm ? p.child("norm1") : null, chin, context, freq, normGroups)
                : null;
        dconv = useDconv ? new DConv(p.child("dconv"), chin, dconvComp, dconvDepth) : null;
    }

    /**
     * Frequency branch: x, skip [B, Cin, Fr, T] → [B, Cout, Fr * stride, T]. Time branch: x, skip [B, Cin, T'] →
     * [B, Cout, length] (the encoder input length saved for this level).
     */
    NDArray forward(NDArray x, NDArray skip, long length) {
        x = x.add(skip);
        NDArray y = rewrite == null ? x : rewrite.forward(x);
        if (dconv != null) {
            y = dconv.forward(y, freq);
        }
        NDArray z;
        if (freq) {
            z = convTr.forward(y);
            z = norm2W == null ? z : F.groupNorm(z, normGroups, norm2W, norm2B, EPS);
            if (pad > 0) {
                long f = z.getShape().get(2);
                z = z.get(new NDIndex(":, :, {}:{}, :", pad, f - pad));
            }
        } else {
            Shape s = y.getShape(); // as [B, Cin, T', 1]
            z = convTr.forward(y.reshape(s.get(0), s.get(1), s.get(2), 1));
            z = z.reshape(s.get(0), chout, z.getShape().get(2));
            z = norm2W == null ? z : F.groupNorm(z, normGroups, norm2W, norm2B, EPS);
            if (z.getShape().get(2) < pad + length) {
                throw new IllegalStateException("decoder output " + z.getShape() + " shorter than " + (pad + length));
            }
            z = z.get(new NDIndex(":, :, {}:{}", pad, pad + length));
        }
        return last ? z : F.gelu(z);
    }
}
