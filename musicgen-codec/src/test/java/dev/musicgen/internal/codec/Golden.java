package dev.musicgen.internal.codec;

import dev.musicgen.internal.nn.Arrays3;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;

/** Reads golden fixture tensors into Java arrays (the file stays open only while reading). */
final class Golden {
    private Golden() {}

    static TensorData tensor(String caseName, String file, String name) {
        try (SafeTensorsFile f = SafeTensorsFile.open(Fixtures.path(caseName, file))) {
            TensorData t = f.tensors().get(name);
            if (t == null) {
                throw new IllegalArgumentException(caseName + "/" + file + " has no tensor " + name);
            }
            long[] shape = t.shape();
            return t.dtype().isFloatingPoint() ? TensorData.ofFloats(name, shape, t.toFloatArray())
                    : TensorData.ofLongs(name, shape, t.toLongArray());
        }
    }

    static float[][][] floats3(String caseName, String file, String name) {
        TensorData t = tensor(caseName, file, name);
        long[] s = t.shape();
        return Arrays3.unflatten(t.toFloatArray(), (int) s[0], (int) s[1], (int) s[2]);
    }

    static long[][][] longs3(String caseName, String file, String name) {
        TensorData t = tensor(caseName, file, name);
        long[] s = t.shape();
        return Arrays3.unflatten(t.toLongArray(), (int) s[0], (int) s[1], (int) s[2]);
    }

    static float[][][] inputAudio(String caseName, String name) {
        return floats3(caseName, "inputs.safetensors", name);
    }

    static long[][][] inputCodes(String caseName, String name) {
        return longs3(caseName, "inputs.safetensors", name);
    }

    /** Encoded codes must equal the case's expected tensor exactly. */
    static void assertCodes(String caseName, String expected, long[][][] actual) {
        long[][][] e = longs3(caseName, "expected.safetensors", expected);
        org.assertj.core.api.Assertions.assertThat(new int[] {actual.length, actual[0].length, actual[0][0].length})
                .as(caseName + "/" + expected + " shape")
                .containsExactly(e.length, e[0].length, e[0][0].length);
        Tensors.assertExact(caseName + "/" + expected, Arrays3.flatten(actual), Arrays3.flatten(e));
    }

    /** Audio must match the case's expected tensor within its case.json tolerance. */
    static void assertAudio(String caseName, String expected, float[][][] actual) {
        float[][][] e = floats3(caseName, "expected.safetensors", expected);
        org.assertj.core.api.Assertions.assertThat(new int[] {actual.length, actual[0].length, actual[0][0].length})
                .as(caseName + "/" + expected + " shape")
                .containsExactly(e.length, e[0].length, e[0][0].length);
        double[] tol = Fixtures.tolerance(caseName, expected);
        Tensors.assertAllClose(caseName + "/" + expected, Arrays3.flatten(actual), Arrays3.flatten(e), tol[0], tol[1]);
    }
}
