package dev.musicgen;


import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFormatException;
import dev.musicgen.audio.AudioReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * Reads and decodes an {@link InputAudio} at generate time; every failure names the source. Bad input (a missing,
 * unreadable, empty, corrupt or unsupported file, an oversize download, non-finite samples) is an
 * {@link IllegalArgumentException}; a failing network (refused connection, timeout, HTTP 5xx) is a
 * {@link MusicGenException}, as it may succeed when retried.
 */
final class InputAudioLoader {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    /** Overrides {@link InputAudio#MAX_BYTES} (bytes), e.g. to test the limit without sending 200 MB. */
    static final String MAX_BYTES_PROPERTY = "musicgen.inputAudio.maxBytes";

    // one client for the process: each HttpClient owns a selector thread until it is collected
    private static volatile HttpClient http;

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
        Audio audio;
        try {
            switch (in.kind) {
                case PATH:
                    if (!Files.exists(in.path)) {
                        throw new IllegalArgumentException("inputAudio file " + in.path + " does not exist");
                    }
                    if (Files.isDirectory(in.path)) {
                        throw new IllegalArgumentException("inputAudio " + in.path + " is a directory, not an audio "
                                + "file");
                    }
                    if (!Files.isReadable(in.path)) {
                        throw new IllegalArgumentException("inputAudio file " + in.path + " is not readable "
                                + "(permission denied)");
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
                    audio = readUri(in.uri, in.description);
                    break;
                default:
                    throw new IllegalStateException(in.kind.toString());
            }
        } catch (IOException | AudioFormatException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof AudioFormatException && m.startsWith(((AudioFormatException) e).source() + ": ")) {
                m = m.substring(((AudioFormatException) e).source().length() + 2);   // the source is named once
            }
            throw new IllegalArgumentException("cannot read inputAudio " + in.description + ": " + m, e);
        }
        if (audio.frames() == 0) {
            throw new IllegalArgumentException("inputAudio " + in.description + " is empty: it holds no samples");
        }
        InputAudio.requireFinite(audio.samples(), in.description);
        return audio;
    }

    private static HttpClient http() {
        HttpClient c = http;
        if (c == null) {
            synchronized (InputAudioLoader.class) {
                c = http;
                if (c == null) {
                    c = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                            .followRedirects(HttpClient.Redirect.NORMAL).build();
                    http = c;
                }
            }
        }
        return c;
    }

    private static Audio readUri(URI uri, String desc) throws IOException {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("data")) {
            String s = uri.getSchemeSpecificPart();
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
                throw new IllegalArgumentException("inputAudio data URI must be base64 encoded "
                        + "(data:audio/wav;base64,...), but is: " + desc);
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(s.substring(comma + 1).getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("inputAudio data URI holds invalid base64: " + e.getMessage());
            }
            return AudioReader.read(bytes, "data URI");
        }
        long limit = maxBytes();
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(uri).timeout(READ_TIMEOUT).GET().build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inputAudio URL " + desc + " is not valid: " + e.getMessage(), e);
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http().send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MusicGenException("interrupted while downloading inputAudio " + desc, e);
        } catch (IOException e) {
            throw new MusicGenException("cannot download inputAudio " + desc + ": " + describe(e), e);
        }
        byte[] bytes;
        try (InputStream body = resp.body()) {
            int status = resp.statusCode();
            if (status != 200) {
                String m = "cannot download inputAudio " + desc + ": HTTP " + status;
                // 4xx: the URL is wrong (like a missing file); anything else may work when retried
                if (status >= 400 && status < 500) {
                    throw new IllegalArgumentException(m);
                }
                throw new MusicGenException(m);
            }
            long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > limit) {
                throw new IllegalArgumentException("inputAudio " + desc + " is " + declared + " bytes, over the "
                        + "download limit of " + limit + " bytes");
            }
            try {
                bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            } catch (IOException | UncheckedIOException e) {
                throw new MusicGenException("cannot download inputAudio " + desc + ": " + describe(e), e);
            }
            if (bytes.length > limit) {
                throw new IllegalArgumentException("inputAudio " + desc + " is larger than the download limit of "
                        + limit + " bytes");
            }
        }
        return AudioReader.read(bytes, desc);
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        if (e instanceof java.net.ConnectException) {
            return "connection refused or unreachable" + (m == null ? "" : " (" + m + ")");
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "timed out" + (m == null ? "" : " (" + m + ")");
        }
        return m == null ? kind : kind + ": " + m;
    }
}
