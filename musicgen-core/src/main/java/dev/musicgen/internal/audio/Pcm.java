package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;

/**
 * Sample format conversions between float and integer PCM.
 *
 * <p>Float → 16 bit is what ffmpeg does when audiocraft pipes float32 into
 * {@code -c:a pcm_s16le} (libswresample {@code audioconvert.c}:
 * {@code av_clip_int16(lrintf(x * (1 << 15)))}, i.e. round half to even, then saturate).
 * Integer → float is what {@code torchaudio.load} returns ({@code normalize=True}): signed values
 * divided by {@code 2^(bits-1)}, unsigned 8-bit centred on 128 first.
 */
public final class Pcm {

    private Pcm() {}

    /** ffmpeg's float → s16: {@code clip(rint(x * 32768), -32768, 32767)}; NaN becomes 0. */
    public static short toPcm16(float x) {
        double v = Math.rint(x * 32768f); // x * 2^15 is exact in float
        if (v >= 32767) {
            return Short.MAX_VALUE;
        }
        if (v <= -32768) {
            return Short.MIN_VALUE;
        }
        if (Double.isNaN(v)) {
            return 0;
        }
        return (short) v;
    }

    /** Signed 16-bit → float, {@code x / 32768}. */
    public static float fromPcm16(int x) {
        return x / 32768f;
    }

    /** Unsigned 8-bit (0..255) → float, {@code (x - 128) / 128}. */
    public static float fromPcmU8(int x) {
        return (x - 128) / 128f;
    }

    /** Signed 24-bit → float, {@code x / 8388608}. */
    public static float fromPcm24(int x) {
        return x / 8388608f;
    }

    /** Signed 32-bit → float, {@code x / 2147483648} (rounded to float). */
    public static float fromPcm32(int x) {
        return (float) (x / 2147483648.0);
    }
}
