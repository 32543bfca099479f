package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.codec.EncodecModel;
import dev.musicgen.internal.nn.Arrays3;

/** MBD's codec: a mono {@link EncodecModel}, through its plain-array {@code decode} and {@code decodeLatent}. */
final class EncodecLatentCodec implements LatentCodec {
    private final EncodecModel model;
    private final String name;

    EncodecLatentCodec(EncodecModel model, String name) {
        if (model.channels() != 1) {
            throw new IllegalArgumentException(
                    "MultiBand Diffusion's codec must be mono, but " + name + " has " + model.channels() + " channels");
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
        return codes.getManager().create(Arrays3.flatten(z), new Shape(z.length, z[0].length, z[0][0].length));
    }

    @Override
    public NDArray decode(NDArray codes) {
        float[][][] wav = model.decode(toJava(codes)); // [B][1][T * hop]
        return codes.getManager().create(Arrays3.flatten(wav), new Shape(wav.length, wav[0].length, wav[0][0].length));
    }

    private static long[][][] toJava(NDArray codes) {
        long[] s = codes.getShape().getShape();
        return Arrays3.unflatten(codes.toLongArray(), (int) s[0], (int) s[1], (int) s[2]);
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
