package dev.musicgen.internal.lm;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Java decode step's kernels on the JDK's Vector API ({@code jdk.incubator.vector}), with the vector width the JVM
 * prefers on this CPU ({@link FloatVector#SPECIES_PREFERRED}: 8 floats with AVX2, 16 with AVX-512). Only loaded for
 * {@link dev.musicgen.ComputeType#INT8_WEIGHTS}.
 *
 * <ul>
 *   <li>{@link #gemv}: {@code y = W x} for an int8 {@link Int8Linear} and a few activation rows (the CFG pair): each
 *       weight row is read once for all rows, bytes widened to floats and fused-multiply-added with several
 *       independent accumulators; per-block scales are applied to each block's partial sums.</li>
 *   <li>LayerNorm, exact (erf) GELU; the attention kernels are {@link AttentionKernels}.</li>
 * </ul>
 * CPUs whose preferred vectors hold fewer than 8 floats take scalar loops (slow but correct).
 */
final class Int8Kernels {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final int L = FS.length();
    /** Whether the vector paths are used: 8 or more floats per vector (the byte vector then has 64 bits or more). */
    static final boolean VECTOR = L >= 8;

    static final VectorSpecies<Byte> BS = VECTOR ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;

    private Int8Kernels() {}

    static FloatVector widen(byte[] w, int offset) {
        return (FloatVector) ByteVector.fromArray(BS, w, offset).convertShape(VectorOperators.B2F, FS, 0);
    }

    // ---------------------------------------------------------------------------------------------------- products

    /**
     * For output rows {@code o} in {@code [r0, r1)} and activation rows {@code b} in {@code [0, rows)}:
     * {@code v = Σ_i W[o, i] · x[b·in + i] (+ bias[o])}, then {@code y[yOff + b·yStride + o] = v}, or {@code += v} when
     * {@code add} (a residual).
     */
    static void gemv(
            Int8Linear w,
            float[] bias,
            float[] x,
            int rows,
            float[] y,
            int yOff,
            int yStride,
            int r0,
            int r1,
            boolean add) {
        int in = w.in;
        boolean perChannel = w.block == in;
        float[] pair = new float[2];
        for (int o = r0; o < r1; o++) {
            int b = 0;
            for (; b + 1 < rows; b += 2) {
                float d0;
                float d1;
                if (!VECTOR || (!perChannel && (VPB == 0 || w.block != Int8Linear.BLOCK))) {
                    d0 = dotScalar(w, o, x, b * in);
                    d1 = dotScalar(w, o, x, (b + 1) * in);
                } else if (perChannel) {
                    float s = w.scales[o];
                    dotPairChannel(w.values, o * in, in, x, b * in, (b + 1) * in, pair);
                    d0 = pair[0] * s;
                    d1 = pair[1] * s;
                } else {
                    dotPairBlocks(w, o, x, b * in, (b + 1) * in, pair);
                    d0 = pair[0];
                    d1 = pair[1];
                }
                store(y, yOff + b * yStride + o, d0, bias, o, add);
                store(y, yOff + (b + 1) * yStride + o, d1, bias, o, add);
            }
            if (b < rows) {
                float d0 = VECTOR && (perChannel || w.block % L == 0)
                        ? dotOne(w, o, x, b * in)
                        : dotScalar(w, o, x, b * in);
                store(y, yOff + b * yStride + o, d0, bias, o, add);
            }
        }
    }

    private static void store(float[] y, int at, float v, float[] bias, int o, boolean add) {
        if (bias != null) {
            v += bias[o];
        }
        y[at] = add ? y[at] + v : v;
    }

    /**
     * Two activation rows against one weight row with a single scale (applied by the caller). Eight weight vectors
     * per iteration into four accumulators per row: measured ~30% less CPU per byte than four per iteration.
     */
    private static void dotPairChannel(byte[] w, int wOff, int in, float[] x, int x0, int x1, float[] out) {
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS);
        FloatVector a3 = FloatVector.zero(FS);
        FloatVector b0 = FloatVector.zero(FS);
        FloatVector b1 = FloatVector.zero(FS);
        FloatVector b2 = FloatVector.zero(FS);
        FloatVector b3 = FloatVector.zero(FS);
        int i = 0;
        for (int end = in - 8 * L; i <= end; i += 8 * L) {
            FloatVector w0 = widen(w, wOff + i);
            FloatVector w1 = widen(w, wOff + i + L);
            FloatVector w2 = widen(w, wOff + i + 2 * L);
            FloatVector w3 = widen(w, wOff + i + 3 * L);
            a0 = w0.fma(FloatVector.fromArray(FS, x, x0 + i), a0);
            a1 = w1.fma(FloatVector.fromArray(FS, x, x0 + i + L), a1);
            a2 = w2.fma(FloatVector.fromArray(FS, x, x0 + i + 2 * L), a2);
            a3 = w3.fma(FloatVector.fromArray(FS, x, x0 + i + 3 * L), a3);
            b0 = w0.fma(FloatVector.fromArray(FS, x, x1 + i), b0);
            b1 = w1.fma(FloatVector.fromArray(FS, x, x1 + i + L), b1);
            b2 = w2.fma(FloatVector.fromArray(FS, x, x1 + i + 2 * L), b2);
            b3 = w3.fma(FloatVector.fromArray(FS, x, x1 + i + 3 * L), b3);
            FloatVector w4 = widen(w, wOff + i + 4 * L);
            FloatVector w5 = widen(w, wOff + i + 5 * L);
            FloatVector w6 = widen(w, wOff + i + 6 * L);
            FloatVector w7 = widen(w, wOff + i + 7 * L);
            a0 = w4.fma(FloatVector.fromArray(FS, x, x0 + i + 4 * L), a0);
            a1 = w5.fma(FloatVector.fromArray(FS, x, x0 + i + 5 * L), a1);
            a2 = w6.fma(FloatVector.fromArray(FS, x, x0 + i + 6 * L), a2);
            a3 = w7.fma(FloatVector.fromArray(FS, x, x0 + i + 7 * L), a3);
            b0 = w4.fma(FloatVector.fromArray(FS, x, x1 + i + 4 * L), b0);
            b1 = w5.fma(FloatVector.fromArray(FS, x, x1 + i + 5 * L), b1);
            b2 = w6.fma(FloatVector.fromArray(FS, x, x1 + i + 6 * L), b2);
            b3 = w7.fma(FloatVector.fromArray(FS, x, x1 + i + 7 * L), b3);
        }
        for (int end = in - L; i <= end; i += L) {
            FloatVector w0 = widen(w, wOff + i);
            a0 = w0.fma(FloatVector.fromArray(FS, x, x0 + i), a0);
            b0 = w0.fma(FloatVector.fromArray(FS, x, x1 + i), b0);
        }
        float s0 = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        float s1 = b0.add(b1).add(b2.add(b3)).reduceLanes(VectorOperators.ADD);
        for (; i < in; i++) {
            float wv = w[wOff + i];
            s0 += wv * x[x0 + i];
            s1 += wv * x[x1 + i];
        }
        out[0] = s0;
        out[1] = s1;
    }

    /**
     * Vectors per {@link Int8Linear#BLOCK}-value block (2 with AVX-512, 4 with AVX2; 0 = no fast path). A compile-time
     * constant for the JIT, so each vector's block index below folds to a constant offset (with the block size read
     * from the matrix, this kernel ran 2.4x slower).
     */
    private static final int VPB =
            VECTOR && Int8Linear.BLOCK % L == 0 && 8 % (Int8Linear.BLOCK / L) == 0 ? Int8Linear.BLOCK / L : 0;

    /**
     * Two activation rows against one weight row of {@link Int8Linear#BLOCK}-value blocks: each widened weight vector
     * is multiplied by its block's scale (the dequantized weight, the value the engine's prefill multiplies by) and
     * fused-multiply-added into both rows' accumulators; eight vectors per iteration as in {@link #dotPairChannel}.
     */
    private static void dotPairBlocks(Int8Linear w, int o, float[] x, int x0, int x1, float[] out) {
        byte[] wb = w.values;
        float[] sb = w.scales;
        final int block = VPB * L;
        int in = w.in;
        int wOff = o * in;
        int sOff = o * (in / block);
        FloatVector a0 = FloatVector.zero(FS);
        FloatVector a1 = FloatVector.zero(FS);
        FloatVector a2 = FloatVector.zero(FS);
        FloatVector a3 = FloatVector.zero(FS);
        FloatVector b0 = FloatVector.zero(FS);
        FloatVector b1 = FloatVector.zero(FS);
        FloatVector b2 = FloatVector.zero(FS);
        FloatVector b3 = FloatVector.zero(FS);
        int i = 0;
        for (int end = in - 8 * L; i <= end; i += 8 * L) {
            int j = sOff + i / block;
            FloatVector w0 = widen(wb, wOff + i).mul(sb[j]);
            FloatVector w1 = widen(wb, wOff + i + L).mul(sb[j + 1 / VPB]);
            FloatVector w2 = widen(wb, wOff + i + 2 * L).mul(sb[j + 2 / VPB]);
            FloatVector w3 = widen(wb, wOff + i + 3 * L).mul(sb[j + 3 / VPB]);
            a0 = w0.fma(FloatVector.fromArray(FS, x, x0 + i), a0);
            a1 = w1.fma(FloatVector.fromArray(FS, x, x0 + i + L), a1);
            a2 = w2.fma(FloatVector.fromArray(FS, x, x0 + i + 2 * L), a2);
            a3 = w3.fma(FloatVector.fromArray(FS, x, x0 + i + 3 * L), a3);
            b0 = w0.fma(FloatVector.fromArray(FS, x, x1 + i), b0);
            b1 = w1.fma(FloatVector.fromArray(FS, x, x1 + i + L), b1);
            b2 = w2.fma(FloatVector.fromArray(FS, x, x1 + i + 2 * L), b2);
            b3 = w3.fma(FloatVector.fromArray(FS, x, x1 + i + 3 * L), b3);
            FloatVector w4 = widen(wb, wOff + i + 4 * L).mul(sb[j + 4 / VPB]);
            FloatVector w5 = widen(wb, wOff + i + 5 * L).mul(sb[j + 5 / VPB]);
            FloatVector w6 = widen(wb, wOff + i + 6 * L).mul(sb[j + 6 / VPB]);
            FloatVector w7 = widen(wb, wOff + i + 7 * L).mul(sb[j + 7 / VPB]);
            a0 = w4.fma(FloatVector.fromArray(FS, x, x0 + i + 4 * L), a0);
            a1 = w5.fma(FloatVector.fromArray(FS, x, x0 + i + 5 * L), a1);
            a2 = w6.fma(FloatVector.fromArray(FS, x, x0 + i + 6 * L), a2);
            a3 = w7.fma(FloatVector.fromArray(FS, x, x0 + i + 7 * L), a3);
            b0 = w4.fma(FloatVector.fromArray(FS, x, x1 + i + 4 * L), b0);
            b1 = w5.fma(FloatVector.fromArray(FS, x, x1 + i + 5 * L), b1);
            b2 = w6.fma(FloatVector.fromArray(FS, x, x1 + i + 6 * L), b2);
            b3 = w7.fma(FloatVector.fromArray(FS, x, x1 + i + 7 * L), b3);
        }
        for (int end = in - L; i <= end; i += L) {
            FloatVector w0 = widen(wb, wOff + i).mul(sb[sOff + i / block]);
            a0 = w0.fma(FloatVector.fromArray(FS, x, x0 + i), a0);
            b0 = w0.fma(FloatVector.fromArray(FS, x, x1 + i), b0);
        }
        out[0] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        out[1] = b0.add(b1).add(b2.add(b3)).reduceLanes(VectorOperators.ADD);
    }

    /** One activation row (an odd row count), scaled. */
    private static float dotOne(Int8Linear w, int o, float[] x, int x0) {
        byte[] wb = w.values;
        int in = w.in;
        int block = w.block;
        int nb = in / block;
        int wOff = o * in;
        if (block == in) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            int i = 0;
            for (; i + 2 * L <= in; i += 2 * L) {
                a0 = widen(wb, wOff + i).fma(FloatVector.fromArray(FS, x, x0 + i), a0);
                a1 = widen(wb, wOff + i + L).fma(FloatVector.fromArray(FS, x, x0 + i + L), a1);
            }
            for (; i + L <= in; i += L) {
                a0 = widen(wb, wOff + i).fma(FloatVector.fromArray(FS, x, x0 + i), a0);
            }
            float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
            for (; i < in; i++) {
                s += wb[wOff + i] * x[x0 + i];
            }
            return s * w.scales[o];
        }
        FloatVector a = FloatVector.zero(FS);
        for (int j = 0; j < nb; j++) {
            int i = j * block;
            FloatVector p = FloatVector.zero(FS);
            for (int v = 0; v < block; v += L) {
                p = widen(wb, wOff + i + v).fma(FloatVector.fromArray(FS, x, x0 + i + v), p);
            }
            a = p.fma(FloatVector.broadcast(FS, w.scales[o * nb + j]), a);
        }
        return a.reduceLanes(VectorOperators.ADD);
    }

    private static float dotScalar(Int8Linear w, int o, float[] x, int x0) {
        int in = w.in;
        int nb = in / w.block;
        float total = 0;
        for (int j = 0; j < nb; j++) {
            float s = 0;
            for (int i = j * w.block; i < (j + 1) * w.block; i++) {
                s += w.values[o * in + i] * x[x0 + i];
            }
            total += s * w.scales[o * nb + j];
        }
        return total;
    }

    // ------------------------------------------------------------------------------------------------- elementwise

    /** LayerNorm of {@code rows} rows of {@code d} values from {@code x} into {@code y} (eps added to the variance). */
    static void layerNorm(float[] x, float[] y, int rows, int d, float[] w, float[] b, float eps) {
        for (int r = 0; r < rows; r++) {
            int off = r * d;
            int i = 0;
            FloatVector acc = FloatVector.zero(FS);
            if (VECTOR) {
                for (; i + L <= d; i += L) {
                    acc = acc.add(FloatVector.fromArray(FS, x, off + i));
                }
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; i < d; i++) {
                sum += x[off + i];
            }
            float mean = (float) (sum / d);
            FloatVector m = FloatVector.broadcast(FS, mean);
            FloatVector sq = FloatVector.zero(FS);
            i = 0;
            if (VECTOR) {
                for (; i + L <= d; i += L) {
                    FloatVector c = FloatVector.fromArray(FS, x, off + i).sub(m);
                    sq = c.fma(c, sq);
                }
            }
            double var = sq.reduceLanes(VectorOperators.ADD);
            for (; i < d; i++) {
                float c = x[off + i] - mean;
                var += c * c;
            }
            float rstd = (float) (1 / Math.sqrt(var / d + eps));
            FloatVector rs = FloatVector.broadcast(FS, rstd);
            i = 0;
            if (VECTOR) {
                for (; i + L <= d; i += L) {
                    FloatVector c = FloatVector.fromArray(FS, x, off + i).sub(m).mul(rs);
                    c.fma(FloatVector.fromArray(FS, w, i), FloatVector.fromArray(FS, b, i))
                            .intoArray(y, off + i);
                }
            }
            for (; i < d; i++) {
                y[off + i] = (x[off + i] - mean) * rstd * w[i] + b[i];
            }
        }
    }

    // Abramowitz & Stegun 7.1.26: erfc(a) ≈ t·P(t)·exp(-a²), t = 1 / (1 + p·a), |error of erf| ≤ 1.5e-7
    private static final float GP = 0.3275911f;
    private static final float G1 = 0.254829592f;
    private static final float G2 = -0.284496736f;
    private static final float G3 = 1.421413741f;
    private static final float G4 = -1.453152027f;
    private static final float G5 = 1.061405429f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));

    /** Exact (erf) GELU in place on {@code x[from, to)}: {@code x · Φ(x)}, Φ through erfc so no cancellation. */
    static void gelu(float[] x, int from, int to) {
        int i = from;
        if (VECTOR) {
            FloatVector one = FloatVector.broadcast(FS, 1f);
            FloatVector half = FloatVector.broadcast(FS, 0.5f);
            for (; i + L <= to; i += L) {
                FloatVector v = FloatVector.fromArray(FS, x, i);
                FloatVector z = v.mul(INV_SQRT2);
                FloatVector a = z.abs();
                FloatVector t = one.div(a.fma(FloatVector.broadcast(FS, GP), one));
                FloatVector p = t.fma(G5, G4)
                        .fma(t, FloatVector.broadcast(FS, G3))
                        .fma(t, FloatVector.broadcast(FS, G2))
                        .fma(t, FloatVector.broadcast(FS, G1))
                        .mul(t);
                FloatVector erfc = p.mul(a.mul(a).neg().lanewise(VectorOperators.EXP)); // erfc(|z|)
                FloatVector tail = erfc.mul(half); // Φ(-|x|)
                VectorMask<Float> neg = z.compare(VectorOperators.LT, 0f);
                FloatVector phi = one.sub(tail).blend(tail, neg);
                v.mul(phi).intoArray(x, i);
            }
        }
        for (; i < to; i++) {
            x[i] = geluScalar(x[i]);
        }
    }

    static float geluScalar(float v) {
        float z = v * INV_SQRT2;
        float a = Math.abs(z);
        float t = 1 / (1 + GP * a);
        float p = ((((G5 * t + G4) * t + G3) * t + G2) * t + G1) * t;
        float tail = 0.5f * p * (float) Math.exp(-a * a);
        return v * (z < 0 ? tail : 1 - tail);
    }
}
