package dev.musicgen.spi;

/**
 * A neural audio codec (EnCodec) as MusicGen uses it: waveform ↔ discrete codes. Implemented in
 * {@code musicgen-codec} and found through {@link AudioCodecProvider} with {@link java.util.ServiceLoader}.
 * Arrays are plain Java: audio {@code [batch][channel][sample]}, codes {@code [batch][codebook][frame]}.
 */
public interface AudioCodec extends AutoCloseable {
    int sampleRate();

    /** 1 for mono, 2 for interleaved stereo. */
    int channels();

    /** Codebooks per frame as the LM sees them (stereo: twice the mono codec's). */
    int numCodebooks();

    /** Codewords per codebook. */
    int cardinality();

    /** Frames per second (50 for the 32 kHz EnCodec). */
    double frameRate();

    /** Encodes audio already at {@link #sampleRate()} with {@link #channels()} channels. */
    long[][][] encode(float[][][] audio);

    /** Decodes codes to audio; values must lie in {@code [0, cardinality)}. */
    float[][][] decode(long[][][] codes);

    /**
     * An incremental decoder for one stream of {@code batch} items: frames in as they are generated, final samples
     * out, the same audio as {@link #decode} of all the frames. Codecs that cannot decode incrementally throw.
     *
     * @throws UnsupportedOperationException when this codec has no incremental decoder
     */
    default StreamDecoder streamDecoder(int batch) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot decode incrementally");
    }

    @Override
    void close();
}
