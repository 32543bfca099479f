package dev.musicgen;

/**
 * A checkpoint file is unreadable, corrupt, unsafe or does not match what the model expects (a missing or unused
 * tensor, a shape that disagrees with the config, a pickle opcode or class outside the allow-list, a checksum that
 * does not match). The message names the file and, where there is one, the tensor.
 */
public class CheckpointException extends MusicGenException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
