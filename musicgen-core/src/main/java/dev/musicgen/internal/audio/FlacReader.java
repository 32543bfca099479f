package dev.musicgen.internal.audio;

import dev.musicgen.audio.*;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;

/**
 * FLAC decoder on top of jFLAC ({@code org.jflac:jflac-codec}). Integer samples of {@code b} bits
 * become {@code x / 2^(b-1)}, as {@code torchaudio.load} returns them.
 */
public final class FlacReader {

    private FlacReader() {}

    public static Audio read(byte[] bytes, String source) throws AudioFormatException {
        FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(bytes));
        StreamInfo info;
        try {
            decoder.readMetadata();
            info = decoder.getStreamInfo();
        } catch (IOException | RuntimeException e) {
            throw new AudioFormatException(source, "corrupt FLAC file: cannot read the stream header (" + e + ")", e);
        }
        if (info == null) {
            throw new AudioFormatException(source, "corrupt FLAC file: no STREAMINFO block");
        }
        int channels = info.getChannels();
        int bits = info.getBitsPerSample();
        int sampleRate = info.getSampleRate();
        if (channels <= 0 || sampleRate <= 0 || bits < 4 || bits > 32) {
            throw new AudioFormatException(
                    source,
                    "corrupt FLAC file: STREAMINFO declares " + channels + " channels, " + sampleRate + " Hz, " + bits
                            + " bits");
        }
        AudioLimits.checkSampleRate(source, sampleRate);
        long declared = info.getTotalSamples(); // 0 = unknown
        AudioLimits.checkFrames(source, declared, sampleRate);
        if (declared > Integer.MAX_VALUE - 8) {
            throw new AudioFormatException(
                    source, "the FLAC file has " + declared + " frames, more than a Java array holds");
        }
        float scale = (float) (1.0 / (1L << (bits - 1)));
        float[][] out = new float[channels][declared > 0 ? (int) declared : 1 << 16];
        int frames = 0;
        try {
            Frame frame;
            while ((frame = decoder.readNextFrame()) != null) {
                int block = frame.header.blockSize;
                if (frame.header.channels != channels) {
                    throw new AudioFormatException(
                            source,
                            "corrupt FLAC file: a frame has " + frame.header.channels + " channels, the stream "
                                    + channels);
                }
                AudioLimits.checkFrames(source, (long) frames + block, sampleRate);
                if (frames + block > out[0].length) {
                    int grown = Math.max(frames + block, out[0].length * 2);
                    for (int c = 0; c < channels; c++) {
                        out[c] = Arrays.copyOf(out[c], grown);
                    }
                }
                ChannelData[] data = decoder.getChannelData();
                for (int c = 0; c < channels; c++) {
                    int[] samples = data[c].getOutput();
                    float[] dst = out[c];
                    for (int i = 0; i < block; i++) {
                        dst[frames + i] = samples[i] * scale;
                    }
                }
                frames += block;
            }
        } catch (IOException | RuntimeException e) {
            throw new AudioFormatException(source, "corrupt FLAC file: " + e, e);
        }
        if (decoder.getBadFrames() > 0) {
            throw new AudioFormatException(
                    source,
                    "corrupt FLAC file: " + decoder.getBadFrames()
                            + " frame(s) failed to decode (CRC or syntax error)");
        }
        if (declared > 0 && frames < declared) {
            throw new AudioFormatException(
                    source,
                    "truncated FLAC file: STREAMINFO declares " + declared + " frames but only " + frames
                            + " could be decoded");
        }
        if (declared > 0 && frames > declared) {
            frames = (int) declared;
        }
        for (int c = 0; c < channels; c++) {
            if (out[c].length != frames) {
                out[c] = Arrays.copyOf(out[c], frames);
            }
        }
        return new Audio(out, sampleRate);
    }
}
