package dev.musicgen.internal.generation;

/**
 * The LM generation parameters of audiocraft's {@code MusicGen.set_generation_params} (v1.2.0), validated on their
 * own in {@link Builder#build()}; the rules that depend on the model ({@code extendStride} below its maximum duration,
 * a prompt shorter than the output) are checked by {@link MusicGenLM#generate}. Defaults are Replicate's.
 *
 * <p>This is the one statement of these defaults and rules: {@link dev.musicgen.GenerationRequest} builds its
 * sampling parameters with this builder, and messages use the public names ({@code classifierFreeGuidance} for
 * {@code cfgCoef}).
 *
 * @param duration seconds of audio to generate, prompt included
 * @param useSampling false = argmax decoding
 * @param temperature softmax temperature; 0 = argmax
 * @param topK top-k sampling (0 = off)
 * @param topP top-p sampling (0 = off; takes precedence over topK)
 * @param cfgCoef classifier-free guidance coefficient
 * @param extendStride seconds added per extra pass when {@code duration} exceeds the model's maximum duration
 * @param seed the random seed, or null for a random one (the seed used is returned with the result)
 */
public record GenerationParams(
        double duration,
        boolean useSampling,
        double temperature,
        int topK,
        double topP,
        double cfgCoef,
        double extendStride,
        Long seed) {
    /** The longest duration accepted, in seconds (an hour: the extension loop has no limit of its own). */
    public static final double MAX_DURATION = 3600;

    public GenerationParams {
        requireFinite("duration", duration);
        if (duration <= 0) {
            throw new IllegalArgumentException("duration must be > 0 seconds, but is: " + duration);
        }
        if (duration > MAX_DURATION) {
            throw new IllegalArgumentException("duration must be at most 3600 seconds, but is: " + duration);
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
        requireFinite("classifierFreeGuidance", cfgCoef);
        if (cfgCoef < 0) {
            throw new IllegalArgumentException("classifierFreeGuidance must be >= 0, but is: " + cfgCoef);
        }
        requireFinite("extendStride", extendStride);
        if (extendStride <= 0) {
            throw new IllegalArgumentException("extendStride must be > 0 seconds, but is: " + extendStride);
        }
        if (seed != null && seed < 0) {
            throw new IllegalArgumentException("seed must be >= 0, or null/-1 for a random seed, but is: " + seed);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .duration(duration)
                .useSampling(useSampling)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .cfgCoef(cfgCoef)
                .extendStride(extendStride)
                .seed(seed);
    }

    /** The sampler these parameters select. */
    public Sampler sampler() {
        return new Sampler(useSampling, temperature, topK, topP);
    }

    public static final class Builder {
        private double duration = 8;
        private boolean useSampling = true;
        private double temperature = 1.0;
        private int topK = 250;
        private double topP = 0;
        private double cfgCoef = 3.0;
        private double extendStride = 18;
        private Long seed;

        private Builder() {}

        public Builder duration(double seconds) {
            this.duration = seconds;
            return this;
        }

        public Builder useSampling(boolean useSampling) {
            this.useSampling = useSampling;
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder cfgCoef(double cfgCoef) {
            this.cfgCoef = cfgCoef;
            return this;
        }

        public Builder extendStride(double seconds) {
            this.extendStride = seconds;
            return this;
        }

        /** Null or -1: a random seed. 0 is a valid seed. */
        public Builder seed(Long seed) {
            this.seed = seed == null || seed == -1L ? null : seed;
            return this;
        }

        public Builder seed(long seed) {
            return seed(Long.valueOf(seed));
        }

        /** Validates every parameter; the message names it, its value and what is allowed. */
        public GenerationParams build() {
            return new GenerationParams(duration, useSampling, temperature, topK, topP, cfgCoef, extendStride, seed);
        }
    }

    private static void requireFinite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be a finite number, but is: " + v);
        }
    }
}
