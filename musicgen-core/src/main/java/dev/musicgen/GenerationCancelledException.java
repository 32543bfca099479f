package dev.musicgen;

/** Thrown by a generation whose {@link CancellationToken} was cancelled; its native memory has been freed. */
public class GenerationCancelledException extends MusicGenException {
    private static final long serialVersionUID = 1L;

    public GenerationCancelledException(String message) {
        super(message);
    }
}
