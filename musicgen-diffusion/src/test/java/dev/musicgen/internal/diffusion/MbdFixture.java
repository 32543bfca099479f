package dev.musicgen.internal.diffusion;

import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonObject;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The {@code mbd/public} golden case: tensors read eagerly, tolerances from case.json's {@code tolerances}. */
final class MbdFixture {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MbdFixture.class);
    static final String CASE = "mbd/public";

    final JsonObject caseJson = Fixtures.caseJson(CASE);
    final Map<String, float[]> floats = new HashMap<>();
    final Map<String, long[]> shapes = new HashMap<>();
    final Map<String, long[]> longs = new HashMap<>();

    MbdFixture() {
        try (SafeTensorsFile f = SafeTensorsFile.open(Fixtures.path("mbd", "public", "case.safetensors"))) {
            for (Map.Entry<String, TensorData> e : f.tensors().entrySet()) {
                shapes.put(e.getKey(), e.getValue().shape());
                if (e.getKey().equals("codes") || e.getKey().equals("schedule.step_list")) {
                    longs.put(e.getKey(), e.getValue().toLongArray());
                } else {
                    floats.put(e.getKey(), e.getValue().toFloatArray());
                }
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
        assertClose(what, actual, expected, atol, rtol, relL2);
    }

    static void assertClose(String what, float[] actual, float[] expected, double atol, double rtol, double relL2) {
        if (actual.length != expected.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        double num = 0;
        double den = 0;
        double worst = 0;
        int bad = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            num += d * d;
            den += (double) expected[i] * expected[i];
            worst = Math.max(worst, d);
            if (!(d <= atol + rtol * Math.abs(expected[i]))) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        double rel = den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
        String stats = String.format("%s: max abs diff %.3g, rel L2 %.3g (atol %g, rtol %g, rel_l2 %g)", what, worst,
                rel, atol, rtol, relL2);
        if (bad > 0) {
            fail(stats + "; " + bad + " values outside atol/rtol, first at " + first + ": actual " + actual[first]
                    + " expected " + expected[first]);
        }
        if (!Double.isNaN(relL2) && !(rel <= relL2)) {
            fail(stats + "; relative L2 error too large");
        }
        LOG.info(stats);
    }
}
