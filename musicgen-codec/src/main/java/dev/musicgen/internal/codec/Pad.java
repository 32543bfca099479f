package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/** audiocraft {@code modules/conv.py} padding helpers on the last axis of {@code [B, C, T]}. */
final class Pad {
    private Pad() {}

    /** {@code get_extra_padding_for_conv1d}: right padding that makes the last window full. */
    static long extraPaddingForConv1d(long length, int kernelSize, int stride, int paddingTotal) {
        // n_frames = (length - kernel_size + padding_total) / stride + 1, then ceil: exact in integers
        long num = length - kernelSize + paddingTotal;
        long nFramesCeil = -Math.floorDiv(-num, stride) + 1;
        long idealLength = (nFramesCeil - 1) * stride + (kernelSize - paddingTotal);
        return idealLength - length;
    }

    /**
     * {@code pad1d}: F.pad with {@code mode}; for reflect on an input not longer than the padding, zeros are added on
     * the right first and cut again afterwards, as upstream does.
     */
    static NDArray pad1d(NDArray x, long left, long right, String mode) {
        if (left < 0 || right < 0) {
            throw new IllegalArgumentException("padding must be >= 0, but is (" + left + ", " + right + ")");
        }
        if (left == 0 && right == 0) {
            return x;
        }
        if (!mode.equals("reflect")) {
            return x.pad(new Shape(left, right), 0);
        }
        long length = x.getShape().get(x.getShape().dimension() - 1);
        long maxPad = Math.max(left, right);
        long extra = 0;
        NDArray in = x;
        if (length <= maxPad) {
            extra = maxPad - length + 1;
            in = x.pad(new Shape(0, extra), 0);
        }
        NDArray padded = F.reflectPad1d(in, (int) left, (int) right);
        if (extra == 0) {
            return padded;
        }
        long end = padded.getShape().get(padded.getShape().dimension() - 1) - extra;
        return padded.get(new NDIndex("..., :{}", end));
    }

    /** {@code unpad1d}: removes {@code left}/{@code right} samples. */
    static NDArray unpad1d(NDArray x, long left, long right) {
        long length = x.getShape().get(x.getShape().dimension() - 1);
        if (left < 0 || right < 0 || left + right > length) {
            throw new IllegalArgumentException("cannot unpad (" + left + ", " + right + ") from length " + length);
        }
        if (left == 0 && right == 0) {
            return x;
        }
        return x.get(new NDIndex("..., {}:{}", left, length - right));
    }
}
