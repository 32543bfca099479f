package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;

/** MPEG-1/2/2.5 audio frame headers: parsing, and finding where the frames of a file start. */
public final class MpegFrames {

    /** How far past the ID3v2 tag a stream may start with junk before it is not taken as MP3. */
    public static final int MAX_LEADING_JUNK = 64 * 1024;

    private static final int[][] BITRATES = {
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448}, // MPEG-1 layer I
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384}, // MPEG-1 layer II
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}, // MPEG-1 layer III
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256}, // MPEG-2/2.5 layer I
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}, // MPEG-2/2.5 layers II, III
    };
    private static final int[][] SAMPLE_RATES = {
        {11025, 12000, 8000}, // MPEG-2.5
        {0, 0, 0}, // reserved
        {22050, 24000, 16000}, // MPEG-2
        {44100, 48000, 32000}, // MPEG-1
    };

    /**
     * One frame header.
     *
     * @param version     1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5)
     * @param layer       1, 2 or 3
     * @param frameLength bytes, header included
     */
    public record Header(int version, int layer, int bitrateKbps, int sampleRate, int channels, int frameLength) {}

    private MpegFrames() {}

    /** The header at {@code at}, or null when the 4 bytes there are not a valid (non free-format) header. */
    public static Header parse(byte[] b, int at) {
        if (at < 0 || at + 4 > b.length) {
            return null;
        }
        int h = (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
        if ((h & 0xFFE00000) != 0xFFE00000) {
            return null;
        }
        int versionBits = (h >>> 19) & 3;
        int layerBits = (h >>> 17) & 3;
        int bitrateIndex = (h >>> 12) & 15;
        int rateIndex = (h >>> 10) & 3;
        int padding = (h >>> 9) & 1;
        int mode = (h >>> 6) & 3;
        if (versionBits == 1 || layerBits == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
            return null;
        }
        int layer = 4 - layerBits;
        boolean mpeg1 = versionBits == 3;
        int table = mpeg1 ? layer - 1 : (layer == 1 ? 3 : 4);
        int bitrate = BITRATES[table][bitrateIndex];
        int sampleRate = SAMPLE_RATES[versionBits][rateIndex];
        int length;
        if (layer == 1) {
            length = (12 * bitrate * 1000 / sampleRate + padding) * 4;
        } else if (layer == 3 && !mpeg1) {
            length = 72 * bitrate * 1000 / sampleRate + padding;
        } else {
            length = 144 * bitrate * 1000 / sampleRate + padding;
        }
        int version = mpeg1 ? 1 : (versionBits == 2 ? 2 : 25);
        return new Header(version, layer, bitrate, sampleRate, mode == 3 ? 1 : 2, length);
    }

    /** Length of the ID3v2 tags at the start of {@code b} (0 when there is none). */
    public static int id3v2Length(byte[] b) {
        int pos = 0;
        while (pos + 10 <= b.length && b[pos] == 'I' && b[pos + 1] == 'D' && b[pos + 2] == '3') {
            int size = (b[pos + 6] & 0x7f) << 21
                    | (b[pos + 7] & 0x7f) << 14
                    | (b[pos + 8] & 0x7f) << 7
                    | (b[pos + 9] & 0x7f);
            boolean footer = (b[pos + 5] & 0x10) != 0;
            pos += 10 + size + (footer ? 10 : 0);
        }
        return Math.min(pos, b.length);
    }

    /**
     * Offset of the first frame: past any ID3v2 tag, the first position (within
     * {@link #MAX_LEADING_JUNK} bytes) where a valid header is followed by two more frames with the
     * same version, layer and sample rate (or by the end of the data). −1 when there is none.
     */
    public static int firstFrame(byte[] b) {
        int start = id3v2Length(b);
        int limit = Math.min(b.length - 4, start + MAX_LEADING_JUNK);
        for (int pos = start; pos <= limit; pos++) {
            if ((b[pos] & 0xff) != 0xff) {
                continue;
            }
            Header h = parse(b, pos);
            if (h != null && followedByFrames(b, pos, h, 2)) {
                return pos;
            }
        }
        return -1;
    }

    private static boolean followedByFrames(byte[] b, int pos, Header h, int count) {
        int next = pos + h.frameLength();
        for (int i = 0; i < count; i++) {
            if (next + 4 > b.length) {
                // the data ends: exactly after a frame, or inside a (truncated) frame after a confirmed one
                return next == b.length || i > 0;
            }
            Header n = parse(b, next);
            if (n == null || n.version() != h.version() || n.layer() != h.layer() || n.sampleRate() != h.sampleRate()) {
                return i > 0 && trailer(b, next);
            }
            next += n.frameLength();
        }
        return true;
    }

    /** ID3v1 ("TAG"), APE ("APETAGEX") and Lyrics3 ("LYRICS") trailers that may follow the last frame. */
    private static boolean trailer(byte[] b, int at) {
        return (b[at] == 'T' && b[at + 1] == 'A' && b[at + 2] == 'G')
                || (b[at] == 'A' && b[at + 1] == 'P' && b[at + 2] == 'E')
                || (b[at] == 'L' && b[at + 1] == 'Y' && b[at + 2] == 'R');
    }
}
