package dev.musicgen.internal.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.CancellationToken;
import dev.musicgen.GenerationCancelledException;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import dev.musicgen.internal.lm.Pattern;
import dev.musicgen.internal.nn.F;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Port of audiocraft {@code LMModel.generate} ({@code audiocraft/models/lm.py} @ v1.2.0) with single-step
 * classifier-free guidance: the pattern sequence is filled step by step; each step runs one batched forward of
 * {@code [cond; uncond]} (2B rows), combines {@code uncond + (cond − uncond) · cfg} on the raw logits, samples, forces
 * the special token where the delay pattern has no cell, and never overwrites prompt tokens. The first step prefills
 * every step before the prompt's end (and the prepend prefix) at once.
 *
 * <p>Memory: the streaming state lives on a child of the caller's manager for the whole pass; each step runs in its
 * own {@link NDScope}, so only the in-place KV caches persist.
 */
public final class LMGenerator {
    /** Per step, after the step's native memory is freed: steps done and steps in this pass. */
    @FunctionalInterface
    public interface StepListener {
        void onStep(int done, int total);
    }

    /**
     * Receives the frames of a pass as they become complete (every codebook sampled; with the delay pattern frame
     * {@code t} completes at step {@code t + K - 1}), in order, from the first frame after the prompt on. Called on
     * the generating thread after the step's native memory is freed; it may block (the pass waits) or throw (the pass
     * stops and frees its memory).
     */
    @FunctionalInterface
    public interface FrameListener {
        /** @param codes frames {@code [from, from + n)} of the pass, {@code [B, K, n]} */
        void onFrames(int from, long[][][] codes);
    }

    /**
     * Output of one pass.
     *
     * @param codes {@code [B, K, maxGenLen]}, prompt included
     * @param sequence the pattern sequence {@code [B, K, S]} (special token = card)
     */
    public record Output(long[][][] codes, long[][][] sequence) {}

    private static final long UNKNOWN = -1;

    private LMGenerator() {}

    /**
     * One LM pass.
     *
     * @param lm the model
     * @param manager parent of the pass's native memory (closed by the caller)
     * @param conditions {@code [2B, L, dim]} (conditioned rows, then null rows), or empty for no guidance
     * @param prompt prompt codes {@code [B, K, P]}, or null
     * @param numSamples B when there is no prompt
     * @param maxGenLen frames to produce, prompt included
     * @param sampler token choice
     * @param cfgCoef guidance coefficient
     * @param rng source of the sampler's uniforms
     * @param listener per-step progress, or null
     * @param cancel checked before every step, or null
     */
    public static Output generate(
            LMModel lm,
            NDManager manager,
            LMConditions conditions,
            long[][][] prompt,
            int numSamples,
            int maxGenLen,
            Sampler sampler,
            double cfgCoef,
            Random rng,
            StepListener listener,
            CancellationToken cancel) {
        return generate(
                lm, manager, conditions, prompt, numSamples, maxGenLen, sampler, cfgCoef, rng, listener, cancel, null);
    }

    /** As above; {@code frames}, when not null, receives each frame after the prompt as soon as it is complete. */
    public static Output generate(
            LMModel lm,
            NDManager manager,
            LMConditions conditions,
            long[][][] prompt,
            int numSamples,
            int maxGenLen,
            Sampler sampler,
            double cfgCoef,
            Random rng,
            StepListener listener,
            CancellationToken cancel,
            FrameListener frames) {
        int k = lm.config().nQ();
        int card = lm.config().card();
        long special = lm.config().specialToken();
        int b = prompt != null ? prompt.length : numSamples;
        if (b <= 0) {
            throw new IllegalArgumentException("number of samples must be positive, but is: " + b);
        }
        boolean cfg = !conditions.isEmpty();
        if (cfg && conditions.batch() != 2 * b) {
            throw new IllegalArgumentException("conditions must have 2 x " + b + " rows (conditioned, then null), but"
                    + " have " + conditions.batch());
        }
        int p = prompt == null ? 0 : prompt[0][0].length;
        if (p >= maxGenLen) {
            throw new IllegalArgumentException(
                    "prompt of " + p + " frames must be shorter than the " + maxGenLen + " frames to generate");
        }
        Pattern pattern = lm.patternProvider().getPattern(maxGenLen);
        long[][][] genCodes = new long[b][k][maxGenLen];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < k; q++) {
                Arrays.fill(genCodes[i][q], UNKNOWN);
                if (prompt != null) {
                    System.arraycopy(prompt[i][q], 0, genCodes[i][q], 0, p);
                }
            }
        }
        Pattern.Built built = pattern.buildPatternSequence(genCodes, special);
        long[][][] seq = built.values();
        boolean[][] mask = built.mask();
        int start = pattern.firstStepWithTimesteps(p);
        if (start < 0) {
            throw new IllegalStateException("no pattern step holds timestep " + p);
        }
        int steps = seq[0][0].length;
        // [cond; uncond] share the rows: the same sequence is fed twice
        long[][][] input = seq;
        if (cfg) {
            input = new long[2 * b][][];
            for (int i = 0; i < b; i++) {
                input[i] = seq[i];
                input[b + i] = seq[i];
            }
        }
        FrameTracker tracker = frames == null ? null : new FrameTracker(pattern, p, maxGenLen, frames);
        try (LMState state = lm.newState(manager, conditions, input.length, steps)) {
            int prev = 0;
            for (int offset = start; offset < steps; offset++) {
                if (cancel != null && cancel.isCancelled()) {
                    throw new GenerationCancelledException(
                            "generation was cancelled at step " + (offset - start) + " of " + (steps - start));
                }
                long[] next;
                try (NDScope scope = new NDScope()) {
                    NDArray logits = lm.step(state, input, prev, offset); // [N, K, card]
                    if (cfg) {
                        NDArray c = F.narrow(logits, 0, 0, b);
                        NDArray u = F.narrow(logits, 0, b, 2L * b);
                        logits = u.add(c.sub(u).mul(cfgCoef));
                    }
                    next = sampler.sample(logits.reshape(b * k, card), rng);
                }
                for (int i = 0; i < b; i++) {
                    for (int q = 0; q < k; q++) {
                        long tok = mask[q][offset] ? next[i * k + q] : special;
                        if (seq[i][q][offset] == UNKNOWN) {
                            seq[i][q][offset] = tok;
                        }
                    }
                }
                prev = offset;
                if (tracker != null) {
                    tracker.afterStep(offset, seq);
                }
                if (listener != null) {
                    listener.onStep(1 + offset - start, steps - start);
                }
            }
        }
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < k; q++) {
                for (int s = 0; s < steps; s++) {
                    if (seq[i][q][s] == UNKNOWN || (!mask[q][s] && seq[i][q][s] != special)) {
                        throw new IllegalStateException(
                                "pattern sequence not filled consistently at [" + i + ", " + q + ", " + s + "]");
                    }
                }
            }
        }
        if (tracker != null && tracker.next != maxGenLen) {
            throw new IllegalStateException("frames from " + tracker.next + " on were never complete");
        }
        long[][][] codes = pattern.revertPatternSequence(seq, UNKNOWN).values();
        for (long[][] row : codes) {
            for (long[] cb : row) {
                for (long c : cb) {
                    if (c < 0 || c > card) {
                        throw new IllegalStateException("generated code " + c + " outside [0, " + card + "]");
                    }
                }
            }
        }
        return new Output(codes, seq);
    }

    /** Which frames each step completes, and their codes read from the pattern sequence as reverting reads them. */
    private static final class FrameTracker {
        private final int[][] stepOf; // [K][T]: the step whose cell holds (t, q) (the last one, as revert takes)
        private final int[] completeAt; // [T]: the step after which frame t is complete
        private final int end;
        private final FrameListener listener;
        private int next; // first frame not yet reported

        FrameTracker(Pattern pattern, int from, int maxGenLen, FrameListener listener) {
            int k = pattern.nQ();
            this.stepOf = new int[k][maxGenLen];
            for (int[] row : stepOf) {
                Arrays.fill(row, -1);
            }
            List<List<Pattern.LayoutCoord>> layout = pattern.layout();
            for (int s = 0; s < layout.size(); s++) {
                for (Pattern.LayoutCoord c : layout.get(s)) {
                    if (c.t() < maxGenLen) {
                        stepOf[c.q()][c.t()] = s;
                    }
                }
            }
            this.completeAt = new int[maxGenLen];
            for (int t = 0; t < maxGenLen; t++) {
                for (int q = 0; q < k; q++) {
                    if (stepOf[q][t] < 0) {
                        throw new IllegalStateException("the pattern has no cell for frame " + t + " of codebook " + q);
                    }
                    completeAt[t] = Math.max(completeAt[t], stepOf[q][t]);
                }
            }
            this.next = from;
            this.end = maxGenLen;
            this.listener = listener;
        }

        void afterStep(int step, long[][][] seq) {
            int from = next;
            while (next < end && completeAt[next] <= step) {
                next++;
            }
            if (next == from) {
                return;
            }
            int b = seq.length;
            int k = stepOf.length;
            long[][][] codes = new long[b][k][next - from];
            for (int i = 0; i < b; i++) {
                for (int q = 0; q < k; q++) {
                    for (int t = from; t < next; t++) {
                        codes[i][q][t - from] = seq[i][q][stepOf[q][t]];
                    }
                }
            }
            listener.onFrames(from, codes);
        }
    }
}
