package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * What MultiBand Diffusion needs from its EnCodec: the RVQ latent of codes (the conditioning) and the codec's own
 * decode (the EQ reference). Audiocraft: {@code codec_model.decode_latent(codes)} and {@code codec_model.decode(codes)}.
 */
interface LatentCodec extends AutoCloseable {
    /** e.g. "facebook/encodec_32khz" or a file path, for messages. */
    String name();

    int sampleRate();

    /** Codebooks of one mono stream. */
    int numCodebooks();

    int cardinality();

    /** Samples per frame. */
    int hopLength();

    /** in: codes [B, K, T] int64 → out: [B, D, T] = sum over k of codebook_k[codes[:, k, :]]. */
    NDArray decodeLatent(NDArray codes);

    /** in: codes [B, K, T] int64 → out: audio [B, 1, T * hop]. */
    NDArray decode(NDArray codes);

    @Override
    void close();
}
