package dev.musicgen;

/** A generation or model-loading failure that is not the caller's bad argument (those are IllegalArgumentException). */
public class MusicGenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MusicGenException(String message) {
        super(message);
    }

    public MusicGenException(String message, Throwable cause) {
        super(message, cause);
    }
}
