package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.nn.PolyphaseConvTranspose;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Port of audiocraft {@code StreamableConvTranspose1d} ({@code modules/conv.py} @ v1.2.0): a ConvTranspose1d whose
 * fixed padding {@code K - S} is trimmed from the output (non-causal: the extra sample on the left; causal: by
 * {@code trim_right_ratio}). Output length is {@code T * S} for {@code K = 2S}.
 *
 * <p>The engine has no transposed convolution ("Not implemented"). It runs here as its polyphase form
 * ({@link PolyphaseConvTranspose}), which needs no buffer larger than the output and is the fastest for the wide,
 * high-rate layers. For layers with a large weight
 * (the first upsampling of the 32 kHz model: 1024 x 512 x 16), {@link F#convTranspose1d} (one GEMM + overlap-add)
 * is several times faster, because the convolution primitive re-lays-out its weight on every call. The system
 * property {@code musicgen.codec.convtr} ({@code gemm}, {@code polyphase}, {@code auto}) forces one form.
 */
final class StreamableConvTranspose1d implements Layer {
    private final int kernelSize;
    private final int stride;
    private final boolean causal;
    private final double trimRightRatio;
    private final PolyphaseConvTranspose polyphase; // null: the GEMM form
    private final NDArray weight; // GEMM form: torch layout [Cin, Cout, K]
    private final NDArray bias; // GEMM form: [Cout]

    StreamableConvTranspose1d(
            WeightStore convtr,
            NDManager manager,
            int in,
            int out,
            int kernelSize,
            int stride,
            boolean causal,
            double trimRightRatio,
            boolean weightNorm) {
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.causal = causal;
        this.trimRightRatio = trimRightRatio;
        float[] w = WeightNorm.load(convtr, weightNorm, in, out, kernelSize); // [Cin, Cout, K]
        float[] b = convtr.tensor("bias", out).toFloatArray();
        if (useGemm(in, out, kernelSize)) {
            this.polyphase = null;
            this.weight = manager.create(w, new Shape(in, out, kernelSize));
            this.bias = manager.create(b, new Shape(out));
        } else {
            this.polyphase = new PolyphaseConvTranspose(manager, w, b, in, out, kernelSize, stride);
            this.weight = null;
            this.bias = null;
        }
    }

    /** Weights of at least this many elements use the GEMM form (see the class comment). */
    static final long GEMM_MIN_WEIGHT = 1L << 21;

    static boolean useGemm(int in, int out, int kernelSize) {
        String mode = System.getProperty("musicgen.codec.convtr", "auto");
        switch (mode) {
            case "gemm":
                return true;
            case "polyphase":
                return false;
            case "auto":
                return (long) in * out * kernelSize >= GEMM_MIN_WEIGHT;
            default:
                throw new IllegalArgumentException(
                        "musicgen.codec.convtr must be gemm, polyphase or auto, but" + " is: " + mode);
        }
    }

    /** x [B, Cin, L] -> [B, Cout, (L-1)*S + K - (K - S)]. */
    @Override
    public NDArray forward(NDArray x) {
        NDArray full = polyphase != null ? polyphase.forward(x) : F.convTranspose1d(x, weight, bias, stride, 0, 0);
        int paddingTotal = kernelSize - stride;
        int right = causal ? (int) Math.ceil(paddingTotal * trimRightRatio) : paddingTotal / 2;
        int left = paddingTotal - right;
        return Pad.unpad1d(full, left, right);
    }
}
