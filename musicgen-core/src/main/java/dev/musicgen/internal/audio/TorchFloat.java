package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;

/**
 * float32 arithmetic in the order PyTorch's CPU kernels use, so that loudness and normalisation
 * reproduce torch's results bit for bit (the 16-bit PCM written afterwards must match exactly, and
 * a one-ulp change in the measured loudness moves about 1% of the PCM samples by one step).
 *
 * <p>These pieces of torch (1.13, the version the golden fixtures were made with; later versions keep
 * these algorithms) are reproduced:
 * <ul>
 *   <li>{@code sum} of float32: {@code aten/src/ATen/native/cpu/SumKernel.cpp} {@code cascade_sum},
 *       single-threaded, contiguous row: 8-lane (AVX2) vector accumulators, 4-way ILP, and a 4-level
 *       cascade with chunks of {@code 2^max(4, ceil(log2 n) / 4)} ({@code multi_row_sum}), then the
 *       scalar tail, then the 8 lanes in order. Rows shorter than 8 use the same cascade with scalar
 *       accumulators. (torch splits sums of 32768+ elements whose result is a single number across
 *       threads; that order depends on the thread count and is not reproduced.)</li>
 *   <li>{@code log10} of float32: torch calls SLEEF's {@code Sleef_log10f8_u10} (AVX2 with FMA);
 *       {@link #log10(float)} is that algorithm ({@code xlog10f} in SLEEF 3.5
 *       {@code src/libm/sleefsimdsp.c} with the FMA double-float helpers of {@code df.h}). It differs
 *       from the correctly rounded {@code (float) Math.log10(x)} for about 0.3% of inputs.</li>
 *   <li>{@code sin} / {@code cos} of float32: SLEEF {@code xsinf_u1} / {@code xcosf_u1} (same build),
 *       for the arguments below 125 in magnitude that the K-weighting filters use.</li>
 * </ul>
 */
public final class TorchFloat {

    private static final int LANES = 8; // Vectorized<float>::size() with AVX2
    private static final int ILP = 4; // row_sum ilp_factor
    private static final int LEVELS = 4; // multi_row_sum num_levels

    private TorchFloat() {}

    /** {@code torch.sum} of {@code a[off .. off + n)}, a contiguous float32 row. */
    static float sum(float[] a, int off, int n) {
        if (n >= LANES) {
            return vectorizedInnerSum(a, off, n);
        }
        return 0f + rowSum(a, off, n, 1)[0];
    }

    /** {@code vectorized_inner_sum} for one row: vector row_sum, scalar tail, then the lanes. */
    private static float vectorizedInnerSum(float[] a, int off, int n) {
        int vecSize = n / LANES;
        float[] vec = rowSum(a, off, vecSize, LANES);
        float acc = 0f;
        for (int k = vecSize * LANES; k < n; k++) {
            acc += a[off + k];
        }
        for (int lane = 0; lane < LANES; lane++) {
            acc += vec[lane];
        }
        return 0f + acc; // CastStoreAccumulate onto the zero-filled output
    }

    /**
     * {@code row_sum} over {@code size} "elements" of {@code lanes} floats each (a vector when
     * lanes = 8): the row is read as {@code (-1, 4)} for {@code multi_row_sum}, the tail goes into
     * partial 0, then partials 1..3 are added to it.
     */
    private static float[] rowSum(float[] a, int off, int size, int lanes) {
        int sizeIlp = size / ILP;
        float[][] partial = multiRowSum(a, off, sizeIlp, lanes);
        for (int i = sizeIlp * ILP; i < size; i++) {
            add(partial[0], a, off + i * lanes, lanes);
        }
        for (int k = 1; k < ILP; k++) {
            for (int l = 0; l < lanes; l++) {
                partial[0][l] += partial[k][l];
            }
        }
        return partial[0];
    }

    /** {@code multi_row_sum<acc, 4>}: element {@code (i, k)} is "vector" {@code i * 4 + k}. */
    private static float[][] multiRowSum(float[] a, int off, int size, int lanes) {
        int levelPower = Math.max(4, ceilLog2(size) / LEVELS);
        int levelStep = 1 << levelPower;
        long levelMask = levelStep - 1;
        float[][][] acc = new float[LEVELS][ILP][lanes];
        int i = 0;
        while (i + levelStep <= size) {
            for (int j = 0; j < levelStep; j++, i++) {
                for (int k = 0; k < ILP; k++) {
                    add(acc[0][k], a, off + (i * ILP + k) * lanes, lanes);
                }
            }
            for (int j = 1; j < LEVELS; j++) {
                for (int k = 0; k < ILP; k++) {
                    for (int l = 0; l < lanes; l++) {
                        acc[j][k][l] += acc[j - 1][k][l];
                        acc[j - 1][k][l] = 0f;
                    }
                }
                long mask = levelMask << (j * levelPower);
                if ((i & mask) != 0) {
                    break;
                }
            }
        }
        for (; i < size; i++) {
            for (int k = 0; k < ILP; k++) {
                add(acc[0][k], a, off + (i * ILP + k) * lanes, lanes);
            }
        }
        for (int j = 1; j < LEVELS; j++) {
            for (int k = 0; k < ILP; k++) {
                for (int l = 0; l < lanes; l++) {
                    acc[0][k][l] += acc[j][k][l];
                }
            }
        }
        return acc[0];
    }

    private static void add(float[] acc, float[] a, int from, int lanes) {
        for (int l = 0; l < lanes; l++) {
            acc[l] += a[from + l];
        }
    }

    /** ATen {@code utils::CeilLog2}: 1 for x ≤ 2, else {@code floor(log2(x - 1)) + 1}. */
    static int ceilLog2(long x) {
        if (x <= 2) {
            return 1;
        }
        return 64 - Long.numberOfLeadingZeros(x - 1);
    }

    /** {@code torch.mean} of a contiguous float32 row: the sum divided by the count, in float32. */
    static float mean(float[] a, int off, int n) {
        return sum(a, off, n) / (float) n;
    }

    private static final float PI_A2 = 3.1414794921875f;
    private static final float PI_B2 = 0.00011315941810607910156f;
    private static final float PI_C2 = 1.9841872589410058936e-09f;
    private static final float ONE_OVER_PI = (float) 0.318309886183790671537767526745028724;
    /** Above this, SLEEF switches to a Payne-Hanek reduction that is not ported. */
    private static final float TRIG_RANGE = 125.0f;

    /**
     * SLEEF {@code xsinf_u1} (torch's {@code sin} on float32 CPU tensors) for {@code |d| < 125};
     * larger arguments fall back to the correctly rounded value.
     */
    static float sin(float d) {
        if (!(Math.abs(d) < TRIG_RANGE)) {
            return (float) Math.sin(d);
        }
        float u = (float) Math.rint(d * ONE_OVER_PI);
        int q = (int) u;
        float v = Math.fma(u, -PI_A2, d);
        // s = dfadd2(v, u * -PI_B2)
        float y = u * -PI_B2;
        float sx = v + y;
        float vv = sx - v;
        float sy = (v - (sx - vv)) + (y - vv);
        // s = dfadd(s, u * -PI_C2)
        float z = u * -PI_C2;
        float s2x = sx + z;
        float s2y = ((sx - s2x) + z) + sy;
        float r = sinCosKernel(s2x, s2y);
        if ((q & 1) == 1) {
            r = -r;
        }
        if (d == 0f && Float.floatToRawIntBits(d) != 0) { // -0 stays -0
            r = d;
        }
        return r;
    }

    /**
     * SLEEF {@code xcosf_u1} (torch's {@code cos} on float32 CPU tensors) for {@code |d| < 125};
     * larger arguments fall back to the correctly rounded value.
     */
    static float cos(float d) {
        if (!(Math.abs(d) < TRIG_RANGE)) {
            return (float) Math.cos(d);
        }
        float dq = Math.fma((float) Math.rint(Math.fma(d, ONE_OVER_PI, -0.5f)), 2f, 1f);
        int q = (int) dq;
        // s = dfadd2(d, dq * -PI_A2 / 2), then two dfadd2 with the smaller parts
        float y = dq * (-PI_A2 * 0.5f);
        float sx = d + y;
        float v = sx - d;
        float sy = (d - (sx - v)) + (y - v);
        y = dq * (-PI_B2 * 0.5f);
        float s2x = sx + y;
        v = s2x - sx;
        float s2y = ((sx - (s2x - v)) + (y - v)) + sy;
        y = dq * (-PI_C2 * 0.5f);
        float s3x = s2x + y;
        v = s3x - s2x;
        float s3y = ((s2x - (s3x - v)) + (y - v)) + s2y;
        float r = sinCosKernel(s3x, s3y);
        if ((q & 2) == 0) {
            r = -r;
        }
        return r;
    }

    /** The shared polynomial of SLEEF's sinf_u1 / cosf_u1 on the reduced double-float argument t. */
    private static float sinCosKernel(float tx, float ty) {
        // s = dfsqu(t)
        float sx = tx * tx;
        float sy = Math.fma(tx + tx, ty, Math.fma(tx, tx, -sx));
        float u = 2.6083159809786593541503e-06f;
        u = Math.fma(u, sx, -0.0001981069071916863322258f);
        u = Math.fma(u, sx, 0.00833307858556509017944336f);
        // a = dfadd(-0.16666659712791442871, u * s.x)
        float w = u * sx;
        float ax = -0.166666597127914428710938f + w;
        float ay = (-0.166666597127914428710938f - ax) + w;
        // b = dfmul(a, s)
        float bx = ax * sx;
        float by = Math.fma(ax, sy, Math.fma(ay, sx, Math.fma(ax, sx, -bx)));
        // x = dfadd(1, b)
        float xx = 1f + bx;
        float xy = ((1f - xx) + bx) + by;
        // dfmul_vf_vf2_vf2(t, x)
        return Math.fma(tx, xx, Math.fma(ty, xx, tx * xy));
    }

    /**
     * SLEEF {@code xlog10f} (the "u10" variant, FMA build) as torch's {@code log10} computes it on CPU.
     */
    static float log10(float d) {
        boolean subnormal = d < Float.MIN_NORMAL;
        if (subnormal) {
            d = d * ((float) (1L << 32) * (float) (1L << 32));
        }
        int e = ((Float.floatToRawIntBits(d * (float) (1.0 / 0.75)) >>> 23) & 0xff) - 0x7f; // vilogb2k
        float m = Float.intBitsToFloat(Float.floatToRawIntBits(d) + ((-e) << 23)); // vldexp3
        if (subnormal) {
            e -= 64;
        }
        // x = dfdiv(dfadd2(-1, m), dfadd2(1, m))
        float ns = -1f + m;
        float nv = ns - -1f;
        float ny = (-1f - (ns - nv)) + (m - nv);
        float ds = 1f + m;
        float dv = ds - 1f;
        float dy = (1f - (ds - dv)) + (m - dv);
        float t = 1f / ds;
        float xs = ns * t;
        float u = Math.fma(t, ns, -xs);
        float v = Math.fma(-dy, t, Math.fma(-ds, t, 1f));
        float xy = Math.fma(xs, v, Math.fma(ny, t, u));
        float x2 = xs * xs;

        float p = 0.1314289868f;
        p = Math.fma(p, x2, 0.1735493541f);
        p = Math.fma(p, x2, 0.2895309627f);

        // s = dfmul((0.30103001, -1.432098889e-08), e)
        float ef = e;
        float sx = 0.30103001f * ef;
        float sy = Math.fma(-1.432098889e-08f, ef, Math.fma(0.30103001f, ef, -sx));
        // dfmul(x, (0.868588984, -2.170757285e-08))
        float mx = xs * 0.868588984f;
        float my = Math.fma(xs, -2.170757285e-08f, Math.fma(xy, 0.868588984f, Math.fma(xs, 0.868588984f, -mx)));
        // s = dfadd(s, that)
        float s2x = sx + mx;
        float s2y = (((sx - s2x) + mx) + sy) + my;
        // s = dfadd(s, x2 * x * p)
        float w = (x2 * xs) * p;
        float s3x = s2x + w;
        float s3y = ((s2x - s3x) + w) + s2y;
        float r = s3x + s3y;

        if (d == Float.POSITIVE_INFINITY) {
            r = Float.POSITIVE_INFINITY;
        }
        if (d < 0 || Float.isNaN(d)) {
            r = Float.NaN;
        }
        if (d == 0) {
            r = Float.NEGATIVE_INFINITY;
        }
        return r;
    }
}
