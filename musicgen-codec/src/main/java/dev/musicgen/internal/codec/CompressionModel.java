package dev.musicgen.internal.codec;

import dev.musicgen.spi.AudioCodec;

/**
 * The audio tokenizer contract of audiocraft's {@code CompressionModel} ({@code models/encodec.py}) on plain Java
 * arrays: audio {@code [batch][channel][sample]}, codes {@code [batch][codebook][frame]}. Implementations validate
 * their inputs and refuse bad ones with an {@link IllegalArgumentException} naming the tensor, the value found and
 * what is allowed.
 */
public abstract class CompressionModel implements AudioCodec {
    /** Codebooks before interleaving (stereo: per channel); equals {@link #numCodebooks()} for mono. */
    public int totalCodebooks() {
        return numCodebooks();
    }

    /** Samples per code frame. */
    public int hopLength() {
        return (int) Math.round(sampleRate() / frameRate());
    }

    /**
     * Checks that {@code codes} can be decoded by this model: rectangular {@code [B][K][T]} with {@code B >= 1},
     * {@code K == numCodebooks()}, {@code T >= 1} and every value in {@code [0, cardinality())}.
     *
     * @param tensor the name used in messages (e.g. {@code tokens} for a tokens file)
     */
    public void checkCodes(String tensor, long[][][] codes) {
        if (codes == null || codes.length == 0) {
            throw new IllegalArgumentException(
                    tensor + ": expected shape [B, K, T] with B >= 1, found " + (codes == null ? "null" : "B = 0"));
        }
        int k = numCodebooks();
        int card = cardinality();
        int frames = -1;
        for (int b = 0; b < codes.length; b++) {
            long[][] item = codes[b];
            if (item == null || item.length != k) {
                throw new IllegalArgumentException(tensor + ": item " + b + " has "
                        + (item == null ? "no" : String.valueOf(item.length)) + " codebooks; this codec expects K = "
                        + k + " (shape [B, " + k + ", T])");
            }
            for (int q = 0; q < k; q++) {
                long[] row = item[q];
                if (row == null) {
                    throw new IllegalArgumentException(tensor + ": row [" + b + ", " + q + "] is null");
                }
                if (frames < 0) {
                    frames = row.length;
                    if (frames == 0) {
                        throw new IllegalArgumentException(tensor + ": has 0 frames; at least 1 is needed");
                    }
                } else if (row.length != frames) {
                    throw new IllegalArgumentException(tensor + ": ragged array, row [" + b + ", " + q + "] has "
                            + row.length + " frames but row [0, 0] has " + frames);
                }
                for (int t = 0; t < frames; t++) {
                    long v = row[t];
                    if (v < 0 || v >= card) {
                        throw new IllegalArgumentException(tensor + ": value " + v + " at [" + b + ", " + q + ", " + t
                                + "] is out of range; allowed codes are 0.." + (card - 1) + " (cardinality " + card
                                + ")");
                    }
                }
            }
        }
    }

    /**
     * Checks that {@code audio} can be encoded: rectangular {@code [B][C][T]} with {@code B >= 1},
     * {@code C == channels()}, {@code T >= 1}, all values finite.
     */
    public void checkAudio(String tensor, float[][][] audio) {
        if (audio == null || audio.length == 0) {
            throw new IllegalArgumentException(
                    tensor + ": expected shape [B, C, T] with B >= 1, found " + (audio == null ? "null" : "B = 0"));
        }
        int c = channels();
        int len = -1;
        for (int b = 0; b < audio.length; b++) {
            float[][] item = audio[b];
            if (item == null || item.length != c) {
                throw new IllegalArgumentException(tensor + ": item " + b + " has "
                        + (item == null ? "no" : String.valueOf(item.length)) + " channels; this codec expects C = "
                        + c + " at " + sampleRate() + " Hz");
            }
            for (int ch = 0; ch < c; ch++) {
                float[] row = item[ch];
                if (row == null) {
                    throw new IllegalArgumentException(tensor + ": channel [" + b + ", " + ch + "] is null");
                }
                if (len < 0) {
                    len = row.length;
                    if (len == 0) {
                        throw new IllegalArgumentException(tensor + ": has 0 samples; at least 1 is needed");
                    }
                } else if (row.length != len) {
                    throw new IllegalArgumentException(tensor + ": ragged array, channel [" + b + ", " + ch + "] has "
                            + row.length + " samples but channel [0, 0] has " + len);
                }
                for (int t = 0; t < len; t++) {
                    if (!Float.isFinite(row[t])) {
                        throw new IllegalArgumentException(
                                tensor + ": value " + row[t] + " at [" + b + ", " + ch + ", " + t + "] is not finite");
                    }
                }
            }
        }
    }
}
