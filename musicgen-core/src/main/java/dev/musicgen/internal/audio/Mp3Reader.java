package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.Obuffer;

/**
 * MPEG audio (MP3, also layers I and II) decoder on top of JLayer, the decoder inside mp3spi
 * ({@code com.googlecode.soundlibs}).
 *
 * <p>Two things are done the way ffmpeg (and so {@code torchaudio.load}) does them rather than the
 * way JLayer's {@code SampleBuffer} would: samples are taken as floats straight from the synthesis
 * filter (divided by 32768, not truncated to 16 bit), and gapless information is honoured: when the
 * first frame is a Xing/Info frame it is not audio, and when it carries a LAME tag the encoder
 * delay plus the decoder's 529 samples are dropped at the start and the padding at the end
 * ({@code libavformat/mp3dec.c}: {@code start_skip_samples = start_pad + 528 + 1}).
 */
public final class Mp3Reader {

    /** Decoder delay of the MPEG Layer III synthesis (ffmpeg's {@code 528 + 1}). */
    private static final int DECODER_DELAY = 529;

    private Mp3Reader() {}

    public static Audio read(byte[] bytes, String source) throws AudioFormatException {
        int first = MpegFrames.firstFrame(bytes);
        if (first < 0) {
            throw new AudioFormatException(source, "corrupt MP3 file: no MPEG audio frame found");
        }
        MpegFrames.Header firstHeader = MpegFrames.parse(bytes, first);
        GaplessInfo gapless = GaplessInfo.parse(bytes, first, firstHeader);

        Bitstream stream = new Bitstream(new ByteArrayInputStream(bytes, first, bytes.length - first));
        FloatOutput out = new FloatOutput(firstHeader.channels());
        Decoder decoder = new Decoder();
        decoder.setOutputBuffer(out);
        int sampleRate = firstHeader.sampleRate();
        AudioLimits.checkSampleRate(source, sampleRate);
        int audioFrames = 0;
        long maxFrames = (long) AudioLimits.MAX_SECONDS * sampleRate;
        try {
            Header h;
            boolean skipInfoFrame = gapless != null;
            while ((h = stream.readFrame()) != null) {
                if (skipInfoFrame) { // the Xing/Info frame holds metadata, not audio
                    skipInfoFrame = false;
                    stream.closeFrame();
                    continue;
                }
                if (h.frequency() != sampleRate) {
                    throw new AudioFormatException(
                            source,
                            "corrupt MP3 file: the sample rate changes from " + sampleRate + " Hz to " + h.frequency()
                                    + " Hz in frame " + audioFrames);
                }
                out.startFrame();
                decoder.decodeFrame(h, stream);
                out.endFrame();
                stream.closeFrame();
                audioFrames++;
                if (out.length[0] > maxFrames) {
                    break; // refused below, outside the damaged-tail handling
                }
            }
        } catch (AudioFormatException e) {
            throw e; // our own finding (a sample rate change), not a damaged tail
        } catch (BitstreamException | DecoderException | RuntimeException e) {
            if (audioFrames == 0) {
                throw new AudioFormatException(source, "corrupt MP3 file: " + e.getMessage(), e);
            }
            // a damaged tail: keep what decoded, as ffmpeg does
        } finally {
            try {
                stream.close();
            } catch (BitstreamException ignored) {
                // a byte array stream
            }
        }
        if (audioFrames == 0) {
            throw new AudioFormatException(source, "corrupt MP3 file: no MPEG audio frame could be decoded");
        }
        AudioLimits.checkFrames(source, out.length[0], sampleRate);
        float[][] samples = out.samples();
        int length = samples[0].length;
        int start = 0;
        int end = length;
        if (gapless != null && gapless.hasDelays() && firstHeader.layer() == 3) {
            start = Math.min(length, gapless.encoderDelay() + DECODER_DELAY);
            end = Math.max(start, Math.min(length, length + DECODER_DELAY - gapless.encoderPadding()));
        }
        float[][] trimmed = new float[samples.length][];
        for (int c = 0; c < samples.length; c++) {
            trimmed[c] = Arrays.copyOfRange(samples[c], start, end);
        }
        return new Audio(trimmed, sampleRate);
    }

    /** Xing/Info frame found in the first frame, with the LAME tag's delays when present. */
    private record GaplessInfo(int encoderDelay, int encoderPadding, boolean hasDelays) {

        static GaplessInfo parse(byte[] b, int frame, MpegFrames.Header h) {
            // ffmpeg: xing_offtbl[lsf][mono] after the 4-byte header
            int sideInfo = h.version() == 1 ? (h.channels() == 1 ? 17 : 32) : (h.channels() == 1 ? 9 : 17);
            int at = frame + 4 + sideInfo;
            if (at + 8 > b.length || at + 8 > frame + h.frameLength()) {
                return null;
            }
            boolean xing = b[at] == 'X' && b[at + 1] == 'i' && b[at + 2] == 'n' && b[at + 3] == 'g';
            boolean info = b[at] == 'I' && b[at + 1] == 'n' && b[at + 2] == 'f' && b[at + 3] == 'o';
            if (!xing && !info) {
                return null;
            }
            int flags = readInt(b, at + 4);
            int p = at + 8;
            if ((flags & 1) != 0) {
                p += 4; // frames
            }
            if ((flags & 2) != 0) {
                p += 4; // bytes
            }
            if ((flags & 4) != 0) {
                p += 100; // seek table
            }
            if ((flags & 8) != 0) {
                p += 4; // quality
            }
            // LAME tag: 9-byte encoder string, then 12 bytes, then delay (12 bits) and padding (12 bits)
            if (p + 24 > b.length) {
                return new GaplessInfo(0, 0, false);
            }
            boolean lame = startsWith(b, p, "LAME") || startsWith(b, p, "Lavf") || startsWith(b, p, "Lavc");
            if (!lame) {
                return new GaplessInfo(0, 0, false);
            }
            int v = (b[p + 21] & 0xff) << 16 | (b[p + 22] & 0xff) << 8 | (b[p + 23] & 0xff);
            return new GaplessInfo(v >>> 12, v & 0xfff, true);
        }

        private static boolean startsWith(byte[] b, int at, String s) {
            for (int i = 0; i < s.length(); i++) {
                if (b[at + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private static int readInt(byte[] b, int at) {
            return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
        }
    }

    /** Collects the synthesis filter's float output per channel (JLayer's own buffer truncates to 16 bit). */
    private static final class FloatOutput extends Obuffer {
        private final int channels;
        private float[][] data;
        private final int[] length;
        private int frameStart;

        FloatOutput(int channels) {
            this.channels = channels;
            this.data = new float[channels][1 << 16];
            this.length = new int[channels];
        }

        void startFrame() {
            frameStart = length[0];
            for (int c = 1; c < channels; c++) {
                length[c] = frameStart;
            }
        }

        /** A mono frame in a stereo stream fills only channel 0: repeat it, as decoders upmix. */
        void endFrame() {
            for (int c = 1; c < channels; c++) {
                if (length[c] < length[0]) {
                    ensure(length[0]);
                    System.arraycopy(data[0], frameStart, data[c], frameStart, length[0] - frameStart);
                    length[c] = length[0];
                }
            }
        }

        float[][] samples() {
            float[][] out = new float[channels][];
            for (int c = 0; c < channels; c++) {
                out[c] = Arrays.copyOf(data[c], length[0]);
            }
            return out;
        }

        private void ensure(int size) {
            if (size > data[0].length) {
                int grown = Math.max(size, data[0].length * 2);
                for (int c = 0; c < channels; c++) {
                    data[c] = Arrays.copyOf(data[c], grown);
                }
            }
        }

        @Override
        public void append(int channel, short value) {
            if (channel < channels) {
                ensure(length[channel] + 1);
                data[channel][length[channel]++] = value / 32768f;
            }
        }

        @Override
        public void appendSamples(int channel, float[] f) {
            if (channel >= channels) {
                return;
            }
            ensure(length[channel] + 32);
            float[] d = data[channel];
            int n = length[channel];
            for (int i = 0; i < 32; i++) {
                d[n + i] = f[i] / 32768f;
            }
            length[channel] = n + 32;
        }

        @Override
        public void write_buffer(int val) {}

        @Override
        public void close() {}

        @Override
        public void clear_buffer() {}

        @Override
        public void set_stop_flag() {}
    }
}
