package dev.musicgen.audio;

/**
 * An audio file in a format or encoding this library does not decode. The message names the file,
 * what it looks like (when recognised), and the formats that are supported.
 */
public class UnsupportedAudioFormatException extends AudioFormatException {

    private static final long serialVersionUID = 1L;

    /** What {@link AudioReader} reads, for error messages. */
    public static final String SUPPORTED =
            "supported formats are WAV (8/16/24/32-bit PCM, 32/64-bit float), MP3 and FLAC";

    private final String detected;

    public UnsupportedAudioFormatException(String source, String detected) {
        super(source, "unsupported audio format (" + detected + "); " + SUPPORTED);
        this.detected = detected;
    }

    /** What the data looks like, e.g. "Ogg (Vorbis/Opus)" or "unknown". */
    public String detected() {
        return detected;
    }
}
