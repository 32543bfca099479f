package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.config.Check;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.nn.F;
import java.util.ArrayList;
import java.util.List;

/**
 * Port of audiocraft {@code ConditionFuser} ({@code audiocraft/modules/conditioners.py} @ v1.2.0), the part of
 * {@code LMModel} that combines the conditions with the LM input (xp.cfg's {@code fuser} section). For each condition,
 * in the order the conditioning provider gives them (text conditions, then wav conditions):
 * <ul>
 *   <li>{@code prepend}: on the first step {@code input = cat([cond, input], dim=1)}, so the condition iterated
 *       <b>last</b> ends up first: with {@code description} then {@code self_wav} the LM input is
 *       {@code [self_wav, description, audio tokens]};</li>
 *   <li>{@code cross}: concatenated along time in iteration order into the cross-attention source, to which
 *       {@code cross_attention_pos_emb_scale · create_sin_embedding(arange(L), dim)} (default {@code max_period}
 *       10000, not the LM's) is added when {@code cross_attention_pos_emb} is set.</li>
 * </ul>
 * {@code sum} and {@code input_interpolate} are used by no MusicGen checkpoint and are refused. Condition masks are
 * ignored, as upstream's fuser ignores them (the conditioners already multiplied the embeddings by them).
 *
 * @param prepend conditions put in front of the LM input on the first streaming step
 * @param cross conditions that make up the cross-attention source
 * @param crossAttentionPosEmb whether sinusoidal positions are added to the cross-attention source
 * @param crossAttentionPosEmbScale their scale
 */
public record ConditionFuser(
        List<String> prepend, List<String> cross, boolean crossAttentionPosEmb, double crossAttentionPosEmbScale) {
    /** {@code create_sin_embedding}'s default, which the fuser uses whatever the LM's {@code max_period}. */
    static final double CROSS_POS_EMB_MAX_PERIOD = 10_000;

    public ConditionFuser {
        prepend = List.copyOf(prepend);
        cross = List.copyOf(cross);
        for (String p : prepend) {
            if (cross.contains(p)) {
                throw new IllegalArgumentException("condition '" + p + "' is listed under both fuser.prepend and"
                        + " fuser.cross; each condition has one fusing method");
            }
        }
        if (!Double.isFinite(crossAttentionPosEmbScale)) {
            throw new IllegalArgumentException("fuser.cross_attention_pos_emb_scale must be a finite number, but is: "
                    + crossAttentionPosEmbScale);
        }
    }

    /** Reads xp.cfg's {@code fuser} section, refusing the methods MusicGen never uses. */
    public static ConditionFuser fromXpConfig(XpConfig cfg) {
        for (String method : List.of("sum", "input_interpolate")) {
            List<Object> conditions = cfg.getList("fuser." + method);
            if (!conditions.isEmpty()) {
                throw Check.unsupported("LM config", "fuser." + method, conditions, "[]");
            }
        }
        return new ConditionFuser(
                strings(cfg.getList("fuser.prepend")),
                strings(cfg.getList("fuser.cross")),
                cfg.getBool("fuser.cross_attention_pos_emb", false),
                cfg.getDouble("fuser.cross_attention_pos_emb_scale", 1.0));
    }

    private static List<String> strings(List<Object> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    /** The method ("prepend" or "cross") for a condition, or null when the fuser does not know it. */
    public String methodOf(String condition) {
        if (prepend.contains(condition)) {
            return "prepend";
        }
        if (cross.contains(condition)) {
            return "cross";
        }
        return null;
    }

    /**
     * The fused condition inputs, both {@code [N, L, dim]} on {@code m}, or null where no condition is fused that way.
     *
     * @param prefix what goes in front of the LM input on the first step
     * @param crossSource the cross-attention source
     */
    public record Fused(NDArray prefix, NDArray crossSource) {}

    /**
     * Fuses {@code conditions} (in the provider's order) for an LM of width {@code dim}: refuses a condition the fuser
     * does not know (upstream asserts the same), one of another width, and no cross-attention source for a fuser that
     * has cross conditions (the LM's layers would have nothing to attend to).
     */
    public Fused fuse(LMConditions conditions, NDManager m, int dim) {
        NDArray prefix = null;
        NDArray crossSource = null;
        for (LMConditions.Tensor t : conditions.tensors()) {
            String method = methodOf(t.name());
            if (method == null) {
                throw new IllegalArgumentException("condition '" + t.name() + "' is unknown to this model's fuser"
                        + " (prepend " + prepend + ", cross " + cross + ")");
            }
            if (t.dim() != dim) {
                throw new IllegalArgumentException(
                        "condition '" + t.name() + "' has width " + t.dim() + " but the LM's dim is " + dim);
            }
            NDArray c = m.create(t.data(), new Shape(t.batch(), t.length(), t.dim()));
            if ("prepend".equals(method)) {
                prefix = prefix == null ? c : c.concat(prefix, 1);
            } else {
                crossSource = crossSource == null ? c : crossSource.concat(c, 1);
            }
        }
        if (!cross.isEmpty() && crossSource == null) {
            throw new IllegalArgumentException(
                    "this model cross-attends to " + cross + " but no such condition was given");
        }
        if (crossSource != null && crossAttentionPosEmb) {
            NDArray pe = F.sinEmbedding(m, 0, crossSource.getShape().get(1), dim, CROSS_POS_EMB_MAX_PERIOD);
            crossSource = crossSource.add(crossAttentionPosEmbScale == 1.0 ? pe : pe.mul(crossAttentionPosEmbScale));
        }
        return new Fused(prefix, crossSource);
    }
}
