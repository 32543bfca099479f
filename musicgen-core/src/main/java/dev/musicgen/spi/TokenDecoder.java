package dev.musicgen.spi;

/**
 * Decodes codes to audio by other means than the codec's decoder (MultiBand Diffusion). Implemented in
 * {@code musicgen-diffusion}; found through {@link TokenDecoderProvider}.
 */
public interface TokenDecoder extends AutoCloseable {
    String name();

    /**
     * @param codes {@code [batch][codebook][frame]} as the LM produced them (stereo interleaved when 8 codebooks)
     * @param seed seed of the noise source (the same seed gives the same audio on the same device)
     * @return audio {@code [batch][channel][sample]}
     */
    float[][][] decode(long[][][] codes, long seed);

    /**
     * As {@link #decode(long[][][], long)}, reporting progress ({@code DECODING}, e.g. per diffusion step) to
     * {@code progress}; by default it reports nothing beyond what the caller does.
     */
    default float[][][] decode(long[][][] codes, long seed, dev.musicgen.ProgressListener progress) {
        return decode(codes, seed);
    }

    @Override
    void close();
}
