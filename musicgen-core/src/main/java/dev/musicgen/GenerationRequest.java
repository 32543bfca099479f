package dev.musicgen;

import dev.musicgen.internal.generation.GenerationParams;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One generation: every input of Replicate's {@code meta/musicgen} with its default (prompt none, duration 8 s, no input
 * audio, continuation false from 0 s to the end of the clip, classifierFreeGuidance 3, temperature 1, topK 250, topP 0,
 * a random seed, multiBandDiffusion false, normalizationStrategy loudness, outputFormat wav, extendStride 18 s).
 * Immutable; validated in {@link Builder#build()} (model-dependent rules — melody input on a non-melody model, a
 * continuation prompt longer than the output, {@code extendStride} vs the model's maximum duration — are checked at
 * generate time).
 *
 * <p>Two requests are {@linkplain #equals equal} when every input is; the {@linkplain #cancellation() cancellation
 * token} is not part of the value.
 */
public final class GenerationRequest {
    /** The shortest duration {@link NormalizationStrategy#LOUDNESS} can measure (one BS.1770 gating block). */
    public static final double LOUDNESS_MIN_DURATION = 0.4;
    /**
     * The longest prompt accepted, in characters: T5's attention grows with the square of the prompt's length, and a
     * description of music is a few sentences (audiocraft sets no bound; 10,000 characters is ~2,500 T5 tokens).
     */
    public static final int MAX_PROMPT_CHARS = 10_000;

    private final String prompt;
    private final InputAudio inputAudio;
    private final boolean continuation;
    private final double continuationStart;
    private final Double continuationEnd;
    private final GenerationParams params;
    private final boolean multiBandDiffusion;
    private final NormalizationStrategy normalizationStrategy;
    private final OutputFormat outputFormat;
    private final CancellationToken cancellation;

    private GenerationRequest(Builder b, GenerationParams params) {
        this.prompt = b.prompt;
        this.inputAudio = b.inputAudio;
        this.continuation = b.continuation;
        this.continuationStart = b.continuationStart;
        this.continuationEnd = b.continuationEnd;
        this.params = params;
        this.multiBandDiffusion = b.multiBandDiffusion;
        this.normalizationStrategy = b.normalizationStrategy;
        this.outputFormat = b.outputFormat;
        this.cancellation = b.cancellation != null ? b.cancellation : CancellationToken.perCall();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this request's values, except the cancellation token: the copy gets its own. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.prompt = prompt;
        b.inputAudio = inputAudio;
        b.continuation = continuation;
        b.continuationStart = continuationStart;
        b.continuationEnd = continuationEnd;
        b.params = params.toBuilder();
        b.multiBandDiffusion = multiBandDiffusion;
        b.normalizationStrategy = normalizationStrategy;
        b.outputFormat = outputFormat;
        return b;
    }

    public Optional<String> prompt() {
        return Optional.ofNullable(prompt);
    }

    public double duration() {
        return params.duration();
    }

    public Optional<InputAudio> inputAudio() {
        return Optional.ofNullable(inputAudio);
    }

    public boolean continuation() {
        return continuation;
    }

    public double continuationStart() {
        return continuationStart;
    }

    public OptionalDouble continuationEnd() {
        return continuationEnd == null ? OptionalDouble.empty() : OptionalDouble.of(continuationEnd);
    }

    public double classifierFreeGuidance() {
        return params.cfgCoef();
    }

    public double temperature() {
        return params.temperature();
    }

    public int topK() {
        return params.topK();
    }

    public double topP() {
        return params.topP();
    }
    /** The requested seed; empty means a random one is drawn (and reported in the result). */
    public OptionalLong seed() {
        return params.seed() == null ? OptionalLong.empty() : OptionalLong.of(params.seed());
    }

    public boolean multiBandDiffusion() {
        return multiBandDiffusion;
    }

    public NormalizationStrategy normalizationStrategy() {
        return normalizationStrategy;
    }

    public OutputFormat outputFormat() {
        return outputFormat;
    }

    public double extendStride() {
        return params.extendStride();
    }

    /**
     * The token that cancels this request's generation. Unless the builder was given one, it is the request's own and
     * scoped to one call: {@code cancel()} stops the call running with this request, or the next one to start if none
     * is running, and every call clears it when it ends, so the same request can be generated again. A token given to
     * {@link Builder#cancellation} belongs to the caller and stays cancelled: every call with it fails, which lets one
     * token stop many requests.
     */
    public CancellationToken cancellation() {
        return cancellation;
    }

    /** The sampling parameters, for the generator (the internal form; the seed is drawn per call when empty). */
    GenerationParams params() {
        return params;
    }

    /** Whether the two can run in one batched forward: no input audio and the same sampling and decoding. */
    boolean batchableWith(GenerationRequest other) {
        return inputAudio == null
                && other.inputAudio == null
                && params.equals(other.params)
                && multiBandDiffusion == other.multiBandDiffusion;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationRequest r
                && Objects.equals(prompt, r.prompt)
                && Objects.equals(inputAudio, r.inputAudio)
                && continuation == r.continuation
                && Double.compare(continuationStart, r.continuationStart) == 0
                && Objects.equals(continuationEnd, r.continuationEnd)
                && params.equals(r.params)
                && multiBandDiffusion == r.multiBandDiffusion
                && normalizationStrategy == r.normalizationStrategy
                && outputFormat == r.outputFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                prompt,
                inputAudio,
                continuation,
                continuationStart,
                continuationEnd,
                params,
                multiBandDiffusion,
                normalizationStrategy,
                outputFormat);
    }

    /** Every input by its name, e.g. {@code GenerationRequest[prompt="lo-fi", duration=8.0, ...]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("GenerationRequest[prompt=")
                .append(prompt == null ? "none" : "\"" + prompt + "\"")
                .append(", duration=")
                .append(duration());
        if (inputAudio != null) {
            sb.append(", inputAudio=")
                    .append(inputAudio.description())
                    .append(", continuation=")
                    .append(continuation)
                    .append(", continuationStart=")
                    .append(continuationStart)
                    .append(", continuationEnd=")
                    .append(continuationEnd == null ? "end of clip" : continuationEnd);
        }
        return sb.append(", classifierFreeGuidance=")
                .append(classifierFreeGuidance())
                .append(", temperature=")
                .append(temperature())
                .append(", topK=")
                .append(topK())
                .append(", topP=")
                .append(topP())
                .append(", seed=")
                .append(params.seed() == null ? "random" : params.seed().toString())
                .append(", multiBandDiffusion=")
                .append(multiBandDiffusion)
                .append(", normalizationStrategy=")
                .append(normalizationStrategy.name().toLowerCase(Locale.ROOT))
                .append(", outputFormat=")
                .append(outputFormat.extension())
                .append(", extendStride=")
                .append(extendStride())
                .append(']')
                .toString();
    }

    /**
     * Builds a {@link GenerationRequest}. The sampling parameters (duration, classifierFreeGuidance, temperature,
     * topK, topP, seed, extendStride) have their defaults and rules in one place, the generator's own parameters,
     * which this builder fills; the rest are checked in {@link #build()}.
     */
    public static final class Builder {
        private String prompt;
        private InputAudio inputAudio;
        private boolean continuation;
        private double continuationStart;
        private Double continuationEnd;
        private GenerationParams.Builder params = GenerationParams.builder().useSampling(true);
        private boolean multiBandDiffusion;
        private NormalizationStrategy normalizationStrategy = NormalizationStrategy.LOUDNESS;
        private OutputFormat outputFormat = OutputFormat.WAV;
        private CancellationToken cancellation;

        private Builder() {}

        /** A description of the music; null or blank with input audio means "no text" (the null condition). */
        public Builder prompt(String prompt) {
            this.prompt = prompt;
            return this;
        }
        /** Total length in seconds, at most 3600 (a continuation includes its prompt); over 30 s via the extension loop. */
        public Builder duration(double seconds) {
            params.duration(seconds);
            return this;
        }

        public Builder inputAudio(InputAudio audio) {
            this.inputAudio = audio;
            return this;
        }

        public Builder inputAudio(Path path) {
            this.inputAudio = path == null ? null : InputAudio.of(path);
            return this;
        }

        public Builder inputAudio(java.net.URI uri) {
            this.inputAudio = uri == null ? null : InputAudio.of(uri);
            return this;
        }
        /** True: continue the input audio; false: use it as a melody. */
        public Builder continuation(boolean continuation) {
            this.continuation = continuation;
            return this;
        }

        public Builder continuationStart(double seconds) {
            this.continuationStart = seconds;
            return this;
        }
        /** End of the clip used, in seconds; null (the default) means the end of the clip. */
        public Builder continuationEnd(Double seconds) {
            this.continuationEnd = seconds;
            return this;
        }
        /** At least 0; 0 turns guidance off in effect (the unconditional logits get no weight). */
        public Builder classifierFreeGuidance(double cfg) {
            params.cfgCoef(cfg);
            return this;
        }
        /** At least 0; 0 is greedy decoding. */
        public Builder temperature(double temperature) {
            params.temperature(temperature);
            return this;
        }
        /** At least 0; 0 disables top-k. */
        public Builder topK(int topK) {
            params.topK(topK);
            return this;
        }
        /** 0 (the default) disables top-p and top-k applies; at most 1. */
        public Builder topP(double topP) {
            params.topP(topP);
            return this;
        }
        /** Null or -1: a random seed (reported in the result). 0 is a valid seed. */
        public Builder seed(Long seed) {
            params.seed(seed);
            return this;
        }

        public Builder seed(long seed) {
            return seed(Long.valueOf(seed));
        }

        public Builder multiBandDiffusion(boolean mbd) {
            this.multiBandDiffusion = mbd;
            return this;
        }

        public Builder normalizationStrategy(NormalizationStrategy s) {
            this.normalizationStrategy = s;
            return this;
        }

        public Builder outputFormat(OutputFormat f) {
            this.outputFormat = f;
            return this;
        }
        /** Seconds added per extra chunk beyond the model's maximum duration (default 18). */
        public Builder extendStride(double seconds) {
            params.extendStride(seconds);
            return this;
        }
        /** A token of the caller's to cancel with (see {@link GenerationRequest#cancellation()}); null: the request's own. */
        public Builder cancellation(CancellationToken token) {
            this.cancellation = token;
            return this;
        }

        /** Validates every input; the message names it, its value and what is allowed. */
        public GenerationRequest build() {
            boolean hasPrompt = prompt != null && !prompt.isBlank();
            if (!hasPrompt && inputAudio == null) {
                throw new IllegalArgumentException(
                        "prompt or inputAudio is required: give a text prompt, input audio, " + "or both");
            }
            if (prompt != null && prompt.length() > MAX_PROMPT_CHARS) {
                throw new IllegalArgumentException(
                        "prompt must be at most " + MAX_PROMPT_CHARS + " characters, but has " + prompt.length());
            }
            if (continuation && inputAudio == null) {
                throw new IllegalArgumentException(
                        "continuation is true but no inputAudio was given: continuation needs "
                                + "input audio to continue");
            }
            GenerationParams p = params.build(); // duration, guidance, sampling, seed, extendStride
            requireFinite("continuationStart", continuationStart);
            if (continuationStart < 0) {
                throw new IllegalArgumentException(
                        "continuationStart must be >= 0 seconds, but is: " + continuationStart);
            }
            if (continuationEnd != null) {
                requireFinite("continuationEnd", continuationEnd);
                if (continuationEnd < 0) {
                    throw new IllegalArgumentException("continuationEnd must be >= 0 seconds (or null for the end of "
                            + "the clip), but is: " + continuationEnd);
                }
                if (continuationStart > continuationEnd) {
                    throw new IllegalArgumentException(
                            "continuationStart must be less than or equal to continuationEnd, " + "but is: "
                                    + continuationStart + " > " + continuationEnd);
                }
            }
            if (normalizationStrategy == null) {
                throw new IllegalArgumentException(
                        "normalizationStrategy must be one of " + NormalizationStrategy.names() + ", but is: null");
            }
            if (outputFormat == null) {
                throw new IllegalArgumentException("outputFormat must be one of wav, mp3, but is: null");
            }
            if (normalizationStrategy == NormalizationStrategy.LOUDNESS && p.duration() < LOUDNESS_MIN_DURATION) {
                // BS.1770 gates 0.4 s blocks: shorter audio has no loudness (upstream's normalize_loudness asserts);
                // refuse now rather than after generating
                throw new IllegalArgumentException("duration must be at least " + LOUDNESS_MIN_DURATION + " s with "
                        + "normalizationStrategy loudness (it measures loudness over 0.4 s blocks), but is: "
                        + p.duration() + "; use peak, rms or clip for shorter audio");
            }
            return new GenerationRequest(this, p);
        }

        private static void requireFinite(String name, double v) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " must be a finite number, but is: " + v);
            }
        }
    }
}
