package dev.musicgen.internal.generation;

import java.util.List;

/**
 * Tokens of one generation.
 *
 * @param tokens codes {@code [B, K, T]} after reverting the delay pattern, prompt included, {@code T =
 *     int(duration · frame_rate)}
 * @param seed the seed actually used
 * @param patternSequences per LM pass, the generated pattern sequence {@code [B, K, S]} before reverting (special token
 *     = card), for inspection and tests
 */
public record GenerationResult(long[][][] tokens, long seed, List<long[][][]> patternSequences) {
    public GenerationResult {
        patternSequences = List.copyOf(patternSequences);
    }
}
