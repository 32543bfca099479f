package dev.musicgen.internal.diffusion;

import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Replays recorded noise {@code noise.000}, {@code noise.001}, ... in that order (the order of the fixture's
 * {@code noise_order}: per band its initial noise, then one draw per sampler iteration). Asking for more draws than
 * were recorded, or a draw whose shape differs from the recording, fails naming the draw.
 */
public final class ReplayNoiseSource implements NoiseSource {
    private final String source;
    private final Map<String, float[]> values;
    private final Map<String, long[]> shapes;
    private int index;

    ReplayNoiseSource(String source, Map<String, float[]> values, Map<String, long[]> shapes) {
        this.source = source;
        this.values = new HashMap<>(values);
        this.shapes = new HashMap<>(shapes);
        for (Map.Entry<String, float[]> e : this.values.entrySet()) {
            long[] s = this.shapes.get(e.getKey());
            if (s == null || numel(s) != e.getValue().length) {
                throw new IllegalArgumentException("noise '" + e.getKey() + "' of " + source + " has "
                        + e.getValue().length + " values but shape " + Arrays.toString(s));
            }
        }
    }

    /** Reads every {@code noise.NNN} tensor of the file into memory (the file is closed on return). */
    static ReplayNoiseSource open(Path file) {
        Map<String, float[]> values = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            for (Map.Entry<String, TensorData> e : f.tensors().entrySet()) {
                if (e.getKey().matches("noise\\.\\d{3,}")) {
                    values.put(e.getKey(), e.getValue().toFloatArray());
                    shapes.put(e.getKey(), e.getValue().shape());
                }
            }
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(
                    "noise file " + file + " holds no tensors named noise.000, noise.001, ...");
        }
        return new ReplayNoiseSource(file.toString(), values, shapes);
    }

    static String name(int i) {
        return String.format(Locale.ROOT, "noise.%03d", i);
    }

    @Override
    public float[] next(long[] shape) {
        String name = name(index);
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalStateException("noise replay " + source + " has no '" + name + "': the decode asked for "
                    + (index + 1) + " draws but " + recorded() + " were recorded");
        }
        if (!Arrays.equals(shapes.get(name), shape)) {
            throw new IllegalArgumentException("noise replay " + source + ": '" + name + "' has shape "
                    + Arrays.toString(shapes.get(name)) + " but the decode draws " + Arrays.toString(shape)
                    + " (recorded for another batch size or length?)");
        }
        index++;
        return v.clone();
    }

    /** How many draws were handed out. */
    public int used() {
        return index;
    }

    /** How many consecutive draws, from noise.000 on, the recording holds. */
    public int recorded() {
        int n = 0;
        while (values.containsKey(name(n))) {
            n++;
        }
        return n;
    }

    static int numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("noise shape " + Arrays.toString(shape) + " has a negative size");
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("noise shape " + Arrays.toString(shape) + " is too large: " + n);
        }
        return (int) n;
    }
}
