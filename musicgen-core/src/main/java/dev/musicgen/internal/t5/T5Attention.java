package dev.musicgen.internal.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.musicgen.internal.nn.F;

/**
 * Port of transformers {@code T5Attention} (modeling_t5.py) for the encoder: bidirectional self-attention with the
 * relative position bias (its table lives only in the first block, which computes the bias once; later blocks reuse
 * it), and <b>no</b> {@code 1/sqrt(d)} scaling of the scores (T5 folds it into the weight initialisation).
 */
final class T5Attention {
    private final NDArray q; // [inner, d_model]
    private final NDArray k; // [inner, d_model]
    private final NDArray v; // [inner, d_model]
    private final NDArray o; // [d_model, inner]
    private final NDArray relativeAttentionBias; // [num_buckets, H], first block only
    private final int numHeads;
    private final int dKv;

    T5Attention(NDArray q, NDArray k, NDArray v, NDArray o, NDArray relativeAttentionBias, T5Config config) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.relativeAttentionBias = relativeAttentionBias;
        this.numHeads = config.numHeads();
        this.dKv = config.dKv();
    }

    boolean hasRelativeAttentionBias() {
        return relativeAttentionBias != null;
    }

    /**
     * transformers {@code T5Attention._relative_position_bucket}, evaluated with torch's float32 arithmetic for the
     * logarithmic part so bucket boundaries fall exactly where torch puts them.
     *
     * @param relativePosition memory position − query position
     */
    static int relativePositionBucket(int relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        int buckets = 0;
        int n = numBuckets;
        int rel = relativePosition;
        if (bidirectional) {
            n /= 2;
            if (rel > 0) {
                buckets += n;
            }
            rel = Math.abs(rel);
        } else {
            rel = -Math.min(rel, 0);
        }
        int maxExact = n / 2;
        if (rel < maxExact) {
            return buckets + rel;
        }
        // torch: max_exact + (log(rel.float() / max_exact) / math.log(max_distance / max_exact) * (n -
        // max_exact)).long()
        float ratio = (float) rel / (float) maxExact;
        float logRatio = (float) Math.log(ratio);
        float scaled = logRatio / (float) Math.log((double) maxDistance / maxExact) * (float) (n - maxExact);
        int large = maxExact + (int) scaled; // .to(long) truncates toward zero
        return buckets + Math.min(large, n - 1);
    }

    /**
     * {@code compute_bias}: the learned bias for every (query, key) pair, [1, H, qLen, kLen], created on
     * {@code manager}.
     */
    NDArray computeBias(NDManager manager, int qLen, int kLen, T5Config config) {
        long[] buckets = new long[qLen * kLen];
        for (int i = 0; i < qLen; i++) {
            for (int j = 0; j < kLen; j++) {
                buckets[i * kLen + j] = relativePositionBucket(
                        j - i, true, config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance());
            }
        }
        NDArray idx = manager.create(buckets, new Shape(qLen, kLen));
        // [q, k] -> [q, k, H] -> [1, H, q, k]
        NDArray values = Embedding.embedding(idx, relativeAttentionBias, SparseFormat.DENSE)
                .singletonOrThrow();
        return values.transpose(2, 0, 1).expandDims(0);
    }

    /**
     * x [B, L, d_model], positionBias [B or 1, H, L, L] (relative bias + additive mask) → [B, L, d_model].
     */
    NDArray forward(NDArray x, NDArray positionBias) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        NDArray qs = heads(F.linear(x, q, null), b, len); // [B, H, L, dkv]
        NDArray ks = heads(F.linear(x, k, null), b, len);
        NDArray vs = heads(F.linear(x, v, null), b, len);
        NDArray scores = qs.matMul(ks.transpose(0, 1, 3, 2)).add(positionBias); // [B, H, L, L], no scaling
        NDArray ctx = scores.softmax(-1).matMul(vs); // [B, H, L, dkv]
        ctx = ctx.transpose(0, 2, 1, 3).reshape(b, len, (long) numHeads * dKv);
        return F.linear(ctx, o, null);
    }

    private NDArray heads(NDArray x, long b, long len) {
        return x.reshape(b, len, numHeads, dKv).transpose(0, 2, 1, 3);
    }
}
