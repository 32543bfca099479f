package dev.musicgen.internal.diffusion;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where MultiBand Diffusion's Gaussian noise comes from: every {@code torch.randn_like} of upstream's
 * {@code MultiBandDiffusion.generate} / {@code NoiseSchedule.generate_subsampled}, asked for in upstream's call order
 * (per band: the initial noise, then one draw per sampler iteration except the last; bands 0..3 in order; 80 draws
 * for the default 20-step schedule). A source is stateful and used by one decode at a time.
 */
@FunctionalInterface
public interface NoiseSource {
    /**
     * The next draw of standard-normal values.
     *
     * @param shape the shape of the tensor upstream draws ({@code [batch, 1, samples]})
     * @return row-major values, exactly as many as the shape holds
     */
    float[] next(long[] shape);

    /**
     * Seeded Gaussian noise computed in Java (SplitMix64 uniforms, Box-Muller with {@link StrictMath}): the same seed
     * gives the same noise on every machine, JVM and thread, whatever else uses the engine's random generator.
     */
    static NoiseSource gaussian(long seed) {
        return new GaussianNoiseSource(seed);
    }

    /**
     * Noise from libtorch's own CPU generator, seeded once with {@code seed} on the first draw: the same stream as
     * Python's {@code torch.manual_seed(seed)} followed by the same {@code randn} calls. That generator is global to
     * the process; draws are serialized on one lock, but any other user of the engine's generator (on any thread)
     * between two draws changes the stream.
     */
    static NoiseSource torch(long seed) {
        return new TorchNoiseSource(seed);
    }

    /**
     * Replays recorded draws {@code noise.000}, {@code noise.001}, ... of a safetensors file (float16 or float32), in
     * that order; the shape of each must equal the shape asked for.
     */
    static ReplayNoiseSource replay(Path safetensors) {
        return ReplayNoiseSource.open(safetensors);
    }

    /** Replays draws named {@code noise.000}, {@code noise.001}, ... from a map of flat arrays with their shapes. */
    static ReplayNoiseSource replay(Map<String, float[]> values, Map<String, long[]> shapes) {
        return new ReplayNoiseSource("memory", values, shapes);
    }
}
