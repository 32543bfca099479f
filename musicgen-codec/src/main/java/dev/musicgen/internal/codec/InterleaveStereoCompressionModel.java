package dev.musicgen.internal.codec;

import java.util.Objects;

/**
 * Port of audiocraft {@code InterleaveStereoCompressionModel} ({@code models/encodec.py} @ v1.2.0) with
 * {@code per_timestep=False}, the setting MusicGen's stereo models use: the left and right channels are encoded
 * separately by the wrapped mono model and their codebooks interleaved ({@code rearrange('c b k t -> b (k c) t')},
 * i.e. {@code L0, R0, L1, R1, ...}); decoding splits even/odd codebooks and stacks the two mono decodes as channels.
 */
public final class InterleaveStereoCompressionModel extends CompressionModel {
    private final CompressionModel model;

    /** @param model a mono model; this wrapper owns it and closes it */
    public InterleaveStereoCompressionModel(CompressionModel model) {
        this.model = Objects.requireNonNull(model, "model");
        if (model.channels() != 1) {
            throw new IllegalArgumentException(
                    "the wrapped model must be mono (channels 1), but has channels " + model.channels());
        }
    }

    /** The wrapped mono model. */
    public CompressionModel model() {
        return model;
    }

    @Override
    public int sampleRate() {
        return model.sampleRate();
    }

    @Override
    public int channels() {
        return 2;
    }

    /** Codebooks after interleaving: twice the mono model's. */
    @Override
    public int numCodebooks() {
        return model.numCodebooks() * 2;
    }

    @Override
    public int totalCodebooks() {
        return model.totalCodebooks();
    }

    @Override
    public int cardinality() {
        return model.cardinality();
    }

    @Override
    public double frameRate() {
        return model.frameRate();
    }

    @Override
    public int hopLength() {
        return model.hopLength();
    }

    /** audio [B][2][T] -> codes [B][2 K][ceil(T / hop)], interleaved {@code L0, R0, L1, R1, ...}. */
    @Override
    public long[][][] encode(float[][][] audio) {
        checkAudio("audio", audio);
        int b = audio.length;
        float[][][] left = new float[b][1][];
        float[][][] right = new float[b][1][];
        for (int i = 0; i < b; i++) {
            left[i][0] = audio[i][0];
            right[i][0] = audio[i][1];
        }
        long[][][] l = model.encode(left);
        long[][][] r = model.encode(right);
        int k = model.numCodebooks();
        long[][][] out = new long[b][2 * k][];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < k; q++) {
                out[i][2 * q] = l[i][q];
                out[i][2 * q + 1] = r[i][q];
            }
        }
        return out;
    }

    /** codes [B][2 K][T] (interleaved) -> audio [B][2][T * hop]. */
    @Override
    public float[][][] decode(long[][][] codes) {
        checkCodes("codes", codes);
        int b = codes.length;
        int k = model.numCodebooks();
        long[][][] l = new long[b][k][];
        long[][][] r = new long[b][k][];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < k; q++) {
                l[i][q] = codes[i][2 * q];
                r[i][q] = codes[i][2 * q + 1];
            }
        }
        float[][][] left = model.decode(l);
        float[][][] right = model.decode(r);
        float[][][] out = new float[b][2][];
        for (int i = 0; i < b; i++) {
            out[i][0] = left[i][0];
            out[i][1] = right[i][0];
        }
        return out;
    }

    /** An incremental decoder: the two channels as one mono stream of twice the items. */
    @Override
    public dev.musicgen.spi.StreamDecoder streamDecoder(int batch) {
        return new InterleavedStreamDecoder(this, batch);
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "InterleaveStereoCompressionModel[" + model + "]";
    }
}
