package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.internal.nn.F;
import java.util.List;

/**
 * Port of audiocraft {@code StreamingTransformer} ({@code audiocraft/modules/transformer.py} @ v1.2.0) with sinusoidal
 * positions: {@code x += scale · create_sin_embedding(offset + arange(T))}, then the layers. The streaming offset
 * (positions already consumed, prefix included) is passed in by the caller's state.
 */
final class StreamingTransformer {
    final List<StreamingTransformerLayer> layers;
    private final int dim;
    private final double positionalScale;
    private final double maxPeriod;

    StreamingTransformer(List<StreamingTransformerLayer> layers, int dim, double maxPeriod, double positionalScale) {
        this.layers = List.copyOf(layers);
        this.dim = dim;
        this.maxPeriod = maxPeriod;
        this.positionalScale = positionalScale;
    }

    /** {@code create_sin_embedding} for positions {@code [start, start+count)}: {@code [count, dim]} = cat[cos, sin]. */
    NDArray sinEmbedding(NDManager manager, long start, long count) {
        return F.sinEmbedding(manager, start, count, dim, maxPeriod);
    }

    /** Adds positions {@code posEmb [T, d]} (broadcast over N) to x {@code [N, T, d]} and applies the layers. */
    NDArray forward(
            NDArray x,
            NDArray posEmb,
            StreamingMultiheadAttention.KvCache[] caches,
            long pos,
            StreamingMultiheadAttention.CrossKv[] crossKvs) {
        x = x.add(positionalScale == 1.0 ? posEmb : posEmb.mul(positionalScale));
        for (int i = 0; i < layers.size(); i++) {
            // a long prefill (continuation prompt) makes large temporaries per layer: free each layer's before the
            // next instead of holding all of them until the caller's scope closes
            NDArray in = x;
            StreamingTransformerLayer layer = layers.get(i);
            StreamingMultiheadAttention.KvCache cache = caches == null ? null : caches[i];
            StreamingMultiheadAttention.CrossKv crossKv = crossKvs == null ? null : crossKvs[i];
            x = F.scoped(() -> layer.forward(in, cache, pos, crossKv));
        }
        return x;
    }

    /**
     * The decode step: x {@code [N, d]} (one position per row, a step temporary that is updated in place), its
     * position's sinusoid {@code posEmb [1, d]}, then the layers.
     */
    NDArray step(
            NDArray x,
            NDArray posEmb,
            StreamingMultiheadAttention.KvCache[] caches,
            long pos,
            StreamingMultiheadAttention.CrossKv[] crossKvs,
            long n) {
        F.addi(x, positionalScale == 1.0 ? posEmb : posEmb.mul(positionalScale));
        for (int i = 0; i < layers.size(); i++) {
            // x is updated in place, so each layer's temporaries can go as soon as it is done: the scope stays
            // small and the allocator hands the same blocks to the next layer
            try (NDScope scope = new NDScope()) {
                layers.get(i).step(x, caches[i], pos, crossKvs == null ? null : crossKvs[i], n);
            }
        }
        return x;
    }

    int dim() {
        return dim;
    }
}
