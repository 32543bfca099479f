package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Map;
import java.util.Set;

/** A {@code torch.nn} activation module by its class name, as SEANet builds them with {@code getattr(nn, name)}. */
final class Act implements Layer {
    static final Set<String> SUPPORTED = Set.of("ELU", "LeakyReLU", "ReLU", "Tanh", "Sigmoid", "GELU");

    private final String name;
    private final float param;

    private Act(String name, float param) {
        this.name = name;
        this.param = param;
    }

    static Act of(String name, Map<String, Double> params) {
        if (name == null || !SUPPORTED.contains(name)) {
            throw new IllegalArgumentException("activation must be one of " + SUPPORTED + ", but is: " + name);
        }
        Map<String, Double> p = params == null ? Map.of() : params;
        Set<String> allowed;
        float value;
        switch (name) {
            case "ELU":
                allowed = Set.of("alpha");
                value = p.getOrDefault("alpha", 1.0).floatValue();
                break;
            case "LeakyReLU":
                allowed = Set.of("negative_slope");
                value = p.getOrDefault("negative_slope", 0.01).floatValue();
                break;
            default:
                allowed = Set.of();
                value = 0f;
        }
        for (String k : p.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(
                        "activation " + name + " does not take parameter '" + k + "'; allowed: " + allowed);
            }
        }
        return new Act(name, value);
    }

    @Override
    public NDArray forward(NDArray x) {
        switch (name) {
            case "ELU":
                return Activation.elu(x, param);
            case "LeakyReLU":
                return Activation.leakyRelu(x, param);
            case "ReLU":
                return Activation.relu(x);
            case "Tanh":
                return Activation.tanh(x);
            case "Sigmoid":
                return Activation.sigmoid(x);
            case "GELU":
                return Activation.gelu(x);
            default:
                throw new IllegalStateException(name);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
