package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.codec.EncodecModel;

/** MBD's codec: a mono {@link EncodecModel}, through its plain-array {@code decode} and {@code decodeLatent}. */
final class EncodecLatentCodec implements LatentCodec {
    private final EncodecModel model;
    private final String name;

    EncodecLatentCodec(EncodecModel model, String name) {
        if (model.channels() != 1) {
            throw new IllegalArgumentException("MultiBand Diffusion's codec must be mono, but " + name + " has "
                    + model.channels() + " channels");
        }
        this.model = model;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int sampleRate() {
        return model.sampleRate();
    }

    @Override
    public int numCodebooks() {
        return model.numCodebooks();
    }

    @Override
    public int cardinality() {
        return model.cardinality();
    }

    @Override
    public int hopLength() {
        return model.hopLength();
    }

    @Override
    public NDArray decodeLatent(NDArray codes) {
        float[][][] z = model.decodeLatent(toJava(codes)); // [B][D][T]
        return codes.getManager().create(flatten(z), new Shape(z.length, z[0].length, z[0][0].length));
    }

    @Override
    public NDArray decode(NDArray codes) {
        float[][][] wav = model.decode(toJava(codes)); // [B][1][T * hop]
        return codes.getManager().create(flatten(wav), new Shape(wav.length, wav[0].length, wav[0][0].length));
    }

    private static long[][][] toJava(NDArray codes) {
        long[] s = codes.getShape().getShape();
        long[] flat = codes.toLongArray();
        long[][][] out = new long[(int) s[0]][(int) s[1]][(int) s[2]];
        int pos = 0;
        for (long[][] item : out) {
            for (long[] row : item) {
                System.arraycopy(flat, pos, row, 0, row.length);
                pos += row.length;
            }
        }
        return out;
    }

    private static float[] flatten(float[][][] a) {
        float[] out = new float[a.length * a[0].length * a[0][0].length];
        int pos = 0;
        for (float[][] item : a) {
            for (float[] row : item) {
                System.arraycopy(row, 0, out, pos, row.length);
                pos += row.length;
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return name + " " + model;
    }
}
