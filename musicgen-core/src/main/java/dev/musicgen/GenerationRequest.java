package dev.musicgen;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One generation: every input of Replicate's {@code meta/musicgen} with its default. Immutable; validated in
 * {@link Builder#build()} (model-dependent rules — melody input on a non-melody model, a continuation prompt longer
 * than the output, {@code extendStride} vs the model's maximum duration — are checked at generate time).
 */
public final class GenerationRequest {
    /** The shortest duration {@link NormalizationStrategy#LOUDNESS} can measure (one BS.1770 gating block). */
    public static final double LOUDNESS_MIN_DURATION = 0.4;

    private final String prompt;
    private final double duration;
    private final InputAudio inputAudio;
    private final boolean continuation;
    private final double continuationStart;
    private final Double continuationEnd;
    private final double classifierFreeGuidance;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final Long seed;
    private final boolean multiBandDiffusion;
    private final NormalizationStrategy normalizationStrategy;
    private final OutputFormat outputFormat;
    private final double extendStride;
    private final CancellationToken cancellation;

    private GenerationRequest(Builder b) {
        this.prompt = b.prompt;
        this.duration = b.duration;
        this.inputAudio = b.inputAudio;
        this.continuation = b.continuation;
        this.continuationStart = b.continuationStart;
        this.continuationEnd = b.continuationEnd;
        this.classifierFreeGuidance = b.classifierFreeGuidance;
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.seed = b.seed;
        this.multiBandDiffusion = b.multiBandDiffusion;
        this.normalizationStrategy = b.normalizationStrategy;
        this.outputFormat = b.outputFormat;
        this.extendStride = b.extendStride;
        this.cancellation = b.cancellation != null ? b.cancellation : new CancellationToken();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this request's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.prompt = prompt;
        b.duration = duration;
        b.inputAudio = inputAudio;
        b.continuation = continuation;
        b.continuationStart = continuationStart;
        b.continuationEnd = continuationEnd;
        b.classifierFreeGuidance = classifierFreeGuidance;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.seed = seed;
        b.multiBandDiffusion = multiBandDiffusion;
        b.normalizationStrategy = normalizationStrategy;
        b.outputFormat = outputFormat;
        b.extendStride = extendStride;
        // a copied request gets its own token: cancelling one must not cancel the other
        return b;
    }

    public Optional<String> prompt() { return Optional.ofNullable(prompt); }
    public double duration() { return duration; }
    public Optional<InputAudio> inputAudio() { return Optional.ofNullable(inputAudio); }
    public boolean continuation() { return continuation; }
    public double continuationStart() { return continuationStart; }
    public OptionalDouble continuationEnd() {
        return continuationEnd == null ? OptionalDouble.empty() : OptionalDouble.of(continuationEnd);
    }
    public double classifierFreeGuidance() { return classifierFreeGuidance; }
    public double temperature() { return temperature; }
    public int topK() { return topK; }
    public double topP() { return topP; }
    /** The requested seed; empty means a random one is drawn (and reported in the result). */
    public OptionalLong seed() { return seed == null ? OptionalLong.empty() : OptionalLong.of(seed); }
    public boolean multiBandDiffusion() { return multiBandDiffusion; }
    public NormalizationStrategy normalizationStrategy() { return normalizationStrategy; }
    public OutputFormat outputFormat() { return outputFormat; }
    public double extendStride() { return extendStride; }
    public CancellationToken cancellation() { return cancellation; }

    public static final class Builder {
        private String prompt;
        private double duration = 8;
        private InputAudio inputAudio;
        private boolean continuation;
        private double continuationStart;
        private Double continuationEnd;
        private double classifierFreeGuidance = 3;
        private double temperature = 1.0;
        private int topK = 250;
        private double topP = 0;
        private Long seed;
        private boolean multiBandDiffusion;
        private NormalizationStrategy normalizationStrategy = NormalizationStrategy.LOUDNESS;
        private OutputFormat outputFormat = OutputFormat.WAV;
        private double extendStride = 18;
        private CancellationToken cancellation;

        private Builder() {}

        /** A description of the music; null or blank with input audio means "no text" (the null condition). */
        public Builder prompt(String prompt) { this.prompt = prompt; return this; }
        /** Total length in seconds (a continuation includes its prompt); over the model's 30 s via the extension loop. */
        public Builder duration(double seconds) { this.duration = seconds; return this; }
        public Builder inputAudio(InputAudio audio) { this.inputAudio = audio; return this; }
        public Builder inputAudio(java.nio.file.Path path) { this.inputAudio = path == null ? null : InputAudio.of(path); return this; }
        public Builder inputAudio(java.net.URI uri) { this.inputAudio = uri == null ? null : InputAudio.of(uri); return this; }
        /** True: continue the input audio; false: use it as a melody. */
        public Builder continuation(boolean continuation) { this.continuation = continuation; return this; }
        public Builder continuationStart(double seconds) { this.continuationStart = seconds; return this; }
        /** End of the clip used, in seconds; null (the default) means the end of the clip. */
        public Builder continuationEnd(Double seconds) { this.continuationEnd = seconds; return this; }
        public Builder classifierFreeGuidance(double cfg) { this.classifierFreeGuidance = cfg; return this; }
        public Builder temperature(double temperature) { this.temperature = temperature; return this; }
        public Builder topK(int topK) { this.topK = topK; return this; }
        /** 0 (the default) disables top-p and top-k applies. */
        public Builder topP(double topP) { this.topP = topP; return this; }
        /** Null or -1: a random seed (reported in the result). 0 is a valid seed. */
        public Builder seed(Long seed) { this.seed = seed == null || seed == -1L ? null : seed; return this; }
        public Builder seed(long seed) { return seed(Long.valueOf(seed)); }
        public Builder multiBandDiffusion(boolean mbd) { this.multiBandDiffusion = mbd; return this; }
        public Builder normalizationStrategy(NormalizationStrategy s) { this.normalizationStrategy = s; return this; }
        public Builder outputFormat(OutputFormat f) { this.outputFormat = f; return this; }
        /** Seconds added per extra chunk beyond the model's maximum duration (default 18). */
        public Builder extendStride(double seconds) { this.extendStride = seconds; return this; }
        public Builder cancellation(CancellationToken token) { this.cancellation = token; return this; }

        public GenerationRequest build() {
            boolean hasPrompt = prompt != null && !prompt.isBlank();
            if (!hasPrompt && inputAudio == null) {
                throw new IllegalArgumentException("prompt or inputAudio is required: give a text prompt, input audio, "
                        + "or both");
            }
            if (continuation && inputAudio == null) {
                throw new IllegalArgumentException("continuation is true but no inputAudio was given: continuation needs "
                        + "input audio to continue");
            }
            requireFinite("duration", duration);
            if (duration <= 0) {
                throw new IllegalArgumentException("duration must be > 0 seconds, but is: " + duration);
            }
            if (duration > 3600) {
                throw new IllegalArgumentException("duration must be at most 3600 seconds, but is: " + duration);
            }
            requireFinite("continuationStart", continuationStart);
            if (continuationStart < 0) {
                throw new IllegalArgumentException("continuationStart must be >= 0 seconds, but is: " + continuationStart);
            }
            if (continuationEnd != null) {
                requireFinite("continuationEnd", continuationEnd);
                if (continuationEnd < 0) {
                    throw new IllegalArgumentException("continuationEnd must be >= 0 seconds (or null for the end of "
                            + "the clip), but is: " + continuationEnd);
                }
                if (continuationStart > continuationEnd) {
                    throw new IllegalArgumentException("continuationStart must be less than or equal to continuationEnd, "
                            + "but is: " + continuationStart + " > " + continuationEnd);
                }
            }
            requireFinite("classifierFreeGuidance", classifierFreeGuidance);
            if (classifierFreeGuidance < 0) {
                throw new IllegalArgumentException("classifierFreeGuidance must be >= 0, but is: " + classifierFreeGuidance);
            }
            requireFinite("temperature", temperature);
            if (temperature < 0) {
                throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), but is: " + temperature);
            }
            if (topK < 0) {
                throw new IllegalArgumentException("topK must be >= 0 (0 = disabled), but is: " + topK);
            }
            requireFinite("topP", topP);
            if (topP < 0 || topP > 1) {
                throw new IllegalArgumentException("topP must be between 0.0 and 1.0 (0 = disabled), but is: " + topP);
            }
            if (seed != null && seed < 0) {
                throw new IllegalArgumentException("seed must be >= 0, or null/-1 for a random seed, but is: " + seed);
            }
            requireFinite("extendStride", extendStride);
            if (extendStride <= 0) {
                throw new IllegalArgumentException("extendStride must be > 0 seconds, but is: " + extendStride);
            }
            if (normalizationStrategy == null) {
                throw new IllegalArgumentException("normalizationStrategy must be one of "
                        + NormalizationStrategy.names() + ", but is: null");
            }
            if (outputFormat == null) {
                throw new IllegalArgumentException("outputFormat must be one of wav, mp3, but is: null");
            }
            if (normalizationStrategy == NormalizationStrategy.LOUDNESS && duration < LOUDNESS_MIN_DURATION) {
                // BS.1770 gates 0.4 s blocks: shorter audio has no loudness (upstream's normalize_loudness asserts);
                // refuse now rather than after generating
                throw new IllegalArgumentException("duration must be at least " + LOUDNESS_MIN_DURATION + " s with "
                        + "normalizationStrategy loudness (it measures loudness over 0.4 s blocks), but is: " + duration
                        + "; use peak, rms or clip for shorter audio");
            }
            return new GenerationRequest(this);
        }

        private static void requireFinite(String name, double v) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " must be a finite number, but is: " + v);
            }
        }
    }
}
