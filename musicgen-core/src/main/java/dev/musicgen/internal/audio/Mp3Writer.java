package dev.musicgen.internal.audio;

import de.sciss.jump3r.lowlevel.LameEncoder;
import dev.musicgen.audio.*;
import java.io.IOException;
import java.io.OutputStream;
import javax.sound.sampled.AudioFormat;

/**
 * MP3 encoder on top of jump3r (a pure-Java port of LAME 3.98).
 *
 * <p>Replicate's predictor makes its MP3 with {@code ffmpeg -i out.wav out.mp3}: libmp3lame with
 * ffmpeg's default audio bit rate of 128 kbps, constant, from the 16-bit WAV. This writer does the
 * same by default: the samples are first converted to 16 bit as ffmpeg writes the WAV
 * ({@link Pcm#toPcm16}), then encoded at {@link #DEFAULT_BITRATE_KBPS} kbps CBR, joint stereo for two
 * channels, mono for one. The encoder version differs (LAME 3.98 in Java vs the system's libmp3lame),
 * so the bytes differ from ffmpeg's while the format and rate are the same.
 */
public final class Mp3Writer {

    /** ffmpeg's default audio bit rate ({@code -b:a} unset), in kbps. */
    public static final int DEFAULT_BITRATE_KBPS = 128;

    /** Layer III bit rates of MPEG-1 (32, 44.1, 48 kHz), in kbps. */
    private static final int[] MPEG1_BITRATES = {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    /** Layer III bit rates of MPEG-2 and 2.5 (8 to 24 kHz), in kbps. */
    private static final int[] MPEG2_BITRATES = {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};

    private Mp3Writer() {}

    /**
     * Encodes {@code audio} (1 or 2 channels, a sample rate MP3 supports) to {@code out}.
     *
     * @param bitrateKbps a Layer III bit rate: 32 to 320 kbps (32, 40, 48, 56, 64, 80, 96, 112, 128,
     *                    160, 192, 224, 256, 320) at 32/44.1/48 kHz; 8 to 160 kbps below
     * @throws IllegalArgumentException for more than 2 channels, an unsupported sample rate or bit rate
     */
    public static void write(Audio audio, int bitrateKbps, OutputStream out) throws IOException {
        validate(audio, bitrateKbps);
        int channels = audio.channels();
        AudioFormat source = new AudioFormat(
                AudioFormat.Encoding.PCM_SIGNED,
                audio.sampleRate(),
                16,
                channels,
                2 * channels,
                audio.sampleRate(),
                false);
        int mode = channels == 1 ? LameEncoder.CHANNEL_MODE_MONO : LameEncoder.CHANNEL_MODE_JOINT_STEREO;
        LameEncoder encoder = new LameEncoder(source, bitrateKbps, mode, LameEncoder.QUALITY_MIDDLE, false);
        try {
            int frameBytes = 2 * channels;
            int chunkFrames = Math.max(1, encoder.getPCMBufferSize() / frameBytes);
            byte[] pcm = new byte[chunkFrames * frameBytes];
            byte[] mp3 = new byte[Math.max(encoder.getMP3BufferSize(), 7200 + chunkFrames * 2)];
            float[][] samples = audio.samples();
            int frames = audio.frames();
            for (int start = 0; start < frames; start += chunkFrames) {
                int n = Math.min(chunkFrames, frames - start);
                int p = 0;
                for (int t = start; t < start + n; t++) {
                    for (int c = 0; c < channels; c++) {
                        short s = Pcm.toPcm16(samples[c][t]);
                        pcm[p++] = (byte) s;
                        pcm[p++] = (byte) (s >> 8);
                    }
                }
                int written = encoder.encodeBuffer(pcm, 0, p, mp3);
                if (written < 0) {
                    throw new IOException("MP3 encoder failed with code " + written);
                }
                out.write(mp3, 0, written);
            }
            int written = encoder.encodeFinish(mp3);
            if (written < 0) {
                throw new IOException("MP3 encoder failed with code " + written);
            }
            out.write(mp3, 0, written);
        } finally {
            encoder.close();
        }
    }

    /** Checks what the encoder would otherwise reject late or silently change. */
    public static void validate(Audio audio, int bitrateKbps) {
        if (audio.channels() > 2) {
            throw new IllegalArgumentException(
                    "MP3 holds 1 or 2 channels, but the audio has " + audio.channels() + "; downmix it first");
        }
        int sr = audio.sampleRate();
        boolean mpeg1 = sr == 32000 || sr == 44100 || sr == 48000;
        boolean mpeg2 = sr == 16000 || sr == 22050 || sr == 24000;
        boolean mpeg25 = sr == 8000 || sr == 11025 || sr == 12000;
        if (!mpeg1 && !mpeg2 && !mpeg25) {
            throw new IllegalArgumentException("MP3 supports sample rates 8000, 11025, 12000, 16000, 22050, 24000, "
                    + "32000, 44100 and 48000 Hz, but the audio is at " + sr + " Hz; resample it first");
        }
        int[] allowed = mpeg1 ? MPEG1_BITRATES : MPEG2_BITRATES;
        for (int b : allowed) {
            if (b == bitrateKbps) {
                return;
            }
        }
        throw new IllegalArgumentException("bitrateKbps must be one of " + java.util.Arrays.toString(allowed) + " at "
                + sr + " Hz, but is: " + bitrateKbps);
    }
}
