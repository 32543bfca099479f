package dev.musicgen.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;

/** Numeric assertions with torch.allclose semantics: |a - e| <= atol + rtol * |e|. */
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
            fail(String.format("%s: %d of %d values differ (atol %g, rtol %g); first at %d: actual %g expected %g;"
                    + " worst abs diff %g", what, bad, expected.length, atol, rtol, first, actual[first],
                    expected[first], worst));
        }
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
            fail(String.format("%s: lengths %d/%d, %d values differ; first at %d: actual %d expected %d", what,
                    actual.length, expected.length, count, first, first < 0 ? 0 : actual[first],
                    first < 0 ? 0 : expected[first]));
        }
    }
}
