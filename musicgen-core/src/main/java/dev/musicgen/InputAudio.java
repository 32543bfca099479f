package dev.musicgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Audio given to a request, for melody conditioning or continuation: a file, a URI ({@code file:}, {@code http(s):},
 * {@code data:} base64), bytes of an encoded file (WAV, MP3, FLAC), or raw samples. Reading and decoding happen at
 * {@code generate()}, so errors name the source then.
 */
public final class InputAudio {
    /**
     * Downloads and streams larger than this are refused; the system property {@code musicgen.inputAudio.maxBytes}
     * lowers the limit.
     */
    public static final long MAX_BYTES = 200L * 1024 * 1024;

    enum Kind {
        PATH,
        URI,
        BYTES,
        SAMPLES
    }

    final Kind kind;
    final Path path;
    final URI uri;
    final byte[] bytes;
    final float[][] samples;
    final int sampleRate;
    final String description;

    private InputAudio(Kind kind, Path path, URI uri, byte[] bytes, float[][] samples, int sampleRate, String desc) {
        this.kind = kind;
        this.path = path;
        this.uri = uri;
        this.bytes = bytes;
        this.samples = samples;
        this.sampleRate = sampleRate;
        this.description = desc;
    }

    public static InputAudio of(Path path) {
        Objects.requireNonNull(path, "inputAudio path");
        return new InputAudio(Kind.PATH, path, null, null, null, 0, path.toString());
    }

    /** {@code file:}, {@code http:}, {@code https:} or {@code data:} (base64) URIs. */
    public static InputAudio of(URI uri) {
        Objects.requireNonNull(uri, "inputAudio uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https") && !scheme.equals("data")) {
            throw new IllegalArgumentException("inputAudio URI scheme must be one of file, http, https, data, but is: "
                    + (scheme.isEmpty() ? "(none)" : scheme) + " in " + abbreviate(uri.toString()));
        }
        if (scheme.equals("file")) {
            return of(Path.of(uri));
        }
        return new InputAudio(Kind.URI, null, uri, null, null, 0, abbreviate(uri.toString()));
    }

    /** Parses a string as a URI when it has a scheme, else as a local path. */
    public static InputAudio parse(String pathOrUri) {
        Objects.requireNonNull(pathOrUri, "inputAudio");
        String s = pathOrUri.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("inputAudio must be a path or URI, but is empty");
        }
        if (s.matches("(?i)^(https?|data|file):.*")) {
            return of(URI.create(s));
        }
        return of(Path.of(s));
    }

    /** The bytes of an encoded audio file (WAV, MP3 or FLAC). */
    public static InputAudio of(byte[] encoded) {
        Objects.requireNonNull(encoded, "inputAudio bytes");
        return new InputAudio(Kind.BYTES, null, null, encoded.clone(), null, 0, "audio bytes");
    }

    /** Reads the stream fully now (up to {@link #MAX_BYTES}); the caller keeps ownership of the stream. */
    public static InputAudio of(InputStream encoded) {
        Objects.requireNonNull(encoded, "inputAudio stream");
        long limit = InputAudioLoader.maxBytes();
        try {
            byte[] b = encoded.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (b.length > limit) {
                throw new IllegalArgumentException("inputAudio stream is larger than the limit of " + limit + " bytes");
            }
            return new InputAudio(Kind.BYTES, null, null, b, null, 0, "audio stream");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read inputAudio stream: " + e.getMessage(), e);
        }
    }

    /** Raw samples {@code [channel][frame]} in [-1, 1] at {@code sampleRate} Hz. */
    public static InputAudio of(float[][] samples, int sampleRate) {
        Objects.requireNonNull(samples, "inputAudio samples");
        if (samples.length == 0 || samples[0] == null) {
            throw new IllegalArgumentException("inputAudio samples must have at least one channel");
        }
        for (float[] c : samples) {
            if (c == null || c.length != samples[0].length) {
                throw new IllegalArgumentException("inputAudio samples: every channel must have the same length");
            }
        }
        if (samples[0].length == 0) {
            throw new IllegalArgumentException("inputAudio samples must hold at least one frame, but are empty");
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("inputAudio sampleRate must be > 0, but is: " + sampleRate);
        }
        requireFinite(samples, "samples");
        float[][] copy = new float[samples.length][];
        for (int i = 0; i < samples.length; i++) {
            copy[i] = samples[i].clone();
        }
        return new InputAudio(Kind.SAMPLES, null, null, null, copy, sampleRate, "samples");
    }

    /**
     * Reads and decodes the audio now (a file, a download, encoded bytes) instead of at {@code generate()}, so that a
     * missing, corrupt or unsupported input fails before a model is loaded. Errors are those {@code generate()} would
     * throw: {@link IllegalArgumentException} for bad input, {@link MusicGenException} for a failing network.
     *
     * @return the decoded samples at their own sample rate (this instance when it already holds samples)
     */
    public InputAudio preload() {
        if (kind == Kind.SAMPLES) {
            return this;
        }
        dev.musicgen.audio.Audio a = InputAudioLoader.load(this);
        return new InputAudio(Kind.SAMPLES, null, null, null, a.samples(), a.sampleRate(), description);
    }

    /** NaN or infinite samples would silently poison the codec and the chroma; refuse them with their position. */
    static void requireFinite(float[][] samples, String description) {
        for (int c = 0; c < samples.length; c++) {
            float[] ch = samples[c];
            for (int t = 0; t < ch.length; t++) {
                if (!Float.isFinite(ch[t])) {
                    throw new IllegalArgumentException("inputAudio " + description + " must hold finite samples, but "
                            + "channel " + c + " frame " + t + " is " + ch[t]);
                }
            }
        }
    }

    /** A short description of the source for messages. */
    public String description() {
        return description;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** Equal when the source is: the same path or URI, the same bytes, or the same samples at the same rate. */
    @Override
    public boolean equals(Object o) {
        return o instanceof InputAudio a
                && kind == a.kind
                && Objects.equals(path, a.path)
                && Objects.equals(uri, a.uri)
                && Arrays.equals(bytes, a.bytes)
                && Arrays.deepEquals(samples, a.samples)
                && sampleRate == a.sampleRate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, path, uri, sampleRate) * 31 * 31
                + Arrays.hashCode(bytes) * 31
                + Arrays.deepHashCode(samples);
    }

    @Override
    public String toString() {
        return "InputAudio[" + description + "]";
    }
}
