package dev.musicgen.internal.diffusion;

import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.TokenDecoder;

/** The {@code "mbd"} token decoder: a {@link MultiBandDiffusion} checked against the model's codec, seeded noise. */
final class MbdTokenDecoder implements TokenDecoder {
    private final MultiBandDiffusion mbd;
    private final int codebooks; // of the model's codec: 4 mono, 8 interleaved stereo

    MbdTokenDecoder(MultiBandDiffusion mbd, AudioCodec modelCodec) {
        mbd.checkCompatible(modelCodec);
        this.mbd = mbd;
        this.codebooks = modelCodec.numCodebooks();
    }

    @Override
    public String name() {
        return MbdTokenDecoderProvider.NAME;
    }

    /** Noise is {@link NoiseSource#gaussian(long)} of {@code seed}. */
    @Override
    public float[][][] decode(long[][][] codes, long seed) {
        return decode(codes, seed, null);
    }

    @Override
    public float[][][] decode(long[][][] codes, long seed, dev.musicgen.ProgressListener progress) {
        if (codes != null && codes.length > 0 && codes[0] != null && codes[0].length != codebooks) {
            throw new IllegalArgumentException(
                    "codes have " + codes[0].length + " codebooks, but the model's codec has " + codebooks
                            + (codebooks == 2 * mbd.numCodebooks() ? " (interleaved stereo)" : ""));
        }
        return mbd.decode(codes, NoiseSource.gaussian(seed), progress);
    }

    MultiBandDiffusion diffusion() {
        return mbd;
    }

    @Override
    public void close() {
        mbd.close();
    }
}
