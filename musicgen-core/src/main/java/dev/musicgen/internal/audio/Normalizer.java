package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of audiocraft {@code normalize_audio} / {@code normalize_loudness}
 * ({@code audiocraft/data/audio_utils.py}, v1.2.0) with the parameters of {@code audio_write}'s
 * defaults, which Replicate's predictor uses: peak/clip headroom 1 dB, rms headroom 18 dB,
 * loudness target −14 LUFS, no tanh compressor, energy floor 2e-3.
 *
 * <ul>
 *   <li>{@link Strategy#PEAK}: {@code wav * (10^(-1/20) / max|wav|)}.</li>
 *   <li>{@link Strategy#CLIP}: {@code clamp(wav, ±10^(-1/20))}, no gain.</li>
 *   <li>{@link Strategy#RMS}: {@code wav * (10^(-18/20) / rms(mean over channels))}, then clamp to ±1.</li>
 *   <li>{@link Strategy#LOUDNESS}: unchanged if {@code sqrt(mean(wav²)) < 2e-3}, else
 *       {@code wav * 10^((-14 - L) / 20)} with {@code L} = {@link Loudness#integrated}; then clamp to ±1.</li>
 * </ul>
 * All arithmetic is float32 in torch's operation order ({@code a / t} on a tensor is
 * {@code t.reciprocal() * a}; python scalars are rounded to float32 before the multiply), so the
 * output matches audiocraft's bit for bit and the 16-bit PCM written from it is identical.
 *
 * <p>Deviations: silent input under {@code peak} or {@code rms} (upstream divides by zero and
 * writes NaN) is returned unchanged; {@code loudness} on a clip with no loudness block (shorter than
 * 0.4 s, where upstream's assert fails) throws an {@link IllegalArgumentException} that says so.
 * The optional tanh compressor uses Java's {@code tanh}, not torch's.
 */
public final class Normalizer {

    private static final Logger log = LoggerFactory.getLogger(Normalizer.class);

    /** {@code normalize_loudness}' energy_floor: quieter audio is not rescaled. */
    public static final double ENERGY_FLOOR = 2e-3;

    /** audiocraft's normalization strategies (the predictor's {@code normalization_strategy} choices). */
    public enum Strategy {
        LOUDNESS,
        CLIP,
        PEAK,
        RMS;

        /** Parses the upstream name ({@code "loudness"}, {@code "clip"}, {@code "peak"}, {@code "rms"}), any case. */
        public static Strategy fromName(String name) {
            if (name != null) {
                for (Strategy s : values()) {
                    if (s.name().equalsIgnoreCase(name.trim())) {
                        return s;
                    }
                }
            }
            throw new IllegalArgumentException(
                    "normalization strategy must be one of loudness, clip, peak, rms, but is: " + name);
        }

        /** The upstream name, lower case. */
        public String upstreamName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code normalize_audio}'s knobs.
     *
     * @param normalize          upstream {@code normalize}: when false, peak and rms only ever scale down
     * @param peakClipHeadroomDb headroom of {@code peak} and {@code clip}, in dB
     * @param rmsHeadroomDb      headroom of {@code rms}, in dB
     * @param loudnessHeadroomDb target loudness of {@code loudness}, in dB below 0 LUFS
     * @param loudnessCompressor tanh soft clipping after the loudness gain
     */
    public record Settings(
            boolean normalize,
            double peakClipHeadroomDb,
            double rmsHeadroomDb,
            double loudnessHeadroomDb,
            boolean loudnessCompressor) {

        /** {@code audio_write}'s defaults, as Replicate's predictor uses them. */
        public static final Settings DEFAULTS = new Settings(true, 1, 18, 14, false);

        public Settings {
            requireFinite("peakClipHeadroomDb", peakClipHeadroomDb);
            requireFinite("rmsHeadroomDb", rmsHeadroomDb);
            requireFinite("loudnessHeadroomDb", loudnessHeadroomDb);
        }

        private static void requireFinite(String name, double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException(name + " must be a finite number, but is: " + value);
            }
        }
    }

    private Normalizer() {}

    /** {@link #normalize(Audio, Strategy, Settings)} with {@link Settings#DEFAULTS}. */
    public static Audio normalize(Audio audio, Strategy strategy) {
        return normalize(audio, strategy, Settings.DEFAULTS);
    }

    /**
     * Normalizes {@code audio} (not modified) as {@code audio_write} does before encoding.
     *
     * @throws IllegalArgumentException if a sample is NaN or infinite (upstream asserts), or for
     *                                  {@code loudness} when the audio is too short to measure
     */
    public static Audio normalize(Audio audio, Strategy strategy, Settings settings) {
        if (strategy == null) {
            throw new IllegalArgumentException("strategy must not be null (one of loudness, clip, peak, rms)");
        }
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        float[][] wav = audio.samples();
        requireFinite(wav);
        float scalePeak = (float) Math.pow(10, -settings.peakClipHeadroomDb() / 20);
        float scaleRms = (float) Math.pow(10, -settings.rmsHeadroomDb() / 20);
        float[][] out;
        switch (strategy) {
            case PEAK -> {
                float max = maxAbs(wav);
                if (max == 0f) {
                    return audio.copy(); // upstream: 0 / 0 = NaN everywhere
                }
                float rescaling = (1f / max) * scalePeak;
                out = settings.normalize() || rescaling < 1f ? scale(wav, rescaling) : copy(wav);
            }
            case CLIP -> out = clamp(copy(wav), -scalePeak, scalePeak);
            case RMS -> {
                float rms = (float) Math.sqrt(meanSquare(monoMean(wav)));
                if (rms == 0f) {
                    return audio.copy(); // upstream: NaN
                }
                float rescaling = (1f / rms) * scaleRms;
                out = settings.normalize() || rescaling < 1f ? scale(wav, rescaling) : copy(wav);
                out = clip(out, strategy);
            }
            case LOUDNESS -> out = clip(normalizeLoudness(wav, audio.sampleRate(), settings), strategy);
            default -> throw new IllegalStateException("unhandled strategy " + strategy);
        }
        return new Audio(out, audio.sampleRate());
    }

    /** {@code normalize_loudness(wav, sample_rate, loudness_headroom_db, loudness_compressor)}. */
    private static float[][] normalizeLoudness(float[][] wav, int sampleRate, Settings settings) {
        double energy = (float) Math.sqrt(meanSquare(flatten(wav))); // wav.pow(2).mean().sqrt().item()
        if (energy < ENERGY_FLOOR) {
            return copy(wav);
        }
        float inputLoudness = Loudness.integrated(wav, sampleRate);
        if (!Float.isFinite(inputLoudness)) {
            int gate = (int) Math.rint(0.4 * sampleRate);
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "loudness normalization needs at least one 0.4 s block of audio above -70 LUFS (%d frames at %d Hz), "
                            + "but the audio has %d frames and measures %s LUFS; use the peak, rms or clip strategy",
                    gate,
                    sampleRate,
                    wav[0].length,
                    inputLoudness));
        }
        double delta = -settings.loudnessHeadroomDb() - inputLoudness;
        double gain = Math.pow(10.0, delta / 20.0);
        float[][] out = scale(wav, (float) gain);
        if (settings.loudnessCompressor()) {
            for (float[] channel : out) {
                for (int t = 0; t < channel.length; t++) {
                    channel[t] = (float) Math.tanh(channel[t]);
                }
            }
        }
        return out;
    }

    /** {@code _clip_wav}: clamp to [-1, 1], noting (at DEBUG) how much clipped, as upstream prints it. */
    private static float[][] clip(float[][] wav, Strategy strategy) {
        if (log.isDebugEnabled()) {
            long clipped = 0;
            long total = 0;
            float max = 0f;
            for (float[] channel : wav) {
                for (float v : channel) {
                    max = Math.max(max, Math.abs(v));
                    if (Math.abs(v) > 1f) {
                        clipped++;
                    }
                }
                total += channel.length;
            }
            if (max > 1f) {
                log.debug(
                        "CLIPPING ({}) happening with proba (a bit of clipping is okay): {} maximum scale: {}",
                        strategy.upstreamName(),
                        clipped / (double) total,
                        max);
            }
        }
        return clamp(wav, -1f, 1f);
    }

    private static void requireFinite(float[][] wav) {
        for (int c = 0; c < wav.length; c++) {
            for (int t = 0; t < wav[c].length; t++) {
                if (!Float.isFinite(wav[c][t])) {
                    throw new IllegalArgumentException("audio must contain only finite samples, but channel " + c
                            + " frame " + t + " is " + wav[c][t]);
                }
            }
        }
    }

    private static float maxAbs(float[][] wav) {
        float max = 0f;
        for (float[] channel : wav) {
            for (float v : channel) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    /** {@code wav.mean(dim=0)}: channels summed in order, divided by the count. */
    private static float[] monoMean(float[][] wav) {
        if (wav.length == 1) {
            return wav[0];
        }
        int frames = wav[0].length;
        float[] mono = new float[frames];
        for (int t = 0; t < frames; t++) {
            float s = 0f;
            for (float[] channel : wav) {
                s += channel[t];
            }
            mono[t] = s / wav.length;
        }
        return mono;
    }

    /** {@code x.pow(2).mean()} in float32 (torch's single-threaded cascade sum). */
    private static float meanSquare(float[] x) {
        float[] sq = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            sq[i] = x[i] * x[i];
        }
        return TorchFloat.mean(sq, 0, sq.length);
    }

    private static float[] flatten(float[][] wav) {
        if (wav.length == 1) {
            return wav[0];
        }
        int frames = wav[0].length;
        float[] flat = new float[wav.length * frames];
        for (int c = 0; c < wav.length; c++) {
            System.arraycopy(wav[c], 0, flat, c * frames, frames);
        }
        return flat;
    }

    private static float[][] scale(float[][] wav, float factor) {
        float[][] out = new float[wav.length][];
        for (int c = 0; c < wav.length; c++) {
            float[] in = wav[c];
            float[] o = new float[in.length];
            for (int t = 0; t < in.length; t++) {
                o[t] = in[t] * factor;
            }
            out[c] = o;
        }
        return out;
    }

    private static float[][] copy(float[][] wav) {
        float[][] out = new float[wav.length][];
        for (int c = 0; c < wav.length; c++) {
            out[c] = wav[c].clone();
        }
        return out;
    }

    /** In place. */
    private static float[][] clamp(float[][] wav, float lo, float hi) {
        for (float[] channel : wav) {
            for (int t = 0; t < channel.length; t++) {
                float v = channel[t];
                channel[t] = v < lo ? lo : (v > hi ? hi : v);
            }
        }
        return wav;
    }
}
