package dev.musicgen.cli;

import ai.djl.Device;
import dev.musicgen.ModelSource;
import dev.musicgen.internal.codec.CompressionModel;
import dev.musicgen.internal.diffusion.MultiBandDiffusion;
import dev.musicgen.internal.diffusion.NoiseSource;
import dev.musicgen.internal.loading.ModelLoader;
import java.nio.file.Path;

/** MultiBand Diffusion decoding for the CLI. */
final class MbdDecoding {
    private MbdDecoding() {}

    static float[][][] decode(
            long[][][] codes,
            CompressionModel codec,
            ModelSource mbdModel,
            Path noise,
            long seed,
            ModelLoader loader,
            Device device) {
        Path dir = loader.multiBandDiffusion(mbdModel);
        try (MultiBandDiffusion mbd = MultiBandDiffusion.load(dir, device, loader.resolver())) {
            mbd.checkCompatible(codec);
            NoiseSource source = noise != null ? NoiseSource.replay(noise) : NoiseSource.gaussian(seed);
            return mbd.decode(codes, source);
        }
    }
}
