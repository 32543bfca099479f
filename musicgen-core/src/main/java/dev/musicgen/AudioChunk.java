package dev.musicgen;

import java.util.Objects;

/**
 * One piece of a streamed generation ({@link MusicGenerator#stream(GenerationRequest)}): samples {@code
 * [channel][sample]} at the model's rate, where they sit in the whole clip, whether they end it, and the seed.
 *
 * <p>The samples are the raw decoder output, exactly the corresponding samples of {@link GeneratedAudio#samples()}
 * for the same request and seed (up to float rounding, within 1e-5): no normalization is applied, because loudness,
 * peak and rms normalization scale the whole clip by a factor measured on the whole clip, which does not exist yet
 * while the first chunks are played. Values may exceed [-1, 1]; a consumer that needs PCM clamps them, as the
 * {@link NormalizationStrategy#CLIP clip} strategy does.
 *
 * <p>Immutable: the constructor and {@link #samples()} copy.
 */
public final class AudioChunk {
    private final float[][] samples;
    private final int sampleRate;
    private final long offset;
    private final boolean last;
    private final long seed;

    /**
     * @param samples {@code [channel][sample]}, at least one channel, all of the same length (which may be 0)
     * @param sampleRate samples per second, positive
     * @param offset index of the first sample in the whole clip, {@code >= 0}
     * @param last whether this is the last chunk of the clip
     * @param seed the seed of the generation
     */
    public AudioChunk(float[][] samples, int sampleRate, long offset, boolean last, long seed) {
        Objects.requireNonNull(samples, "samples");
        if (samples.length == 0) {
            throw new IllegalArgumentException("samples must have at least one channel, but has 0");
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be > 0, but is: " + sampleRate);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, but is: " + offset);
        }
        float[][] copy = new float[samples.length][];
        for (int c = 0; c < samples.length; c++) {
            if (samples[c] == null) {
                throw new IllegalArgumentException("samples: channel " + c + " is null");
            }
            if (samples[c].length != samples[0].length) {
                throw new IllegalArgumentException("samples: channel " + c + " has " + samples[c].length
                        + " samples but channel 0 has " + samples[0].length);
            }
            copy[c] = samples[c].clone();
        }
        this.samples = copy;
        this.sampleRate = sampleRate;
        this.offset = offset;
        this.last = last;
        this.seed = seed;
    }

    /** The raw decoder output {@code [channel][sample]} (a copy). */
    public float[][] samples() {
        float[][] c = new float[samples.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = samples[i].clone();
        }
        return c;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return samples.length;
    }

    /** Samples per channel in this chunk. */
    public int frames() {
        return samples[0].length;
    }

    /** Index, in samples per channel, of this chunk's first sample in the whole clip. */
    public long offset() {
        return offset;
    }

    /** {@link #offset()} in seconds. */
    public double offsetSeconds() {
        return offset / (double) sampleRate;
    }

    public double durationSeconds() {
        return frames() / (double) sampleRate;
    }

    /** Whether this chunk ends the clip (the stream completes after it). */
    public boolean last() {
        return last;
    }

    /** The seed of the generation: the requested one, or the random one drawn for it. */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "AudioChunk[" + channels() + " ch x " + frames() + " samples at " + sampleRate + " Hz, offset " + offset
                + (last ? ", last" : "") + ", seed " + seed + "]";
    }
}
