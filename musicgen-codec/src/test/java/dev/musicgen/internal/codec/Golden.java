package dev.musicgen.internal.codec;

import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import dev.musicgen.testing.TestArrays;

/** The codec cases' golden tensors as Java arrays, in the codec tests' words (the shared helpers do the work). */
final class Golden {
    private Golden() {}

    static TensorData tensor(String caseName, String file, String name) {
        return Fixtures.tensor(caseName, file, name);
    }

    static float[][][] floats3(String caseName, String file, String name) {
        return TestArrays.floats3(Fixtures.tensor(caseName, file, name));
    }

    static long[][][] longs3(String caseName, String file, String name) {
        return TestArrays.longs3(Fixtures.tensor(caseName, file, name));
    }

    static float[][][] inputAudio(String caseName, String name) {
        return floats3(caseName, "inputs.safetensors", name);
    }

    static long[][][] inputCodes(String caseName, String name) {
        return longs3(caseName, "inputs.safetensors", name);
    }

    /** Encoded codes must equal the case's expected tensor exactly. */
    static void assertCodes(String caseName, String expected, long[][][] actual) {
        Tensors.assertMatchesFixture(caseName, expected, TestArrays.shape(actual), TestArrays.flat(actual));
    }

    /** Audio must match the case's expected tensor within its case.json tolerance. */
    static void assertAudio(String caseName, String expected, float[][][] actual) {
        Tensors.assertMatchesFixture(caseName, expected, TestArrays.shape(actual), TestArrays.flat(actual));
    }
}
