package dev.musicgen.internal.demucs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One demucs fixture case: its inputs/expected tensors (copied out of the files while open) and a checker that
 * compares results with every expected tensor of case.json, including the float32 windows ({@code *.winN}) of
 * tensors stored as float16.
 */
final class DemucsFixture {
    final String name;
    final JsonObject json;
    private final Map<String, float[]> values = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();

    DemucsFixture(String caseName) {
        name = "demucs/" + caseName;
        json = Fixtures.caseJson(name);
        for (String file : List.of("inputs.safetensors", "expected.safetensors")) {
            try (SafeTensorsFile f = SafeTensorsFile.open(Fixtures.path(name, file))) {
                for (Map.Entry<String, TensorData> e : f.tensors().entrySet()) {
                    values.put(e.getKey(), e.getValue().toFloatArray());
                    shapes.put(e.getKey(), e.getValue().shape());
                }
            }
        }
    }

    float[] get(String tensor) {
        float[] v = values.get(tensor);
        assertThat(v).as(name + " has tensor " + tensor).isNotNull();
        return v;
    }

    long[] shape(String tensor) {
        return shapes.get(tensor);
    }

    /** [C][L] rows of a [1, C, L] tensor. */
    float[][] rows(String tensor) {
        long[] s = shape(tensor);
        int len = (int) s[s.length - 1];
        float[] v = get(tensor);
        float[][] out = new float[v.length / len][len];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(v, i * len, out[i], 0, len);
        }
        return out;
    }

    /**
     * Checks {@code actual} (the full tensor, flat, last axis innermost, {@code lastDim} long) against the expected
     * tensor of that name and against each of its float32 windows; returns the names checked.
     */
    List<String> check(String tensor, float[] actual, int lastDim) {
        assertThat(actual.length % lastDim).as(tensor + " length").isZero();
        List<String> checked = new ArrayList<>();
        JsonObject tensors = json.getAsJsonObject("tensors");
        for (Map.Entry<String, JsonElement> e : tensors.entrySet()) {
            JsonObject t = e.getValue().getAsJsonObject();
            if (!"expected".equals(t.get("role").getAsString())) {
                continue;
            }
            String key = e.getKey();
            double[] tol = Fixtures.tolerance(name, key);
            if (key.equals(tensor)) {
                Tensors.assertAllClose(name + " " + key, actual, get(key), tol[0], tol[1]);
                checked.add(key);
            } else if (t.has("window")
                    && t.getAsJsonObject("window").get("of").getAsString().equals(tensor)) {
                JsonObject w = t.getAsJsonObject("window");
                int start = w.get("start").getAsInt();
                int end = w.get("end").getAsInt();
                int rows = actual.length / lastDim;
                int wl = end - start;
                long[] winShape = shape(key);
                assertThat(winShape[winShape.length - 1]).isEqualTo(wl);
                float[] sliced = new float[rows * wl];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(actual, r * lastDim + start, sliced, r * wl, wl);
                }
                Tensors.assertAllClose(name + " " + key, sliced, get(key), tol[0], tol[1]);
                checked.add(key);
            }
        }
        assertThat(checked).as(name + ": expected tensors for " + tensor).isNotEmpty();
        return checked;
    }
}
