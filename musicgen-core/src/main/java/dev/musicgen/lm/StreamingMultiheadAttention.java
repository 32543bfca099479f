package dev.musicgen.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.musicgen.nn.F;

/**
 * Port of audiocraft {@code StreamingMultiheadAttention} ({@code audiocraft/modules/transformer.py} @ v1.2.0) for
 * what MusicGen uses: fused {@code in_proj_weight [3·dim, dim]}, {@code out_proj}, scaled dot-product attention
 * ({@code 1/√head_dim}), causal self-attention with a streaming key/value cache, or cross-attention over a fixed
 * source. Deviations, both exact: the self-attention cache is pre-allocated and written in place instead of being
 * concatenated every step, and cross-attention keys/values are computed once per generation ({@link #crossKv})
 * instead of every step.
 */
final class StreamingMultiheadAttention {
    private final int numHeads;
    private final int headDim;
    private final boolean cross;
    private final Projection inProj; // self: [3d, d]; cross: null
    private final Projection qProj; // cross: rows [0, d) of in_proj
    private final Projection kvProj; // cross: rows [d, 3d) of in_proj
    private final Projection outProj; // [d, d]

    /** Self-attention cache of one layer: keys and values {@code [N, H, capacity, headDim]}, written in place. */
    static final class KvCache {
        final NDArray keys;
        final NDArray values;

        KvCache(NDArray keys, NDArray values) {
            this.keys = keys;
            this.values = values;
        }
    }

    /** Cross-attention keys and values {@code [N, H, L, headDim]} of one layer, fixed for a generation. */
    record CrossKv(NDArray keys, NDArray values) {}

    private StreamingMultiheadAttention(int numHeads, int headDim, boolean cross, Projection inProj, Projection qProj,
            Projection kvProj, Projection outProj) {
        this.numHeads = numHeads;
        this.headDim = headDim;
        this.cross = cross;
        this.inProj = inProj;
        this.qProj = qProj;
        this.kvProj = kvProj;
        this.outProj = outProj;
    }

    static StreamingMultiheadAttention selfAttention(int numHeads, NDArray inProjWeight, NDArray inProjBias,
            NDArray outWeight, NDArray outBias) {
        int dim = (int) outWeight.getShape().get(0);
        return new StreamingMultiheadAttention(numHeads, dim / numHeads, false,
                new Projection(inProjWeight, inProjBias), null, null, new Projection(outWeight, outBias));
    }

    static StreamingMultiheadAttention crossAttention(int numHeads, NDArray inProjWeight, NDArray inProjBias,
            NDArray outWeight, NDArray outBias) {
        int dim = (int) outWeight.getShape().get(0);
        NDArray wq = inProjWeight.get(new NDIndex("0:{}", dim));
        NDArray wkv = inProjWeight.get(new NDIndex("{}:", dim));
        NDArray bq = inProjBias == null ? null : inProjBias.get(new NDIndex("0:{}", dim));
        NDArray bkv = inProjBias == null ? null : inProjBias.get(new NDIndex("{}:", dim));
        return new StreamingMultiheadAttention(numHeads, dim / numHeads, true, null, new Projection(wq, bq),
                new Projection(wkv, bkv), new Projection(outWeight, outBias));
    }

    /** Keys and values of the cross-attention source {@code src [N, L, d]}; compute once, reuse every step. */
    CrossKv crossKv(NDArray src) {
        long n = src.getShape().get(0);
        long len = src.getShape().get(1);
        // [N, L, 2d] -> [N, L, 2, H, Dh] -> [2, N, H, L, Dh]
        NDArray kv = kvProj.apply(src).reshape(n, len, 2, numHeads, headDim).transpose(2, 0, 3, 1, 4);
        return new CrossKv(kv.get(0), kv.get(1));
    }

    /** Cross-attention of {@code x [N, T, d]} over precomputed keys/values; no key mask, as upstream. */
    NDArray forwardCross(NDArray x, CrossKv kv) {
        long n = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray q = qProj.apply(x).reshape(n, t, numHeads, headDim).transpose(0, 2, 1, 3);
        NDArray o = F.attention(q, kv.keys(), kv.values(), null);
        return outProj.apply(o.transpose(0, 2, 1, 3).reshape(n, t, (long) numHeads * headDim));
    }

    /**
     * Causal self-attention of {@code x [N, T, d]}. Without a cache: full causal attention over x. With a cache: x's
     * keys/values are written at positions {@code [pos, pos+T)} and the queries attend to {@code [0, pos+T)}; a
     * multi-step input is only allowed on an empty cache (upstream raises "Not supported at the moment" too).
     */
    NDArray forwardSelf(NDArray x, KvCache cache, long pos) {
        long n = x.getShape().get(0);
        long t = x.getShape().get(1);
        // [N, T, 3d] -> [N, T, 3, H, Dh] -> [3, N, H, T, Dh]
        NDArray qkv = inProj.apply(x).reshape(n, t, 3, numHeads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        if (cache != null) {
            if (t > 1 && pos > 0) {
                throw new IllegalStateException("a multi-step input (" + t + " steps) after " + pos
                        + " cached steps is not supported (audiocraft: 'Not supported at the moment')");
            }
            NDIndex at = new NDIndex(":, :, {}:{}", pos, pos + t);
            cache.keys.set(at, k);
            cache.values.set(at, v);
            NDIndex upTo = new NDIndex(":, :, :{}", pos + t);
            k = cache.keys.get(upTo);
            v = cache.values.get(upTo);
            k.attach(x.getManager());
            v.attach(x.getManager());
        }
        NDArray mask = t > 1 ? F.causalMask(x.getManager(), t, t) : null;
        NDArray o = F.attention(q, k, v, mask);
        return outProj.apply(o.transpose(0, 2, 1, 3).reshape(n, t, (long) numHeads * headDim));
    }
}
