package dev.musicgen;

/**
 * Cancels a running generation from another thread. The generation checks it once per decode step (and between
 * phases), stops, frees its native memory and throws {@link GenerationCancelledException}.
 */
public final class CancellationToken {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Throws {@link GenerationCancelledException} when cancelled. */
    public void throwIfCancelled() {
        if (cancelled) {
            throw new GenerationCancelledException("generation was cancelled");
        }
    }
}
