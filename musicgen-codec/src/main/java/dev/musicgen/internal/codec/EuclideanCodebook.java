package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Port of audiocraft {@code EuclideanCodebook} ({@code quantization/core_vq.py} @ v1.2.0), inference only: nearest
 * codeword by L2 distance, computed exactly as upstream does, {@code argmax(-(|x|^2 - 2 x.e + |e|^2))}, and lookup.
 * The training buffers ({@code inited}, {@code cluster_size}, {@code embed_avg}) are not used.
 */
final class EuclideanCodebook {
    private final NDArray embed; // [bins, D]
    private final NDArray embedT; // [D, bins], a transposed view as upstream's self.embed.t()
    private final NDArray embedSq; // [1, bins] = embed.t().pow(2).sum(0, keepdim=True), constant
    private final int bins;

    /** @param w the view of the codebook ({@code quantizer.layers.N.codebook.}) */
    EuclideanCodebook(WeightStore w, NDManager manager, int bins, int dim) {
        this.bins = bins;
        this.embed = w.load("embed", manager, DataType.FLOAT32, bins, dim);
        this.embedT = embed.transpose();
        this.embedSq = embedT.square().sum(new int[] {0}, true);
    }

    /** x [N, D] -> indices [N] (int64). */
    NDArray encode(NDArray x) {
        NDArray dist = x.square()
                .sum(new int[] {1}, true)
                .sub(x.mul(2).matMul(embedT))
                .add(embedSq)
                .neg(); // [N, bins]
        return dist.argMax(1);
    }

    /** indices [...] (int64) -> codewords [..., D]. */
    NDArray decode(NDArray indices) {
        return Embedding.embedding(indices, embed, SparseFormat.DENSE).singletonOrThrow();
    }

    int bins() {
        return bins;
    }
}
