package dev.musicgen.internal.codec;

import dev.musicgen.spi.StreamDecoder;

/**
 * The incremental decode of {@link InterleaveStereoCompressionModel}: the interleaved codebooks {@code L0, R0, L1, R1,
 * ...} of {@code B} items are split into the left and right mono codes and run as one mono stream of {@code 2 B} items
 * (left items first), whose outputs become the two channels.
 */
final class InterleavedStreamDecoder implements StreamDecoder {
    private final InterleaveStereoCompressionModel codec;
    private final StreamDecoder mono;
    private final int batch;

    InterleavedStreamDecoder(InterleaveStereoCompressionModel codec, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, but is: " + batch);
        }
        this.codec = codec;
        this.batch = batch;
        this.mono = codec.model().streamDecoder(2 * batch);
    }

    @Override
    public float[][][] decode(long[][][] codes) {
        if (codes == null || codes.length != batch) {
            throw new IllegalArgumentException("codes: expected " + batch + " items (shape [" + batch + ", "
                    + codec.numCodebooks() + ", n]), found " + (codes == null ? "null" : codes.length));
        }
        int k = codec.model().numCodebooks();
        long[][][] split = new long[2 * batch][k][];
        for (int i = 0; i < batch; i++) {
            if (codes[i] == null || codes[i].length != 2 * k) {
                codec.checkCodes("codes", codes); // names the item and the expected shape
            }
            for (int q = 0; q < k; q++) {
                split[i][q] = codes[i][2 * q];
                split[batch + i][q] = codes[i][2 * q + 1];
            }
        }
        return join(mono.decode(split));
    }

    @Override
    public int lookAheadFrames() {
        return mono.lookAheadFrames();
    }

    @Override
    public float[][][] finish() {
        return join(mono.finish());
    }

    private float[][][] join(float[][][] y) {
        float[][][] out = new float[batch][2][];
        for (int i = 0; i < batch; i++) {
            out[i][0] = y[i][0];
            out[i][1] = y[batch + i][0];
        }
        return out;
    }

    @Override
    public void close() {
        mono.close();
    }
}
