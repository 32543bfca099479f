package dev.musicgen.audio;

import dev.musicgen.internal.audio.Mp3Writer;
import dev.musicgen.internal.audio.Pcm;
import dev.musicgen.internal.audio.WavWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Encodes {@link Audio} to WAV or MP3 bytes and writes files safely: the data goes to a temporary
 * file in the target's directory, which is then moved over the target (atomically where the file
 * system allows). On any failure the temporary file is deleted and the target is left as it was,
 * so no partial output is ever visible under the target name.
 */
public final class AudioFiles {

    /** Output container formats. */
    public enum Format {
        WAV("wav"),
        MP3("mp3");

        private final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        /** The usual file extension, without the dot. */
        public String extension() {
            return extension;
        }

        /** Parses {@code "wav"} / {@code "mp3"} in any case. */
        public static Format fromName(String name) {
            if (name != null) {
                for (Format f : values()) {
                    if (f.extension.equalsIgnoreCase(name.trim())) {
                        return f;
                    }
                }
            }
            throw new IllegalArgumentException("output format must be one of wav, mp3, but is: " + name);
        }
    }

    /** Sample encodings of WAV output. */
    public enum WavEncoding {
        /** Signed 16-bit little-endian PCM (the default, as Replicate's predictor writes). */
        PCM_16(16),
        /** 32-bit IEEE float, the samples unchanged (not clamped). */
        FLOAT_32(32);

        private final int bits;

        WavEncoding(int bits) {
            this.bits = bits;
        }

        /** Bits per sample: 16 or 32. */
        public int bitsPerSample() {
            return bits;
        }
    }

    /**
     * Encoder options.
     *
     * @param wavEncoding    sample encoding of WAV output (16-bit PCM by default)
     * @param mp3BitrateKbps constant bit rate of MP3 output (128 kbps by default, ffmpeg's default)
     */
    public record WriteOptions(WavEncoding wavEncoding, int mp3BitrateKbps) {

        /** 16-bit PCM WAV, 128 kbps CBR MP3: what Replicate's predictor produces. */
        public static final WriteOptions DEFAULTS =
                new WriteOptions(WavEncoding.PCM_16, Mp3Writer.DEFAULT_BITRATE_KBPS);

        public WriteOptions {
            if (wavEncoding == null) {
                throw new IllegalArgumentException("wavEncoding must not be null (PCM_16 or FLOAT_32)");
            }
            if (mp3BitrateKbps < 8 || mp3BitrateKbps > 320) {
                throw new IllegalArgumentException(
                        "mp3BitrateKbps must be between 8 and 320, but is: " + mp3BitrateKbps);
            }
        }

        public WriteOptions withWavEncoding(WavEncoding encoding) {
            return new WriteOptions(encoding, mp3BitrateKbps);
        }

        public WriteOptions withMp3BitrateKbps(int kbps) {
            return new WriteOptions(wavEncoding, kbps);
        }
    }

    /** Writes the encoded bytes to a stream; lets tests inject failures. */
    @FunctionalInterface
    interface Encoder {
        void encode(OutputStream out) throws IOException;
    }

    private AudioFiles() {}

    /** Encodes to a stream (not closed). */
    public static void encode(Audio audio, Format format, WriteOptions options, OutputStream out) throws IOException {
        encoderFor(audio, format, options).encode(out);
    }

    /** Encodes to bytes in memory. */
    public static byte[] encode(Audio audio, Format format, WriteOptions options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            encode(audio, format, options, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * Writes {@code audio} to {@code target} in {@code format}, replacing an existing file.
     *
     * @throws NoSuchFileException      the target's directory does not exist
     * @throws NotDirectoryException    the target's parent is not a directory
     * @throws AccessDeniedException    the directory is not writable
     * @throws FileSystemException      the target is a directory
     * @throws IllegalArgumentException the audio cannot be encoded in this format (e.g. MP3 with 3 channels), or the
     *                                  target's extension names the other format ({@code x.mp3} for WAV bytes)
     * @throws IOException              another I/O error (the target is then unchanged)
     */
    public static void write(Path target, Audio audio, Format format, WriteOptions options) throws IOException {
        checkExtension(target, format);
        Encoder encoder = encoderFor(audio, format, options); // validates before touching the disk
        write(target, encoder);
    }

    /** The write itself, with the encoder given. */
    static void write(Path target, Encoder encoder) throws IOException {
        dev.musicgen.internal.TempFiles.writeAtomically(target, encoder::encode);
    }

    /**
     * Refuses a target whose extension is that of the other format: a player trusts the extension, and WAV bytes in a
     * {@code .mp3} file (or the reverse) do not play. Other extensions (or none) are written as asked.
     */
    static void checkExtension(Path target, Format format) {
        if (target == null || target.getFileName() == null || format == null) {
            return;
        }
        String name = target.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        for (Format other : Format.values()) {
            if (other != format && other.extension().equalsIgnoreCase(ext)) {
                throw new IllegalArgumentException("output file " + target + " has the ." + ext + " extension but the "
                        + "output format is " + format.extension() + ": name it ." + format.extension()
                        + " or ask for " + other.extension());
            }
        }
    }

    private static Encoder encoderFor(Audio audio, Format format, WriteOptions options) {
        if (audio == null) {
            throw new IllegalArgumentException("audio must not be null");
        }
        if (format == null) {
            throw new IllegalArgumentException("format must not be null (wav or mp3)");
        }
        WriteOptions o = options == null ? WriteOptions.DEFAULTS : options;
        return switch (format) {
            case WAV -> {
                long size = WavWriter.fileSize(audio, o.wavEncoding());
                if (size > 0xFFFFFFFFL - 64) {
                    throw new IllegalArgumentException(
                            "a WAV file holds at most 4 GiB, but this audio needs " + size + " bytes");
                }
                yield out -> WavWriter.write(audio, o.wavEncoding(), out);
            }
            case MP3 -> {
                Mp3Writer.validate(audio, o.mp3BitrateKbps());
                yield out -> Mp3Writer.write(audio, o.mp3BitrateKbps(), out);
            }
        };
    }

    /**
     * The audio as a {@code javax.sound.sampled} stream of signed 16-bit little-endian PCM, the
     * samples a 16-bit WAV holds ({@link Pcm#toPcm16}), e.g. for playback with a {@code Clip}.
     */
    public static javax.sound.sampled.AudioInputStream toAudioInputStream(Audio audio) {
        int channels = audio.channels();
        int frames = audio.frames();
        byte[] pcm = new byte[Math.multiplyExact(Math.multiplyExact(frames, channels), 2)];
        float[][] samples = audio.samples();
        int p = 0;
        for (int t = 0; t < frames; t++) {
            for (int c = 0; c < channels; c++) {
                short v = Pcm.toPcm16(samples[c][t]);
                pcm[p++] = (byte) v;
                pcm[p++] = (byte) (v >> 8);
            }
        }
        javax.sound.sampled.AudioFormat format = new javax.sound.sampled.AudioFormat(
                javax.sound.sampled.AudioFormat.Encoding.PCM_SIGNED,
                audio.sampleRate(),
                16,
                channels,
                2 * channels,
                audio.sampleRate(),
                false);
        return new javax.sound.sampled.AudioInputStream(new java.io.ByteArrayInputStream(pcm), format, frames);
    }

    /** {@code name} with the format's extension, e.g. {@code out} → {@code out.wav}. */
    public static String withExtension(String name, Format format) {
        return name.toLowerCase(Locale.ROOT).endsWith("." + format.extension())
                ? name
                : name + "." + format.extension();
    }
}
