package dev.musicgen.internal.codec;

/** Flattening of rectangular {@code [a][b][c]} Java arrays to and from row-major buffers. */
final class Arrays3 {
    private Arrays3() {}

    static float[] flatten(float[][][] x) {
        int b = x.length;
        int c = x[0].length;
        int t = x[0][0].length;
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(b, c), t)];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < c; j++) {
                System.arraycopy(x[i][j], 0, out, (i * c + j) * t, t);
            }
        }
        return out;
    }

    static long[] flatten(long[][][] x) {
        int b = x.length;
        int c = x[0].length;
        int t = x[0][0].length;
        long[] out = new long[Math.multiplyExact(Math.multiplyExact(b, c), t)];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < c; j++) {
                System.arraycopy(x[i][j], 0, out, (i * c + j) * t, t);
            }
        }
        return out;
    }

    static float[][][] unflatten(float[] flat, int b, int c, int t) {
        float[][][] out = new float[b][c][t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < c; j++) {
                System.arraycopy(flat, (i * c + j) * t, out[i][j], 0, t);
            }
        }
        return out;
    }

    static long[][][] unflatten(long[] flat, int b, int c, int t) {
        long[][][] out = new long[b][c][t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < c; j++) {
                System.arraycopy(flat, (i * c + j) * t, out[i][j], 0, t);
            }
        }
        return out;
    }
}
