package dev.musicgen.internal.pipeline;

import dev.musicgen.audio.Audio;
import dev.musicgen.internal.audio.AudioConversion;
import dev.musicgen.spi.AudioCodec;
import java.util.List;
import java.util.function.Supplier;

/**
 * A request's input audio made ready for the model, as Replicate's predictor does it: read, trimmed to
 * {@code [continuationStart, continuationEnd)}, then either encoded by the codec as a continuation prompt, or converted
 * to the conditioner's rate as a melody. Every rule that needs the audio's length is checked here, before anything is
 * encoded.
 */
public final class InputPreparation {
    private InputPreparation() {}

    /**
     * The input audio of a request.
     *
     * @param audio reads and decodes it (called once, at generate time)
     * @param description how messages name it (a path, an abbreviated URL, ...)
     * @param continuation true: continue it; false: follow its melody
     * @param start seconds cut from the start
     * @param end seconds where the clip ends, or null for its end
     */
    public record Clip(Supplier<Audio> audio, String description, boolean continuation, double start, Double end) {}

    /**
     * The model inputs made from a clip: exactly one of the two is set.
     *
     * @param melodies one melody {@code [C][T]} at the conditioner's rate, or null
     * @param promptTokens the continuation prompt {@code [1, K, P]}, or null
     */
    public record Prepared(List<float[][]> melodies, long[][][] promptTokens) {
        static final Prepared NONE = new Prepared(null, null);
    }

    /**
     * @param clip the input, or null for none
     * @param duration the requested duration in seconds (a continuation includes its prompt)
     * @param maxDuration the model's one-pass duration
     * @param codec encodes a continuation prompt
     * @param melodyRate the melody conditioner's sample rate
     * @throws IllegalArgumentException when the clip is empty or its bounds lie outside the audio, or a continuation
     *     prompt is not shorter than the output
     */
    public static Prepared prepare(Clip clip, double duration, double maxDuration, AudioCodec codec, int melodyRate) {
        if (clip == null) {
            return Prepared.NONE;
        }
        Audio in = clip.audio().get();
        Double end = clip.end();
        if (end != null && end > in.durationSeconds() + 1e-9) {
            throw new IllegalArgumentException("continuationEnd must be at most the length of inputAudio "
                    + clip.description() + " (" + in.durationSeconds() + " s), but is: " + end);
        }
        if (clip.start() >= in.durationSeconds()) {
            throw new IllegalArgumentException("continuationStart must be before the end of inputAudio "
                    + clip.description() + " (" + in.durationSeconds() + " s), but is: " + clip.start());
        }
        Audio trimmed = AudioConversion.trim(in, clip.start(), end);
        if (trimmed.frames() == 0) {
            throw new IllegalArgumentException("inputAudio is empty between continuationStart " + clip.start()
                    + " s and continuationEnd " + end + " s");
        }
        if (!clip.continuation()) {
            Audio melody = AudioConversion.convert(trimmed, melodyRate, codec.channels());
            return new Prepared(List.<float[][]>of(melody.samples()), null);
        }
        double limit = Math.min(duration, maxDuration);
        if (trimmed.durationSeconds() >= limit) {
            // upstream: "Prompt is longer than audio to generate"; fail before encoding it
            throw new IllegalArgumentException("the continuation prompt (inputAudio " + clip.description()
                    + " from continuationStart " + clip.start() + " s to "
                    + (end == null ? "its end" : "continuationEnd " + end + " s") + ", " + trimmed.durationSeconds()
                    + " s) must be shorter than duration (" + duration + " s) and the model's maximum duration ("
                    + maxDuration + " s)");
        }
        Audio converted = AudioConversion.convert(trimmed, codec.sampleRate(), codec.channels());
        return new Prepared(null, codec.encode(new float[][][] {converted.samples()}));
    }
}
