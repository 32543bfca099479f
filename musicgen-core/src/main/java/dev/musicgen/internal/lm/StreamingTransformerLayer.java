package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * Port of audiocraft {@code StreamingTransformerLayer} ({@code audiocraft/modules/transformer.py} @ v1.2.0) with
 * {@code norm_first=True} (all MusicGen checkpoints): {@code x += SA(norm1(x))}; with cross-attention
 * {@code x += CA(norm_cross(x), src)}; {@code x += linear2(gelu(linear1(norm2(x))))}. LayerNorm eps 1e-5, exact
 * (erf) GELU, no layer scale, no dropout at inference.
 */
final class StreamingTransformerLayer {
    static final float NORM_EPS = 1e-5f;

    final StreamingMultiheadAttention selfAttn;
    final StreamingMultiheadAttention crossAttention; // null without cross-attention
    final NDArray norm1W;
    final NDArray norm1B; // [d]
    final NDArray normCrossW;
    final NDArray normCrossB; // [d] or null
    final NDArray norm2W;
    final NDArray norm2B; // [d]
    final Projection linear1; // [ffn, d]
    final Projection linear2; // [d, ffn]
    private final Shape normShape; // (d)
    private final int ffnBlockRows; // rows per block of the feed-forward over a long input

    StreamingTransformerLayer(
            StreamingMultiheadAttention selfAttn,
            StreamingMultiheadAttention crossAttention,
            NDArray norm1W,
            NDArray norm1B,
            NDArray normCrossW,
            NDArray normCrossB,
            NDArray norm2W,
            NDArray norm2B,
            Projection linear1,
            Projection linear2,
            Blocking blocking) {
        this.selfAttn = selfAttn;
        this.crossAttention = crossAttention;
        this.norm1W = norm1W;
        this.norm1B = norm1B;
        this.normCrossW = normCrossW;
        this.normCrossB = normCrossB;
        this.norm2W = norm2W;
        this.norm2B = norm2B;
        this.linear1 = linear1;
        this.linear2 = linear2;
        this.normShape = new Shape(norm1W.getShape().get(0));
        this.ffnBlockRows = blocking.ffnBlockRows();
    }

    /**
     * x {@code [N, T, d]} → {@code [N, T, d]}. {@code cache} null = teacher forcing (full causal attention);
     * {@code crossKv} is required exactly when the layer has cross-attention.
     */
    NDArray forward(
            NDArray x,
            StreamingMultiheadAttention.KvCache cache,
            long pos,
            StreamingMultiheadAttention.CrossKv crossKv) {
        x = x.add(selfAttn.forwardSelf(F.layerNorm(x, norm1W, norm1B, NORM_EPS), cache, pos));
        if (crossAttention != null) {
            x = x.add(crossAttention.forwardCross(F.layerNorm(x, normCrossW, normCrossB, NORM_EPS), crossKv));
        }
        return x.add(feedForward(x));
    }

    /**
     * {@code linear2(gelu(linear1(norm2(x))))}. Rows are independent, so a long input runs in blocks of rows with
     * each block's temporaries freed before the next: the same result without allocating (and page-faulting in) the
     * full {@code [N·T, ffn]} activations, which dominated a 1 500-position prefill.
     */
    private NDArray feedForward(NDArray x) {
        Shape s = x.getShape();
        long d = s.get(s.dimension() - 1);
        long rows = s.size() / d;
        int block = ffnBlockRows;
        if (rows <= block) {
            return linear2.apply(F.gelu(linear1.apply(F.layerNorm(x, norm2W, norm2B, NORM_EPS))));
        }
        try (NDManager wide = x.getManager().newSubManager()) {
            Projection l1 = linear1.widenedFor(block, wide);
            Projection l2 = linear2.widenedFor(block, wide);
            NDArray flat = x.reshape(rows, d);
            return F.inBlocks(
                            rows,
                            block,
                            0,
                            (r, e) -> l2.apply(
                                    F.gelu(l1.apply(F.layerNorm(F.narrow(flat, 0, r, e), norm2W, norm2B, NORM_EPS)))))
                    .reshape(s);
        }
    }

    Projection linear1() {
        return linear1;
    }

    Projection linear2() {
        return linear2;
    }

    /**
     * The decode step: x {@code [N, d]} (one position per row, at {@code pos}) → {@code [N, d]}. The residual sums
     * are done in place on x (a step temporary the caller owns), so a layer allocates only what it must.
     */
    NDArray step(
            NDArray x,
            StreamingMultiheadAttention.KvCache cache,
            long pos,
            StreamingMultiheadAttention.CrossKv crossKv,
            long n) {
        F.addi(x, selfAttn.stepSelf(F.layerNorm(x, normShape, norm1W, norm1B, NORM_EPS), cache, pos, n));
        if (crossAttention != null) {
            F.addi(
                    x,
                    crossAttention.stepCross(F.layerNorm(x, normShape, normCrossW, normCrossB, NORM_EPS), crossKv, n));
        }
        NDArray y = linear1.apply2d(F.layerNorm(x, normShape, norm2W, norm2B, NORM_EPS));
        if (!linear1.isHalf()) {
            // the fp32 W·xᵀ form returns a transposed view; GELU keeps its strides, and linear2 would then read its
            // operand in the layout BLAS handles 3x slower: make it row-major first
            y = F.contiguous(y, n, linear1.out);
        }
        return F.addi(x, linear2.apply2d(F.gelu(y)));
    }
}
