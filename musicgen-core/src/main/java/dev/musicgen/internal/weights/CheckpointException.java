package dev.musicgen.internal.weights;

/** A checkpoint file is unreadable, corrupt, unsafe or does not match what the model expects. */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
