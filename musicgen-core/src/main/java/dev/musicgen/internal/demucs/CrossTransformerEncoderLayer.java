package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import dev.musicgen.internal.nn.F;

/**
 * Port of demucs {@code CrossTransformerEncoderLayer} (demucs 4.0.1 {@code demucs/transformer.py}) in eval mode,
 * dense attention: with {@code norm_first}, {@code x = q + γ1·CA(norm1(q), norm2(k)); x += γ2·FF(norm3(x))} then
 * {@code norm_out}; otherwise post-norm. Weight names: {@code cross_attn}, {@code linear1}, {@code linear2},
 * {@code norm1..3}, {@code norm_out}, {@code gamma_1.scale}, {@code gamma_2.scale}.
 */
final class CrossTransformerEncoderLayer {
    private static final float EPS = MyTransformerEncoderLayer.EPS;

    private final MultiheadAttention crossAttn;
    private final MyTransformerEncoderLayer.FeedForward ff;
    private final boolean normFirst;
    private final NDArray[] norms = new NDArray[6];
    private final NDArray normOutW;
    private final NDArray normOutB;
    private final NDArray gamma1;
    private final NDArray gamma2;

    CrossTransformerEncoderLayer(
            Params p,
            int dim,
            int heads,
            int hidden,
            boolean gelu,
            boolean normFirst,
            boolean normOut,
            boolean layerScale) {
        crossAttn = new MultiheadAttention(p.child("cross_attn"), dim, heads);
        ff = new MyTransformerEncoderLayer.FeedForward(p, dim, hidden, gelu);
        this.normFirst = normFirst;
        for (int i = 0; i < 3; i++) {
            norms[2 * i] = p.child("norm" + (i + 1)).get("weight", dim);
            norms[2 * i + 1] = p.child("norm" + (i + 1)).get("bias", dim);
        }
        boolean out = normFirst && normOut;
        normOutW = out ? p.child("norm_out").get("weight", dim) : null;
        normOutB = out ? p.child("norm_out").get("bias", dim) : null;
        gamma1 = layerScale ? p.child("gamma_1").get("scale", dim) : null;
        gamma2 = layerScale ? p.child("gamma_2").get("scale", dim) : null;
    }

    private NDArray norm(int i, NDArray x) {
        return F.layerNorm(x, norms[2 * (i - 1)], norms[2 * (i - 1) + 1], EPS);
    }

    /** q [B, T, C] attends to k [B, S, C] → [B, T, C]. */
    NDArray forward(NDArray q, NDArray k) {
        NDArray x;
        if (normFirst) {
            x = q.add(MyTransformerEncoderLayer.scale(crossAttn.forward(norm(1, q), norm(2, k)), gamma1));
            x = x.add(MyTransformerEncoderLayer.scale(ff.forward(norm(3, x)), gamma2));
            if (normOutW != null) {
                x = F.groupNormChannelsLast(x, normOutW, normOutB, EPS);
            }
        } else {
            x = norm(1, q.add(MyTransformerEncoderLayer.scale(crossAttn.forward(q, k), gamma1)));
            x = norm(2, x.add(MyTransformerEncoderLayer.scale(ff.forward(x), gamma2)));
        }
        return x;
    }
}
