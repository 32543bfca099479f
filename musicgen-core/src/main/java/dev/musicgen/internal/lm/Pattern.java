package dev.musicgen.internal.lm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Port of audiocraft {@code Pattern} ({@code audiocraft/modules/codebooks_patterns.py} @ v1.2.0): the layout of a
 * multi-codebook sequence {@code [B, K, T]} as the LM sees it, {@code [B, K, S]}. Step 0 is always empty (all special
 * tokens); step {@code s} holds the coordinates {@code (t, q)} listed in the layout. Plain Java arrays: the mapping is
 * index bookkeeping, cheap next to one LM step.
 */
public final class Pattern {
    /** One cell of the layout: timestep {@code t} of codebook {@code q}. */
    public record LayoutCoord(int t, int q) {}

    /** Output of {@link #buildPatternSequence}: values {@code [B, K, S]}, flat indexes and mask {@code [K, S]}. */
    public record Built(long[][][] values, int[][] indexes, boolean[][] mask) {}

    /** Output of {@link #revertPatternSequence}: values {@code [B, K, T]}, flat indexes and mask {@code [K, T]}. */
    public record Reverted(long[][][] values, int[][] indexes, boolean[][] mask) {}

    /** Output of {@link #revertPatternLogits}: logits {@code [B, K, T, card]} flattened, and mask {@code [K, T]}. */
    public record RevertedLogits(float[] values, boolean[][] mask) {}

    private final List<List<LayoutCoord>> layout;
    private final int timesteps;
    private final int nQ;

    public Pattern(List<List<LayoutCoord>> layout, int timesteps, int nQ) {
        if (layout.isEmpty() || !layout.get(0).isEmpty()) {
            throw new IllegalArgumentException("a pattern layout must start with an empty step");
        }
        List<List<LayoutCoord>> copy = new ArrayList<>(layout.size());
        for (List<LayoutCoord> step : layout) {
            copy.add(List.copyOf(step));
        }
        this.layout = Collections.unmodifiableList(copy);
        this.timesteps = timesteps;
        this.nQ = nQ;
        validateLayout();
    }

    // Same checks as upstream _validate_layout: per codebook, timesteps never go back; one entry per codebook per step.
    private void validateLayout() {
        int[] last = new int[nQ];
        for (int s = 0; s < layout.size(); s++) {
            boolean[] seen = new boolean[nQ];
            for (LayoutCoord c : layout.get(s)) {
                if (c.q() < 0 || c.q() >= nQ) {
                    throw new IllegalArgumentException(
                            "codebook " + c.q() + " at step " + s + " is outside [0, " + nQ + ")");
                }
                if (c.t() < last[c.q()]) {
                    throw new IllegalArgumentException(
                            "past timesteps are found in the sequence for codebook = " + c.q() + " at step " + s);
                }
                if (seen[c.q()]) {
                    throw new IllegalArgumentException("multiple entries for a same codebook are found at step " + s);
                }
                seen[c.q()] = true;
                last[c.q()] = c.t();
            }
        }
    }

    public List<List<LayoutCoord>> layout() {
        return layout;
    }

    public int timesteps() {
        return timesteps;
    }

    public int nQ() {
        return nQ;
    }

    /** Sequence steps after the initial empty one. */
    public int numSequenceSteps() {
        return layout.size() - 1;
    }

    public int maxDelay() {
        int maxT = 0;
        for (List<LayoutCoord> step : layout.subList(1, layout.size())) {
            for (LayoutCoord c : step) {
                maxT = Math.max(maxT, c.t() + 1);
            }
        }
        return maxT - timesteps;
    }

    /** The layout up to the last step whose every timestep is fully defined. */
    public List<List<LayoutCoord>> validLayout() {
        return layout.subList(0, layout.size() - maxDelay());
    }

    /** Steps holding timestep {@code t} (of codebook {@code q}, or any codebook when q is negative), ascending. */
    public List<Integer> stepsWithTimestep(int t, int q) {
        if (t > timesteps) {
            throw new IllegalArgumentException("provided timesteps (" + t + ") is greater than the pattern's number of"
                    + " timesteps (" + timesteps + ")");
        }
        List<Integer> steps = new ArrayList<>();
        for (int s = 0; s < layout.size(); s++) {
            for (LayoutCoord c : layout.get(s)) {
                if (c.t() == t && (q < 0 || c.q() == q)) {
                    steps.add(s);
                }
            }
        }
        return steps;
    }

    /**
     * The first step holding timestep {@code t} of any codebook, or -1: where generation starts after a prompt of
     * {@code t} frames (1 for no prompt).
     */
    public int firstStepWithTimesteps(int t) {
        List<Integer> s = stepsWithTimestep(t, -1);
        return s.isEmpty() ? -1 : s.get(0);
    }

    private List<List<LayoutCoord>> refLayout(boolean keepOnlyValidSteps) {
        return keepOnlyValidSteps ? validLayout() : layout;
    }

    /** Scatter indexes {@code [K, S]} into the flattened {@code [K*T + 1]} input; K*T is the special token. */
    private int[][] patternSequenceIndexes(int t, int k, boolean keepOnlyValidSteps, boolean[][] maskOut) {
        if (k != nQ) {
            throw new IllegalArgumentException(
                    "invalid number of codebooks for the sequence and the pattern: " + k + " != " + nQ);
        }
        if (t > timesteps) {
            throw new IllegalArgumentException("invalid number of timesteps used to build the sequence from the"
                    + " pattern: " + t + " > " + timesteps);
        }
        List<List<LayoutCoord>> ref = refLayout(keepOnlyValidSteps);
        int[][] idx = new int[k][ref.size()];
        for (int[] row : idx) {
            java.util.Arrays.fill(row, k * t);
        }
        for (int s = 0; s < ref.size(); s++) {
            for (LayoutCoord c : ref.get(s)) {
                if (c.t() < t) {
                    idx[c.q()][s] = c.t() + c.q() * t;
                    maskOut[c.q()][s] = true;
                }
            }
        }
        return idx;
    }

    /**
     * Maps codes {@code z [B, K, T]} onto the pattern {@code [B, K, S]}; cells outside the pattern get
     * {@code specialToken}.
     */
    public Built buildPatternSequence(long[][][] z, long specialToken, boolean keepOnlyValidSteps) {
        int b = z.length;
        int k = b == 0 ? nQ : z[0].length;
        int t = b == 0 ? timesteps : z[0][0].length;
        int steps = refLayout(keepOnlyValidSteps).size();
        boolean[][] mask = new boolean[k][steps];
        int[][] idx = patternSequenceIndexes(t, k, keepOnlyValidSteps, mask);
        return new Built(gather(z, t, idx, specialToken), idx, mask);
    }

    public Built buildPatternSequence(long[][][] z, long specialToken) {
        return buildPatternSequence(z, specialToken, false);
    }

    /** Scatter indexes {@code [K, T]} into the flattened {@code [K*S + 1]} sequence; K*S is the special token. */
    private int[][] revertedIndexes(
            int sequenceSteps, int k, boolean keepOnlyValidSteps, boolean isModelOutput, boolean[][] maskOut) {
        List<List<LayoutCoord>> ref = refLayout(keepOnlyValidSteps);
        if (k != nQ) {
            throw new IllegalArgumentException(
                    "invalid number of codebooks for the sequence and the pattern: " + k + " != " + nQ);
        }
        if (sequenceSteps > ref.size()) {
            throw new IllegalArgumentException(
                    "sequence to revert is longer than the defined pattern: " + sequenceSteps + " > " + ref.size());
        }
        if (isModelOutput) {
            ref = ref.subList(1, ref.size());
        }
        int[][] idx = new int[k][timesteps];
        for (int[] row : idx) {
            java.util.Arrays.fill(row, k * sequenceSteps);
        }
        for (int s = 0; s < ref.size(); s++) {
            if (s < sequenceSteps) {
                for (LayoutCoord c : ref.get(s)) {
                    if (c.t() < timesteps) {
                        idx[c.q()][c.t()] = s + c.q() * sequenceSteps;
                        maskOut[c.q()][c.t()] = true;
                    }
                }
            }
        }
        return idx;
    }

    /** Maps a pattern sequence {@code [B, K, S]} back to codes {@code [B, K, T]}; missing cells get specialToken. */
    public Reverted revertPatternSequence(long[][][] seq, long specialToken, boolean keepOnlyValidSteps) {
        int b = seq.length;
        int k = b == 0 ? nQ : seq[0].length;
        int steps = b == 0 ? layout.size() : seq[0][0].length;
        boolean[][] mask = new boolean[k][timesteps];
        int[][] idx = revertedIndexes(steps, k, keepOnlyValidSteps, false, mask);
        return new Reverted(gather(seq, steps, idx, specialToken), idx, mask);
    }

    /**
     * {@code out[i][q][j] = src[i][f / n][f % n]} for {@code f = idx[q][j]} (an index into {@code src[i]} flattened,
     * rows of {@code n}), or {@code special} where {@code f} is the sentinel {@code K·n}: the gather both directions
     * of the pattern use.
     */
    private static long[][][] gather(long[][][] src, int n, int[][] idx, long special) {
        int k = idx.length;
        int len = idx[0].length;
        long[][][] out = new long[src.length][k][len];
        for (int i = 0; i < src.length; i++) {
            for (int q = 0; q < k; q++) {
                for (int j = 0; j < len; j++) {
                    int flat = idx[q][j];
                    out[i][q][j] = flat == k * n ? special : src[i][flat / n][flat % n];
                }
            }
        }
        return out;
    }

    public Reverted revertPatternSequence(long[][][] seq, long specialToken) {
        return revertPatternSequence(seq, specialToken, false);
    }

    /**
     * Maps model logits over the pattern, {@code [B, K, S, card]} flattened, back to {@code [B, K, T, card]}: the
     * logits at step {@code s} predict the token of step {@code s + 1}, so the initial step's output is kept and the
     * last is dropped (upstream {@code revert_pattern_logits}). Missing cells get {@code specialValue}.
     */
    public RevertedLogits revertPatternLogits(
            float[] logits, int b, int k, int steps, int card, float specialValue, boolean keepOnlyValidSteps) {
        if (logits.length != (long) b * k * steps * card) {
            throw new IllegalArgumentException("logits length " + logits.length + " does not match [" + b + ", " + k
                    + ", " + steps + ", " + card + "]");
        }
        boolean[][] mask = new boolean[k][timesteps];
        int[][] idx = revertedIndexes(steps, k, keepOnlyValidSteps, true, mask);
        float[] out = new float[b * k * timesteps * card];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < k; q++) {
                for (int t = 0; t < timesteps; t++) {
                    int flat = idx[q][t];
                    int dst = ((i * k + q) * timesteps + t) * card;
                    if (flat == k * steps) {
                        java.util.Arrays.fill(out, dst, dst + card, specialValue);
                    } else {
                        int src = ((i * k + flat / steps) * steps + flat % steps) * card;
                        System.arraycopy(logits, src, out, dst, card);
                    }
                }
            }
        }
        return new RevertedLogits(out, mask);
    }
}
