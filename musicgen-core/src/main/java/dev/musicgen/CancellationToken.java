package dev.musicgen;

import java.util.List;

/**
 * Cancels a running generation from another thread. The generation checks it once per decode step (and between
 * phases), stops, frees its native memory and throws {@link GenerationCancelledException}.
 *
 * <p>A token you create stays cancelled once {@link #cancel()} is called: every call that uses it fails, so one token
 * can stop a batch, a queue or a whole session. The token a {@link GenerationRequest} makes for itself when you give
 * none is scoped to one call instead: it cancels the call running with that request (or the next one to start), and
 * the call clears it when it ends, so a cancelled request can be generated again (see
 * {@link GenerationRequest#cancellation()}). {@code Future.cancel} on {@link MusicGenerator#generateAsync} cancels
 * that call only and touches no token.
 */
public final class CancellationToken {
    private volatile boolean cancelled;
    private final boolean callScoped;
    private final List<CancellationToken> linked;

    /** A token that stays cancelled once cancelled. */
    public CancellationToken() {
        this(false, List.of());
    }

    private CancellationToken(boolean callScoped, List<CancellationToken> linked) {
        this.callScoped = callScoped;
        this.linked = List.copyOf(linked);
    }

    /** A request's own token: {@link #callEnded()} clears it. */
    static CancellationToken perCall() {
        return new CancellationToken(true, List.of());
    }

    /** A token cancelled when this one or any of {@code tokens} is (for a batch of requests). */
    static CancellationToken anyOf(List<CancellationToken> tokens) {
        return new CancellationToken(false, tokens);
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

    /** A call that used this token has ended: a call-scoped token is ready for the next call. */
    void callEnded() {
        if (callScoped) {
            cancelled = false;
        }
    }
}
