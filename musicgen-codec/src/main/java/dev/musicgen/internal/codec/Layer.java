package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.musicgen.internal.nn.F;
import java.util.List;

/** One module of a SEANet {@code nn.Sequential}: {@code [B, C, T] -> [B, C', T']}. */
interface Layer {
    NDArray forward(NDArray x);

    /**
     * Runs {@code layers} in order with an {@link NDScope} per layer, so each layer's temporaries are freed as soon as
     * it returns and only one activation (plus the next) is alive at a time. The result is registered with the
     * caller's scope; {@code x} itself is left to its owner.
     */
    static NDArray sequential(List<? extends Layer> layers, NDArray x) {
        NDArray cur = x;
        for (Layer layer : layers) {
            NDArray in = cur;
            NDArray next = F.scoped(() -> layer.forward(in));
            if (cur != x) {
                cur.close();
            }
            cur = next;
        }
        return cur;
    }
}
