package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;

/**
 * Port of julius {@code ResampleFrac} / {@code resample_frac} (julius 0.2.7, {@code julius/resample.py}),
 * the sinc resampler audiocraft's {@code convert_audio} uses.
 *
 * <p>Upstream, in short: divide both rates by their gcd; build {@code new_sr} windowed-sinc kernels of
 * {@code 2 * width + old_sr} taps with {@code sr = min(old, new) * rolloff},
 * {@code width = ceil(zeros * old / sr)}, {@code t = clamp((-i / new + idx / old) * sr, ±zeros) * pi},
 * {@code kernel = sinc(t) * cos(t / zeros / 2)^2}, each normalised to sum 1; pad the signal with
 * {@code width} (left) and {@code width + old} (right) copies of its edge samples ("replicate");
 * {@code conv1d(stride = old)} gives {@code new} outputs per {@code old} inputs; keep
 * {@code floor(new * length / old)} of them ({@code full=False}, no {@code output_length}).
 *
 * <p>Numerics: the kernels are computed with float32 operations in torch's order (the scalar
 * operands rounded to float32 as torch does), so they match torch's to an ulp or so; sums are
 * accumulated in double and rounded once. Deviation: taps whose {@code t} is clamped to
 * {@code ±zeros} are worth about 1e-23 each; they enter each kernel's normalisation sum exactly
 * but are left out of the convolution, which keeps kernels short for sample rates with a small gcd
 * (julius would build {@code new × (2·width + old)} dense taps there).
 */
public final class Resampler {

    /** julius default number of zero crossings kept in the sinc. */
    public static final int DEFAULT_ZEROS = 24;
    /** julius default lowpass rolloff, as a fraction of the lower Nyquist frequency. */
    public static final double DEFAULT_ROLLOFF = 0.945;

    private final int oldSr; // after gcd reduction
    private final int newSr; // after gcd reduction
    private final int width;
    /** Per output phase i: the first tap (index into the padded window) that is not clamped. */
    private final int[] firstTap;
    /** Per output phase i: the normalised non-clamped taps. */
    private final float[][] taps;

    /**
     * Builds the kernels for {@code oldSr -> newSr}.
     *
     * @throws IllegalArgumentException if a rate or {@code zeros} is not positive, or {@code rolloff}
     *                                  is not in {@code (0, 1]}
     */
    public Resampler(int oldSr, int newSr, int zeros, double rolloff) {
        if (oldSr <= 0) {
            throw new IllegalArgumentException("oldSr must be positive, but is: " + oldSr);
        }
        if (newSr <= 0) {
            throw new IllegalArgumentException("newSr must be positive, but is: " + newSr);
        }
        if (zeros <= 0) {
            throw new IllegalArgumentException("zeros must be positive, but is: " + zeros);
        }
        if (!(rolloff > 0 && rolloff <= 1)) {
            throw new IllegalArgumentException("rolloff must be in (0, 1], but is: " + rolloff);
        }
        int gcd = gcd(oldSr, newSr);
        this.oldSr = oldSr / gcd;
        this.newSr = newSr / gcd;
        if (this.oldSr == this.newSr) {
            width = 0;
            firstTap = null;
            taps = null;
            return;
        }
        // python: sr = min(new, old); sr *= rolloff (a double); width = ceil(zeros * old / sr)
        double sr = Math.min(this.newSr, this.oldSr) * rolloff;
        width = (int) Math.ceil((double) ((long) zeros * this.oldSr) / sr);
        int kernelLength = 2 * width + this.oldSr;
        firstTap = new int[this.newSr];
        taps = new float[this.newSr][];

        float srF = (float) sr;
        float oldF = this.oldSr;
        float zerosF = zeros;
        float piF = (float) Math.PI;
        float lo = -zerosF;
        float hi = zerosF;
        // the clamped taps: t = -zeros or +zeros exactly, the same for every phase
        float clampedLow = tap(lo * piF, zerosF);
        float clampedHigh = tap(hi * piF, zerosF);
        float[] scratch = new float[kernelLength];
        for (int i = 0; i < this.newSr; i++) {
            // python float -i / new_sr, added to a float32 tensor: rounded to float32 first
            float shift = (float) ((double) -i / this.newSr);
            // t grows with j; only taps near |t| < zeros need evaluating, the rest are clamped
            double centre = width - (double) shift * this.oldSr;
            double reach = (double) zeros * this.oldSr / sr;
            int jLo = Math.max(0, (int) Math.floor(centre - reach) - 2);
            int jHi = Math.min(kernelLength - 1, (int) Math.ceil(centre + reach) + 2);
            int first = -1;
            int last = -1;
            double sum = (double) jLo * clampedLow + (double) (kernelLength - 1 - jHi) * clampedHigh;
            for (int j = jLo; j <= jHi; j++) {
                float idx = (float) (j - width); // torch.arange(-width, width + old).float()
                float t = (shift + idx / oldF) * srF;
                if (t <= lo) {
                    sum += clampedLow;
                    continue;
                }
                if (t >= hi) {
                    sum += clampedHigh;
                    continue;
                }
                if (first < 0) {
                    first = j;
                }
                last = j;
                float value = tap(t * piF, zerosF);
                scratch[j] = value;
                sum += value;
            }
            float total = (float) sum;
            if ((first == jLo && jLo > 0) || (last == jHi && jHi < kernelLength - 1)) {
                throw new IllegalStateException("resampler kernel support estimate too narrow for phase " + i);
            }
            if (first < 0) { // cannot happen for a positive rolloff; kept so the arrays are never null
                first = 0;
                last = -1;
            }
            float[] k = new float[last - first + 1];
            for (int j = first; j <= last; j++) {
                k[j - first] = scratch[j] / total; // kernel.div_(kernel.sum())
            }
            firstTap[i] = first;
            taps[i] = k;
        }
    }

    /** {@code Resampler(oldSr, newSr, 24, 0.945)}, julius' defaults as audiocraft calls it. */
    public Resampler(int oldSr, int newSr) {
        this(oldSr, newSr, DEFAULT_ZEROS, DEFAULT_ROLLOFF);
    }

    /** One kernel tap for an already scaled {@code t * pi}, in torch's float32 operation order. */
    private static float tap(float t, float zeros) {
        float half = t / zeros / 2f;
        float c = (float) Math.cos(half);
        float window = c * c; // cos(t / zeros / 2) ** 2
        float sinc = t == 0f ? 1f : (float) Math.sin(t) / t; // julius.core.sinc
        return sinc * window;
    }

    /** julius {@code resample_frac(x, oldSr, newSr)} with the default zeros and rolloff. */
    public static float[] resample(float[] x, int oldSr, int newSr) {
        return new Resampler(oldSr, newSr).apply(x);
    }

    /** Output length for an input of {@code length} samples: {@code floor(new * length / old)}. */
    public int outputLength(int length) {
        if (oldSr == newSr) {
            return length;
        }
        // julius 0.2.7: torch.floor(torch.as_tensor(new * length / old)), where as_tensor makes a float32
        float exact = (float) ((double) ((long) newSr * length) / oldSr);
        return (int) Math.floor(exact);
    }

    /**
     * Resamples one channel.
     *
     * @return a new array of {@link #outputLength(int)} samples (the input itself when the rates are equal)
     */
    public float[] apply(float[] x) {
        if (oldSr == newSr) {
            return x;
        }
        int length = x.length;
        int outLength = outputLength(length);
        float[] y = new float[outLength];
        if (length == 0) {
            return y;
        }
        for (int m = 0; m < outLength; m++) {
            int n = m / newSr; // conv1d output position (stride old)
            int i = m % newSr; // kernel / phase
            float[] k = taps[i];
            // padded index p = n * old + firstTap + j maps to x[clamp(p - width, 0, length - 1)]
            int start = n * oldSr + firstTap[i] - width;
            double acc = 0;
            int j = 0;
            int kl = k.length;
            // left replicate region
            while (j < kl && start + j < 0) {
                acc += (double) k[j] * x[0];
                j++;
            }
            int interiorEnd = Math.min(kl, length - start);
            for (; j < interiorEnd; j++) {
                acc += (double) k[j] * x[start + j];
            }
            for (; j < kl; j++) {
                acc += (double) k[j] * x[length - 1];
            }
            y[m] = (float) acc;
        }
        return y;
    }

    /** Resamples every channel of {@code audio} to {@code newSampleRate}. */
    public static Audio resample(Audio audio, int newSampleRate) {
        if (audio.sampleRate() == newSampleRate) {
            return audio;
        }
        Resampler r = new Resampler(audio.sampleRate(), newSampleRate);
        float[][] out = new float[audio.channels()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = r.apply(audio.samples()[c]);
        }
        return new Audio(out, newSampleRate);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
