package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * torch {@code nn.MultiheadAttention(E, H, batch_first=True)} in eval mode, as demucs' transformer layers use it
 * (no masks, dense attention): packed {@code in_proj_weight [3E, E]}/{@code in_proj_bias [3E]}, then
 * {@code softmax(q kᵀ / sqrt(E/H)) v} per head and {@code out_proj}.
 */
final class MultiheadAttention {
    private final int heads;
    private final int dim;
    private final NDArray wq;
    private final NDArray wk;
    private final NDArray wv;
    private final NDArray bq;
    private final NDArray bk;
    private final NDArray bv;
    private final NDArray wo;
    private final NDArray bo;

    MultiheadAttention(Params p, int dim, int heads) {
        this.dim = dim;
        this.heads = heads;
        NDArray w = p.get("in_proj_weight", 3L * dim, dim);
        NDArray b = p.get("in_proj_bias", 3L * dim);
        // split once at load: views on the weights' manager
        wq = w.get(new NDIndex("0:{}", dim));
        wk = w.get(new NDIndex("{}:{}", dim, 2 * dim));
        wv = w.get(new NDIndex("{}:{}", 2 * dim, 3 * dim));
        bq = b.get(new NDIndex("0:{}", dim));
        bk = b.get(new NDIndex("{}:{}", dim, 2 * dim));
        bv = b.get(new NDIndex("{}:{}", 2 * dim, 3 * dim));
        wo = p.child("out_proj").get("weight", dim, dim);
        bo = p.child("out_proj").get("bias", dim);
    }

    /** Score elements per query block: 2M floats (8 MB) keeps each block in cache and off the mmap path. */
    private static final long BLOCK_SCORES = 1L << 21;

    /**
     * {@code softmax(q kᵀ / sqrt(D)) v} over blocks of queries: rows are independent, so the result is the same as
     * one full product, without materialising the [B, H, Tq, Tk] scores (230 MB per layer at the released shapes,
     * and several times slower on the CPU than cache-sized blocks).
     */
    static NDArray attention(NDArray q, NDArray k, NDArray v) {
        Shape s = q.getShape();
        long tq = s.get(2);
        long tk = k.getShape().get(2);
        long block = Math.max(1, BLOCK_SCORES / (s.get(0) * s.get(1) * tk));
        return F.inBlocks(
                tq, block, 2, (from, to) -> F.attention(q.get(new NDIndex(":, :, {}:{}, :", from, to)), k, v, null));
    }

    /** query [B, Tq, E], key = value [B, Tk, E] → [B, Tq, E]. */
    NDArray forward(NDArray query, NDArray key) {
        long b = query.getShape().get(0);
        long tq = query.getShape().get(1);
        long tk = key.getShape().get(1);
        int d = dim / heads;
        NDArray q = F.linear(query, wq, bq).reshape(b, tq, heads, d).transpose(0, 2, 1, 3);
        NDArray k = F.linear(key, wk, bk).reshape(b, tk, heads, d).transpose(0, 2, 1, 3);
        NDArray v = F.linear(key, wv, bv).reshape(b, tk, heads, d).transpose(0, 2, 1, 3);
        NDArray att = attention(q, k, v); // [B, H, Tq, D]
        return F.linear(att.transpose(0, 2, 1, 3).reshape(b, tq, dim), wo, bo);
    }
}
