package dev.musicgen.internal.conditioners;

import java.util.Arrays;
import java.util.List;

/**
 * audiocraft's {@code WavCondition} after {@code ConditioningProvider._collate_wavs}: every sample's waveform
 * averaged over channels (mono), rows zero-padded to the longest one, with each row's original length. A sample
 * without a melody (text-only generation, or a CFG null row made by {@code nullify_wav}) is one zero sample of length
 * 0, so the null rows of a melody batch become zeros of the batch length with length 0.
 *
 * @param wav [B][T] mono samples, all rows of length T
 * @param lengths [B] original lengths (0 for absent/null melodies)
 * @param sampleRate sample rate of every row
 */
public record WavCondition(float[][] wav, int[] lengths, int sampleRate) {
    public WavCondition {
        if (wav.length == 0 || wav.length != lengths.length) {
            throw new IllegalArgumentException("wav and lengths must be non-empty and of the same batch size, but are "
                    + wav.length + " and " + lengths.length);
        }
        int t = wav[0].length;
        for (float[] row : wav) {
            if (row.length != t) {
                throw new IllegalArgumentException("all wav rows must have the same length (collate pads them)");
            }
        }
    }

    public int batchSize() {
        return wav.length;
    }

    /** Samples per (padded) row. */
    public int length() {
        return wav[0].length;
    }

    /**
     * Collates per-sample waveforms as {@code _collate_wavs} does.
     *
     * @param samples one entry per batch row: {@code [C][T]} at {@code sampleRate}, or null for "no melody"
     *     (a {@code [1][1]} zero with length 0, as {@code MusicGen._prepare_tokens_and_attributes} and
     *     {@code nullify_wav} make it)
     */
    public static WavCondition collate(List<float[][]> samples, int sampleRate) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("samples must not be empty");
        }
        float[][] mono = new float[samples.size()][];
        int[] lengths = new int[samples.size()];
        int max = 0;
        for (int i = 0; i < mono.length; i++) {
            float[][] s = samples.get(i);
            if (s == null) {
                mono[i] = new float[1];
                lengths[i] = 0;
            } else {
                mono[i] = downmix(s, i);
                lengths[i] = mono[i].length;
            }
            max = Math.max(max, mono[i].length);
        }
        float[][] padded = new float[mono.length][];
        for (int i = 0; i < mono.length; i++) {
            padded[i] = mono[i].length == max ? mono[i] : Arrays.copyOf(mono[i], max);
        }
        return new WavCondition(padded, lengths, sampleRate);
    }

    /** {@code wav.mean(1)} in float32: channels summed in order, then divided by their count. */
    private static float[] downmix(float[][] channels, int row) {
        if (channels.length == 0 || channels[0].length == 0) {
            throw new IllegalArgumentException(
                    "melody " + row + " is empty; give at least one channel with samples" + " (or null for no melody)");
        }
        int t = channels[0].length;
        for (float[] c : channels) {
            if (c.length != t) {
                throw new IllegalArgumentException("melody " + row + " has channels of different lengths");
            }
        }
        if (channels.length == 1) {
            return channels[0].clone();
        }
        float[] out = new float[t];
        float n = channels.length;
        for (int j = 0; j < t; j++) {
            float s = 0f;
            for (float[] c : channels) {
                s += c[j];
            }
            out[j] = s / n;
        }
        return out;
    }
}
