package dev.musicgen.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.musicgen.internal.weights.TensorData;
import java.util.Arrays;

/**
 * Numeric assertions with torch.allclose semantics: |a - e| <= atol + rtol * |e|; against a golden fixture, with the
 * tolerance its case.json states ({@link #assertMatchesFixture}).
 */
public final class Tensors {
    private Tensors() {}

    public static void assertAllClose(String what, float[] actual, float[] expected, double atol, double rtol) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        int bad = 0;
        int first = -1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            double d = Math.abs(a - e);
            boolean ok = d <= atol + rtol * Math.abs(e) || (Double.isNaN(a) && Double.isNaN(e));
            if (!ok) {
                bad++;
                if (first < 0) {
                    first = i;
                }
                worst = Math.max(worst, d);
            }
        }
        if (bad > 0) {
            fail(String.format(
                    "%s: %d of %d values differ (atol %g, rtol %g); first at %d: actual %g expected %g;"
                            + " worst abs diff %g",
                    what, bad, expected.length, atol, rtol, first, actual[first], expected[first], worst));
        }
    }

    /**
     * {@link #assertAllClose(String, float[], float[], double, double) allclose}, and also a relative L2 error
     * {@code ||a - e|| / ||e||} of at most {@code relL2} ({@code NaN}: no L2 bound).
     */
    public static void assertAllClose(
            String what, float[] actual, float[] expected, double atol, double rtol, double relL2) {
        assertAllClose(what, actual, expected, atol, rtol);
        if (!Double.isNaN(relL2)) {
            double rel = relativeL2(actual, expected);
            if (!(rel <= relL2)) {
                fail(String.format(
                        "%s: relative L2 error %.3g above %g (max abs diff %.3g)",
                        what, rel, relL2, maxAbsDiff(actual, expected)));
            }
        }
    }

    /** Row by row: same number of rows, each of the same length, all values within atol + rtol * |e|. */
    public static void assertAllClose(String what, float[][] actual, float[][] expected, double atol, double rtol) {
        assertThat(actual.length).as(what + " rows").isEqualTo(expected.length);
        for (int r = 0; r < expected.length; r++) {
            assertThat(actual[r].length).as(what + " row " + r + " length").isEqualTo(expected[r].length);
        }
        assertAllClose(what, TestArrays.flat(actual), TestArrays.flat(expected), atol, rtol);
    }

    /**
     * {@code actual} (row-major, of {@code shape}) against the expected tensor {@code name} of a fixture case: the
     * shape must match, and the values within the tolerance of case.json (exactly when it says so).
     */
    public static void assertMatchesFixture(String caseName, String name, long[] shape, float[] actual) {
        TensorData e = Fixtures.tensor(caseName, Fixtures.fileOf(caseName, name), name);
        assertThat(shape).as(caseName + "/" + name + " shape").containsExactly(e.shape());
        double[] tol = Fixtures.tolerance(caseName, name);
        assertAllClose(caseName + "/" + name, actual, e.toFloatArray(), tol[0], tol[1]);
    }

    /** {@code actual} (row-major, of {@code shape}) must equal the integer tensor {@code name} of a fixture case. */
    public static void assertMatchesFixture(String caseName, String name, long[] shape, long[] actual) {
        TensorData e = Fixtures.tensor(caseName, Fixtures.fileOf(caseName, name), name);
        assertThat(shape).as(caseName + "/" + name + " shape").containsExactly(e.shape());
        assertExact(caseName + "/" + name, actual, e.toLongArray());
    }

    /** max |a - e|. */
    public static double maxAbsDiff(float[] actual, float[] expected) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
        }
        return worst;
    }

    /** ||a - e|| / ||e|| (||a - e|| when e is all zeros). */
    public static double relativeL2(float[] actual, float[] expected) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    public static void assertExact(String what, long[] actual, long[] expected) {
        if (!Arrays.equals(actual, expected)) {
            int n = Math.min(actual.length, expected.length);
            int first = -1;
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (actual[i] != expected[i]) {
                    count++;
                    if (first < 0) {
                        first = i;
                    }
                }
            }
            fail(String.format(
                    "%s: lengths %d/%d, %d values differ; first at %d: actual %d expected %d",
                    what,
                    actual.length,
                    expected.length,
                    count,
                    first,
                    first < 0 ? 0 : actual[first],
                    first < 0 ? 0 : expected[first]));
        }
    }
}
