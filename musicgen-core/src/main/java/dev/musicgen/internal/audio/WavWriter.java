package dev.musicgen.internal.audio;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles.WavEncoding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RIFF/WAVE encoder: 16-bit PCM (what audiocraft's {@code audio_write} makes with ffmpeg
 * {@code -c:a pcm_s16le}, samples converted by {@link Pcm#toPcm16}) or 32-bit IEEE float.
 *
 * <p>Headers are the canonical ones: {@code fmt } of 16 bytes (PCM, format tag 1) or 18 bytes plus
 * a {@code fact} chunk (float, format tag 3), then {@code data}. ffmpeg also writes a
 * {@code LIST/INFO} chunk with its encoder name; the samples are the same. Users write through
 * {@link dev.musicgen.audio.AudioFiles} (atomic file writes); this is its WAV encoder.
 */
public final class WavWriter {

    private static final long MAX_DATA_BYTES = 0xFFFFFFFFL - 64;

    private WavWriter() {}

    /** Bytes of the complete file for {@code audio} in {@code encoding}. */
    public static long fileSize(Audio audio, WavEncoding encoding) {
        return headerSize(encoding) + dataSize(audio, encoding);
    }

    /**
     * Writes a complete WAV file to {@code out} (not closed).
     *
     * @throws IllegalArgumentException when the data would exceed the 4 GiB a RIFF file can hold
     */
    public static void write(Audio audio, WavEncoding encoding, OutputStream out) throws IOException {
        long dataSize = dataSize(audio, encoding);
        if (dataSize > MAX_DATA_BYTES) {
            throw new IllegalArgumentException(
                    "a WAV file holds at most 4 GiB of samples, but this audio needs " + dataSize + " bytes");
        }
        int channels = audio.channels();
        int bytesPerSample = encoding.bitsPerSample() / 8;
        int blockAlign = channels * bytesPerSample;
        boolean pcm = encoding == WavEncoding.PCM_16;

        ByteBuffer h = ByteBuffer.allocate(headerSize(encoding)).order(ByteOrder.LITTLE_ENDIAN);
        h.put(ascii("RIFF")).putInt((int) (headerSize(encoding) - 8 + dataSize)).put(ascii("WAVE"));
        h.put(ascii("fmt ")).putInt(pcm ? 16 : 18);
        h.putShort((short) (pcm ? 1 : 3))
                .putShort((short) channels)
                .putInt(audio.sampleRate())
                .putInt(audio.sampleRate() * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) encoding.bitsPerSample());
        if (!pcm) {
            h.putShort((short) 0); // cbSize
            h.put(ascii("fact")).putInt(4).putInt(audio.frames()); // required for non-PCM data
        }
        h.put(ascii("data")).putInt((int) dataSize);
        out.write(h.array());

        float[][] samples = audio.samples();
        int frames = audio.frames();
        int chunkFrames = Math.max(1, 16384 / blockAlign);
        ByteBuffer buf = ByteBuffer.allocate(chunkFrames * blockAlign).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < frames; start += chunkFrames) {
            int end = Math.min(frames, start + chunkFrames);
            buf.clear();
            for (int t = start; t < end; t++) {
                for (int c = 0; c < channels; c++) {
                    if (pcm) {
                        buf.putShort(Pcm.toPcm16(samples[c][t]));
                    } else {
                        buf.putFloat(samples[c][t]);
                    }
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    private static int headerSize(WavEncoding encoding) {
        return encoding == WavEncoding.PCM_16 ? 44 : 58; // float: fmt 18 bytes + fact chunk 12 bytes
    }

    private static long dataSize(Audio audio, WavEncoding encoding) {
        return (long) audio.frames() * audio.channels() * (encoding.bitsPerSample() / 8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
