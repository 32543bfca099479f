package dev.musicgen;

/** Receives progress of model loading and generation. Called on the generating thread; keep it quick. */
@FunctionalInterface
public interface ProgressListener {
    enum Phase {
        /** Downloading or reading weights; step/total in bytes when known. */
        LOADING,
        /** Text (T5) and melody (chroma) conditioning, prompt encoding. */
        CONDITIONING,
        /** Language-model decode steps. */
        GENERATING,
        /** EnCodec or MultiBand Diffusion decode. */
        DECODING,
        /** Normalization and encoding of the output. */
        POST_PROCESSING
    }

    /**
     * @param phase current phase
     * @param step steps done in this phase (0-based count)
     * @param total steps in this phase, or -1 when unknown
     */
    void onProgress(Phase phase, long step, long total);

    static ProgressListener none() {
        return (p, s, t) -> {};
    }
}
