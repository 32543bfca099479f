package dev.musicgen.internal.nn;

/**
 * Rectangular {@code [a][b][c]} Java arrays (audio {@code [B][C][T]}, codes {@code [B][K][T]}) to and from row-major
 * buffers, the layout an {@code NDArray} of shape {@code [a, b, c]} is created from and read back as.
 */
public final class Arrays3 {
    private Arrays3() {}

    /** Row-major copy of {@code x}, which must be rectangular (refused naming the first odd row otherwise). */
    public static float[] flatten(float[][][] x) {
        int b = x.length;
        int c = x[0].length;
        int t = x[0][0].length;
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(b, c), t)];
        for (int i = 0; i < b; i++) {
            checkRows(x[i].length, c, i);
            for (int j = 0; j < c; j++) {
                checkRow(x[i][j].length, t, i, j);
                System.arraycopy(x[i][j], 0, out, (i * c + j) * t, t);
            }
        }
        return out;
    }

    /** Row-major copy of {@code x}, which must be rectangular (refused naming the first odd row otherwise). */
    public static long[] flatten(long[][][] x) {
        int b = x.length;
        int c = x[0].length;
        int t = x[0][0].length;
        long[] out = new long[Math.multiplyExact(Math.multiplyExact(b, c), t)];
        for (int i = 0; i < b; i++) {
            checkRows(x[i].length, c, i);
            for (int j = 0; j < c; j++) {
                checkRow(x[i][j].length, t, i, j);
                System.arraycopy(x[i][j], 0, out, (i * c + j) * t, t);
            }
        }
        return out;
    }

    private static void checkRows(int rows, int c, int i) {
        if (rows != c) {
            throw new IllegalArgumentException("not rectangular: x[" + i + "] has " + rows + " rows, x[0] has " + c);
        }
    }

    private static void checkRow(int len, int t, int i, int j) {
        if (len != t) {
            throw new IllegalArgumentException(
                    "not rectangular: x[" + i + "][" + j + "] has length " + len + ", x[0][0] has " + t);
        }
    }

    /** {@code [b][c][t]} from the row-major {@code flat} (its first {@code b * c * t} values). */
    public static float[][][] unflatten(float[] flat, int b, int c, int t) {
        float[][][] out = new float[b][c][t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < c; j++) {
                System.arraycopy(flat, (i * c + j) * t, out[i][j], 0, t);
            }
        }
        return out;
    }

    /** {@code [b][c][t]} from the row-major {@code flat} (its first {@code b * c * t} values). */
    public static long[][][] unflatten(long[] flat, int b, int c, int t) {
        long[][][] out = new long[b][c][t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < c; j++) {
                System.arraycopy(flat, (i * c + j) * t, out[i][j], 0, t);
            }
        }
        return out;
    }
}
