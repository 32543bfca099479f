package dev.musicgen.internal.diffusion;

import java.util.SplittableRandom;

/** Box-Muller over SplitMix64 ({@link SplittableRandom}); StrictMath makes the values identical on every JVM. */
final class GaussianNoiseSource implements NoiseSource {
    private final SplittableRandom random;

    GaussianNoiseSource(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public float[] next(long[] shape) {
        float[] out = new float[ReplayNoiseSource.numel(shape)];
        for (int i = 0; i < out.length; i += 2) {
            // u1 in (0, 1] so the log is finite
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double theta = 2.0 * StrictMath.PI * u2;
            out[i] = (float) (r * StrictMath.cos(theta));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (r * StrictMath.sin(theta));
            }
        }
        return out;
    }
}
