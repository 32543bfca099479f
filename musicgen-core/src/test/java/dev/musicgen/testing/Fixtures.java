package dev.musicgen.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Locates the golden fixtures (a copy of the upstream-produced cases in the repo's {@code fixtures/}). */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        String p = System.getProperty("musicgen.fixtures");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("fixtures/models"))) {
                return dir.resolve("fixtures");
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("fixtures/ not found: set -Dmusicgen.fixtures=<repo>/fixtures");
    }

    public static Path path(String first, String... more) {
        return root().resolve(Path.of(first, more));
    }

    /** The case's manifest {@code case.json}. */
    public static JsonObject caseJson(String caseName) {
        try {
            return JsonParser.parseString(Files.readString(path(caseName, "case.json")))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All tensors of a fixture safetensors file (e.g. {@code tensors("encodec", "expected.safetensors")}). */
    public static Map<String, TensorData> tensors(String caseName, String file) {
        return read(path(caseName, file));
    }

    /** One tensor of a fixture safetensors file; fails naming the file when it has no such tensor. */
    public static TensorData tensor(String caseName, String file, String name) {
        TensorData t = tensors(caseName, file).get(name);
        if (t == null) {
            throw new IllegalArgumentException(caseName + "/" + file + " has no tensor " + name);
        }
        return t;
    }

    /** All tensors of a safetensors file, copied out of it (the file is closed on return). */
    public static Map<String, TensorData> read(Path file) {
        // tensors are mapped lazily through the file's channel: copy them before it closes
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : f.tensors().entrySet()) {
                TensorData t = e.getValue();
                ByteBuffer src = t.buffer();
                ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                copy.put(src).flip();
                out.put(
                        e.getKey(),
                        new TensorData(
                                t.name(),
                                t.dtype(),
                                t.shape(),
                                () -> copy.duplicate().order(ByteOrder.LITTLE_ENDIAN)));
            }
            return out;
        }
    }

    /** The safetensors file of a case that holds {@code tensor}, from case.json (expected tensors by default). */
    public static String fileOf(String caseName, String tensor) {
        JsonObject t = caseJson(caseName).getAsJsonObject("tensors").getAsJsonObject(tensor);
        return t != null && t.has("file") ? t.get("file").getAsString() : "expected.safetensors";
    }

    /** The tolerance of one expected tensor from case.json: {atol, rtol}, or {0,0} when exact. */
    public static double[] tolerance(String caseName, String tensor) {
        JsonObject t = caseJson(caseName).getAsJsonObject("tensors").getAsJsonObject(tensor);
        JsonObject tol = t.getAsJsonObject("tolerance");
        if (tol == null || (tol.has("exact") && tol.get("exact").getAsBoolean())) {
            return new double[] {0, 0};
        }
        return new double[] {
            tol.get("atol").getAsDouble(), tol.has("rtol") ? tol.get("rtol").getAsDouble() : 0
        };
    }
}
