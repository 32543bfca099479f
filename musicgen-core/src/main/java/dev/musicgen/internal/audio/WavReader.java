package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * RIFF/WAVE (and RF64) decoder: PCM 8 (unsigned), 16, 24, 32 bit, IEEE float 32 and 64 bit, plain
 * or {@code WAVE_FORMAT_EXTENSIBLE}. Samples become floats as {@code torchaudio.load} returns them
 * (see {@link Pcm}). Chunks other than {@code fmt } and {@code data} are skipped.
 *
 * <p>Checked against torchaudio 0.13 ({@code torchaudio.load}, sox backend) on files made by sox:
 * 8, 16 and 24-bit PCM are identical; 32-bit PCM and 64-bit float differ by at most 3e-8 because
 * sox routes them through its own int32 rounding, while this reader converts the way ffmpeg's
 * swresample does ({@code (float) x * 2^-31}, {@code (float) d}), as torchaudio's ffmpeg backend returns them.
 */
public final class WavReader {

    private static final int FORMAT_PCM = 0x0001;
    private static final int FORMAT_FLOAT = 0x0003;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;

    private WavReader() {}

    public static Audio read(byte[] bytes, String source) throws AudioFormatException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12) {
            throw truncated(source, "the RIFF header is incomplete (" + bytes.length + " bytes)");
        }
        boolean rf64 = bytes[0] == 'R' && bytes[1] == 'F' && bytes[2] == '6' && bytes[3] == '4';
        long rf64DataSize = -1;

        int pos = 12;
        Format fmt = null;
        while (true) {
            if (pos + 8 > bytes.length) {
                if (fmt == null) {
                    throw truncated(source, "no 'fmt ' chunk before the end of the file");
                }
                throw truncated(source, "no 'data' chunk before the end of the file");
            }
            String id = new String(bytes, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            long size = Integer.toUnsignedLong(buf.getInt(pos + 4));
            int body = pos + 8;
            long available = bytes.length - (long) body;
            switch (id) {
                case "ds64" -> {
                    if (size < 24 || size > available) {
                        throw corrupt(source, "the RF64 'ds64' chunk is too short");
                    }
                    rf64DataSize = buf.getLong(body + 8);
                }
                case "fmt " -> {
                    if (size > available) {
                        throw truncated(
                                source,
                                "the 'fmt ' chunk declares " + size + " bytes but only " + available + " remain");
                    }
                    fmt = parseFormat(buf, body, (int) size, source);
                }
                case "data" -> {
                    if (fmt == null) {
                        throw corrupt(source, "the 'data' chunk comes before any 'fmt ' chunk");
                    }
                    long dataSize = size;
                    if (rf64 && size == 0xFFFFFFFFL && rf64DataSize >= 0) {
                        dataSize = rf64DataSize;
                    }
                    if (dataSize > available) {
                        // 0xFFFFFFFF: a writer that could not seek back (ffmpeg into a pipe); read to the end
                        if (size == 0xFFFFFFFFL) {
                            dataSize = available;
                        } else {
                            throw truncated(
                                    source,
                                    "the 'data' chunk declares " + dataSize + " bytes but only " + available
                                            + " remain");
                        }
                    }
                    return decode(buf, body, dataSize, fmt, source);
                }
                default -> {
                    // LIST, fact, cue, PEAK, junk...: skipped
                }
            }
            long next = body + size + (size & 1); // chunks are padded to an even size
            if (next > bytes.length) {
                throw truncated(
                        source,
                        "the '" + printable(id) + "' chunk declares " + size + " bytes but only " + available
                                + " remain, and no 'data' chunk was found");
            }
            pos = (int) next;
        }
    }

    private record Format(int tag, int channels, int sampleRate, int blockAlign, int bits) {}

    private static Format parseFormat(ByteBuffer buf, int at, int size, String source) throws AudioFormatException {
        if (size < 16) {
            throw corrupt(source, "the 'fmt ' chunk has " + size + " bytes, fewer than the 16 a WAV header needs");
        }
        int tag = Short.toUnsignedInt(buf.getShort(at));
        int channels = Short.toUnsignedInt(buf.getShort(at + 2));
        long sampleRate = Integer.toUnsignedLong(buf.getInt(at + 4));
        int blockAlign = Short.toUnsignedInt(buf.getShort(at + 12));
        int bits = Short.toUnsignedInt(buf.getShort(at + 14));
        if (tag == FORMAT_EXTENSIBLE) {
            if (size < 40) {
                throw corrupt(source, "WAVE_FORMAT_EXTENSIBLE header has " + size + " bytes, fewer than 40");
            }
            tag = Short.toUnsignedInt(buf.getShort(at + 24)); // first two bytes of the SubFormat GUID
        }
        if (tag != FORMAT_PCM && tag != FORMAT_FLOAT) {
            throw new UnsupportedAudioFormatException(source, "WAV with " + encodingName(tag) + " encoding");
        }
        if (channels == 0) {
            throw corrupt(source, "the WAV header declares 0 channels");
        }
        if (sampleRate == 0 || sampleRate > Integer.MAX_VALUE) {
            throw corrupt(source, "the WAV header declares a sample rate of " + sampleRate + " Hz");
        }
        AudioLimits.checkSampleRate(source, sampleRate);
        boolean ok = tag == FORMAT_PCM ? bits == 8 || bits == 16 || bits == 24 || bits == 32 : bits == 32 || bits == 64;
        if (!ok) {
            String kind = tag == FORMAT_PCM ? "PCM" : "float";
            throw new UnsupportedAudioFormatException(source, "WAV " + bits + "-bit " + kind);
        }
        if (blockAlign != channels * (bits / 8)) {
            throw corrupt(
                    source,
                    "the WAV header's block size " + blockAlign + " does not match " + channels + " channels of " + bits
                            + " bits");
        }
        return new Format(tag, channels, (int) sampleRate, blockAlign, bits);
    }

    private static Audio decode(ByteBuffer buf, int at, long dataSize, Format f, String source)
            throws AudioFormatException {
        long frames = dataSize / f.blockAlign(); // a partial last frame is ignored, as decoders do
        if (frames > Integer.MAX_VALUE - 8) {
            throw new AudioFormatException(
                    source, "the WAV file has " + frames + " frames, more than a Java array holds");
        }
        AudioLimits.checkFrames(source, frames, f.sampleRate());
        int n = (int) frames;
        int channels = f.channels();
        float[][] out = new float[channels][n];
        int bytesPerSample = f.bits() / 8;
        int p = at;
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < channels; c++) {
                out[c][t] = sample(buf, p, f);
                p += bytesPerSample;
            }
        }
        return new Audio(out, f.sampleRate());
    }

    private static float sample(ByteBuffer buf, int p, Format f) {
        if (f.tag() == FORMAT_FLOAT) {
            return f.bits() == 32 ? buf.getFloat(p) : (float) buf.getDouble(p);
        }
        return switch (f.bits()) {
            case 8 -> Pcm.fromPcmU8(Byte.toUnsignedInt(buf.get(p)));
            case 16 -> Pcm.fromPcm16(buf.getShort(p));
            case 24 -> Pcm.fromPcm24((buf.get(p) & 0xff) | (buf.get(p + 1) & 0xff) << 8 | buf.get(p + 2) << 16);
            default -> Pcm.fromPcm32(buf.getInt(p));
        };
    }

    private static String encodingName(int tag) {
        String name = switch (tag) {
            case 0x0002 -> "Microsoft ADPCM";
            case 0x0006 -> "A-law";
            case 0x0007 -> "mu-law";
            case 0x0011 -> "IMA ADPCM";
            case 0x0031 -> "GSM 6.10";
            case 0x0050 -> "MPEG";
            case 0x0055 -> "MP3";
            default -> "unknown";
        };
        return String.format(Locale.ROOT, "%s (format tag 0x%04X)", name, tag);
    }

    private static String printable(String id) {
        StringBuilder sb = new StringBuilder();
        for (char ch : id.toCharArray()) {
            sb.append(ch >= 32 && ch < 127 ? ch : '?');
        }
        return sb.toString();
    }

    private static AudioFormatException truncated(String source, String detail) {
        return new AudioFormatException(source, "truncated or corrupt WAV file: " + detail);
    }

    private static AudioFormatException corrupt(String source, String detail) {
        return new AudioFormatException(source, "corrupt WAV file: " + detail);
    }
}
