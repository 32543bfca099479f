package dev.musicgen.testing;

import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test helper: fixture and golden {@code .safetensors} tensors as plain arrays (read with the core
 * {@link SafeTensorsFile}), shaped {@code [rows][last dim]} the way audio tests want them.
 */
public final class TestTensors {

    /** One tensor, copied out of the file. */
    public record Tensor(String dtype, long[] shape, float[] values, long[] integers) {

        public float[] floats() {
            return values;
        }

        /** {@code [rows][cols]}: every leading dim folded into rows, the last dim as columns. */
        public float[][] floats2d() {
            int cols = (int) shape[shape.length - 1];
            int rows = values.length / cols;
            float[][] out = new float[rows][cols];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(values, r * cols, out[r], 0, cols);
            }
            return out;
        }

        public short[][] shorts2d() {
            int cols = (int) shape[shape.length - 1];
            int rows = integers.length / cols;
            short[][] out = new short[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[r][c] = (short) integers[r * cols + c];
                }
            }
            return out;
        }
    }

    private TestTensors() {}

    public static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : Fixtures.read(file).entrySet()) {
            TensorData t = e.getValue();
            boolean floating = t.dtype().isFloatingPoint();
            out.put(
                    e.getKey(),
                    new Tensor(
                            t.dtype().name(),
                            t.shape(),
                            floating ? t.toFloatArray() : null,
                            floating ? null : t.toLongArray()));
        }
        return out;
    }

    /** The fixture directory {@code <repo>/fixtures/<name>}. */
    public static Path fixture(String name) {
        return Fixtures.path(name);
    }

    /** A file under {@code src/test/resources/golden/audio/}. */
    public static Path golden(String name) {
        var url = TestTensors.class.getResource("/golden/audio/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource golden/audio/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
