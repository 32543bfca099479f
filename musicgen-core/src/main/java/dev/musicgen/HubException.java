package dev.musicgen;

import java.util.Objects;

/**
 * A file could not be resolved from the Hugging Face Hub or its local cache, or a download (a Hub file, the
 * HTDemucs checkpoint, an {@code http(s):} input audio) failed.
 *
 * <p>Unchecked (a {@link MusicGenException}), like the other loading errors of this SDK, so that model
 * builders can call the Hub without wrapping. {@link #reason()} tells callers (and tests) what went wrong without
 * parsing the message; the message itself names the repository and file (or the URL), the cause, and what to do next.
 */
public class HubException extends MusicGenException {
    private static final long serialVersionUID = 1L;

    /** Why a resolution failed. */
    public enum Reason {
        /** HTTP 401/403: gated or private repository, or an invalid token. */
        AUTH_REQUIRED,
        /** The repository does not exist (or is private and no token was sent). */
        REPO_NOT_FOUND,
        /** The repository exists but the file does not (at that revision). */
        ENTRY_NOT_FOUND,
        /** The branch, tag or commit does not exist. */
        REVISION_NOT_FOUND,
        /** Offline mode is on and the file is not in the cache (or the URL is not on this machine). */
        OFFLINE_NOT_CACHED,
        /** The downloaded bytes do not match the sha256 the Hub announced (or the size it declared). */
        INTEGRITY,
        /** The server could not be reached, timed out, stalled, or the transfer broke off (after the retries). */
        NETWORK,
        /** The server answered, but not like the Hub (missing headers, unexpected status). */
        PROTOCOL,
        /** A local file-system operation in the cache failed. */
        IO
    }

    private final Reason reason;

    public HubException(Reason reason, String message) {
        this(reason, message, null);
    }

    public HubException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** What went wrong, for callers that react differently to e.g. a missing token. */
    public Reason reason() {
        return reason;
    }
}
