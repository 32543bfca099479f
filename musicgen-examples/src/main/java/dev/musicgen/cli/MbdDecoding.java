package dev.musicgen.cli;

import ai.djl.Device;
import dev.musicgen.internal.codec.CompressionModel;
import dev.musicgen.internal.hub.HubClient;
import dev.musicgen.internal.hub.HubRepos;
import dev.musicgen.internal.diffusion.MultiBandDiffusion;
import dev.musicgen.internal.diffusion.NoiseSource;
import java.nio.file.Files;
import java.nio.file.Path;

/** MultiBand Diffusion decoding for the CLI. */
final class MbdDecoding {
    private MbdDecoding() {}

    static Path mbdDir(String mbdModel, HubClient hub) {
        if (mbdModel != null && Files.exists(Path.of(mbdModel))) {
            return Path.of(mbdModel);
        }
        String repo = mbdModel == null ? HubRepos.MBD : mbdModel;
        return hub.resolve(repo, HubRepos.MBD_MUSICGEN_FILE).getParent();
    }

    static float[][][] decode(long[][][] codes, CompressionModel codec, String mbdModel, Path noise, long seed,
            HubClient hub, Device device) {
        Path dir = mbdDir(mbdModel, hub);
        try (MultiBandDiffusion mbd = MultiBandDiffusion.load(dir, device, hub.asRepoResolver())) {
            mbd.checkCompatible(codec);
            NoiseSource source = noise != null ? NoiseSource.replay(noise) : NoiseSource.gaussian(seed);
            return mbd.decode(codes, source);
        }
    }
}
