package dev.musicgen;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.internal.audio.Normalizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sound.sampled.AudioInputStream;

/**
 * The result of one generation: the decoded waveform (before normalization, exactly as the decoder produced it), the
 * seed actually used, the tokens, and where the time went. Writing applies the request's normalization strategy
 * (audiocraft's {@code normalize_audio} with Replicate's defaults) and output format.
 */
public final class GeneratedAudio {
    private final float[][] samples;
    private final int sampleRate;
    private final long seed;
    private final long[][] tokens;
    private final NormalizationStrategy normalization;
    private final OutputFormat format;
    private final Map<String, Duration> timings;
    /** Computed once here (the POST_PROCESSING phase), not on every write. */
    private final Audio normalizedAudio;

    GeneratedAudio(
            float[][] samples,
            int sampleRate,
            long seed,
            long[][] tokens,
            NormalizationStrategy normalization,
            OutputFormat format,
            Map<String, Duration> timings) {
        this.samples = samples;
        this.sampleRate = sampleRate;
        this.seed = seed;
        this.tokens = tokens;
        this.normalization = normalization;
        this.format = format;
        this.timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        this.normalizedAudio =
                Normalizer.normalize(new Audio(samples, sampleRate), Normalizer.Strategy.valueOf(normalization.name()));
    }

    /** Raw decoder output {@code [channel][sample]} in the model's rate (a copy). */
    public float[][] samples() {
        float[][] c = new float[samples.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = samples[i].clone();
        }
        return c;
    }

    /** The samples after the request's normalization strategy, as they are written. */
    public float[][] normalizedSamples() {
        return normalizedAudio.copy().samples();
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return samples.length;
    }

    public double durationSeconds() {
        return samples[0].length / (double) sampleRate;
    }

    /** The seed used: the requested one, or the random one drawn for this call (same seed → same audio on a device). */
    public long seed() {
        return seed;
    }

    /** EnCodec tokens {@code [codebook][frame]} after reverting the delay pattern (stereo: interleaved L/R codebooks). */
    public long[][] tokens() {
        long[][] c = new long[tokens.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = tokens[i].clone();
        }
        return c;
    }

    /** Wall time per phase: conditioning, generating, decoding (and total). */
    public Map<String, Duration> timings() {
        return timings;
    }

    public NormalizationStrategy normalizationStrategy() {
        return normalization;
    }

    public OutputFormat outputFormat() {
        return format;
    }

    /** Writes in the request's output format (temp file + atomic move; nothing half-written is left on failure). */
    public void writeTo(Path target) {
        writeTo(target, format);
    }

    public void writeTo(Path target, OutputFormat outputFormat) {
        java.util.Objects.requireNonNull(target, "target");
        AudioFiles.Format f = toFormat(outputFormat); // refuse a bad format before normalizing
        try {
            AudioFiles.write(target, normalized(), f, AudioFiles.WriteOptions.DEFAULTS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes a WAV of the raw, unnormalized 32-bit float samples (for checking the decoder output). */
    public void writeRawFloatWav(Path target) {
        try {
            AudioFiles.write(
                    target,
                    new Audio(samples, sampleRate),
                    AudioFiles.Format.WAV,
                    AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(AudioFiles.WavEncoding.FLOAT_32));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** The encoded file's bytes. */
    public byte[] toBytes(OutputFormat outputFormat) {
        AudioFiles.Format f = toFormat(outputFormat);
        return AudioFiles.encode(normalized(), f, AudioFiles.WriteOptions.DEFAULTS);
    }

    /** 16-bit PCM stream of the normalized samples, for {@code javax.sound} playback. */
    public AudioInputStream toAudioInputStream() {
        return AudioFiles.toAudioInputStream(normalized());
    }

    private Audio normalized() {
        return normalizedAudio;
    }

    private static AudioFiles.Format toFormat(OutputFormat f) {
        if (f == null) {
            throw new IllegalArgumentException("outputFormat must be one of wav, mp3, but is: null");
        }
        return AudioFiles.Format.valueOf(f.name());
    }
}
