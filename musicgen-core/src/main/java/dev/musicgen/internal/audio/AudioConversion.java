package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;

/**
 * Port of audiocraft {@code convert_audio} and {@code convert_audio_channels}
 * ({@code audiocraft/data/audio_utils.py}, v1.2.0): resample with julius first, then convert the
 * channel count.
 */
public final class AudioConversion {

    private AudioConversion() {}

    /**
     * {@code convert_audio(wav, audio.sampleRate, targetSampleRate, targetChannels)}: julius
     * {@code resample_frac} (zeros 24, rolloff 0.945) on every channel, then
     * {@link #convertChannels(Audio, int)}.
     *
     * @throws IllegalArgumentException if {@code targetSampleRate} or {@code targetChannels} is not
     *                                  positive, or the audio has fewer channels than asked for and is not mono
     */
    public static Audio convert(Audio audio, int targetSampleRate, int targetChannels) {
        if (targetSampleRate <= 0) {
            throw new IllegalArgumentException("targetSampleRate must be positive, but is: " + targetSampleRate);
        }
        checkChannels(audio.channels(), targetChannels); // fail before the (costly) resampling
        if (audio.sampleRate() < AudioLimits.MIN_SAMPLE_RATE || audio.sampleRate() > AudioLimits.MAX_SAMPLE_RATE) {
            throw new IllegalArgumentException("the input audio's sample rate must be " + AudioLimits.MIN_SAMPLE_RATE
                    + ".." + AudioLimits.MAX_SAMPLE_RATE + " Hz, but is: " + audio.sampleRate());
        }
        if (audio.frames() > (long) AudioLimits.MAX_SECONDS * audio.sampleRate()) {
            throw new IllegalArgumentException("the input audio may be at most " + AudioLimits.MAX_SECONDS
                    + " s long, but is " + audio.durationSeconds() + " s");
        }
        return convertChannels(Resampler.resample(audio, targetSampleRate), targetChannels);
    }

    /**
     * {@code convert_audio_channels}: same count → unchanged; 1 asked → mean over the channels;
     * mono source → the channel repeated; more channels than asked → the first ones.
     *
     * @throws IllegalArgumentException when the source has fewer channels than asked for and is not mono
     *                                  (upstream: "The audio file has less channels than requested but is not mono.")
     */
    public static Audio convertChannels(Audio audio, int targetChannels) {
        int src = audio.channels();
        checkChannels(src, targetChannels);
        if (src == targetChannels) {
            return audio;
        }
        float[][] in = audio.samples();
        int frames = audio.frames();
        float[][] out = new float[targetChannels][];
        if (targetChannels == 1) {
            // torch mean over dim -2: sum in float32 then divide by the count (ReduceOps mean = sum / n)
            float[] mono = new float[frames];
            for (int t = 0; t < frames; t++) {
                float s = 0f;
                for (int c = 0; c < src; c++) {
                    s += in[c][t];
                }
                mono[t] = s / src;
            }
            out[0] = mono;
        } else if (src == 1) {
            for (int c = 0; c < targetChannels; c++) {
                out[c] = in[0].clone();
            }
        } else {
            for (int c = 0; c < targetChannels; c++) {
                out[c] = in[c].clone();
            }
        }
        return new Audio(out, audio.sampleRate());
    }

    /**
     * The predictor's trim, {@code wav[..., int(sr * start) : int(sr * end)]} (Python slice rules:
     * bounds past the end are clamped, an empty range gives zero frames).
     *
     * @param startSeconds {@code continuation_start}, at least 0
     * @param endSeconds   {@code continuation_end}, or null for the end of the clip
     * @throws IllegalArgumentException for a negative or non-finite bound, or start after end
     */
    public static Audio trim(Audio audio, double startSeconds, Double endSeconds) {
        if (!(startSeconds >= 0) || Double.isInfinite(startSeconds)) {
            throw new IllegalArgumentException("startSeconds must be a finite number >= 0, but is: " + startSeconds);
        }
        if (endSeconds != null && (!(endSeconds >= 0) || endSeconds.isInfinite())) {
            throw new IllegalArgumentException("endSeconds must be a finite number >= 0, but is: " + endSeconds);
        }
        if (endSeconds != null && startSeconds > endSeconds) {
            throw new IllegalArgumentException("startSeconds (" + startSeconds + ") must be less than or equal to "
                    + "endSeconds (" + endSeconds + ")");
        }
        long from = (long) (audio.sampleRate() * startSeconds); // Python int(): truncation
        long to = endSeconds == null ? audio.frames() : (long) (audio.sampleRate() * endSeconds);
        return audio.slice((int) Math.min(from, Integer.MAX_VALUE), (int) Math.min(to, Integer.MAX_VALUE));
    }

    private static void checkChannels(int src, int targetChannels) {
        if (targetChannels <= 0) {
            throw new IllegalArgumentException("targetChannels must be positive, but is: " + targetChannels);
        }
        if (src != targetChannels && targetChannels != 1 && src != 1 && src < targetChannels) {
            throw new IllegalArgumentException("the audio has " + src + " channels, fewer than the " + targetChannels
                    + " requested, and is not mono: only mono audio can be spread over more channels");
        }
    }
}
