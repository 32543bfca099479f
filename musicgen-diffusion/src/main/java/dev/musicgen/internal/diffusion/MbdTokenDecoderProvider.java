package dev.musicgen.internal.diffusion;

import ai.djl.Device;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.spi.TokenDecoder;
import dev.musicgen.spi.TokenDecoderProvider;
import java.nio.file.Path;

/**
 * Registers MultiBand Diffusion as the {@code "mbd"} {@link TokenDecoderProvider} (ServiceLoader): loads
 * {@link MultiBandDiffusion#load(Path, Device, RepoResolver)} and refuses a model whose codec is not the one the
 * diffusion was trained on.
 */
public final class MbdTokenDecoderProvider implements TokenDecoderProvider {
    public static final String NAME = "mbd";

    @Override
    public String name() {
        return NAME;
    }

    /**
     * @param modelDir a directory holding {@code mbd_musicgen_32khz.th} (and optionally its codec's
     *     {@code compression_state_dict.bin}), or the checkpoint file itself
     */
    @Override
    public TokenDecoder load(Path modelDir, AudioCodec codec, Device device, RepoResolver resolver) {
        MultiBandDiffusion mbd = MultiBandDiffusion.load(modelDir, device, resolver);
        try {
            return new MbdTokenDecoder(mbd, codec);
        } catch (RuntimeException e) {
            mbd.close();
            throw e;
        }
    }
}
