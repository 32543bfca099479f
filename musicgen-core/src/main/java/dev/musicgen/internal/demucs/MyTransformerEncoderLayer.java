package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import dev.musicgen.internal.nn.F;

/**
 * Port of demucs {@code MyTransformerEncoderLayer} (demucs 4.0.1 {@code demucs/transformer.py}; a torch
 * {@code nn.TransformerEncoderLayer} with {@code batch_first=True}) in eval mode, dense attention: with
 * {@code norm_first}, {@code x += γ1·SA(norm1(x)); x += γ2·FF(norm2(x))} then {@code norm_out} (a one-group
 * GroupNorm over all tokens and channels); otherwise post-norm. γ are {@code LayerScale}s (channel last) when
 * {@code layer_scale}. Weight names: {@code self_attn}, {@code linear1}, {@code linear2}, {@code norm1},
 * {@code norm2}, {@code norm_out}, {@code gamma_1.scale}, {@code gamma_2.scale}.
 */
final class MyTransformerEncoderLayer {
    static final float EPS = 1e-5f;

    private final MultiheadAttention selfAttn;
    private final FeedForward ff;
    private final boolean normFirst;
    private final NDArray norm1W;
    private final NDArray norm1B;
    private final NDArray norm2W;
    private final NDArray norm2B;
    private final NDArray normOutW;
    private final NDArray normOutB;
    private final NDArray gamma1;
    private final NDArray gamma2;

    MyTransformerEncoderLayer(
            Params p,
            int dim,
            int heads,
            int hidden,
            boolean gelu,
            boolean normFirst,
            boolean normOut,
            boolean layerScale) {
        selfAttn = new MultiheadAttention(p.child("self_attn"), dim, heads);
        ff = new FeedForward(p, dim, hidden, gelu);
        this.normFirst = normFirst;
        norm1W = p.child("norm1").get("weight", dim);
        norm1B = p.child("norm1").get("bias", dim);
        norm2W = p.child("norm2").get("weight", dim);
        norm2B = p.child("norm2").get("bias", dim);
        boolean out = normFirst && normOut;
        normOutW = out ? p.child("norm_out").get("weight", dim) : null;
        normOutB = out ? p.child("norm_out").get("bias", dim) : null;
        gamma1 = layerScale ? p.child("gamma_1").get("scale", dim) : null;
        gamma2 = layerScale ? p.child("gamma_2").get("scale", dim) : null;
    }

    /** x [B, T, C] → [B, T, C]. */
    NDArray forward(NDArray x) {
        if (normFirst) {
            NDArray h = F.layerNorm(x, norm1W, norm1B, EPS);
            x = x.add(scale(selfAttn.forward(h, h), gamma1));
            x = x.add(scale(ff.forward(F.layerNorm(x, norm2W, norm2B, EPS)), gamma2));
            if (normOutW != null) {
                x = F.groupNormChannelsLast(x, normOutW, normOutB, EPS);
            }
        } else {
            x = F.layerNorm(x.add(scale(selfAttn.forward(x, x), gamma1)), norm1W, norm1B, EPS);
            x = F.layerNorm(x.add(scale(ff.forward(x), gamma2)), norm2W, norm2B, EPS);
        }
        return x;
    }

    /** {@code LayerScale(channel_last=True)}: scale * x over the last dim; identity without layer scale. */
    static NDArray scale(NDArray x, NDArray gamma) {
        return gamma == null ? x : x.mul(gamma);
    }

    /** {@code linear2(activation(linear1(x)))} (dropout is identity in eval). */
    static final class FeedForward {
        private final NDArray w1;
        private final NDArray b1;
        private final NDArray w2;
        private final NDArray b2;
        private final boolean gelu;

        FeedForward(Params p, int dim, int hidden, boolean gelu) {
            w1 = p.child("linear1").get("weight", hidden, dim);
            b1 = p.child("linear1").get("bias", hidden);
            w2 = p.child("linear2").get("weight", dim, hidden);
            b2 = p.child("linear2").get("bias", dim);
            this.gelu = gelu;
        }

        NDArray forward(NDArray x) {
            NDArray h = F.linear(x, w1, b1);
            h = gelu ? F.gelu(h) : ai.djl.nn.Activation.relu(h);
            return F.linear(h, w2, b2);
        }
    }
}
