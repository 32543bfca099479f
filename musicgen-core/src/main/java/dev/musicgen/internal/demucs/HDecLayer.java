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
    private final int kernelSize;
    private final int stride;
    private final int pad;
    private final int context;
    private final int normGroups;
    private final int chout;
    private final PolyphaseConvTranspose convTr;
    private final NDArray norm2W;
    private final NDArray norm2B;
    private final NDArray rewriteW;
    private final NDArray rewriteB;
    private final NDArray norm1W;
    private final NDArray norm1B;
    private final DConv dconv;

    /** {@code HDecLayer(chin, chout, last, kernel_size, stride, norm_groups, freq, dconv, norm, context, pad=True)}. */
    HDecLayer(Params p, int chin, int chout, boolean last, int kernelSize, int stride, int normGroups, boolean freq,
            boolean useDconv, boolean norm, int context, double dconvComp, int dconvDepth, boolean rewrite) {
        this.freq = freq;
        this.last = last;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.pad = kernelSize / 4;
        this.context = context;
        this.normGroups = normGroups;
        this.chout = chout;
        int ctx = 1 + 2 * context;
        NDArray trW;
        if (freq) {
            trW = p.child("conv_tr").get("weight", chin, chout, kernelSize, 1);
            rewriteW = rewrite ? p.child("rewrite").get("weight", 2L * chin, chin, ctx, ctx) : null;
        } else {
            trW = p.child("conv_tr").get("weight", chin, chout, kernelSize);
            rewriteW = rewrite ? p.child("rewrite").get("weight", 2L * chin, chin, ctx) : null;
        }
        NDArray trB = p.child("conv_tr").get("bias", chout);
        convTr = new PolyphaseConvTranspose(p.manager, trW.toFloatArray(), trB.toFloatArray(), chin, chout,
                kernelSize, stride);
        trW.close();
        trB.close();
        rewriteB = rewrite ? p.child("rewrite").get("bias", 2L * chin) : null;
        norm2W = norm ? p.child("norm2").get("weight", chout).reshape(chout, 1) : null;
        norm2B = norm ? p.child("norm2").get("bias", chout).reshape(chout, 1) : null;
        norm1W = norm && rewrite ? p.child("norm1").get("weight", 2L * chin).reshape(2L * chin, 1) : null;
        norm1B = norm && rewrite ? p.child("norm1").get("bias", 2L * chin).reshape(2L * chin, 1) : null;
        dconv = useDconv ? new DConv(p.child("dconv"), chin, dconvComp, dconvDepth) : null;
    }

    /**
     * Frequency branch: x, skip [B, Cin, Fr, T] → [B, Cout, Fr * stride, T]. Time branch: x, skip [B, Cin, T'] →
     * [B, Cout, length] (the encoder input length saved for this level).
     */
    NDArray forward(NDArray x, NDArray skip, long length) {
        x = x.add(skip);
        NDArray y = x;
        if (rewriteW != null) {
            NDArray r = freq ? F.conv2d(x, rewriteW, rewriteB, 1, 1, context, context)
                    : F.conv1d(x, rewriteW, rewriteB, 1, context, 1, 1);
            y = F.glu(norm1W == null ? r : F.groupNorm(r, normGroups, norm1W, norm1B, EPS), 1);
        }
        if (dconv != null) {
            if (freq) {
                Shape s = y.getShape(); // [B, C, Fr, T] -> [B*Fr, C, T]
                NDArray flat = y.transpose(0, 2, 1, 3).reshape(-1, s.get(1), s.get(3));
                y = dconv.forward(flat).reshape(s.get(0), s.get(2), s.get(1), s.get(3)).transpose(0, 2, 1, 3);
            } else {
                y = dconv.forward(y);
            }
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
