package dev.musicgen.internal.generation;

import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.conditioners.ConditionProvider;
import dev.musicgen.internal.conditioners.ConditionTensors;
import dev.musicgen.internal.lm.LMConditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ConditionSource} over {@link ConditionProvider}: B prompts (and optional melodies) with their null rows
 * for guidance, computed as one batch per LM pass. Text-only conditions are computed once and reused; melodies are
 * re-windowed for every pass of the extension loop as {@code MusicGen._generate_tokens} does (v1.2.0):
 * {@code wav[..., (int(t0·sr) + arange(int(max_duration·sr))) % len]}.
 */
public final class ConditionProviderSource implements ConditionSource {
    private final ConditionProvider provider;
    private final List<String> prompts;
    private final List<float[][]> melodies; // null, or per row [C][T] at the provider's sample rate (null entries)
    private final NDManager parent;
    private LMConditions cached;

    /**
     * @param provider the model's conditioning provider (not closed here)
     * @param prompts B descriptions (null entries = no text)
     * @param melodies null, or B melodies {@code [C][T]} at {@code provider.sampleRate()} (null entries = none)
     * @param parent where temporary native memory is created (freed before each call returns)
     */
    public ConditionProviderSource(
            ConditionProvider provider, List<String> prompts, List<float[][]> melodies, NDManager parent) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.prompts = new ArrayList<>(Objects.requireNonNull(prompts, "prompts"));
        this.melodies = melodies == null ? null : new ArrayList<>(melodies);
        this.parent = Objects.requireNonNull(parent, "parent");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must hold at least one entry (null for no text)");
        }
        if (melodies != null && melodies.size() != prompts.size()) {
            throw new IllegalArgumentException("number of melodies (" + melodies.size() + ") must match number of"
                    + " prompts (" + prompts.size() + ")");
        }
    }

    @Override
    public LMConditions conditionsFor(Chunk chunk) {
        boolean hasMelody = melodies != null && melodies.stream().anyMatch(Objects::nonNull);
        if (hasMelody && chunk.windowed()) {
            List<float[][]> windows = new ArrayList<>();
            for (float[][] m : melodies) {
                windows.add(
                        m == null
                                ? null
                                : window(
                                        m,
                                        chunk.timeOffsetSeconds(),
                                        chunk.maxDurationSeconds(),
                                        provider.sampleRate()));
            }
            return compute(windows);
        }
        if (cached == null) {
            cached = compute(melodies);
        }
        return cached;
    }

    private LMConditions compute(List<float[][]> wavs) {
        try (NDManager m = parent.newSubManager();
                ConditionTensors c = provider.withNullConditions(prompts, wavs, m)) {
            return LMConditions.from(c);
        }
    }

    /**
     * The melody window of one extension pass: {@code maxDuration} seconds starting at {@code timeOffset}, wrapping
     * around the melody (audiocraft extends a short melody periodically).
     */
    static float[][] window(float[][] melody, double timeOffset, double maxDuration, int sampleRate) {
        int length = melody[0].length;
        if (length == 0) {
            return melody;
        }
        long start = (long) (timeOffset * sampleRate);
        int target = (int) (maxDuration * sampleRate);
        float[][] out = new float[melody.length][target];
        for (int c = 0; c < melody.length; c++) {
            for (int i = 0; i < target; i++) {
                out[c][i] = melody[c][(int) ((start + i) % length)];
            }
        }
        return out;
    }
}
