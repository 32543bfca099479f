package dev.musicgen.testing;

import dev.musicgen.internal.weights.TensorData;

/** Array helpers for tests: flatten nested arrays row-major, and shape a fixture tensor back into 3-D arrays. */
public final class TestArrays {
    private TestArrays() {}

    /** {@code a} row-major: rows one after the other (rows may differ in length). */
    public static float[] flat(float[][] a) {
        int n = 0;
        for (float[] r : a) {
            n += r.length;
        }
        float[] out = new float[n];
        int p = 0;
        for (float[] r : a) {
            System.arraycopy(r, 0, out, p, r.length);
            p += r.length;
        }
        return out;
    }

    /** {@code a} row-major. */
    public static float[] flat(float[][][] a) {
        int n = 0;
        for (float[][] m : a) {
            for (float[] r : m) {
                n += r.length;
            }
        }
        float[] out = new float[n];
        int p = 0;
        for (float[][] m : a) {
            for (float[] r : m) {
                System.arraycopy(r, 0, out, p, r.length);
                p += r.length;
            }
        }
        return out;
    }

    /** {@code a} row-major: rows one after the other (rows may differ in length). */
    public static long[] flat(long[][] a) {
        int n = 0;
        for (long[] r : a) {
            n += r.length;
        }
        long[] out = new long[n];
        int p = 0;
        for (long[] r : a) {
            System.arraycopy(r, 0, out, p, r.length);
            p += r.length;
        }
        return out;
    }

    /** {@code a} row-major. */
    public static long[] flat(long[][][] a) {
        int n = 0;
        for (long[][] m : a) {
            for (long[] r : m) {
                n += r.length;
            }
        }
        long[] out = new long[n];
        int p = 0;
        for (long[][] m : a) {
            for (long[] r : m) {
                System.arraycopy(r, 0, out, p, r.length);
                p += r.length;
            }
        }
        return out;
    }

    /** A 3-D tensor (e.g. audio {@code [B, C, T]}) as nested arrays. */
    public static float[][][] floats3(TensorData t) {
        int[] s = shape3(t);
        float[] v = t.toFloatArray();
        float[][][] out = new float[s[0]][s[1]][s[2]];
        for (int i = 0; i < s[0]; i++) {
            for (int j = 0; j < s[1]; j++) {
                System.arraycopy(v, (i * s[1] + j) * s[2], out[i][j], 0, s[2]);
            }
        }
        return out;
    }

    /** A 3-D integer tensor (e.g. codes {@code [B, K, T]}) as nested arrays. */
    public static long[][][] longs3(TensorData t) {
        int[] s = shape3(t);
        long[] v = t.toLongArray();
        long[][][] out = new long[s[0]][s[1]][s[2]];
        for (int i = 0; i < s[0]; i++) {
            for (int j = 0; j < s[1]; j++) {
                System.arraycopy(v, (i * s[1] + j) * s[2], out[i][j], 0, s[2]);
            }
        }
        return out;
    }

    /** The shape of a 3-D nested array, {@code [a.length, a[0].length, a[0][0].length]}. */
    public static long[] shape(float[][][] a) {
        return new long[] {a.length, a[0].length, a[0][0].length};
    }

    /** The shape of a 3-D nested array, {@code [a.length, a[0].length, a[0][0].length]}. */
    public static long[] shape(long[][][] a) {
        return new long[] {a.length, a[0].length, a[0][0].length};
    }

    private static int[] shape3(TensorData t) {
        long[] s = t.shape();
        if (s.length != 3) {
            throw new IllegalArgumentException(t.name() + " has " + s.length + " dims, expected 3");
        }
        return new int[] {Math.toIntExact(s[0]), Math.toIntExact(s[1]), Math.toIntExact(s[2])};
    }
}
