package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Port of audiocraft {@code StreamableConv1d} ({@code modules/conv.py} @ v1.2.0): a Conv1d that pads its input itself
 * (causal: all left; otherwise split with the extra sample on the left) plus the extra right padding that makes the
 * last window full, so that the output has {@code ceil(T / stride)} frames. Weight norm is folded at load.
 */
final class StreamableConv1d implements Layer {
    private final NDArray weight; // [Cout, Cin, K]
    private final NDArray bias; // [Cout]
    private final int kernelSize;
    private final int stride;
    private final int dilation;
    private final boolean causal;
    private final String padMode;

    /**
     * @param conv the view of the conv module ({@code .../conv.}: holds {@code bias} and {@code weight_g/weight_v}
     *     or {@code weight})
     */
    StreamableConv1d(
            WeightStore conv,
            NDManager manager,
            int in,
            int out,
            int kernelSize,
            int stride,
            int dilation,
            boolean causal,
            String padMode,
            boolean weightNorm) {
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.dilation = dilation;
        this.causal = causal;
        this.padMode = padMode;
        float[] w = WeightNorm.load(conv, weightNorm, out, in, kernelSize);
        this.weight = manager.create(w, new Shape(out, in, kernelSize));
        this.bias = manager.create(conv.tensor("bias", out).toFloatArray(), new Shape(out));
    }

    /** x [B, Cin, T] -> [B, Cout, ceil(T / stride)]. */
    @Override
    public NDArray forward(NDArray x) {
        long length = x.getShape().get(2);
        int effectiveKernel = (kernelSize - 1) * dilation + 1;
        int paddingTotal = effectiveKernel - stride;
        long extra = Pad.extraPaddingForConv1d(length, effectiveKernel, stride, paddingTotal);
        NDArray padded;
        if (causal) {
            padded = Pad.pad1d(x, paddingTotal, extra, padMode);
        } else {
            int right = paddingTotal / 2;
            int left = paddingTotal - right;
            padded = Pad.pad1d(x, left, right + extra, padMode);
        }
        return F.conv1d(padded, weight, bias, stride, 0, dilation, 1);
    }
}
