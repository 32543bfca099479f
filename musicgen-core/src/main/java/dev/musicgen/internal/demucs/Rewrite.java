package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import dev.musicgen.internal.nn.F;

/**
 * The {@code rewrite} step demucs' {@code HEncLayer} and {@code HDecLayer} share: a convolution to twice the channels
 * with {@code 1 + 2·context} taps (square over frequency and time in the frequency branch), the optional GroupNorm
 * ({@code norm2} in the encoder, {@code norm1} in the decoder), then GLU over the channels.
 */
final class Rewrite {
    private static final float EPS = 1e-5f;

    private final boolean freq;
    private final int context;
    private final int normGroups;
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray normW; // [2C, 1] or null
    private final NDArray normB;

    /**
     * @param conv the {@code rewrite} parameters
     * @param norm the GroupNorm's parameters, or null for none
     * @param channels C: the step maps C channels to 2C, and GLU back to C
     */
    Rewrite(Params conv, Params norm, int channels, int context, boolean freq, int normGroups) {
        this.freq = freq;
        this.context = context;
        this.normGroups = normGroups;
        int ctx = 1 + 2 * context;
        long out = 2L * channels;
        weight = freq ? conv.get("weight", out, channels, ctx, ctx) : conv.get("weight", out, channels, ctx);
        bias = conv.get("bias", out);
        normW = norm == null ? null : norm.get("weight", out).reshape(out, 1);
        normB = norm == null ? null : norm.get("bias", out).reshape(out, 1);
    }

    /** x {@code [B, C, Fr, T]} (frequency) or {@code [B, C, T]} (time), shape kept. */
    NDArray forward(NDArray x) {
        NDArray z =
                freq ? F.conv2d(x, weight, bias, 1, 1, context, context) : F.conv1d(x, weight, bias, 1, context, 1, 1);
        return F.glu(normW == null ? z : F.groupNorm(z, normGroups, normW, normB, EPS), 1);
    }
}
