package dev.musicgen.audio;

import dev.musicgen.MusicGenException;

/**
 * An audio file that cannot be decoded: corrupt, truncated, or in a format this library does not
 * read. The message names the file (or stream) and what was wrong. Unchecked, like every failure of
 * this SDK (see {@link MusicGenException}); the I/O errors of reading a file (missing, not readable)
 * stay {@link java.io.IOException}s.
 */
public class AudioFormatException extends MusicGenException {

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
