package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import java.util.Arrays;

/**
 * Port of julius {@code LowPassFilters} (julius/lowpass.py @ 126d7ee, stride 1): a bank of windowed-sinc low-pass
 * FIR filters sharing one size, aligned on the lowest cutoff. The input is replicate-padded by {@code halfSize} on
 * both sides and correlated with every filter, through julius' block FFT convolution ({@code fftconv.fft_conv1d})
 * when {@code halfSize > 32} as julius chooses, else a direct convolution.
 */
final class LowPassFilters implements AutoCloseable {
    /** julius' {@code block_ratio}: FFT blocks are {@code int(5 * kernel)} samples long. */
    private static final float BLOCK_RATIO = 5f;
    /** Bound on the elements of one FFT product chunk (filters are processed in groups below it). */
    private static final long CHUNK_ELEMENTS = 1L << 25;

    private final float[] cutoffs; // f / sample_rate, float32 as julius holds them
    private final int halfSize;
    private final boolean fft;
    private final NDArray filters; // [F, 1, 2*halfSize+1]

    /** Builds the filters as julius does ({@code zeros} = 8 everywhere in MBD); {@code fft == null} lets julius choose. */
    static LowPassFilters create(NDManager manager, float[] cutoffs, float zeros, Boolean fft) {
        int half = halfSize(cutoffs, zeros);
        float[][] taps = new float[cutoffs.length][];
        for (int i = 0; i < cutoffs.length; i++) {
            taps[i] = filter(cutoffs[i], half);
        }
        float[] flat = new float[cutoffs.length * (2 * half + 1)];
        for (int i = 0; i < taps.length; i++) {
            System.arraycopy(taps[i], 0, flat, i * taps[i].length, taps[i].length);
        }
        NDArray f = manager.create(flat, new Shape(cutoffs.length, 1, 2L * half + 1));
        return new LowPassFilters(cutoffs, half, fft == null ? half > 32 : fft, f);
    }

    /** Uses filters already computed (e.g. the {@code split_bands.lowpass.filters} buffer of a checkpoint). */
    static LowPassFilters withFilters(float[] cutoffs, float zeros, Boolean fft, NDArray filters) {
        int half = halfSize(cutoffs, zeros);
        Shape s = filters.getShape();
        if (s.dimension() != 3 || s.get(0) != cutoffs.length || s.get(1) != 1 || s.get(2) != 2L * half + 1) {
            throw new IllegalArgumentException("low-pass filters have shape " + s + ", expected (" + cutoffs.length
                    + ", 1, " + (2 * half + 1) + ") for cutoffs " + Arrays.toString(cutoffs));
        }
        return new LowPassFilters(cutoffs, half, fft == null ? half > 32 : fft, filters);
    }

    private LowPassFilters(float[] cutoffs, int halfSize, boolean fft, NDArray filters) {
        this.cutoffs = cutoffs.clone();
        this.halfSize = halfSize;
        this.fft = fft;
        this.filters = filters;
    }

    /** {@code int(zeros / min(cutoffs > 0) / 2)} in float32, as julius computes it from 0-d float32 tensors. */
    static int halfSize(float[] cutoffs, float zeros) {
        float min = Float.POSITIVE_INFINITY;
        for (float c : cutoffs) {
            if (c < 0 || c > 0.5f) {
                throw new IllegalArgumentException("low-pass cutoffs must be between 0 and 0.5 (f / sample_rate),"
                        + " but are: " + Arrays.toString(cutoffs));
            }
            if (c > 0) {
                min = Math.min(min, c);
            }
        }
        if (min == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(
                    "at least one low-pass cutoff must be above 0: " + Arrays.toString(cutoffs));
        }
        return (int) (zeros / min / 2f);
    }

    /**
     * {@code 2 c w[t] sinc(2 c pi t)} over {@code t = -half..half} with a symmetric Hann window, normalised to sum 1;
     * float32 steps in julius' order (the sum is taken in double).
     */
    static float[] filter(float cutoff, int half) {
        int n = 2 * half + 1;
        float[] out = new float[n];
        if (cutoff == 0) {
            return out;
        }
        float[] window = hannSymmetric(n);
        float twoC = 2f * cutoff;
        float twoCPi = twoC * (float) Math.PI;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float x = twoCPi * (float) (i - half);
            float sinc = x == 0f ? 1f : (float) Math.sin(x) / x;
            out[i] = twoC * window[i] * sinc;
            sum += out[i];
        }
        float total = (float) sum;
        for (int i = 0; i < n; i++) {
            out[i] /= total;
        }
        return out;
    }

    /** torch.hann_window(n, periodic=False): {@code 0.5 - 0.5 cos(2 pi k / (n - 1))}, float32 steps. */
    static float[] hannSymmetric(int n) {
        float[] w = new float[n];
        if (n == 1) {
            w[0] = 1f;
            return w;
        }
        float step = (float) (2.0 * Math.PI / (n - 1));
        for (int k = 0; k < n; k++) {
            w[k] = (float) Math.cos((float) k * step) * -0.5f + 0.5f;
        }
        return w;
    }

    int halfSize() {
        return halfSize;
    }

    boolean usesFft() {
        return fft;
    }

    float[] cutoffs() {
        return cutoffs.clone();
    }

    NDArray filters() {
        return filters;
    }

    /** in: [..., T] → out: [F, ..., T] (pad=True, stride 1: same length). */
    NDArray forward(NDArray input) {
        return F.scoped(() -> forwardUnscoped(input));
    }

    private NDArray forwardUnscoped(NDArray input) {
        Shape shape = input.getShape();
        long t = shape.get(shape.dimension() - 1);
        NDArray x = input.reshape(-1, 1, t); // [N, 1, T]
        x = replicatePad(x, halfSize); // [N, 1, T + 2 half]
        NDArray out = fft ? fftConv1d(x, filters) : F.conv1d(x, filters, null, 1, 0, 1, 1); // [N, F, T]
        long[] dims = new long[shape.dimension() + 1];
        dims[0] = cutoffs.length;
        for (int i = 0; i < shape.dimension() - 1; i++) {
            dims[i + 1] = shape.get(i);
        }
        dims[dims.length - 1] = out.getShape().get(2);
        return out.transpose(1, 0, 2).reshape(new Shape(dims));
    }

    /** F.pad(x, (p, p), mode='replicate') on the last dim of [N, C, T]. */
    static NDArray replicatePad(NDArray x, int p) {
        if (p == 0) {
            return x;
        }
        Shape s = x.getShape();
        long t = s.get(2);
        NDArray left = x.get(new NDIndex(":, :, 0:1")).broadcast(new Shape(s.get(0), s.get(1), p));
        NDArray right = x.get(new NDIndex(":, :, {}:{}", t - 1, t)).broadcast(new Shape(s.get(0), s.get(1), p));
        return NDArrays.concat(new NDList(left, x, right), 2);
    }

    /**
     * julius {@code fft_conv1d(input, weight)} (stride 1, no padding, no bias) for one input channel: the input is cut
     * into overlapping blocks of {@code int(5 K)} samples, each block's rFFT is multiplied by the conjugate rFFT of
     * the zero-padded filter (the real/imaginary products summed in julius' order), inverted, and the circular tail of
     * every block dropped. in: x [N, 1, Lp], w [D, 1, K] → out [N, D, Lp - K + 1].
     */
    static NDArray fftConv1d(NDArray x, NDArray w) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(2);
        long outChannels = w.getShape().get(0);
        int kernel = (int) w.getShape().get(2);
        if (x.getShape().get(1) != 1 || w.getShape().get(1) != 1) {
            throw new IllegalArgumentException(
                    "fftConv1d supports one input channel, got x " + x.getShape() + " and w " + w.getShape());
        }
        if (length < kernel) {
            throw new IllegalArgumentException("input should be at least as large as the kernel size " + kernel
                    + ", but it is only " + length + " samples long");
        }
        int block = (int) Math.min((long) (kernel * BLOCK_RATIO), length);
        int foldStride = block - kernel + 1;
        // unfold: frames [N, 1, Fr, block] over a zero-padded input covering every sample
        long frames = (long) Math.ceil((double) (Math.max(length, block) - block) / foldStride) + 1;
        long target = (frames - 1) * foldStride + block;
        NDArray padded = x.pad(new Shape(0, target - length), 0f);
        NDList parts = new NDList();
        for (long f = 0; f < frames; f++) {
            parts.add(padded.get(new NDIndex(":, :, {}:{}", f * foldStride, f * foldStride + block)));
        }
        NDArray framesZ = NDArrays.stack(parts, 2).rfft(block, -1).real(); // [N, 1, Fr, nb, 2]
        NDArray ar = framesZ.get(new NDIndex("..., 0")); // [N, 1, Fr, nb]
        NDArray ai = framesZ.get(new NDIndex("..., 1"));
        long nb = ar.getShape().get(3);
        // filters in groups so that the [N, D, Fr, nb] products stay bounded
        long group = Math.max(1, Math.min(outChannels, CHUNK_ELEMENTS / Math.max(1, batch * frames * nb)));
        NDList outs = new NDList();
        for (long d0 = 0; d0 < outChannels; d0 += group) {
            long lo = d0;
            long hi = Math.min(outChannels, d0 + group);
            outs.add(F.scoped(() -> fftBlock(ar, ai, w, lo, hi, batch, frames, nb, block, foldStride, length)));
        }
        return outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 1);
    }

    /** Output channels d0..d1 of {@link #fftConv1d}: [N, d1 - d0, Lp - K + 1]. */
    private static NDArray fftBlock(
            NDArray ar,
            NDArray ai,
            NDArray w,
            long d0,
            long d1,
            long batch,
            long frames,
            long nb,
            int block,
            int foldStride,
            long length) {
        int kernel = (int) w.getShape().get(2);
        NDArray wd = w.get(new NDIndex("{}:{}", d0, d1));
        NDArray wz = wd.pad(new Shape(0, block - kernel), 0f).rfft(block, -1).real(); // [d, 1, nb, 2]
        NDArray br = wz.get(new NDIndex(":, 0, :, 0")).reshape(1, d1 - d0, 1, nb);
        NDArray bi = wz.get(new NDIndex(":, 0, :, 1")).reshape(1, d1 - d0, 1, nb);
        // einsum('bcft,dct->bdft') with c = 1 is one product per element
        NDArray re = ar.mul(br).add(ai.mul(bi));
        NDArray im = ai.mul(br).sub(ar.mul(bi));
        NDArray out = NDArrays.stack(new NDList(re, im), -1).complex().irfft(block, -1); // [N, d, Fr, block]
        out = out.get(new NDIndex("..., 0:{}", foldStride)).reshape(batch, d1 - d0, frames * foldStride);
        return out.get(new NDIndex("..., 0:{}", length - kernel + 1));
    }

    @Override
    public void close() {
        filters.close();
    }
}
