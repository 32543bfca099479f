package dev.musicgen.internal.diffusion;

import dev.musicgen.CheckpointException;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code mbd_musicgen_32khz.th} as audiocraft's {@code loaders.load_diffusion_models} reads it: a dict
 * with {@code sample_rate}, {@code n_bands} and, under the INT keys {@code 0..n_bands-1}, each band's {@code cfg}
 * (a pickled omegaconf DictConfig, turned into plain maps by the unpickler), {@code model_state} and
 * {@code processor_state}. Tensors stay lazy: read them before the checkpoint is closed.
 */
final class MbdCheckpoint {
    private final String source;
    private final int sampleRate;
    private final List<Band> bands;

    /** One band's entry. */
    record Band(int index, XpConfig cfg, Map<String, TensorData> modelState, Map<String, TensorData> processorState) {}

    private MbdCheckpoint(String source, int sampleRate, List<Band> bands) {
        this.source = source;
        this.sampleRate = sampleRate;
        this.bands = Collections.unmodifiableList(bands);
    }

    static MbdCheckpoint read(TorchCheckpoint ck) {
        String src = ck.path().toString();
        Object rootObj = ck.root();
        if (!(rootObj instanceof Map)) {
            throw new CheckpointException("MBD checkpoint " + src + " does not hold a dict at its root");
        }
        Map<?, ?> root = (Map<?, ?>) rootObj;
        int sampleRate = intEntry(src, root, "sample_rate");
        int nBands = intEntry(src, root, "n_bands");
        if (sampleRate <= 0 || nBands <= 0) {
            throw new CheckpointException("MBD checkpoint " + src + ": sample_rate (" + sampleRate + ") and n_bands ("
                    + nBands + ") must be positive");
        }
        List<Band> bands = new ArrayList<>();
        for (int i = 0; i < nBands; i++) {
            Object b = bandEntry(root, i);
            if (!(b instanceof Map)) {
                throw new CheckpointException("MBD checkpoint " + src + " has n_bands " + nBands + " but no dict under"
                        + " the integer key " + i + "; its keys are " + root.keySet());
            }
            Map<?, ?> band = (Map<?, ?>) b;
            for (String k : List.of("cfg", "model_state", "processor_state")) {
                if (!band.containsKey(k)) {
                    throw new CheckpointException("MBD checkpoint " + src + ": band " + i + " has no '" + k
                            + "' entry; it has " + band.keySet());
                }
            }
            if (!(band.get("cfg") instanceof Map)) {
                throw new CheckpointException("MBD checkpoint " + src + ": band " + i + "'s cfg is a "
                        + typeName(band.get("cfg")) + ", expected an omegaconf DictConfig");
            }
            XpConfig cfg = XpConfig.of((Map<?, ?>) band.get("cfg"));
            bands.add(new Band(
                    i,
                    cfg,
                    tensors(src, i, "model_state", band.get("model_state")),
                    tensors(src, i, "processor_state", band.get("processor_state"))));
        }
        return new MbdCheckpoint(src, sampleRate, bands);
    }

    private static Object bandEntry(Map<?, ?> root, int i) {
        for (Map.Entry<?, ?> e : root.entrySet()) {
            if (e.getKey() instanceof Number && ((Number) e.getKey()).longValue() == i) {
                return e.getValue();
            }
        }
        return null;
    }

    private static int intEntry(String src, Map<?, ?> root, String key) {
        Object v = root.get(key);
        if (!(v instanceof Number)) {
            throw new CheckpointException("MBD checkpoint " + src + " has no integer '" + key + "' (found "
                    + typeName(v) + "); is it an mbd_*.th file?");
        }
        return ((Number) v).intValue();
    }

    private static Map<String, TensorData> tensors(String src, int band, String what, Object node) {
        if (!(node instanceof Map)) {
            throw new CheckpointException("MBD checkpoint " + src + ": band " + band + "'s " + what + " is a "
                    + typeName(node) + ", expected a state dict");
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
            if (!(e.getValue() instanceof TensorData)) {
                throw new CheckpointException("MBD checkpoint " + src + ": band " + band + "'s " + what + " entry '"
                        + e.getKey() + "' is a " + typeName(e.getValue()) + ", expected a tensor");
            }
            String k = String.valueOf(e.getKey());
            TensorData t = (TensorData) e.getValue();
            out.put(k, t.named(k));
        }
        return out;
    }

    private static String typeName(Object o) {
        return o == null ? "nothing" : o.getClass().getSimpleName();
    }

    String source() {
        return source;
    }

    int sampleRate() {
        return sampleRate;
    }

    List<Band> bands() {
        return bands;
    }
}
