package dev.musicgen.spi;

/**
 * Decodes a stream of codes piece by piece, as the frames become known, to the same audio that one
 * {@link AudioCodec#decode} call over all the frames gives (up to float rounding). Obtained from
 * {@link AudioCodec#streamDecoder(int)}; one decoder serves one stream of {@code batch} items.
 *
 * <p>{@link #decode} takes the frames that follow those already given and returns the samples that no later frame can
 * change any more; the decoder keeps what it needs of the past (state, context) and holds back the few samples whose
 * right-hand context has not arrived yet. {@link #finish()} returns those, ending the stream. The concatenation of
 * everything returned is the one-shot decode of the concatenated frames.
 *
 * <p>Not thread-safe: one thread at a time (calls may come from different threads one after another).
 */
public interface StreamDecoder extends AutoCloseable {
    /**
     * @param codes the next frames {@code [batch][codebook][n]}, {@code n >= 0}, values in {@code [0, cardinality)}
     * @return the samples now final {@code [batch][channel][m]} ({@code m} may be 0)
     * @throws IllegalArgumentException for a wrong shape or a value out of range (the stream is unchanged)
     * @throws IllegalStateException after {@link #finish()} or {@link #close()}
     */
    float[][][] decode(long[][][] codes);

    /**
     * Frames of right-hand context the decoder waits for: after {@code n} frames, the samples of the first {@code n -
     * lookAheadFrames()} are final. Callers use it to decode in pieces that each complete about one chunk of audio.
     */
    int lookAheadFrames();

    /**
     * Ends the stream: the remaining samples, with the signal's right edge treated as a one-shot decode treats it.
     *
     * @return {@code [batch][channel][m]}; over the whole stream the samples total frames × hop length
     * @throws IllegalStateException when already finished or closed
     */
    float[][][] finish();

    /** Releases what the decoder holds; idempotent. Frames not yet finished are dropped. */
    @Override
    void close();
}
