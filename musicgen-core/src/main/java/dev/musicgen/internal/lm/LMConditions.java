package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The conditioners' outputs for one LM pass, as plain arrays (see {@link #from} for
 * {@link dev.musicgen.internal.conditioners.ConditionProvider}'s): per named condition ({@code description},
 * {@code self_wav}) a tensor {@code [N, L, dim]} already projected to the LM width and multiplied by its mask (as
 * audiocraft's conditioners return it; the fuser ignores masks). For classifier-free guidance N = 2B: rows
 * {@code 0..B-1} conditioned, rows {@code B..2B-1} the null condition. The order is the ConditioningProvider's (text
 * attributes first, then wav attributes), which decides the prefix layout of {@code prepend}: each prepended
 * condition goes in front of what is already there, so {@code [description, self_wav]} gives the prefix
 * {@code [self_wav, description]}.
 */
public final class LMConditions {
    /** One condition {@code [batch, length, dim]}, row-major. */
    public record Tensor(String name, float[] data, int batch, int length, int dim) {
        public Tensor {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(data, "data");
            if (batch <= 0 || length < 0 || dim <= 0) {
                throw new IllegalArgumentException(
                        "condition '" + name + "' has invalid shape [" + batch + ", " + length + ", " + dim + "]");
            }
            if (data.length != (long) batch * length * dim) {
                throw new IllegalArgumentException("condition '" + name + "' has " + data.length + " values, but its"
                        + " shape [" + batch + ", " + length + ", " + dim + "] needs " + (long) batch * length * dim);
            }
        }
    }

    private static final LMConditions NONE = new LMConditions(List.of());

    private final List<Tensor> tensors;

    private LMConditions(List<Tensor> tensors) {
        this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
    }

    /** Conditions in the ConditioningProvider's order; every tensor must have the same batch. */
    public static LMConditions of(List<Tensor> tensors) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        int batch = -1;
        for (Tensor t : tensors) {
            if (byName.put(t.name(), t) != null) {
                throw new IllegalArgumentException("condition '" + t.name() + "' is given twice");
            }
            if (batch >= 0 && t.batch() != batch) {
                throw new IllegalArgumentException(
                        "condition '" + t.name() + "' has batch " + t.batch() + " but others have " + batch);
            }
            batch = t.batch();
        }
        return tensors.isEmpty() ? NONE : new LMConditions(tensors);
    }

    public static LMConditions of(Tensor... tensors) {
        return of(List.of(tensors));
    }

    /**
     * The conditions computed by {@link dev.musicgen.internal.conditioners.ConditionProvider}, copied to plain arrays in its
     * order (the LM fuses them itself, as upstream's {@code LMModel} owns the fuser). The source stays open.
     */
    public static LMConditions from(dev.musicgen.internal.conditioners.ConditionTensors provided) {
        List<Tensor> out = new ArrayList<>();
        for (Map.Entry<String, dev.musicgen.internal.conditioners.Condition> e :
                provided.conditions().entrySet()) {
            NDArray embeds = e.getValue().embeds(); // [N, L, dim], already multiplied by the mask
            Shape s = embeds.getShape();
            if (s.dimension() != 3) {
                throw new IllegalArgumentException("condition '" + e.getKey() + "' must be [N, L, dim], but is " + s);
            }
            float[] data = embeds.getDataType() == DataType.FLOAT32
                    ? embeds.toFloatArray()
                    : embeds.toType(DataType.FLOAT32, false).toFloatArray();
            out.add(new Tensor(e.getKey(), data, (int) s.get(0), (int) s.get(1), (int) s.get(2)));
        }
        return of(out);
    }

    /** No conditions: unconditional generation without guidance. */
    public static LMConditions none() {
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
