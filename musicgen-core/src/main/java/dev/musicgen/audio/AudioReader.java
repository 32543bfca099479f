package dev.musicgen.audio;

import dev.musicgen.internal.audio.*;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads WAV, MP3 and FLAC into {@link Audio}, with samples as floats in [-1, 1] as
 * {@code torchaudio.load} returns them (16-bit PCM {@code x / 32768}, unsigned 8-bit
 * {@code (x - 128) / 128}, 24-bit {@code x / 8388608}, 32-bit {@code x / 2147483648}; float data as is).
 *
 * <p>The format is recognised from the content, never from the file name: {@code RIFF....WAVE} or
 * {@code RF64....WAVE}, {@code fLaC} (also behind an ID3v2 tag), and MPEG audio frames (behind an
 * optional ID3v2 tag and up to 64 KiB of leading junk, confirmed by consecutive frame headers).
 * Anything else fails with an {@link UnsupportedAudioFormatException} that names the file, what the
 * data looks like and the supported formats; damaged files fail with an {@link AudioFormatException}
 * that names the file and the problem. Both are unchecked {@link dev.musicgen.MusicGenException}s; only the
 * I/O errors of reading a file or stream are {@link IOException}s.
 */
public final class AudioReader {

    /** Files above this size are refused before reading (the samples would not fit in Java arrays). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    /** The container formats {@link AudioReader} decodes. */
    public enum Format {
        WAV,
        MP3,
        FLAC
    }

    private AudioReader() {}

    /**
     * Reads an audio file.
     *
     * @throws NoSuchFileException   the file does not exist (message: path and "audio file not found")
     * @throws AccessDeniedException the file cannot be read
     * @throws AudioFormatException  the content is not supported, corrupt or truncated, or the path is a directory
     * @throws IOException           another I/O error
     */
    public static Audio read(Path file) throws IOException {
        String source = file.toString();
        if (!Files.exists(file)) {
            throw new NoSuchFileException(source, null, "audio file not found");
        }
        if (Files.isDirectory(file)) {
            throw new AudioFormatException(source, "is a directory, not an audio file");
        }
        if (!Files.isRegularFile(file)) {
            // a device (/dev/zero) or a FIFO never ends or blocks forever
            throw new AudioFormatException(
                    source, "is not a regular file (a device, FIFO or socket), not an audio file");
        }
        if (!Files.isReadable(file)) {
            throw new AccessDeniedException(source, null, "audio file is not readable (permission denied)");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new AudioFormatException(
                    source, "the file has " + size + " bytes; at most " + MAX_FILE_BYTES + " can be read");
        }
        return read(Files.readAllBytes(file), source);
    }

    /**
     * Reads audio from a stream, to its end (the stream is not closed).
     *
     * @param sourceName how errors name the stream (a URL, "request body", ...)
     * @throws AudioFormatException the content is not supported, corrupt or truncated
     * @throws IOException          the stream fails
     */
    public static Audio read(InputStream in, String sourceName) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            total += n;
            if (total > MAX_FILE_BYTES) {
                throw new AudioFormatException(
                        sourceName,
                        "the stream has more than " + MAX_FILE_BYTES + " bytes; at most that many can be read");
            }
            bytes.write(chunk, 0, n);
        }
        return read(bytes.toByteArray(), sourceName);
    }

    /**
     * Decodes audio held in memory.
     *
     * @param sourceName how errors name the data
     * @throws AudioFormatException the content is not supported, corrupt or truncated
     */
    public static Audio read(byte[] bytes, String sourceName) {
        Format format = detect(bytes, sourceName);
        return switch (format) {
            case WAV -> WavReader.read(bytes, sourceName);
            case FLAC -> FlacReader.read(bytes, sourceName);
            case MP3 -> Mp3Reader.read(bytes, sourceName);
        };
    }

    /**
     * Recognises the container from the content.
     *
     * @throws UnsupportedAudioFormatException when it is none of WAV, MP3, FLAC (the message says
     *                                         what it looks like when that is known)
     * @throws AudioFormatException            for empty data
     */
    public static Format detect(byte[] b, String sourceName) {
        if (b.length == 0) {
            throw new AudioFormatException(sourceName, "the file is empty (0 bytes)");
        }
        if (startsWith(b, 0, "RIFF") || startsWith(b, 0, "RF64")) {
            if (startsWith(b, 8, "WAVE")) {
                return Format.WAV;
            }
            if (b.length < 12) {
                throw new AudioFormatException(
                        sourceName, "truncated file: a RIFF header of only " + b.length + " bytes");
            }
            throw new UnsupportedAudioFormatException(sourceName, "RIFF " + fourCc(b, 8) + " (not WAVE)");
        }
        if (startsWith(b, 0, "fLaC")) {
            return Format.FLAC;
        }
        int afterId3 = MpegFrames.id3v2Length(b);
        if (afterId3 > 0 && startsWith(b, afterId3, "fLaC")) {
            return Format.FLAC;
        }
        if (afterId3 == 0) {
            String known = describe(b);
            if (!known.startsWith("unknown") && !known.equals("AAC (ADTS)")) {
                // a recognised other format: do not hunt for MPEG frames inside it
                throw new UnsupportedAudioFormatException(sourceName, known);
            }
        }
        if (MpegFrames.parse(b, afterId3) != null || MpegFrames.firstFrame(b) >= 0) {
            return Format.MP3;
        }
        if (afterId3 > 0) {
            // an ID3v2 tag promises MPEG audio; what follows is not
            throw new AudioFormatException(
                    sourceName, "corrupt MP3 file: an ID3v2 tag but no MPEG audio frame after it");
        }
        throw new UnsupportedAudioFormatException(sourceName, describe(b));
    }

    /** What the header of an unsupported file looks like, for the error message. */
    static String describe(byte[] b) {
        if (startsWith(b, 0, "OggS")) {
            if (contains(b, "OpusHead", 80)) {
                return "Ogg Opus";
            }
            if (contains(b, "vorbis", 80)) {
                return "Ogg Vorbis";
            }
            if (contains(b, "FLAC", 80)) {
                return "Ogg FLAC";
            }
            return "Ogg";
        }
        if (startsWith(b, 0, "FORM") && (startsWith(b, 8, "AIFF") || startsWith(b, 8, "AIFC"))) {
            return "AIFF";
        }
        if (startsWith(b, 0, "RIFX")) {
            return "big-endian WAV (RIFX)";
        }
        if (startsWith(b, 4, "ftyp")) {
            return "MP4/M4A (AAC or ALAC)";
        }
        if (b.length >= 4
                && (b[0] & 0xff) == 0x1A
                && (b[1] & 0xff) == 0x45
                && (b[2] & 0xff) == 0xDF
                && (b[3] & 0xff) == 0xA3) {
            return "Matroska/WebM";
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xF6) == 0xF0) {
            return "AAC (ADTS)";
        }
        if (startsWith(b, 0, "caff")) {
            return "Core Audio (CAF)";
        }
        if (startsWith(b, 0, ".snd")) {
            return "Sun/NeXT AU";
        }
        if (startsWith(b, 0, "#!AMR")) {
            return "AMR";
        }
        if (startsWith(b, 0, "MThd")) {
            return "MIDI";
        }
        if (startsWith(b, 0, "wvpk")) {
            return "WavPack";
        }
        if (startsWith(b, 0, "MAC ")) {
            return "Monkey's Audio (APE)";
        }
        if (startsWith(b, 0, "%PDF")) {
            return "a PDF document";
        }
        if (startsWith(b, 0, "PK")) {
            return "a ZIP archive";
        }
        if (startsWith(b, 0, "<!DOCTYPE") || startsWith(b, 0, "<html") || startsWith(b, 0, "<HTML")) {
            return "an HTML page";
        }
        if ((b[0] & 0xff) == 0x89 && startsWith(b, 1, "PNG")) {
            return "a PNG image";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "a JPEG image";
        }
        // never the bytes themselves: the file may be any readable file (a message must not reveal its content)
        return looksLikeText(b) ? "unknown content (text, not audio)" : "unknown content (binary, not a known format)";
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        if (at < 0 || at + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] b, String s, int within) {
        for (int i = 0; i + s.length() <= Math.min(b.length, within); i++) {
            if (startsWith(b, i, s)) {
                return true;
            }
        }
        return false;
    }

    private static String fourCc(byte[] b, int at) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = at; i < Math.min(b.length, at + 4); i++) {
            char c = (char) (b[i] & 0xff);
            sb.append(c >= 32 && c < 127 ? c : '?');
        }
        return sb.append('\'').toString();
    }

    private static boolean looksLikeText(byte[] b) {
        int n = Math.min(b.length, 512);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 9 || (c > 13 && c < 32) || c == 127) {
                return false;
            }
        }
        return true;
    }
}
