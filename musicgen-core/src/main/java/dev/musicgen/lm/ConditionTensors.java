package dev.musicgen.lm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The conditioners' outputs for one LM pass, as plain arrays: per named condition ({@code description},
 * {@code self_wav}) a tensor {@code [N, L, dim]} already projected to the LM width and multiplied by its mask (as
 * audiocraft's conditioners return it; the fuser ignores masks). For classifier-free guidance N = 2B: rows
 * {@code 0..B-1} conditioned, rows {@code B..2B-1} the null condition. The order is the ConditioningProvider's (text
 * attributes first, then wav attributes), which decides the prefix layout of {@code prepend}: each prepended
 * condition goes in front of what is already there, so {@code [description, self_wav]} gives the prefix
 * {@code [self_wav, description]}.
 */
public final class ConditionTensors {
    /** One condition {@code [batch, length, dim]}, row-major. */
    public record Tensor(String name, float[] data, int batch, int length, int dim) {
        public Tensor {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(data, "data");
            if (batch <= 0 || length < 0 || dim <= 0) {
                throw new IllegalArgumentException("condition '" + name + "' has invalid shape [" + batch + ", "
                        + length + ", " + dim + "]");
            }
            if (data.length != (long) batch * length * dim) {
                throw new IllegalArgumentException("condition '" + name + "' has " + data.length + " values, but its"
                        + " shape [" + batch + ", " + length + ", " + dim + "] needs " + (long) batch * length * dim);
            }
        }
    }

    private static final ConditionTensors NONE = new ConditionTensors(List.of());

    private final List<Tensor> tensors;

    private ConditionTensors(List<Tensor> tensors) {
        this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
    }

    /** Conditions in the ConditioningProvider's order; every tensor must have the same batch. */
    public static ConditionTensors of(List<Tensor> tensors) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        int batch = -1;
        for (Tensor t : tensors) {
            if (byName.put(t.name(), t) != null) {
                throw new IllegalArgumentException("condition '" + t.name() + "' is given twice");
            }
            if (batch >= 0 && t.batch() != batch) {
                throw new IllegalArgumentException("condition '" + t.name() + "' has batch " + t.batch()
                        + " but others have " + batch);
            }
            batch = t.batch();
        }
        return tensors.isEmpty() ? NONE : new ConditionTensors(tensors);
    }

    public static ConditionTensors of(Tensor... tensors) {
        return of(List.of(tensors));
    }

    /** No conditions: unconditional generation without guidance. */
    public static ConditionTensors none() {
        return NONE;
    }

    public List<Tensor> tensors() {
        return tensors;
    }

    public boolean isEmpty() {
        return tensors.isEmpty();
    }

    /** Rows of every tensor (2B with guidance), or 0 when empty. */
    public int batch() {
        return tensors.isEmpty() ? 0 : tensors.get(0).batch();
    }
}
