package dev.musicgen.internal.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.CheckpointException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tensors of one checkpoint under the names our model classes use, with strict bookkeeping: every lookup is
 * recorded, a missing key fails naming the key and the file, and {@link #checkAllUsed} reports keys the model never
 * read except those a component declares it knowingly ignores. Views with a prefix share the bookkeeping.
 */
public final class WeightStore {
    private final String source;
    private final Map<String, TensorData> tensors;
    private final Set<String> used;
    private final String prefix;

    private WeightStore(String source, Map<String, TensorData> tensors, Set<String> used, String prefix) {
        this.source = source;
        this.tensors = tensors;
        this.used = used;
        this.prefix = prefix;
    }

    /** A store over {@code tensors}, renamed by {@code mapping}; {@code source} names the file(s) in messages. */
    public static WeightStore of(String source, Map<String, TensorData> tensors, KeyMapping mapping) {
        Map<String, TensorData> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String k = mapping.apply(e.getKey());
            TensorData prev = renamed.put(k, e.getValue());
            if (prev != null) {
                throw new CheckpointException(
                        "checkpoint " + source + ": two tensors map to the same name '" + k + "'");
            }
        }
        return new WeightStore(source, Collections.unmodifiableMap(renamed), ConcurrentHashMap.newKeySet(), "");
    }

    public static WeightStore of(String source, Map<String, TensorData> tensors) {
        return of(source, tensors, KeyMapping.identity());
    }

    /** A view whose keys are relative to {@code childPrefix} (a trailing dot is added). */
    public WeightStore view(String childPrefix) {
        String p = childPrefix.isEmpty() || childPrefix.endsWith(".") ? childPrefix : childPrefix + ".";
        return new WeightStore(source, tensors, used, prefix + p);
    }

    public String source() {
        return source;
    }

    public String prefix() {
        return prefix;
    }

    public boolean has(String key) {
        return tensors.containsKey(prefix + key);
    }

    /** The tensor, marked as used. */
    public TensorData tensor(String key) {
        String full = prefix + key;
        TensorData t = tensors.get(full);
        if (t == null) {
            throw new CheckpointException("checkpoint " + source + " is missing weight '" + full + "'" + nearby(full));
        }
        used.add(full);
        return t;
    }

    /** The tensor with its shape checked against {@code expected}. */
    public TensorData tensor(String key, long... expected) {
        TensorData t = tensor(key);
        if (!Arrays.equals(t.shape(), expected)) {
            throw new CheckpointException("checkpoint " + source + ": weight '" + prefix + key + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expected));
        }
        return t;
    }

    /**
     * Loads the tensor onto {@code manager} as {@code dtype} (null keeps the stored type), named by its full key and
     * marked as used.
     */
    public NDArray load(String key, NDManager manager, DataType dtype) {
        return named(tensor(key).toNDArray(manager, dtype), key);
    }

    /** {@link #load(String, NDManager, DataType)} with the shape checked against {@code expected} first. */
    public NDArray load(String key, NDManager manager, DataType dtype, long... expected) {
        return named(tensor(key, expected).toNDArray(manager, dtype), key);
    }

    private NDArray named(NDArray a, String key) {
        a.setName(prefix + key);
        return a;
    }

    public float[] floats(String key) {
        return tensor(key).toFloatArray();
    }

    /** Keys of this view (relative to its prefix). */
    public Set<String> keys() {
        return tensors.keySet().stream()
                .filter(k -> k.startsWith(prefix))
                .map(k -> k.substring(prefix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Marks keys matching any regex (relative to this view) as knowingly unused. */
    public void ignore(Collection<String> regexes) {
        for (String r : regexes) {
            Pattern p = Pattern.compile(r);
            for (String k : tensors.keySet()) {
                if (k.startsWith(prefix)
                        && p.matcher(k.substring(prefix.length())).matches()) {
                    used.add(k);
                }
            }
        }
    }

    /** Throws listing every key under this view that no component read or ignored. */
    public void checkAllUsed() {
        List<String> unexpected = new ArrayList<>();
        for (String k : tensors.keySet()) {
            if (k.startsWith(prefix) && !used.contains(k)) {
                unexpected.add(k);
            }
        }
        if (!unexpected.isEmpty()) {
            Collections.sort(unexpected);
            throw new CheckpointException("checkpoint " + source + " has " + unexpected.size()
                    + " unexpected weight(s) under '" + prefix + "' that no component uses: "
                    + (unexpected.size() > 20 ? unexpected.subList(0, 20) + " ..." : unexpected));
        }
    }

    private String nearby(String full) {
        int dot = full.lastIndexOf('.');
        String parent = dot > 0 ? full.substring(0, dot) : "";
        List<String> sib = tensors.keySet().stream()
                .filter(k -> k.startsWith(parent))
                .limit(8)
                .collect(Collectors.toList());
        return sib.isEmpty() ? " (it has " + tensors.size() + " tensors)" : "; similar keys: " + sib;
    }
}
