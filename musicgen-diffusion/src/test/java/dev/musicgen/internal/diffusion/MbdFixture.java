package dev.musicgen.internal.diffusion;

import com.google.gson.JsonObject;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The {@code mbd/public} golden case: tensors read eagerly, tolerances from case.json's {@code tolerances}. */
final class MbdFixture {
    static final String CASE = "mbd/public";

    final JsonObject caseJson = Fixtures.caseJson(CASE);
    final Map<String, float[]> floats = new HashMap<>();
    final Map<String, long[]> shapes = new HashMap<>();
    final Map<String, long[]> longs = new HashMap<>();

    MbdFixture() {
        for (Map.Entry<String, TensorData> e :
                Fixtures.tensors(CASE, "case.safetensors").entrySet()) {
            shapes.put(e.getKey(), e.getValue().shape());
            if (e.getKey().equals("codes") || e.getKey().equals("schedule.step_list")) {
                longs.put(e.getKey(), e.getValue().toLongArray());
            } else {
                floats.put(e.getKey(), e.getValue().toFloatArray());
            }
        }
    }

    static Path modelDir() {
        return Fixtures.path("mbd", "model");
    }

    float[] get(String name) {
        float[] v = floats.get(name);
        if (v == null) {
            throw new IllegalArgumentException("fixture has no tensor " + name);
        }
        return v;
    }

    ReplayNoiseSource noise() {
        Map<String, float[]> v = new HashMap<>();
        Map<String, long[]> s = new HashMap<>();
        for (String k : floats.keySet()) {
            if (k.startsWith("noise.")) {
                v.put(k, floats.get(k));
                s.put(k, shapes.get(k));
            }
        }
        return NoiseSource.replay(v, s);
    }

    JsonObject tolerance(String key) {
        return caseJson.getAsJsonObject("tolerances").getAsJsonObject(key);
    }

    /** Checks against case.json's tolerance {@code key}: max |a - e| <= atol (+ rtol |e|) and the relative L2 error. */
    void assertClose(String what, float[] actual, float[] expected, String key) {
        JsonObject tol = tolerance(key);
        double atol = tol.has("atol") ? tol.get("atol").getAsDouble() : 0;
        double rtol = tol.has("rtol") ? tol.get("rtol").getAsDouble() : 0;
        double relL2 = tol.has("rel_l2") ? tol.get("rel_l2").getAsDouble() : Double.NaN;
        Tensors.assertAllClose(what, actual, expected, atol, rtol, relL2);
    }
}
