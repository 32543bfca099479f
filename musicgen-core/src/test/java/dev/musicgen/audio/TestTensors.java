package dev.musicgen.audio;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Test-only reader of small {@code .safetensors} files (F32, I16, I64) and the fixture directory.
 * Audio tests use it so that they do not depend on the weights package.
 */
final class TestTensors {

    record Tensor(String dtype, int[] shape, ByteBuffer data) {
        int numel() {
            int n = 1;
            for (int s : shape) {
                n *= s;
            }
            return n;
        }

        float[] floats() {
            if (!dtype.equals("F32")) {
                throw new IllegalStateException("not F32: " + dtype);
            }
            float[] out = new float[numel()];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        short[] shorts() {
            if (!dtype.equals("I16")) {
                throw new IllegalStateException("not I16: " + dtype);
            }
            short[] out = new short[numel()];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
            return out;
        }

        /** {@code [rows][cols]} view of a tensor whose leading dims are all 1 but the last two. */
        float[][] floats2d() {
            float[] flat = floats();
            int cols = shape[shape.length - 1];
            int rows = flat.length / cols;
            float[][] out = new float[rows][cols];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(flat, r * cols, out[r], 0, cols);
            }
            return out;
        }

        short[][] shorts2d() {
            short[] flat = shorts();
            int cols = shape[shape.length - 1];
            int rows = flat.length / cols;
            short[][] out = new short[rows][cols];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(flat, r * cols, out[r], 0, cols);
            }
            return out;
        }
    }

    private TestTensors() {
    }

    static Map<String, Tensor> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        int base = 8 + (int) headerLen;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject();
            var shapeJson = t.getAsJsonArray("shape");
            int[] shape = new int[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsInt();
            }
            var offsets = t.getAsJsonArray("data_offsets");
            int start = base + offsets.get(0).getAsInt();
            int end = base + offsets.get(1).getAsInt();
            ByteBuffer slice = ByteBuffer.wrap(bytes, start, end - start).slice().order(ByteOrder.LITTLE_ENDIAN);
            out.put(e.getKey(), new Tensor(t.get("dtype").getAsString(), shape, slice));
        }
        return out;
    }

    /** The fixture directory {@code <repo>/fixtures/<name>}; skipped only when the property is not set (e.g. run outside Maven). */
    static Path fixture(String name) {
        String root = System.getProperty("musicgen.fixtures");
        assumeThat(root).as("system property musicgen.fixtures").isNotNull();
        Path dir = Path.of(root, name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture directory missing: " + dir);
        }
        return dir;
    }

    /** A file under {@code src/test/resources/golden/audio/}. */
    static Path golden(String name) {
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
