package dev.musicgen;

import dev.musicgen.audio.Audio;
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

/** Reads and decodes an {@link InputAudio} at generate time; every failure names the source. */
final class InputAudioLoader {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private InputAudioLoader() {}

    static Audio load(InputAudio in) {
        try {
            switch (in.kind) {
                case PATH:
                    if (!Files.exists(in.path)) {
                        throw new IllegalArgumentException("inputAudio file " + in.path + " does not exist");
                    }
                    if (!Files.isReadable(in.path)) {
                        throw new IllegalArgumentException("inputAudio file " + in.path + " is not readable");
                    }
                    return AudioReader.read(in.path);
                case BYTES:
                    return AudioReader.read(in.bytes, in.description);
                case SAMPLES:
                    return new Audio(in.samples, in.sampleRate);
                case URI:
                    return readUri(in.uri, in.description);
                default:
                    throw new IllegalStateException(in.kind.toString());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read inputAudio " + in.description + ": " + e.getMessage(), e);
        }
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
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(READ_TIMEOUT).GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MusicGenException("interrupted while downloading inputAudio " + desc, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot download inputAudio " + desc + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        try (InputStream body = resp.body()) {
            if (resp.statusCode() != 200) {
                throw new IllegalArgumentException("cannot download inputAudio " + desc + ": HTTP " + resp.statusCode());
            }
            long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > InputAudio.MAX_BYTES) {
                throw new IllegalArgumentException("inputAudio " + desc + " is " + declared + " bytes, over the limit of "
                        + InputAudio.MAX_BYTES);
            }
            byte[] bytes = body.readNBytes((int) InputAudio.MAX_BYTES + 1);
            if (bytes.length > InputAudio.MAX_BYTES) {
                throw new IllegalArgumentException("inputAudio " + desc + " is larger than the limit of "
                        + InputAudio.MAX_BYTES + " bytes");
            }
            return AudioReader.read(bytes, desc);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("cannot download inputAudio " + desc + ": " + e.getMessage(), e);
        }
    }
}
