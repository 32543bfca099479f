package dev.musicgen.audio;

import dev.musicgen.internal.audio.*;
import java.util.Arrays;

/**
 * Multichannel audio as plain float samples, the Java form of a torch {@code [C, T]} waveform.
 *
 * <p>Samples are in {@code [-1, 1]} for decoded files (as {@code torchaudio.load} returns them), but
 * the record does not clamp: model output and intermediate results may exceed that range.
 * The arrays are held as given (no defensive copy), so callers that keep them must not modify them.
 *
 * @param samples    {@code [channel][frame]}, at least one channel, every channel the same length
 * @param sampleRate frames per second, positive
 */
public record Audio(float[][] samples, int sampleRate) {

    public Audio {
        if (samples == null) {
            throw new IllegalArgumentException("samples must not be null");
        }
        if (samples.length == 0) {
            throw new IllegalArgumentException("samples must have at least one channel, but has 0");
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, but is: " + sampleRate);
        }
        for (int c = 0; c < samples.length; c++) {
            if (samples[c] == null) {
                throw new IllegalArgumentException("samples[" + c + "] must not be null");
            }
            if (samples[c].length != samples[0].length) {
                throw new IllegalArgumentException(
                        "every channel must have the same number of frames, but channel 0 has " + samples[0].length
                                + " and channel " + c + " has " + samples[c].length);
            }
        }
    }

    /** Number of channels ({@code C}). */
    public int channels() {
        return samples.length;
    }

    /** Number of frames per channel ({@code T}). */
    public int frames() {
        return samples[0].length;
    }

    /** Length in seconds, {@code frames / sampleRate}. */
    public double durationSeconds() {
        return frames() / (double) sampleRate;
    }

    /** A copy of {@code samples[channel]}. */
    public float[] channel(int channel) {
        return samples[channel].clone();
    }

    /**
     * Frames {@code [from, to)} of every channel, as the predictor trims with
     * {@code wav[..., int(sr * start) : int(sr * end)]} (Python slice rules: bounds are clamped to
     * {@code [0, frames]}, and an empty range gives zero frames).
     */
    public Audio slice(int from, int to) {
        int start = Math.max(0, Math.min(from, frames()));
        int end = Math.max(start, Math.min(to, frames()));
        float[][] out = new float[channels()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = Arrays.copyOfRange(samples[c], start, end);
        }
        return new Audio(out, sampleRate);
    }

    /** A deep copy. */
    public Audio copy() {
        float[][] out = new float[channels()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = samples[c].clone();
        }
        return new Audio(out, sampleRate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Audio a && a.sampleRate == sampleRate && Arrays.deepEquals(a.samples, samples);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(samples) + sampleRate;
    }

    @Override
    public String toString() {
        return "Audio[channels=" + channels() + ", frames=" + frames() + ", sampleRate=" + sampleRate + "]";
    }
}
