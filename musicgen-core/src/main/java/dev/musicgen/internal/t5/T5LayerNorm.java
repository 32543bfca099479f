package dev.musicgen.internal.t5;

import ai.djl.ndarray.NDArray;

/**
 * Port of transformers {@code T5LayerNorm} (modeling_t5.py): RMS norm with a scale and no bias, no mean subtraction,
 * {@code x * rsqrt(mean(x²) + eps) * weight}, in fp32.
 */
final class T5LayerNorm {
    private final NDArray weight; // [d_model]
    private final float eps;

    T5LayerNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
    }

    /** x [..., d_model] → same shape. Ops are called on x so results never attach to the weights' manager. */
    NDArray forward(NDArray x) {
        int last = x.getShape().dimension() - 1;
        NDArray variance = x.square().mean(new int[] {last}, true);
        return x.div(variance.add(eps).sqrt()).mul(weight);
    }
}
