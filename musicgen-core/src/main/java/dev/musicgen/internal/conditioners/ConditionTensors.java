package dev.musicgen.internal.conditioners;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link ConditionProvider} hands to the LM: every condition by name, in audiocraft's order (text, then wav),
 * which is the order the LM's {@link dev.musicgen.internal.lm.ConditionFuser} fuses them in. Rows follow the request:
 * for a CFG request, rows {@code 0..B-1} are conditioned and {@code B..2B-1} are the null condition. All arrays live on
 * the manager the caller passed; {@link #close()} frees them early. Internal API.
 *
 * @param conditions name → (embeds [N, L, dim], mask [N, L]); e.g. {@code description}, {@code self_wav}
 */
public record ConditionTensors(Map<String, Condition> conditions) implements AutoCloseable {
    public ConditionTensors {
        conditions = Collections.unmodifiableMap(new LinkedHashMap<>(conditions)); // keeps upstream's order
    }

    /** The condition named {@code name}, or an error listing the names there are. */
    public Condition condition(String name) {
        Condition c = conditions.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no condition '" + name + "'; have " + conditions.keySet());
        }
        return c;
    }

    /** Frees every array. */
    @Override
    public void close() {
        conditions.values().forEach(Condition::close);
    }
}
