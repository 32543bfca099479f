package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * Port of audiocraft {@code StreamingMultiheadAttention} ({@code audiocraft/modules/transformer.py} @ v1.2.0) for
 * what MusicGen uses: fused {@code in_proj_weight [3·dim, dim]}, {@code out_proj}, scaled dot-product attention
 * ({@code 1/√head_dim}), causal self-attention with a streaming key/value cache, or cross-attention over a fixed
 * source. Deviations, both exact: the self-attention cache is pre-allocated and written in place instead of being
 * concatenated every step, and cross-attention keys/values are computed once per generation ({@link #crossKv})
 * instead of every step.
 *
 * <p>Two forms: {@code forward*} for any number of positions ({@code [N, T, d]}, prefill and teacher forcing) and
 * {@code step*} for the decode step ({@code [N, d]}, one position per row), which avoids shape queries and
 * {@code NDIndex} objects and issues about twenty native calls per attention.
 */
final class StreamingMultiheadAttention {
    final int numHeads;
    final int headDim;
    final Projection inProj; // self: [3d, d]; cross: null
    final Projection qProj; // cross: rows [0, d) of in_proj
    final Projection kvProj; // cross: rows [d, 3d) of in_proj
    final Projection outProj; // [d, d]
    private final double scale; // 1/√headDim
    private final NDArray scaleArr; // 0-d fp32 1/√headDim, for the decode step (no scalar tensor per call)
    private final long maxScoreElements; // score elements per block of queries in attend

    /** Self-attention cache of one layer: keys and values {@code [N, H, capacity, headDim]}, written in place. */
    static final class KvCache {
        final NDArray keys;
        final NDArray values;
        final long[] shape; // [N, H, capacity, headDim]

        KvCache(NDArray keys, NDArray values) {
            this.keys = keys;
            this.values = values;
            this.shape = keys.getShape().getShape().clone();
        }
    }

    /**
     * Cross-attention keys and values of one layer, fixed for a generation: keys transposed {@code [N, H, headDim, L]}
     * (the form the score product reads), values {@code [N, H, L, headDim]}.
     */
    record CrossKv(NDArray keysT, NDArray values) {}

    private StreamingMultiheadAttention(
            int numHeads,
            int headDim,
            Projection inProj,
            Projection qProj,
            Projection kvProj,
            Projection outProj,
            Blocking blocking) {
        this.numHeads = numHeads;
        this.headDim = headDim;
        this.inProj = inProj;
        this.qProj = qProj;
        this.kvProj = kvProj;
        this.outProj = outProj;
        this.scale = 1.0 / Math.sqrt(headDim);
        this.scaleArr = outProj.manager().create((float) scale);
        this.maxScoreElements = blocking.maxScoreElements();
    }

    static StreamingMultiheadAttention selfAttention(
            int numHeads,
            NDArray inProjWeight,
            NDArray inProjBias,
            NDArray outWeight,
            NDArray outBias,
            Blocking blocking) {
        return selfAttention(
                numHeads, new Projection(inProjWeight, inProjBias), new Projection(outWeight, outBias), blocking);
    }

    /** Self-attention from its fused {@code in_proj [3d, d]} and {@code out_proj [d, d]} (any compute type). */
    static StreamingMultiheadAttention selfAttention(
            int numHeads, Projection inProj, Projection outProj, Blocking blocking) {
        int dim = (int) outProj.out;
        return new StreamingMultiheadAttention(numHeads, dim / numHeads, inProj, null, null, outProj, blocking);
    }

    static StreamingMultiheadAttention crossAttention(
            int numHeads,
            NDArray inProjWeight,
            NDArray inProjBias,
            NDArray outWeight,
            NDArray outBias,
            Blocking blocking) {
        return crossAttention(
                numHeads, new Projection(inProjWeight, inProjBias), new Projection(outWeight, outBias), blocking);
    }

    /** Cross-attention: rows {@code [0, d)} of {@code inProj} are the queries', {@code [d, 3d)} the keys'/values'. */
    static StreamingMultiheadAttention crossAttention(
            int numHeads, Projection inProj, Projection outProj, Blocking blocking) {
        int dim = (int) outProj.out;
        return new StreamingMultiheadAttention(
                numHeads, dim / numHeads, null, inProj.rows(0, dim), inProj.rows(dim, 3L * dim), outProj, blocking);
    }

    /** Keys and values of the cross-attention source {@code src [N, L, d]}; compute once, reuse every step. */
    CrossKv crossKv(NDArray src) {
        long n = src.getShape().get(0);
        long len = src.getShape().get(1);
        // [N, L, 2d] -> [N, L, 2, H, Dh] -> [2, N, H, L, Dh]
        NDArray kv = kvProj.apply(src).reshape(n, len, 2, numHeads, headDim).transpose(2, 0, 3, 1, 4);
        return new CrossKv(kv.get(0).transpose(0, 1, 3, 2), kv.get(1));
    }

    /** Cross-attention of {@code x [N, T, d]} over precomputed keys/values; no key mask, as upstream. */
    NDArray forwardCross(NDArray x, CrossKv kv) {
        long n = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray q = qProj.apply(x).reshape(n, t, numHeads, headDim).transpose(0, 2, 1, 3);
        NDArray o = attend(q, kv.keysT(), kv.values(), null);
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
            F.put(cache.keys, cache.shape, 2, pos, k, t);
            F.put(cache.values, cache.shape, 2, pos, v, t);
            k = F.narrow(cache.keys, 2, 0, pos + t);
            v = F.narrow(cache.values, 2, 0, pos + t);
            k.attach(x.getManager());
            v.attach(x.getManager());
        }
        NDArray mask = t > 1 ? F.causalMask(x.getManager(), t, t) : null;
        NDArray o = attend(q, k.transpose(0, 1, 3, 2), v, mask);
        return outProj.apply(o.transpose(0, 2, 1, 3).reshape(n, t, (long) numHeads * headDim));
    }

    /** Decode step of cross-attention: x {@code [N, d]} (one position per row) → {@code [N, d]}. */
    NDArray stepCross(NDArray x, CrossKv kv, long n) {
        NDArray q = F.reshape(qProj.apply2d(x), n, numHeads, 1, headDim);
        NDArray o = attendStep(q, kv.keysT(), kv.values()); // [N, H, 1, Dh]
        return outProj.apply2d(F.reshape(o, n, (long) numHeads * headDim));
    }

    /**
     * Decode step of causal self-attention: x {@code [N, d]} at position {@code pos}; its key and value are written
     * into the cache at {@code pos} in place and the query attends to {@code [0, pos]}.
     */
    NDArray stepSelf(NDArray x, KvCache cache, long pos, long n) {
        long d = (long) numHeads * headDim;
        NDArray qkv = F.reshape(inProj.apply2d(x), n, 3L * numHeads, 1, headDim); // [N, 3H, 1, Dh]
        NDArray q = F.narrow(qkv, 1, 0, numHeads); // [N, H, 1, Dh]
        NDArray k = F.narrow(qkv, 1, numHeads, 2L * numHeads);
        NDArray v = F.narrow(qkv, 1, 2L * numHeads, 3L * numHeads);
        F.put(cache.keys, cache.shape, 2, pos, k, 1);
        F.put(cache.values, cache.shape, 2, pos, v, 1);
        // views of the cache, created on the state's manager: they are closed with the caller's step scope
        NDArray keysT = F.transpose(F.narrow(cache.keys, 2, 0, pos + 1), 2, 3); // [N, H, Dh, pos+1]
        NDArray values = F.narrow(cache.values, 2, 0, pos + 1); // [N, H, pos+1, Dh]
        NDArray o = attendStep(q, keysT, values); // [N, H, 1, Dh]
        return outProj.apply2d(F.reshape(o, n, d));
    }

    /** The projection of the step's input: the fused {@code in_proj} (self) or its query rows (cross). */
    Projection stepInputProjection() {
        return inProj != null ? inProj : qProj;
    }

    Projection outProjection() {
        return outProj;
    }

    int numHeads() {
        return numHeads;
    }

    int headDim() {
        return headDim;
    }

    /** {@link #attend} without a mask, one native call per op. */
    private NDArray attendStep(NDArray q, NDArray keysT, NDArray values) {
        return F.matmul(F.softmax(F.mul(F.matmul(q, keysT), scaleArr)), values);
    }

    /**
     * Scaled dot-product attention with keys already transposed {@code [.., Dh, Tk]}; results on q's manager. Long
     * inputs (a continuation prompt of up to 1 500 positions) run over blocks of queries: each row's softmax is its
     * own, so the result is the same, but no {@code [N, H, T, T]} score tensor (288 MB for T = 1 500 on the small
     * model) is allocated and page-faulted in per layer; measured 12x faster for a 1 500-position prefill.
     */
    private NDArray attend(NDArray q, NDArray keysT, NDArray values, NDArray mask) {
        Shape qs = q.getShape();
        long tq = qs.get(2);
        long tk = keysT.getShape().get(3);
        long perRow = qs.get(0) * qs.get(1) * tk;
        long block = Math.max(1, maxScoreElements / perRow);
        if (tq <= block) {
            return attendBlock(q, keysT, values, mask);
        }
        return F.inBlocks(
                tq,
                block,
                2,
                (r, e) -> attendBlock(
                        F.narrow(q, 2, r, e), keysT, values, mask == null ? null : F.narrow(mask, 0, r, e)));
    }

    private NDArray attendBlock(NDArray q, NDArray keysT, NDArray values, NDArray mask) {
        NDArray scores = q.matMul(keysT).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1).matMul(values);
    }
}
