package dev.musicgen.internal.generation;

import dev.musicgen.internal.lm.LMConditions;

/**
 * Supplies the condition tensors ({@code [2B, L, dim]} with guidance: conditioned rows then null rows) for each pass
 * of the LM. A text-only source returns the same tensors every time; a melody source re-windows its waveform for the
 * passes of the extension loop, as audiocraft's {@code MusicGen._generate_tokens} does: when {@link Chunk#windowed()}
 * the melody becomes {@code wav[(start + arange(maxDuration·sr)) % len]} with {@code start = int(timeOffset·sr)}.
 */
@FunctionalInterface
public interface ConditionSource {
    /**
     * One LM pass.
     *
     * @param index 0 for the first pass
     * @param timeOffsetSeconds where the pass starts in the output, in seconds ({@code offset_frames / frame_rate})
     * @param maxDurationSeconds the model's maximum duration (the melody window length)
     * @param windowed true inside the extension loop (duration over the maximum): melody must be re-windowed; false for
     *     a single pass, where the melody is used as given
     */
    record Chunk(int index, double timeOffsetSeconds, double maxDurationSeconds, boolean windowed) {}

    LMConditions conditionsFor(Chunk chunk);

    /** The same tensors for every pass. */
    static ConditionSource fixed(LMConditions conditions) {
        return chunk -> conditions;
    }
}
