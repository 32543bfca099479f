package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * A faster form of the U-Net's hottest op on the CPU engine: convolution as one GEMM. It computes the same function
 * as the torch op (only the summation order differs); ConvTest checks it against its definition.
 */
final class Conv {
    /** From this many input taps (C_in × K) on, convolutions run as one GEMM (libtorch's CPU conv1d is ~6x slower). */
    static final long GEMM_MIN_TAPS = 256;
    /** Bound on the elements of one im2col buffer; longer inputs are processed in time chunks. */
    static final long MAX_COLUMN_ELEMENTS = 1L << 25;

    private Conv() {}

    /**
     * The weight as the [C_out, C_in*K] matrix {@link #conv1d} multiplies by (a view, no copy), or null when the
     * layer is small enough for libtorch's conv1d.
     */
    static NDArray gemmWeight(NDArray w) {
        Shape s = w.getShape(); // [C_out, C_in, K]
        if (s.get(1) * s.get(2) < GEMM_MIN_TAPS) {
            return null;
        }
        return w.reshape(s.get(0), s.get(1) * s.get(2));
    }

    /**
     * torch {@code F.conv1d(x, w, b, stride, padding, dilation)} (zero padding, groups 1). x [B, C_in, T],
     * w [C_out, C_in, K], wGemm from {@link #gemmWeight} (null: libtorch's conv1d) → [B, C_out, T'].
     */
    static NDArray conv1d(NDArray x, NDArray w, NDArray wGemm, NDArray b, int stride, int padding, int dilation) {
        return conv1d(x, w, wGemm, b, stride, padding, dilation, MAX_COLUMN_ELEMENTS);
    }

    static NDArray conv1d(
            NDArray x,
            NDArray w,
            NDArray wGemm,
            NDArray b,
            int stride,
            int padding,
            int dilation,
            long maxColumnElements) {
        if (wGemm == null) {
            return F.conv1d(x, w, b, stride, padding, dilation, 1);
        }
        long batch = x.getShape().get(0);
        long cin = x.getShape().get(1);
        long t = x.getShape().get(2);
        long cout = w.getShape().get(0);
        int k = (int) w.getShape().get(2);
        long tout = (t + 2L * padding - (long) dilation * (k - 1) - 1) / stride + 1;
        NDArray xp = padding > 0 ? x.pad(new Shape(padding, padding), 0f) : x;
        long chunk = Math.max(1, maxColumnElements / (batch * cin * k));
        NDList outs = new NDList();
        for (long t0 = 0; t0 < tout; t0 += chunk) {
            long n = Math.min(chunk, tout - t0);
            NDList taps = new NDList();
            for (int i = 0; i < k; i++) {
                long s0 = t0 * stride + (long) i * dilation;
                taps.add(xp.get(new NDIndex(":, :, {}:{}:{}", s0, s0 + stride * (n - 1) + 1, stride)));
            }
            // [C_out, C_in*K] @ columns [B, C_in*K, n] -> [B, C_out, n]; moved off the weights' manager
            NDArray cols = NDArrays.stack(taps, 2).reshape(batch, cin * k, n);
            NDArray y = wGemm.matMul(cols);
            y.attach(x.getManager());
            outs.add(y);
        }
        NDArray out = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 2); // [B, C_out, T']
        return b == null ? out : out.add(b.reshape(1, cout, 1));
    }
}
