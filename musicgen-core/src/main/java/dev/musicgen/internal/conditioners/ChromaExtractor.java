package dev.musicgen.internal.conditioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Port of audiocraft {@code ChromaExtractor} (audiocraft/modules/chroma.py, v1.2.0): a power spectrogram as
 * torchaudio's {@code Spectrogram(n_fft, win_length, hop_length, power=2, center=True, normalized=True)} computes it
 * (periodic Hann window, reflect padding by {@code n_fft/2} on both sides, magnitudes divided by
 * {@code sqrt(sum(window²))}), projected onto librosa's chroma filter bank
 * ({@code librosa.filters.chroma(sr, n_fft, tuning=0, n_chroma)}, computed here in Java), normalised by its maximum
 * over the chroma bins ({@code F.normalize(p=inf, eps=1e-6)}), and optionally turned into a one-hot of its argmax
 * (an all-zero frame becomes C). Inputs shorter than {@code n_fft} are zero-padded symmetrically first.
 *
 * <p>Owns its window and filter bank (a sub-manager of the parent): close it. Internal API.
 */
public final class ChromaExtractor implements AutoCloseable {
    private static final float NORM_EPS = 1e-6f;

    private final int sampleRate;
    private final int nChroma;
    private final int nFft;
    private final int winLength;
    private final int winHop;
    private final boolean argmax;
    private final NDManager manager;
    private final NDArray window; // [nFft], the Hann window centred in nFft when winLength < nFft
    private final NDArray filterBankT; // [nFft/2+1, nChroma]
    private final float windowNorm; // sqrt(sum(window²))
    private boolean closed;

    /** audiocraft defaults: {@code winlen = nfft = 2^radix2Exp}, {@code winhop = winlen / 4}. */
    public ChromaExtractor(int sampleRate, int nChroma, int radix2Exp, boolean argmax, NDManager parent) {
        this(sampleRate, nChroma, 1 << checkExp(radix2Exp), 1 << radix2Exp, (1 << radix2Exp) / 4, argmax, parent);
    }

    /** The full form ({@code nfft}, {@code winlen}, {@code winhop} as upstream's keyword arguments). */
    public ChromaExtractor(
            int sampleRate, int nChroma, int nFft, int winLength, int winHop, boolean argmax, NDManager parent) {
        if (sampleRate <= 0 || nChroma <= 0 || nFft <= 0 || winHop <= 0) {
            throw new IllegalArgumentException("sampleRate, nChroma, nFft and winHop must be > 0, but are " + sampleRate
                    + ", " + nChroma + ", " + nFft + ", " + winHop);
        }
        if (winLength <= 0 || winLength > nFft) {
            throw new IllegalArgumentException("winLength must be in [1, nFft=" + nFft + "], but is: " + winLength);
        }
        this.sampleRate = sampleRate;
        this.nChroma = nChroma;
        this.nFft = nFft;
        this.winLength = winLength;
        this.winHop = winHop;
        this.argmax = argmax;
        float[] hann = hannWindow(winLength);
        double sq = 0;
        for (float w : hann) {
            sq += (double) w * w;
        }
        this.windowNorm = (float) Math.sqrt(sq);
        // torch.stft centres a shorter window inside n_fft
        float[] padded = new float[nFft];
        System.arraycopy(hann, 0, padded, (nFft - winLength) / 2, winLength);
        float[][] fb = filterBank(sampleRate, nFft, nChroma);
        int bins = nFft / 2 + 1;
        float[] fbT = new float[bins * nChroma];
        for (int c = 0; c < nChroma; c++) {
            for (int f = 0; f < bins; f++) {
                fbT[f * nChroma + c] = fb[c][f];
            }
        }
        this.manager = parent.newSubManager();
        this.window = manager.create(padded);
        this.filterBankT = manager.create(fbT, new Shape(bins, nChroma));
    }

    private static int checkExp(int radix2Exp) {
        if (radix2Exp < 2 || radix2Exp > 24) {
            throw new IllegalArgumentException("radix2_exp must be in [2, 24], but is: " + radix2Exp);
        }
        return radix2Exp;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int nChroma() {
        return nChroma;
    }

    public int nFft() {
        return nFft;
    }

    /** Hop in samples: the conditioner's downsampling factor. */
    public int winHop() {
        return winHop;
    }

    /** Chroma frames for {@code numSamples} of input: {@code 1 + max(numSamples, nFft) / hop} (centred STFT). */
    public int frames(long numSamples) {
        return (int) (1 + Math.max(numSamples, nFft) / winHop);
    }

    /**
     * Chroma of a batch.
     *
     * @param wav [B, T] or [B, 1, T] float32
     * @return [B, frames, nChroma] float32 on {@code wav}'s manager
     */
    public NDArray forward(NDArray wav) {
        if (closed) {
            throw new IllegalStateException("ChromaExtractor is closed");
        }
        Shape s = wav.getShape();
        if (!(s.dimension() == 2 || (s.dimension() == 3 && s.get(1) == 1))) {
            throw new IllegalArgumentException("wav must be [B, T] or [B, 1, T], but is " + s);
        }
        NDManager out = wav.getManager();
        NDArray result;
        try (NDScope scope = new NDScope()) {
            NDArray x = wav.reshape(s.get(0), s.get(s.dimension() - 1)); // [B, T]
            long t = x.getShape().get(1);
            if (t < nFft) {
                // a null (dropped) condition is shorter than a window
                long pad = nFft - t;
                long left = pad / 2;
                x = x.pad(new Shape(left, pad - left), 0);
            }
            // [B, nFft/2+1, frames] complex; torchaudio's normalized=True divides by the window's L2 norm
            NDArray spec = x.stft(nFft, winHop, true, window, false, true);
            NDArray power = spec.abs().div(windowNorm).square();
            // einsum('cf,bft->bct') written as spec[B,T,F] @ fb[F,C] so the result attaches to the activation
            NDArray raw = power.transpose(0, 2, 1).matMul(filterBankT); // [B, frames, C]
            NDArray denom = raw.abs().max(new int[] {2}, true).maximum(NORM_EPS);
            NDArray norm = raw.div(denom);
            result = argmax ? norm.argMax(2).oneHot(nChroma, DataType.FLOAT32) : norm;
            NDScope.unregister(result);
        }
        result.attach(out);
        NDScope.register(result);
        return result;
    }

    /** {@code torch.hann_window(n, periodic=True)}: {@code 0.5 - 0.5 cos(2πk/n)}. */
    static float[] hannWindow(int n) {
        float[] w = new float[n];
        for (int k = 0; k < n; k++) {
            w[k] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * k / n));
        }
        return w;
    }

    /**
     * Port of {@code librosa.filters.chroma(sr=sr, n_fft=nFft, n_chroma=nChroma, tuning=0.0, ctroct=5.0, octwidth=2,
     * norm=2, base_c=True)}: Gaussian bumps around each chroma bin in octave space, each FFT column L2-normalised,
     * weighted by a Gaussian over octaves centred at 5 (A0 = 27.5 Hz reference), rolled so row 0 is C; computed in
     * float64 and returned as float32 {@code [nChroma][nFft/2+1]}.
     */
    static float[][] filterBank(int sr, int nFft, int nChroma) {
        final double ctroct = 5.0;
        final double octwidth = 2.0;
        // frequencies = linspace(0, sr, n_fft, endpoint=False)[1:]; frqbins = n_chroma * hz_to_octs(f, tuning=0)
        double[] frqbins = new double[nFft];
        double step = (double) sr / nFft;
        double a440Over16 = 440.0 / 16;
        for (int i = 1; i < nFft; i++) {
            double f = i * step;
            frqbins[i] = nChroma * log2(f / a440Over16);
        }
        // the 0 Hz bin: 1.5 octaves below bin 1
        frqbins[0] = frqbins[1] - 1.5 * nChroma;
        double[] binwidth = new double[nFft];
        for (int i = 0; i < nFft - 1; i++) {
            binwidth[i] = Math.max(frqbins[i + 1] - frqbins[i], 1.0);
        }
        binwidth[nFft - 1] = 1.0;
        double nChroma2 = Math.rint(nChroma / 2.0); // np.round: half to even
        double[][] wts = new double[nChroma][nFft];
        for (int c = 0; c < nChroma; c++) {
            for (int i = 0; i < nFft; i++) {
                double d = frqbins[i] - c;
                // project into -n_chroma/2 .. n_chroma/2 (np.remainder, the offset keeps it positive)
                double r = pyRemainder(d + nChroma2 + 10.0 * nChroma, nChroma) - nChroma2;
                double z = 2 * r / binwidth[i];
                wts[c][i] = Math.exp(-0.5 * z * z);
            }
        }
        // normalise each column (L2); columns below the smallest normal double are left as they are
        for (int i = 0; i < nFft; i++) {
            double sum = 0;
            for (int c = 0; c < nChroma; c++) {
                sum += wts[c][i] * wts[c][i];
            }
            double len = Math.sqrt(sum);
            if (len < Double.MIN_NORMAL) {
                len = 1.0;
            }
            double oct = (frqbins[i] / nChroma - ctroct) / octwidth;
            double scale = Math.exp(-0.5 * oct * oct);
            for (int c = 0; c < nChroma; c++) {
                wts[c][i] = wts[c][i] / len * scale;
            }
        }
        // base_c: np.roll(wts, -3 * (n_chroma // 12), axis=0); keep the 1 + n_fft/2 non-aliased columns
        int shift = 3 * (nChroma / 12);
        int bins = nFft / 2 + 1;
        float[][] out = new float[nChroma][bins];
        for (int c = 0; c < nChroma; c++) {
            double[] src = wts[Math.floorMod(c + shift, nChroma)];
            for (int i = 0; i < bins; i++) {
                out[c][i] = (float) src[i];
            }
        }
        return out;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2.0);
    }

    /** numpy's float remainder: the result has the sign of the divisor. */
    private static double pyRemainder(double a, double b) {
        double r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    /** Frees the window and the filter bank. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
