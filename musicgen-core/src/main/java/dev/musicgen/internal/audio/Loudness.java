package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;

/**
 * Port of {@code torchaudio.functional.loudness} (torchaudio 0.13 – 2.x,
 * {@code src/torchaudio/functional/functional.py}), the ITU-R BS.1770-4 integrated loudness that
 * {@code torchaudio.transforms.Loudness} and so audiocraft's {@code normalize_loudness} use.
 *
 * <p>Upstream, step by step, all in float32 like the input waveform:
 * <ol>
 *   <li>K-weighting: {@code treble_biquad(gain 4 dB, 1500 Hz, Q 1/sqrt(2))} then
 *       {@code highpass_biquad(38 Hz, Q 0.5)}, RBJ cookbook coefficients computed with float32 tensor
 *       ops, each applied by {@code lfilter} with its default {@code clamp=True} (output clamped to
 *       [-1, 1] after each filter).</li>
 *   <li>Blocks of {@code round(0.4 sr)} samples every {@code round(0.1 sr)} ({@code unfold}), mean
 *       square per channel and block.</li>
 *   <li>Block loudness {@code -0.691 + 10 log10(sum_c g_c E_c)}, {@code g = [1, 1, 1, 1.41, 1.41]}.</li>
 *   <li>Absolute gate −70 LUFS, relative gate (gated mean) − 10 dB, then the loudness of the mean
 *       energy of the blocks that pass both gates.</li>
 * </ol>
 * {@code sin}/{@code cos} are SLEEF's, as torch's (see {@link TorchFloat}).
 * Filtering follows torchaudio's compiled {@code lfilter}: coefficients normalised by {@code a0},
 * the FIR part as a 3-tap convolution accumulated oldest-first with fused multiply-adds (what
 * oneDNN's conv1d does on an AVX2 CPU), the recursive part in float32 without FMA. Sums and
 * {@code log10} follow {@link TorchFloat}. The result matches torch's float32 value bit for bit on
 * the golden data.
 *
 * <p>A clip shorter than one block has no block: upstream returns NaN (then audiocraft's assert
 * fails); {@link #integrated} returns NaN as well and leaves the decision to the caller.
 */
public final class Loudness {

    private static final float GATE_ABSOLUTE = -70f;
    private static final float K_WEIGHT_BIAS = (float) -0.691;
    private static final float[] CHANNEL_WEIGHTS = {1.0f, 1.0f, 1.0f, 1.41f, 1.41f};

    private Loudness() {}

    /**
     * Integrated loudness in LUFS (LKFS) of {@code wav} ({@code [channel][frame]}).
     *
     * @throws IllegalArgumentException for more than 5 channels (upstream: "Only up to 5 channels are supported.")
     *                                  or a non-positive sample rate
     */
    public static float integrated(float[][] wav, int sampleRate) {
        int channels = wav.length;
        if (channels == 0) {
            throw new IllegalArgumentException("wav must have at least one channel");
        }
        if (channels > 5) {
            throw new IllegalArgumentException("loudness supports at most 5 channels, but the audio has " + channels);
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, but is: " + sampleRate);
        }
        int frames = wav[0].length;
        int gateSamples = (int) Math.rint(0.4 * sampleRate); // int(round(gate_duration * sample_rate))
        int step = (int) Math.rint(gateSamples * (1 - 0.75)); // int(round(gate_samples * (1 - overlap)))
        int blocks = frames >= gateSamples ? (frames - gateSamples) / step + 1 : 0;

        float[][] treble = trebleCoefficients(sampleRate);
        float[][] highpass = highpassCoefficients(sampleRate);
        float[][] energy = new float[channels][blocks]; // [C, blocks]
        for (int c = 0; c < channels; c++) {
            float[] k = biquad(biquad(wav[c], treble[0], treble[1]), highpass[0], highpass[1]);
            float[] squared = new float[frames];
            for (int t = 0; t < frames; t++) {
                squared[t] = k[t] * k[t];
            }
            for (int b = 0; b < blocks; b++) {
                energy[c][b] = TorchFloat.mean(squared, b * step, gateSamples);
            }
        }

        float[] blockLoudness = new float[blocks];
        boolean[] gated = new boolean[blocks];
        for (int b = 0; b < blocks; b++) {
            float weighted = 0f; // torch.sum(g[:, None] * energy, dim=-2): channels added in order
            for (int c = 0; c < channels; c++) {
                weighted += CHANNEL_WEIGHTS[c] * energy[c][b];
            }
            blockLoudness[b] = toLufs(weighted);
            gated[b] = blockLoudness[b] > GATE_ABSOLUTE;
        }
        float gammaRelative = toLufs(gatedEnergy(energy, gated)) - 10f;
        for (int b = 0; b < blocks; b++) {
            gated[b] = gated[b] && blockLoudness[b] > gammaRelative;
        }
        return toLufs(gatedEnergy(energy, gated));
    }

    /** {@code -0.691 + 10 * log10(energy)} in torch's float32 order. */
    private static float toLufs(float energy) {
        return 10f * TorchFloat.log10(energy) + K_WEIGHT_BIAS;
    }

    /** {@code sum(g * (sum(gated * energy, -1) / count_nonzero(gated, -1)), -1)}. */
    private static float gatedEnergy(float[][] energy, boolean[] gated) {
        int count = 0;
        for (boolean g : gated) {
            if (g) {
                count++;
            }
        }
        float weighted = 0f;
        float[] masked = new float[gated.length];
        for (int c = 0; c < energy.length; c++) {
            for (int b = 0; b < gated.length; b++) {
                masked[b] = gated[b] ? energy[c][b] : 0f * energy[c][b];
            }
            float filtered = TorchFloat.sum(masked, 0, masked.length) / (float) count;
            weighted += CHANNEL_WEIGHTS[c] * filtered;
        }
        return weighted;
    }

    /** {@code treble_biquad(sr, gain=4.0, central_freq=1500.0, Q=1/sqrt(2))}: {b0, b1, b2}, {a0, a1, a2}. */
    static float[][] trebleCoefficients(int sampleRate) {
        float centralFreq = 1500.0f;
        float q = (float) (1 / Math.sqrt(2));
        float gain = 4.0f;
        float w0 = (float) (2 * Math.PI) * centralFreq / sampleRate; // 2 * math.pi * central_freq / sample_rate
        float sinW0 = TorchFloat.sin(w0);
        float cosW0 = TorchFloat.cos(w0);
        float alpha = sinW0 / 2f / q;
        // exp of a constant (gain is fixed): the correctly rounded value equals SLEEF's expf here
        float a = (float) Math.exp(gain / 40f * (float) Math.log(10));
        float temp1 = 2f * (float) Math.sqrt(a) * alpha;
        float temp2 = (a - 1f) * cosW0;
        float temp3 = (a + 1f) * cosW0;
        return new float[][] {
            {a * ((a + 1f) + temp2 + temp1), -2f * a * ((a - 1f) + temp3), a * ((a + 1f) + temp2 - temp1)},
            {(a + 1f) - temp2 + temp1, 2f * ((a - 1f) - temp3), (a + 1f) - temp2 - temp1},
        };
    }

    /** {@code highpass_biquad(sr, cutoff_freq=38.0, Q=0.5)}: {b0, b1, b2}, {a0, a1, a2}. */
    static float[][] highpassCoefficients(int sampleRate) {
        float cutoff = 38.0f;
        float q = 0.5f;
        float w0 = (float) (2 * Math.PI) * cutoff / sampleRate;
        float cosW0 = TorchFloat.cos(w0);
        float alpha = TorchFloat.sin(w0) / 2.0f / q;
        float b0 = (1f + cosW0) / 2f;
        return new float[][] {
            {b0, -1f - cosW0, b0},
            {1f + alpha, -2f * cosW0, 1f - alpha},
        };
    }

    /**
     * {@code lfilter(x, a, b, clamp=True)} for a biquad, as torchaudio's compiled {@code _lfilter}:
     * b and a divided by a0, FIR {@code fma(b0, x[n], fma(b1, x[n-1], b2 * x[n-2]))}, then
     * {@code y[n] = v[n] - y[n-2] a2 - y[n-1] a1}, then clamp to [-1, 1].
     */
    static float[] biquad(float[] x, float[] b, float[] a) {
        float a0 = a[0];
        float b0 = b[0] / a0;
        float b1 = b[1] / a0;
        float b2 = b[2] / a0;
        float a1 = a[1] / a0;
        float a2 = a[2] / a0;
        int n = x.length;
        float[] y = new float[n];
        float x1 = 0f; // x[n-1]
        float x2 = 0f; // x[n-2]
        float y1 = 0f; // y[n-1]
        float y2 = 0f; // y[n-2]
        for (int i = 0; i < n; i++) {
            float xi = x[i];
            float v = Math.fma(b0, xi, Math.fma(b1, x1, b2 * x2));
            float o = v - y2 * a2;
            o = o - y1 * a1;
            o = o - 0f; // the not yet written output times a0 / a0 = 1
            y[i] = o;
            x2 = x1;
            x1 = xi;
            y2 = y1;
            y1 = o;
        }
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(-1f, Math.min(1f, y[i]));
        }
        return y;
    }
}
