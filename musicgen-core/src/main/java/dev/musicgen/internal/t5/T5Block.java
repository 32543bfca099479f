package dev.musicgen.internal.t5;

import ai.djl.ndarray.NDArray;

/**
 * Port of transformers {@code T5Block} for the encoder: {@code T5LayerSelfAttention} (pre-norm, residual) then
 * {@code T5LayerFF} (pre-norm, residual). The fp16 clamping upstream does not apply: the encoder runs in fp32.
 */
final class T5Block {
    private final T5LayerNorm attentionNorm;
    private final T5Attention attention;
    private final T5LayerNorm ffNorm;
    private final T5DenseActDense ff;

    T5Block(T5LayerNorm attentionNorm, T5Attention attention, T5LayerNorm ffNorm, T5DenseActDense ff) {
        this.attentionNorm = attentionNorm;
        this.attention = attention;
        this.ffNorm = ffNorm;
        this.ff = ff;
    }

    T5Attention attention() {
        return attention;
    }

    /** h [B, L, d_model], positionBias [B, H, L, L] → [B, L, d_model]. */
    NDArray forward(NDArray h, NDArray positionBias) {
        NDArray x = h.add(attention.forward(attentionNorm.forward(h), positionBias));
        return x.add(ff.forward(ffNorm.forward(x)));
    }
}
