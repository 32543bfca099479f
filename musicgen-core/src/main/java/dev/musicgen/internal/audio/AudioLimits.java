package dev.musicgen.internal.audio;

import dev.musicgen.audio.AudioFormatException;

/**
 * What input audio may be: sample rates a recording uses and at most ten minutes. Checked from the headers, before a
 * decoder allocates, so that a small file claiming billions of samples or a sample rate of 1 Hz (which resampling to
 * 32 kHz would multiply 32000-fold) fails at once instead of exhausting memory.
 */
public final class AudioLimits {
    /** Lowest accepted sample rate in Hz (telephone audio is 8 kHz). */
    public static final int MIN_SAMPLE_RATE = 4_000;
    /** Highest accepted sample rate in Hz (the highest studio rate in use). */
    public static final int MAX_SAMPLE_RATE = 384_000;
    /** Longest accepted input: far more than a melody or a continuation prompt can use. */
    public static final int MAX_SECONDS = 600;

    private AudioLimits() {}

    /** @throws AudioFormatException naming {@code source} when {@code sampleRate} is outside the accepted range */
    public static void checkSampleRate(String source, long sampleRate) throws AudioFormatException {
        if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
            throw new AudioFormatException(
                    source,
                    "its sample rate is " + sampleRate + " Hz; input audio must be " + MIN_SAMPLE_RATE + ".."
                            + MAX_SAMPLE_RATE + " Hz");
        }
    }

    /** @throws AudioFormatException naming {@code source} when {@code frames} at {@code sampleRate} is too long */
    public static void checkFrames(String source, long frames, long sampleRate) throws AudioFormatException {
        if (frames > (long) MAX_SECONDS * sampleRate) {
            throw new AudioFormatException(
                    source,
                    "it is " + String.format(java.util.Locale.ROOT, "%.1f", frames / (double) sampleRate)
                            + " s long; input audio may be at most " + MAX_SECONDS + " s");
        }
    }
}
