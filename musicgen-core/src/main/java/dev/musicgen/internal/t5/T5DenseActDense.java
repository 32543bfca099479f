package dev.musicgen.internal.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.musicgen.internal.nn.F;

/**
 * Port of transformers {@code T5DenseActDense} ({@code wo(act(wi(x)))}) and {@code T5DenseGatedActDense}
 * ({@code wo(act(wi_0(x)) * wi_1(x))}), chosen by {@code feed_forward_proj}. No biases. Dropout is inference no-op.
 */
final class T5DenseActDense {
    private final NDArray wi; // [d_ff, d_model] (wi or wi_0)
    private final NDArray wiLinear; // [d_ff, d_model] wi_1, null unless gated
    private final NDArray wo; // [d_model, d_ff]
    private final String act;

    T5DenseActDense(NDArray wi, NDArray wiLinear, NDArray wo, String act) {
        this.wi = wi;
        this.wiLinear = wiLinear;
        this.wo = wo;
        this.act = act;
    }

    /** x [B, L, d_model] → [B, L, d_model]. */
    NDArray forward(NDArray x) {
        NDArray h = activation(F.linear(x, wi, null), act);
        if (wiLinear != null) {
            h = h.mul(F.linear(x, wiLinear, null));
        }
        return F.linear(h, wo, null);
    }

    /** transformers ACT2FN for the names {@link T5Config#denseActFn()} allows. */
    static NDArray activation(NDArray x, String act) {
        switch (act) {
            case "relu":
                return Activation.relu(x);
            case "gelu":
                return F.gelu(x); // erf form (GELUActivation)
            case "gelu_new":
                return geluTanh(x);
            case "silu":
            case "swish":
                return x.mul(Activation.sigmoid(x));
            default:
                throw new IllegalArgumentException("unsupported T5 activation: " + act);
        }
    }

    /** transformers NewGELUActivation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2.0 / Math.PI));
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }
}
