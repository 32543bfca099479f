package dev.musicgen;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFormatException;
import dev.musicgen.audio.AudioReader;
import dev.musicgen.internal.hub.HubClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Locale;

/**
 * Reads and decodes an {@link InputAudio} at generate time; every failure names the source. Bad input (a missing,
 * unreadable, empty, corrupt or unsupported file, an oversize download, non-finite samples) is an
 * {@link IllegalArgumentException}; a failing network (refused connection, timeout, HTTP 5xx) is a
 * {@link MusicGenException}, as it may succeed when retried.
 */
final class InputAudioLoader {
    /** Overrides {@link InputAudio#MAX_BYTES} (bytes), e.g. to test the limit without sending 200 MB. */
    static final String MAX_BYTES_PROPERTY = "musicgen.inputAudio.maxBytes";

    private InputAudioLoader() {}

    /** The download/stream size limit: {@value #MAX_BYTES_PROPERTY} when set to a positive number, else 200 MiB. */
    static long maxBytes() {
        String v = System.getProperty(MAX_BYTES_PROPERTY);
        if (v != null) {
            try {
                long n = Long.parseLong(v.trim());
                if (n > 0) {
                    return Math.min(n, InputAudio.MAX_BYTES);
                }
            } catch (NumberFormatException e) {
                // ignored: the default applies
            }
        }
        return InputAudio.MAX_BYTES;
    }

    static Audio load(InputAudio in) {
        return load(in, HubClient.shared());
    }

    /** As {@link #load(InputAudio)}, fetching {@code http(s):} inputs through {@code hub} (the generator's client). */
    static Audio load(InputAudio in, HubClient hub) {
        Audio audio;
        try {
            switch (in.kind) {
                case PATH:
                    if (!Files.exists(in.path)) {
                        throw new IllegalArgumentException("inputAudio file " + in.path + " does not exist");
                    }
                    if (Files.isDirectory(in.path)) {
                        throw new IllegalArgumentException(
                                "inputAudio " + in.path + " is a directory, not an audio " + "file");
                    }
                    if (!Files.isReadable(in.path)) {
                        throw new IllegalArgumentException(
                                "inputAudio file " + in.path + " is not readable " + "(permission denied)");
                    }
                    audio = AudioReader.read(in.path);
                    break;
                case BYTES:
                    audio = AudioReader.read(in.bytes, in.description);
                    break;
                case SAMPLES:
                    audio = new Audio(in.samples, in.sampleRate);
                    break;
                case URI:
                    audio = readUri(in.uri, in.description, hub);
                    break;
                default:
                    throw new IllegalStateException(in.kind.toString());
            }
        } catch (IOException | AudioFormatException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof AudioFormatException && m.startsWith(((AudioFormatException) e).source() + ": ")) {
                m = m.substring(((AudioFormatException) e).source().length() + 2); // the source is named once
            }
            throw new IllegalArgumentException("cannot read inputAudio " + in.description + ": " + m, e);
        }
        if (audio.frames() == 0) {
            throw new IllegalArgumentException("inputAudio " + in.description + " is empty: it holds no samples");
        }
        InputAudio.requireFinite(audio.samples(), in.description);
        return audio;
    }

    private static Audio readUri(URI uri, String desc, HubClient hub) throws IOException {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("data")) {
            String s = uri.getSchemeSpecificPart();
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
                throw new IllegalArgumentException(
                        "inputAudio data URI must be base64 encoded " + "(data:audio/wav;base64,...), but is: " + desc);
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(s.substring(comma + 1).getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("inputAudio data URI holds invalid base64: " + e.getMessage());
            }
            return AudioReader.read(bytes, "data URI");
        }
        // http(s): through the network layer (timeouts, stall and size limits, retries, proxy, offline rule)
        byte[] bytes = hub.fetch(uri, "inputAudio " + desc, maxBytes());
        return AudioReader.read(bytes, desc);
    }
}
