package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a stack of convolutional layers (no recurrence) over the time axis in chunks of whole frames, each widened by
 * a margin of frames on both sides that is computed and then dropped. Every kept output sample sees exactly the
 * inputs it sees in one pass over the whole signal, and the true signal edges are padded as in one pass, so the
 * result is that of one pass (up to float accumulation order); but the working set is one chunk, which stays in
 * cache and re-uses freed memory instead of page-faulting in fresh buffers of hundreds of MB per layer.
 */
final class Chunked {
    /**
     * Frames per chunk (50 = 1 s of 32 kHz EnCodec: 8 MB per 64-channel activation); the system property
     * {@code musicgen.codec.chunkFrames}, read once, overrides it; 0 disables chunking.
     */
    static final int CHUNK_FRAMES = Integer.getInteger("musicgen.codec.chunkFrames", 50);

    /** Test seam: another chunk size for the calling thread only, set by {@link #withChunkFrames}. */
    private static final ThreadLocal<Integer> CHUNK_FRAMES_OVERRIDE = new ThreadLocal<>();

    private Chunked() {}

    /**
     * Runs {@code body} on this thread with chunks of {@code frames} (0: one pass), for tests that compare the chunked
     * and the whole-signal paths; other threads keep {@link #CHUNK_FRAMES}.
     */
    static <T> T withChunkFrames(int frames, Supplier<T> body) {
        Integer previous = CHUNK_FRAMES_OVERRIDE.get();
        CHUNK_FRAMES_OVERRIDE.set(frames);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CHUNK_FRAMES_OVERRIDE.remove();
            } else {
                CHUNK_FRAMES_OVERRIDE.set(previous);
            }
        }
    }

    /**
     * @param x input {@code [B, C, T]}
     * @param inPerFrame input samples per frame (1 for latent frames, the hop for audio)
     * @param outPerFrame output samples per frame
     * @param margin frames of context on each side of a chunk, at least the stack's receptive radius
     */
    static NDArray run(List<? extends Layer> layers, NDArray x, int inPerFrame, int outPerFrame, int margin) {
        long len = x.getShape().get(2);
        long frames = (len + inPerFrame - 1) / inPerFrame;
        Integer override = CHUNK_FRAMES_OVERRIDE.get();
        int chunk = override != null ? override : CHUNK_FRAMES;
        if (chunk <= 0 || frames <= chunk + 2L * margin) {
            return Layer.sequential(layers, x);
        }
        NDList parts = new NDList();
        try {
            for (long s = 0; s < frames; s += chunk) {
                long e = Math.min(s + chunk, frames);
                long a = Math.max(0, s - margin);
                long b = Math.min(frames, e + margin);
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray in = x.get(new NDIndex(":, :, {}:{}", a * inPerFrame, Math.min(len, b * inPerFrame)));
                    NDArray y = Layer.sequential(layers, in);
                    long from = (s - a) * outPerFrame;
                    long to = e == frames ? y.getShape().get(2) : (e - a) * outPerFrame;
                    NDArray keep = y.get(new NDIndex(":, :, {}:{}", from, to)); // a view: keeps only y's storage
                    NDScope.unregister(keep);
                    parts.add(keep);
                }
            }
            return NDArrays.concat(parts, 2);
        } finally {
            parts.close();
        }
    }

    /** Receptive radius, in input samples, of a stride-1 or strided conv: its whole padding. */
    static double convSpread(int kernelSize, int dilation) {
        return (kernelSize - 1) * (double) dilation;
    }
}
