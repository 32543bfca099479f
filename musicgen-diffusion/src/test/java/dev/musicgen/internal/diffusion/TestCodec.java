package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A stand-in for the EnCodec in diffusion-only tests: the latent is the RVQ sum over the codebooks of an audiocraft
 * {@code compression_state_dict.bin}; the "decode" is a function the test chooses (e.g. recorded audio).
 */
final class TestCodec implements LatentCodec {
    private final float[][] codebooks; // [K][bins * D]
    private final int bins;
    private final int dim;
    private final int hop;
    private final int sampleRate;
    private final BiFunction<long[], long[], float[]> decode; // (flat codes, shape [B,K,T]) -> flat audio [B,1,T*hop]
    boolean closed;

    TestCodec(Path compressionStateDict, int hop, int sampleRate, BiFunction<long[], long[], float[]> decode) {
        try (TorchCheckpoint ck = TorchCheckpoint.open(compressionStateDict)) {
            Map<String, TensorData> t = ck.tensors("best_state");
            int k = 0;
            while (t.containsKey("quantizer.vq.layers." + k + "._codebook.embed")) {
                k++;
            }
            codebooks = new float[k][];
            long[] shape = t.get("quantizer.vq.layers.0._codebook.embed").shape();
            bins = (int) shape[0];
            dim = (int) shape[1];
            for (int i = 0; i < k; i++) {
                codebooks[i] =
                        t.get("quantizer.vq.layers." + i + "._codebook.embed").toFloatArray();
            }
        }
        this.hop = hop;
        this.sampleRate = sampleRate;
        this.decode = decode;
    }

    /** A smooth deterministic "decode": each frame's latent channel 0 held for hop samples, plus a ramp. */
    static TestCodec synthetic(int hop) {
        TestCodec[] self = new TestCodec[1];
        self[0] = new TestCodec(MbdFixture.modelDir().resolve("compression_state_dict.bin"), hop, 32000, (c, s) -> {
            int b = (int) s[0];
            int k = (int) s[1];
            int t = (int) s[2];
            float[] out = new float[b * t * hop];
            for (int i = 0; i < b; i++) {
                for (int f = 0; f < t; f++) {
                    float v = 0;
                    for (int q = 0; q < k; q++) {
                        v += self[0].codebooks[q][(int) c[(i * k + q) * t + f] * self[0].dim];
                    }
                    for (int j = 0; j < hop; j++) {
                        out[(i * t + f) * hop + j] =
                                0.1f * v + 0.01f * (float) Math.sin(0.05 * (f * hop + j) * (i + 1));
                    }
                }
            }
            return out;
        });
        return self[0];
    }

    @Override
    public String name() {
        return "test-codec";
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public int numCodebooks() {
        return codebooks.length;
    }

    @Override
    public int cardinality() {
        return bins;
    }

    @Override
    public int hopLength() {
        return hop;
    }

    @Override
    public NDArray decodeLatent(NDArray codes) {
        long[] s = codes.getShape().getShape();
        long[] c = codes.toLongArray();
        int b = (int) s[0];
        int k = (int) s[1];
        int t = (int) s[2];
        float[] out = new float[b * dim * t];
        for (int i = 0; i < b; i++) {
            for (int f = 0; f < t; f++) {
                for (int d = 0; d < dim; d++) {
                    float acc = 0f;
                    for (int q = 0; q < k; q++) {
                        acc += codebooks[q][(int) c[(i * k + q) * t + f] * dim + d];
                    }
                    out[(i * dim + d) * t + f] = acc;
                }
            }
        }
        return codes.getManager().create(out, new Shape(b, dim, t));
    }

    @Override
    public NDArray decode(NDArray codes) {
        long[] s = codes.getShape().getShape();
        return codes.getManager().create(decode.apply(codes.toLongArray(), s), new Shape(s[0], 1, s[2] * hop));
    }

    @Override
    public void close() {
        closed = true;
    }
}
