package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Port of audiocraft {@code StreamableConvTranspose1d} ({@code modules/conv.py} @ v1.2.0): a ConvTranspose1d whose
 * fixed padding {@code K - S} is trimmed from the output (non-causal: the extra sample on the left; causal: by
 * {@code trim_right_ratio}). Output length is {@code T * S} for {@code K = 2S}.
 *
 * <p>The engine has no transposed convolution ("Not implemented"). It runs here as its polyphase form: output phase
 * {@code r} of frame {@code q} is {@code sum_j x[q - j] w[:, :, j S + r]}, i.e. one ordinary {@code conv1d} with
 * {@code S * Cout} output channels and {@code ceil(K / S)} taps over the input padded by {@code ceil(K/S) - 1} on
 * both sides, followed by interleaving the phases; the weight is rearranged once at load. That form needs no
 * buffer larger than the output and is the fastest for the wide, high-rate layers. For layers with a large weight
 * (the first upsampling of the 32 kHz model: 1024 x 512 x 16), {@link F#convTranspose1d} (one GEMM + overlap-add)
 * is several times faster, because the convolution primitive re-lays-out its weight on every call. The system
 * property {@code musicgen.codec.convtr} ({@code gemm}, {@code polyphase}, {@code auto}) forces one form.
 */
final class StreamableConvTranspose1d implements Layer {
    private final int cout;
    private final int kernelSize;
    private final int stride;
    private final int taps; // ceil(K / S)
    private final boolean causal;
    private final double trimRightRatio;
    private final boolean gemm;
    private final NDArray weight; // polyphase [S*Cout, Cin, taps], or torch layout [Cin, Cout, K] for gemm
    private final NDArray bias; // polyphase [S*Cout], or [Cout] for gemm

    StreamableConvTranspose1d(WeightStore convtr, NDManager manager, int in, int out, int kernelSize, int stride,
            boolean causal, double trimRightRatio, boolean weightNorm) {
        this.cout = out;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.taps = (kernelSize + stride - 1) / stride;
        this.causal = causal;
        this.trimRightRatio = trimRightRatio;
        this.gemm = useGemm(in, out, kernelSize);
        float[] w = WeightNorm.load(convtr, weightNorm, in, out, kernelSize); // [Cin, Cout, K]
        float[] b = convtr.tensor("bias", out).toFloatArray();
        if (gemm) {
            this.weight = manager.create(w, new Shape(in, out, kernelSize));
            this.bias = manager.create(b, new Shape(out));
        } else {
            this.weight = manager.create(polyphase(w, in, out, kernelSize, stride), new Shape((long) stride * out, in,
                    taps));
            float[] pb = new float[stride * out];
            for (int r = 0; r < stride; r++) {
                System.arraycopy(b, 0, pb, r * out, out);
            }
            this.bias = manager.create(pb, new Shape((long) stride * out));
        }
    }

    /** Weights of at least this many elements use the GEMM form (see the class comment). */
    static final long GEMM_MIN_WEIGHT = 1L << 21;

    static boolean useGemm(int in, int out, int kernelSize) {
        String mode = System.getProperty("musicgen.codec.convtr", "auto");
        switch (mode) {
            case "gemm": return true;
            case "polyphase": return false;
            case "auto": return (long) in * out * kernelSize >= GEMM_MIN_WEIGHT;
            default: throw new IllegalArgumentException("musicgen.codec.convtr must be gemm, polyphase or auto, but"
                    + " is: " + mode);
        }
    }

    /** {@code wp[r*Cout + o][i][t] = w[i][o][(taps-1-t)*S + r]} (zero where that tap is past K). */
    static float[] polyphase(float[] w, int cin, int cout, int k, int s) {
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

    /** x [B, Cin, L] -> [B, Cout, (L-1)*S + K - (K - S)]. */
    @Override
    public NDArray forward(NDArray x) {
        NDArray full = gemm ? gemmForward(x) : polyphaseForward(x);
        int paddingTotal = kernelSize - stride;
        int right = causal ? (int) Math.ceil(paddingTotal * trimRightRatio) : paddingTotal / 2;
        int left = paddingTotal - right;
        return Pad.unpad1d(full, left, right);
    }

    /** The untrimmed ConvTranspose1d output [B, Cout, (L-1)*S + K]. */
    private NDArray polyphaseForward(NDArray x) {
        long batch = x.getShape().get(0);
        long len = x.getShape().get(2);
        NDArray xp = taps > 1 ? x.pad(new Shape(taps - 1, taps - 1), 0) : x;
        NDArray z = F.conv1d(xp, weight, bias, 1, 0, 1, 1); // [B, S*Cout, Q], Q = L + taps - 1
        long q = len + taps - 1;
        // phases interleave: [B, S, Cout, Q] -> [B, Cout, Q, S] -> [B, Cout, Q*S]
        NDArray y = z.reshape(batch, stride, cout, q).transpose(0, 2, 3, 1).reshape(batch, cout, q * stride);
        long full = (len - 1) * stride + kernelSize;
        return full == q * stride ? y : Pad.unpad1d(y, 0, q * stride - full);
    }

    private NDArray gemmForward(NDArray x) {
        return F.convTranspose1d(x, weight, bias, stride, 0, 0);
    }
}
