package dev.musicgen.internal.conditioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.musicgen.internal.config.XpConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The fusing plan of audiocraft {@code ConditionFuser} (audiocraft/modules/conditioners.py, v1.2.0) as xp.cfg's
 * {@code fuser} section gives it: which conditions become the cross-attention source ({@code cross}) and which are
 * prepended to the LM input on the first step ({@code prepend}). Upstream iterates the conditions in the provider's
 * order (text conditions, then wav conditions) and for each {@code prepend} does {@code input = cat([cond, input])},
 * so the <b>last</b> one iterated ends up first: with {@code description} then {@code self_wav} the LM input is
 * {@code [self_wav (chroma), description (text), audio tokens]}. {@code cross} conditions are concatenated in
 * iteration order. {@code sum}, {@code input_interpolate} and {@code cross_attention_pos_emb} are not used by any
 * MusicGen checkpoint and are refused.
 */
public final class ConditionFuser {
    private final List<String> cross;
    private final List<String> prepend;

    public ConditionFuser(List<String> cross, List<String> prepend) {
        for (String c : cross) {
            if (prepend.contains(c)) {
                throw new IllegalArgumentException("condition '" + c + "' is listed under both fuser.cross and"
                        + " fuser.prepend");
            }
        }
        this.cross = List.copyOf(cross);
        this.prepend = List.copyOf(prepend);
    }

    /** Reads xp.cfg's {@code fuser} section. */
    public static ConditionFuser fromXpConfig(XpConfig cfg) {
        for (String unsupported : List.of("sum", "input_interpolate")) {
            if (!cfg.getList("fuser." + unsupported).isEmpty()) {
                throw new IllegalArgumentException("fuser." + unsupported + "=" + cfg.getList("fuser." + unsupported)
                        + " is not supported (MusicGen uses only cross and prepend)");
            }
        }
        if (cfg.getBool("fuser.cross_attention_pos_emb", false)) {
            throw new IllegalArgumentException("fuser.cross_attention_pos_emb=true is not supported (no released"
                    + " MusicGen checkpoint uses it)");
        }
        return new ConditionFuser(strings(cfg.getList("fuser.cross")), strings(cfg.getList("fuser.prepend")));
    }

    private static List<String> strings(List<Object> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    public List<String> cross() {
        return cross;
    }

    public List<String> prepend() {
        return prepend;
    }

    /** Fails unless every condition the provider produces has a fusing method (upstream asserts the same). */
    void checkCovers(Collection<String> conditionNames) {
        for (String n : conditionNames) {
            if (!cross.contains(n) && !prepend.contains(n)) {
                throw new IllegalArgumentException("condition '" + n + "' has no fusing method in xp.cfg fuser"
                        + " (cross=" + cross + ", prepend=" + prepend + ")");
            }
        }
    }

    /** Cross-attention source [N, ΣL, dim] in iteration order, or null when no condition is fused by cross. */
    NDArray crossAttentionSource(Map<String, Condition> conditions) {
        return concat(conditions, cross, false);
    }

    /** The prefix upstream puts in front of the LM input [N, ΣL, dim] (last iterated first), or null. */
    NDArray prefix(Map<String, Condition> conditions) {
        return concat(conditions, prepend, true);
    }

    private static NDArray concat(Map<String, Condition> conditions, List<String> method, boolean reversed) {
        List<NDArray> parts = new ArrayList<>();
        for (Map.Entry<String, Condition> e : conditions.entrySet()) {
            if (method.contains(e.getKey())) {
                if (reversed) {
                    parts.add(0, e.getValue().embeds());
                } else {
                    parts.add(e.getValue().embeds());
                }
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        if (parts.size() == 1) {
            return parts.get(0).duplicate();
        }
        return NDArrays.concat(new NDList(parts), 1);
    }
}
