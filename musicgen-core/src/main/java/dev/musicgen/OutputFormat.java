package dev.musicgen;

/** Container/codec of written audio. */
public enum OutputFormat {
    /** RIFF WAVE, 16-bit PCM (as Replicate writes it). */
    WAV("wav"),
    /** MPEG-1 Layer III, encoded in pure Java. */
    MP3("mp3");

    private final String extension;

    OutputFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** Parses "wav" or "mp3" (any case). */
    public static OutputFormat fromName(String name) {
        for (OutputFormat f : values()) {
            if (f.extension.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("outputFormat must be one of wav, mp3, but is: " + name);
    }
}
