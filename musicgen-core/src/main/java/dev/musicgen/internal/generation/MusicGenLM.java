package dev.musicgen.internal.generation;

import ai.djl.ndarray.NDManager;
import dev.musicgen.CancellationToken;
import dev.musicgen.ProgressListener;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token generation as audiocraft's {@code MusicGen._generate_tokens} runs it (v1.2.0): {@code int(duration ·
 * frame_rate)} frames; in one LM pass when {@code duration <= max_duration}, else through the extension loop (each pass
 * re-feeds the last {@code max_duration − extend_stride} seconds as prompt and adds {@code extend_stride} seconds;
 * melody conditions re-windowed per pass through {@link ConditionSource}). A continuation prompt is prefilled, never
 * overwritten, and part of the output. Internal entry point for the facade; arrays in and out are plain Java.
 *
 * <p>Seeds: one {@link Random} per call, seeded with {@code params.seed()} or a fresh random seed in
 * {@code [0, 2^32)}; the seed used is returned. Same seed, same inputs, same device → same tokens.
 */
public final class MusicGenLM {
    private static final Logger LOG = LoggerFactory.getLogger(MusicGenLM.class);
    private static final SecureRandom SEEDS = new SecureRandom();

    private final LMModel lm;
    private final double frameRate;

    /**
     * Receives the tokens of a generation while it runs: the frames of the final token sequence, in order, each as
     * soon as it is complete (a continuation prompt first, at once; then every frame when its last codebook has been
     * sampled, across the passes of the extension loop). Called on the generating thread; it may block, which pauses
     * the generation, or throw, which stops it (its native memory is freed).
     */
    public interface FrameSink {
        /** Called once, before any frame, with the seed the generation uses. */
        default void start(long seed) {}

        /** @param frames the next frames {@code [B, K, n]} */
        void onFrames(long[][][] frames);

        /** Called once after the last frame, still inside the generation (before its memory is freed). */
        default void end() {}
    }

    /**
     * @param lm the language model (owned by the caller)
     * @param frameRate codec frames per second (50 for the 32 kHz EnCodec)
     */
    public MusicGenLM(LMModel lm, double frameRate) {
        this.lm = Objects.requireNonNull(lm, "lm");
        if (!(frameRate > 0) || Double.isInfinite(frameRate)) {
            throw new IllegalArgumentException("frameRate must be a positive number, but is: " + frameRate);
        }
        this.frameRate = frameRate;
    }

    public LMModel lm() {
        return lm;
    }

    /** Seconds the LM generates in one pass ({@code dataset.segment_duration}). */
    public double maxDuration() {
        return lm.config().maxDuration();
    }

    /**
     * Generates tokens.
     *
     * @param conditions condition tensors per pass ({@code [2B, L, dim]}: conditioned rows then null rows)
     * @param promptTokens continuation prompt {@code [B, K, P]} (already encoded by the codec), or null
     * @param params generation parameters
     * @param progress receives {@code (GENERATING, steps done, total steps)} after every LM step, counting the steps
     *     of all passes (audiocraft reports frames against the output length instead, which overshoots by the
     *     pattern's delay and repeats in the extension loop), or null
     * @param cancel checked once per step, or null
     * @return tokens {@code [B, K, int(duration · frame_rate)]} and the seed used
     * @throws IllegalArgumentException for an extendStride not below the maximum duration, or a prompt as long as or
     *     longer than the output
     * @throws dev.musicgen.GenerationCancelledException when cancelled (native memory is freed)
     */
    public GenerationResult generate(
            ConditionSource conditions,
            long[][][] promptTokens,
            GenerationParams params,
            ProgressListener progress,
            CancellationToken cancel) {
        return generate(conditions, promptTokens, params, progress, cancel, null);
    }

    /**
     * As above, reporting the tokens to {@code frames} (when not null) while they are generated.
     *
     * @param frames receives the final token sequence frame by frame, or null
     */
    public GenerationResult generate(
            ConditionSource conditions,
            long[][][] promptTokens,
            GenerationParams params,
            ProgressListener progress,
            CancellationToken cancel,
            FrameSink frames) {
        Objects.requireNonNull(conditions, "conditions");
        Objects.requireNonNull(params, "params");
        LMConfig cfg = lm.config();
        double maxDuration = cfg.maxDuration();
        if (params.extendStride() >= maxDuration) {
            throw new IllegalArgumentException("extendStride must be < the model's maximum duration (" + maxDuration
                    + " s), but is: " + params.extendStride());
        }
        int totalGenLen = (int) (params.duration() * frameRate);
        int maxPromptLen = (int) (Math.min(params.duration(), maxDuration) * frameRate);
        if (totalGenLen <= 0) {
            throw new IllegalArgumentException("duration must give at least one frame at " + frameRate
                    + " frames/s, but is: " + params.duration() + " s");
        }
        checkPrompt(promptTokens, cfg, maxPromptLen, params.duration());
        long seed = params.seed() != null ? params.seed() : SEEDS.nextLong() & 0xFFFF_FFFFL;
        Random rng = new Random(seed);
        Sampler sampler = params.sampler();
        ProgressListener listener = progress == null ? ProgressListener.none() : progress;
        LOG.debug("generating {} frames ({} s) with seed {}", totalGenLen, params.duration(), seed);

        int promptFrames = promptTokens == null ? 0 : promptTokens[0][0].length;
        int strideTokens = (int) (frameRate * params.extendStride());
        if (params.duration() > maxDuration && strideTokens <= 0) {
            throw new IllegalArgumentException("extendStride must be at least one frame (" + (1 / frameRate)
                    + " s), but is: " + params.extendStride());
        }
        long totalSteps = plannedSteps(params.duration(), totalGenLen, promptFrames, strideTokens);
        List<long[][][]> sequences = new ArrayList<>();
        // the frames of each pass after its prompt are exactly what the final sequence takes from that pass
        LMGenerator.FrameListener passFrames = frames == null ? null : (from, codes) -> frames.onFrames(codes);
        if (frames != null) {
            frames.start(seed);
            if (promptTokens != null) {
                frames.onFrames(promptTokens);
            }
        }
        try (NDManager manager = lm.newManager()) {
            if (params.duration() <= maxDuration) {
                LMConditions c = conditions.conditionsFor(new ConditionSource.Chunk(0, 0.0, maxDuration, false));
                LMGenerator.Output out = LMGenerator.generate(
                        lm,
                        manager,
                        c,
                        promptTokens,
                        numSamples(promptTokens, c),
                        totalGenLen,
                        sampler,
                        params.cfgCoef(),
                        rng,
                        (done, total) -> listener.onProgress(ProgressListener.Phase.GENERATING, done, totalSteps),
                        cancel,
                        passFrames);
                sequences.add(out.sequence());
                if (frames != null) {
                    frames.end();
                }
                return new GenerationResult(out.codes(), seed, sequences);
            }
            // extension loop
            List<long[][][]> all = new ArrayList<>();
            long[][][] prompt = promptTokens;
            int promptLength = 0;
            if (prompt != null) {
                all.add(prompt);
                promptLength = prompt[0][0].length;
            }
            long stepsBefore = 0;
            int currentGenOffset = 0;
            int chunk = 0;
            while (currentGenOffset + promptLength < totalGenLen) {
                double timeOffset = currentGenOffset / frameRate;
                double chunkDuration = Math.min(params.duration() - timeOffset, maxDuration);
                int maxGenLen = (int) (chunkDuration * frameRate);
                LMConditions c =
                        conditions.conditionsFor(new ConditionSource.Chunk(chunk, timeOffset, maxDuration, true));
                final long base = stepsBefore;
                LMGenerator.Output out;
                try (NDManager pass = manager.newSubManager()) {
                    out = LMGenerator.generate(
                            lm,
                            pass,
                            c,
                            prompt,
                            numSamples(prompt, c),
                            maxGenLen,
                            sampler,
                            params.cfgCoef(),
                            rng,
                            (done, total) ->
                                    listener.onProgress(ProgressListener.Phase.GENERATING, base + done, totalSteps),
                            cancel,
                            passFrames);
                }
                stepsBefore += passSteps(maxGenLen, promptLength);
                sequences.add(out.sequence());
                long[][][] gen = out.codes();
                all.add(prompt == null ? gen : slice(gen, prompt[0][0].length, gen[0][0].length));
                prompt = slice(gen, strideTokens, gen[0][0].length);
                promptLength = prompt[0][0].length;
                currentGenOffset += strideTokens;
                chunk++;
            }
            if (frames != null) {
                frames.end();
            }
            return new GenerationResult(concat(all), seed, sequences);
        }
    }

    /** LM steps of one pass: pattern steps from the first step after the prompt to the end. */
    private long passSteps(int maxGenLen, int promptLength) {
        var pattern = lm.patternProvider().getPattern(maxGenLen);
        return pattern.layout().size() - pattern.firstStepWithTimesteps(promptLength);
    }

    /** Total LM steps of the whole generation (all passes), computed up front for progress reporting. */
    private long plannedSteps(double duration, int totalGenLen, int promptFrames, int strideTokens) {
        double maxDuration = lm.config().maxDuration();
        if (duration <= maxDuration) {
            return passSteps(totalGenLen, promptFrames);
        }
        long steps = 0;
        int promptLength = promptFrames;
        int offset = 0;
        while (offset + promptLength < totalGenLen) {
            int maxGenLen = (int) (Math.min(duration - offset / frameRate, maxDuration) * frameRate);
            steps += passSteps(maxGenLen, promptLength);
            promptLength = maxGenLen - strideTokens;
            offset += strideTokens;
        }
        return steps;
    }

    private int numSamples(long[][][] prompt, LMConditions c) {
        if (prompt != null) {
            return prompt.length;
        }
        return c.isEmpty() ? 1 : c.batch() / 2;
    }

    private static void checkPrompt(long[][][] prompt, LMConfig cfg, int maxPromptLen, double duration) {
        if (prompt == null) {
            return;
        }
        if (prompt.length == 0) {
            throw new IllegalArgumentException("promptTokens must hold at least one prompt, but is empty");
        }
        int p = -1;
        for (int b = 0; b < prompt.length; b++) {
            if (prompt[b].length != cfg.nQ()) {
                throw new IllegalArgumentException(
                        "promptTokens[" + b + "] must have " + cfg.nQ() + " codebooks, but has " + prompt[b].length);
            }
            for (int q = 0; q < cfg.nQ(); q++) {
                if (p < 0) {
                    p = prompt[b][q].length;
                } else if (prompt[b][q].length != p) {
                    throw new IllegalArgumentException("promptTokens rows must all have " + p + " frames, but [" + b
                            + "][" + q + "] has " + prompt[b][q].length);
                }
                for (long v : prompt[b][q]) {
                    if (v < 0 || v >= cfg.card()) {
                        throw new IllegalArgumentException("promptTokens values must be in [0, " + cfg.card()
                                + "), but [" + b + "][" + q + "] holds " + v);
                    }
                }
            }
        }
        // upstream asserts prompt <= max_prompt_len, then start_offset < max_gen_len: the prompt must be shorter
        if (p >= maxPromptLen) {
            throw new IllegalArgumentException("the prompt is as long as or longer than the audio to generate: the"
                    + " prompt has " + p + " frames, but duration " + duration + " s allows at most "
                    + (maxPromptLen - 1) + " prompt frames (" + maxPromptLen + " frames per pass); shorten the prompt"
                    + " or increase the duration");
        }
    }

    private static long[][][] slice(long[][][] a, int from, int to) {
        long[][][] out = new long[a.length][][];
        for (int b = 0; b < a.length; b++) {
            out[b] = new long[a[b].length][];
            for (int q = 0; q < a[b].length; q++) {
                out[b][q] = java.util.Arrays.copyOfRange(a[b][q], from, to);
            }
        }
        return out;
    }

    private static long[][][] concat(List<long[][][]> parts) {
        int b = parts.get(0).length;
        int k = parts.get(0)[0].length;
        int t = 0;
        for (long[][][] p : parts) {
            t += p[0][0].length;
        }
        long[][][] out = new long[b][k][t];
        int at = 0;
        for (long[][][] p : parts) {
            int n = p[0][0].length;
            for (int i = 0; i < b; i++) {
                for (int q = 0; q < k; q++) {
                    System.arraycopy(p[i][q], 0, out[i][q], at, n);
                }
            }
            at += n;
        }
        return out;
    }
}
