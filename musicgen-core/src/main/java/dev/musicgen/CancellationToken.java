package dev.musicgen;

/**
 * Cancels a running generation from another thread. The generation checks it once per decode step (and between
 * phases), stops, frees its native memory and throws {@link GenerationCancelledException}.
 */
public final class CancellationToken {
    private volatile boolean cancelled;
    private final java.util.List<CancellationToken> linked;

    public CancellationToken() {
        this.linked = java.util.List.of();
    }

    private CancellationToken(java.util.List<CancellationToken> linked) {
        this.linked = java.util.List.copyOf(linked);
    }

    /** A token cancelled when this one or any of {@code tokens} is (for a batch of requests). */
    static CancellationToken anyOf(java.util.List<CancellationToken> tokens) {
        return new CancellationToken(tokens);
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        if (cancelled) {
            return true;
        }
        for (CancellationToken t : linked) {
            if (t.isCancelled()) {
                return true;
            }
        }
        return false;
    }

    /** Throws {@link GenerationCancelledException} when cancelled. */
    public void throwIfCancelled() {
        if (isCancelled()) {
            throw new GenerationCancelledException("generation was cancelled");
        }
    }
}
