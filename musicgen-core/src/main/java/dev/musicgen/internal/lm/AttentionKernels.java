package dev.musicgen.internal.lm;

import static dev.musicgen.internal.lm.Int8Kernels.FS;
import static dev.musicgen.internal.lm.Int8Kernels.L;
import static dev.musicgen.internal.lm.Int8Kernels.VECTOR;
import static dev.musicgen.internal.lm.Int8Kernels.widen;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Java decode step's attention over one (row, head) of a {@link DecodeCache} in fp32 or int8 (with a scale per
 * position), on the Vector API with {@link Int8Kernels}' species: keys in blocks of {@link DecodeCache#P} positions
 * stored {@code [headDim][P]}, so the scores of P positions are one vector FMA chain over the head dimension (no
 * horizontal sums); values {@code [position][headDim]}; softmax.
 */
final class AttentionKernels {
    private AttentionKernels() {}

    /**
     * {@code s[0, n) *= scale}, then {@code s = exp(s - max)}; returns the sum of the exponentials (the caller divides by
     * it).
     */
    static float softmaxUnnormalized(float[] s, int n, float scale) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (VECTOR) {
            FloatVector mx = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
            for (; i + L <= n; i += L) {
                FloatVector v = FloatVector.fromArray(FS, s, i).mul(scale);
                v.intoArray(s, i);
                mx = mx.max(v);
            }
            max = mx.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            s[i] *= scale;
            max = Math.max(max, s[i]);
        }
        i = 0;
        float sum = 0;
        if (VECTOR) {
            FloatVector acc = FloatVector.zero(FS);
            FloatVector m = FloatVector.broadcast(FS, max);
            for (; i + L <= n; i += L) {
                FloatVector e = FloatVector.fromArray(FS, s, i).sub(m).lanewise(VectorOperators.EXP);
                e.intoArray(s, i);
                acc = acc.add(e);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s[i] = (float) Math.exp(s[i] - max);
            sum += s[i];
        }
        return sum;
    }

    // --------------------------------------------------------------------------------------------------- attention
    //
    // One (row, head) of a cache: keys in blocks of P positions stored [headDim][P] (position j, dim d at
    // base + (j / P)·dh·P + d·P + j % P), so the scores of P positions are vector FMA chains over d with q[d]
    // broadcast (no horizontal sums); values [position][headDim] from base. Two element types with the same code: fp32
    // and int8 with one fp32 scale per position (keys: the scores of a block are multiplied by their positions' scales;
    // values: each position's weight is). fp16 was measured too and dropped: JDK 17's Vector API widens shorts to ints
    // so slowly that fp16 attention over 1 500 positions cost 7x the int8 one (83 vs 11 ms of CPU per small-model
    // step).

    /** Scores {@code s[j] = q · k_j} for positions {@code [0, n)} of F32 keys from element {@code base}. */
    static void scoresF32(float[] keys, int base, float[] q, int qOff, int dh, int n, float[] s) {
        int p = DecodeCache.P;
        if (!VECTOR) {
            for (int j = 0; j < n; j++) {
                int at = base + (j / p) * dh * p + j % p;
                float acc = 0;
                for (int d = 0; d < dh; d++) {
                    acc += q[qOff + d] * keys[at + d * p];
                }
                s[j] = acc;
            }
            return;
        }
        int blocks = (n + p - 1) / p;
        for (int blk = 0; blk < blocks; blk++) {
            int bBase = base + blk * dh * p;
            for (int u = 0; u < p; u += L) {
                FloatVector a0 = FloatVector.zero(FS);
                FloatVector a1 = FloatVector.zero(FS);
                FloatVector a2 = FloatVector.zero(FS);
                FloatVector a3 = FloatVector.zero(FS);
                int d = 0;
                for (; d + 3 < dh; d += 4) {
                    int at = bBase + d * p + u;
                    a0 = FloatVector.fromArray(FS, keys, at).fma(FloatVector.broadcast(FS, q[qOff + d]), a0);
                    a1 = FloatVector.fromArray(FS, keys, at + p).fma(FloatVector.broadcast(FS, q[qOff + d + 1]), a1);
                    a2 = FloatVector.fromArray(FS, keys, at + 2 * p)
                            .fma(FloatVector.broadcast(FS, q[qOff + d + 2]), a2);
                    a3 = FloatVector.fromArray(FS, keys, at + 3 * p)
                            .fma(FloatVector.broadcast(FS, q[qOff + d + 3]), a3);
                }
                for (; d < dh; d++) {
                    a0 = FloatVector.fromArray(FS, keys, bBase + d * p + u)
                            .fma(FloatVector.broadcast(FS, q[qOff + d]), a0);
                }
                FloatVector r = a0.add(a1).add(a2.add(a3));
                r.intoArray(s, blk * p + u);
            }
        }
    }

    /**
     * {@code o[oOff + d] = Σ_j e[j] · v_j[d] / sum} over positions {@code [0, n)} of F32 values from element
     * {@code base}.
     */
    static void weightedValuesF32(float[] values, int base, float[] e, int n, float sum, int dh, float[] o, int oOff) {
        float inv = 1 / sum;
        if (!VECTOR || dh % L != 0) {
            for (int d = 0; d < dh; d++) {
                float acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += e[j] * values[base + j * dh + d];
                }
                o[oOff + d] = acc * inv;
            }
            return;
        }
        int u = 0;
        for (; u + 4 * L <= dh; u += 4 * L) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            FloatVector a2 = FloatVector.zero(FS);
            FloatVector a3 = FloatVector.zero(FS);
            FloatVector c0 = FloatVector.zero(FS);
            FloatVector c1 = FloatVector.zero(FS);
            FloatVector c2 = FloatVector.zero(FS);
            FloatVector c3 = FloatVector.zero(FS);
            int j = 0;
            for (; j + 1 < n; j += 2) {
                FloatVector p0 = FloatVector.broadcast(FS, e[j]);
                FloatVector p1 = FloatVector.broadcast(FS, e[j + 1]);
                int at = base + j * dh + u;
                a0 = FloatVector.fromArray(FS, values, at).fma(p0, a0);
                a1 = FloatVector.fromArray(FS, values, at + L).fma(p0, a1);
                a2 = FloatVector.fromArray(FS, values, at + 2 * L).fma(p0, a2);
                a3 = FloatVector.fromArray(FS, values, at + 3 * L).fma(p0, a3);
                at += dh;
                c0 = FloatVector.fromArray(FS, values, at).fma(p1, c0);
                c1 = FloatVector.fromArray(FS, values, at + L).fma(p1, c1);
                c2 = FloatVector.fromArray(FS, values, at + 2 * L).fma(p1, c2);
                c3 = FloatVector.fromArray(FS, values, at + 3 * L).fma(p1, c3);
            }
            if (j < n) {
                FloatVector p0 = FloatVector.broadcast(FS, e[j]);
                int at = base + j * dh + u;
                a0 = FloatVector.fromArray(FS, values, at).fma(p0, a0);
                a1 = FloatVector.fromArray(FS, values, at + L).fma(p0, a1);
                a2 = FloatVector.fromArray(FS, values, at + 2 * L).fma(p0, a2);
                a3 = FloatVector.fromArray(FS, values, at + 3 * L).fma(p0, a3);
            }
            a0.add(c0).mul(inv).intoArray(o, oOff + u);
            a1.add(c1).mul(inv).intoArray(o, oOff + u + L);
            a2.add(c2).mul(inv).intoArray(o, oOff + u + 2 * L);
            a3.add(c3).mul(inv).intoArray(o, oOff + u + 3 * L);
        }
        for (; u < dh; u += L) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector c0 = FloatVector.zero(FS);
            int j = 0;
            for (; j + 1 < n; j += 2) {
                a0 = FloatVector.fromArray(FS, values, base + j * dh + u).fma(FloatVector.broadcast(FS, e[j]), a0);
                c0 = FloatVector.fromArray(FS, values, base + (j + 1) * dh + u)
                        .fma(FloatVector.broadcast(FS, e[j + 1]), c0);
            }
            if (j < n) {
                a0 = FloatVector.fromArray(FS, values, base + j * dh + u).fma(FloatVector.broadcast(FS, e[j]), a0);
            }
            a0.add(c0).mul(inv).intoArray(o, oOff + u);
        }
    }

    /** Scores {@code s[j] = q · k_j} for positions {@code [0, n)} of I8 keys from element {@code base}. */
    static void scoresI8(
            byte[] keys, int base, float[] scales, int scaleBase, float[] q, int qOff, int dh, int n, float[] s) {
        int p = DecodeCache.P;
        if (!VECTOR) {
            for (int j = 0; j < n; j++) {
                int at = base + (j / p) * dh * p + j % p;
                float acc = 0;
                for (int d = 0; d < dh; d++) {
                    acc += q[qOff + d] * keys[at + d * p];
                }
                s[j] = acc * scales[scaleBase + j];
            }
            return;
        }
        int blocks = (n + p - 1) / p;
        for (int blk = 0; blk < blocks; blk++) {
            int bBase = base + blk * dh * p;
            for (int u = 0; u < p; u += L) {
                FloatVector a0 = FloatVector.zero(FS);
                FloatVector a1 = FloatVector.zero(FS);
                FloatVector a2 = FloatVector.zero(FS);
                FloatVector a3 = FloatVector.zero(FS);
                int d = 0;
                for (; d + 3 < dh; d += 4) {
                    int at = bBase + d * p + u;
                    a0 = widen(keys, at).fma(FloatVector.broadcast(FS, q[qOff + d]), a0);
                    a1 = widen(keys, at + p).fma(FloatVector.broadcast(FS, q[qOff + d + 1]), a1);
                    a2 = widen(keys, at + 2 * p).fma(FloatVector.broadcast(FS, q[qOff + d + 2]), a2);
                    a3 = widen(keys, at + 3 * p).fma(FloatVector.broadcast(FS, q[qOff + d + 3]), a3);
                }
                for (; d < dh; d++) {
                    a0 = widen(keys, bBase + d * p + u).fma(FloatVector.broadcast(FS, q[qOff + d]), a0);
                }
                FloatVector r = a0.add(a1).add(a2.add(a3));
                r = r.mul(FloatVector.fromArray(FS, scales, scaleBase + blk * p + u));
                r.intoArray(s, blk * p + u);
            }
        }
    }

    /**
     * {@code o[oOff + d] = Σ_j e[j] · v_j[d] / sum} over positions {@code [0, n)} of I8 values from element
     * {@code base}.
     */
    static void weightedValuesI8(
            byte[] values,
            int base,
            float[] scales,
            int scaleBase,
            float[] e,
            int n,
            float sum,
            int dh,
            float[] o,
            int oOff) {
        float inv = 1 / sum;
        if (!VECTOR || dh % L != 0) {
            for (int d = 0; d < dh; d++) {
                float acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += e[j] * scales[scaleBase + j] * values[base + j * dh + d];
                }
                o[oOff + d] = acc * inv;
            }
            return;
        }
        int u = 0;
        for (; u + 4 * L <= dh; u += 4 * L) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            FloatVector a2 = FloatVector.zero(FS);
            FloatVector a3 = FloatVector.zero(FS);
            FloatVector c0 = FloatVector.zero(FS);
            FloatVector c1 = FloatVector.zero(FS);
            FloatVector c2 = FloatVector.zero(FS);
            FloatVector c3 = FloatVector.zero(FS);
            int j = 0;
            for (; j + 1 < n; j += 2) {
                FloatVector p0 = FloatVector.broadcast(FS, e[j] * scales[scaleBase + j]);
                FloatVector p1 = FloatVector.broadcast(FS, e[j + 1] * scales[scaleBase + j + 1]);
                int at = base + j * dh + u;
                a0 = widen(values, at).fma(p0, a0);
                a1 = widen(values, at + L).fma(p0, a1);
                a2 = widen(values, at + 2 * L).fma(p0, a2);
                a3 = widen(values, at + 3 * L).fma(p0, a3);
                at += dh;
                c0 = widen(values, at).fma(p1, c0);
                c1 = widen(values, at + L).fma(p1, c1);
                c2 = widen(values, at + 2 * L).fma(p1, c2);
                c3 = widen(values, at + 3 * L).fma(p1, c3);
            }
            if (j < n) {
                FloatVector p0 = FloatVector.broadcast(FS, e[j] * scales[scaleBase + j]);
                int at = base + j * dh + u;
                a0 = widen(values, at).fma(p0, a0);
                a1 = widen(values, at + L).fma(p0, a1);
                a2 = widen(values, at + 2 * L).fma(p0, a2);
                a3 = widen(values, at + 3 * L).fma(p0, a3);
            }
            a0.add(c0).mul(inv).intoArray(o, oOff + u);
            a1.add(c1).mul(inv).intoArray(o, oOff + u + L);
            a2.add(c2).mul(inv).intoArray(o, oOff + u + 2 * L);
            a3.add(c3).mul(inv).intoArray(o, oOff + u + 3 * L);
        }
        for (; u < dh; u += L) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector c0 = FloatVector.zero(FS);
            int j = 0;
            for (; j + 1 < n; j += 2) {
                a0 = widen(values, base + j * dh + u).fma(FloatVector.broadcast(FS, e[j] * scales[scaleBase + j]), a0);
                c0 = widen(values, base + (j + 1) * dh + u)
                        .fma(FloatVector.broadcast(FS, e[j + 1] * scales[scaleBase + j + 1]), c0);
            }
            if (j < n) {
                a0 = widen(values, base + j * dh + u).fma(FloatVector.broadcast(FS, e[j] * scales[scaleBase + j]), a0);
            }
            a0.add(c0).mul(inv).intoArray(o, oOff + u);
        }
    }

    /** Element index of dim d of position j: key layout (blocks of P) or value layout ({@code [position][dh]}). */
    private static int at(boolean keyLayout, int base, int j, int d, int dh) {
        int p = DecodeCache.P;
        return keyLayout ? base + (j / p) * dh * p + d * p + j % p : base + j * dh + d;
    }

    /** Writes one position's {@code dh} values ({@code src[srcOff...]}) at position j of an fp32 store. */
    static void writeF32(float[] dst, boolean keyLayout, int base, int j, float[] src, int srcOff, int dh) {
        for (int d = 0; d < dh; d++) {
            dst[at(keyLayout, base, j, d, dh)] = src[srcOff + d];
        }
    }

    /** The same for an int8 store: the position's scale {@code max|v| / 127} goes to {@code scales[scaleBase + j]}. */
    static void writeI8(
            byte[] dst,
            boolean keyLayout,
            int base,
            float[] scales,
            int scaleBase,
            int j,
            float[] src,
            int srcOff,
            int dh) {
        float max = 0;
        for (int d = 0; d < dh; d++) {
            max = Math.max(max, Math.abs(src[srcOff + d]));
        }
        float scale = max / 127f;
        scales[scaleBase + j] = scale;
        float inv = scale == 0 ? 0 : 1 / scale;
        for (int d = 0; d < dh; d++) {
            int v = (int) Math.rint(src[srcOff + d] * inv);
            dst[at(keyLayout, base, j, d, dh)] = (byte) Math.max(-127, Math.min(127, v));
        }
    }
}
