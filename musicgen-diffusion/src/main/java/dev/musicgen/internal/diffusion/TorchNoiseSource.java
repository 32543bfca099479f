package dev.musicgen.internal.diffusion;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/** libtorch's CPU generator (bit-identical to Python torch's for the same seed and calls; djl-probe.md Q2). */
final class TorchNoiseSource implements NoiseSource {
    /** The generator is process-global; one draw at a time. */
    private static final Object LOCK = new Object();

    private final long seed;
    private boolean seeded;

    TorchNoiseSource(long seed) {
        if (seed < 0 || seed > Integer.MAX_VALUE) {
            // DJL's Engine.setRandomSeed takes an int
            throw new IllegalArgumentException(
                    "seed must be between 0 and " + Integer.MAX_VALUE + " for the torch generator, but is: " + seed);
        }
        this.seed = seed;
    }

    @Override
    public float[] next(long[] shape) {
        ReplayNoiseSource.numel(shape);
        synchronized (LOCK) {
            Engine engine = Engine.getEngine(F.ENGINE);
            if (!seeded) {
                engine.setRandomSeed((int) seed);
                seeded = true;
            }
            try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
                NDArray a = m.randomNormal(0f, 1f, new Shape(shape), DataType.FLOAT32);
                return a.toFloatArray();
            }
        }
    }
}
