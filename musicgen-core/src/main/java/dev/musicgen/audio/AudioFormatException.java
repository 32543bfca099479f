package dev.musicgen.audio;

import dev.musicgen.internal.audio.*;

import java.io.IOException;

/**
 * An audio file that cannot be decoded: corrupt, truncated, or in a format this library does not
 * read. The message names the file (or stream) and what was wrong.
 */
public class AudioFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String source;

    public AudioFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public AudioFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file path or stream name the error is about. */
    public String source() {
        return source;
    }
}
