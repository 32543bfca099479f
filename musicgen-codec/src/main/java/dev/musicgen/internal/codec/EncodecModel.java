package dev.musicgen.internal.codec;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.Arrays3;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Port of audiocraft {@code EncodecModel} ({@code models/encodec.py} @ v1.2.0) for inference in fp32: SEANet encoder,
 * residual vector quantizer, SEANet decoder. {@link #encode} gives {@code [B, n_q, ceil(T / hop)]} codes;
 * {@link #decode} gives {@code [B, channels, frames * hop]} samples (upstream's decode keeps the padding; callers trim).
 *
 * <p>Owns one {@link NDManager} holding the weights; each call runs in its own sub-manager and {@link NDScope}, so
 * nothing it creates outlives the call. Instances are safe to use from several threads at once.
 */
public final class EncodecModel extends CompressionModel {
    /** Training-only RVQ buffers that every checkpoint carries and inference ignores. */
    static final List<String> IGNORED =
            List.of("quantizer\\.layers\\.\\d+\\.codebook\\.(inited|cluster_size|embed_avg)");

    private final EncodecConfig config;
    private final NDManager weights;
    private final SEANetEncoder encoder;
    private final SEANetDecoder decoder;
    private final ResidualVectorQuantizer quantizer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EncodecModel(
            EncodecConfig config,
            NDManager weights,
            SEANetEncoder encoder,
            SEANetDecoder decoder,
            ResidualVectorQuantizer quantizer) {
        this.config = config;
        this.weights = weights;
        this.encoder = encoder;
        this.decoder = decoder;
        this.quantizer = quantizer;
    }

    /**
     * Builds the model from weights under our (HF-style) names: {@code encoder.layers.I...}, {@code decoder.layers.I...},
     * {@code quantizer.layers.N.codebook.embed}. Loading is strict: a missing weight, a wrong shape or a weight no
     * module uses (other than the RVQ training buffers) fails with a {@link dev.musicgen.CheckpointException}.
     *
     * @param store the weights, already renamed by the layout's key mapping (a view with a prefix is fine)
     */
    public static EncodecModel fromWeights(EncodecConfig config, WeightStore store, Device device) {
        NDManager m = NDManager.newBaseManager(device, F.ENGINE);
        try {
            SEANetEncoder enc = new SEANetEncoder(store.view("encoder"), m, config.encoder());
            SEANetDecoder dec = new SEANetDecoder(store.view("decoder"), m, config.decoder());
            ResidualVectorQuantizer rvq = new ResidualVectorQuantizer(store.view("quantizer"), m, config.rvq());
            store.ignore(IGNORED);
            store.checkAllUsed();
            return new EncodecModel(config, m, enc, dec, rvq);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public EncodecConfig config() {
        return config;
    }

    @Override
    public int sampleRate() {
        return config.sampleRate();
    }

    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public int numCodebooks() {
        return quantizer.numCodebooks();
    }

    @Override
    public int cardinality() {
        return config.rvq().bins();
    }

    @Override
    public double frameRate() {
        return config.frameRate();
    }

    @Override
    public int hopLength() {
        return config.hopLength();
    }

    /** audio [B][channels][T] -> codes [B][n_q][ceil(T / hop)]. */
    @Override
    public long[][][] encode(float[][][] audio) {
        checkAudio("audio", audio);
        ensureOpen();
        int b = audio.length;
        int c = audio[0].length;
        int t = audio[0][0].length;
        try (NDManager call = weights.newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = call.create(Arrays3.flatten(audio), new Shape(b, c, t));
            NDArray codes = encode(x);
            return Arrays3.unflatten(codes.toLongArray(), b, numCodebooks(), (int)
                    codes.getShape().get(2));
        }
    }

    /** codes [B][n_q][T] -> audio [B][channels][T * hop]. */
    @Override
    public float[][][] decode(long[][][] codes) {
        checkCodes("codes", codes);
        ensureOpen();
        try (NDManager call = weights.newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray out = decode(toArray(call, codes));
            return Arrays3.unflatten(out.toFloatArray(), codes.length, channels(), (int)
                    out.getShape().get(2));
        }
    }

    /** An incremental decoder (see {@link EncodecStreamDecoder}); holds no native memory between calls. */
    @Override
    public dev.musicgen.spi.StreamDecoder streamDecoder(int batch) {
        return streamDecoder(batch, 0);
    }

    /** @param marginSlack frames added to the decoder's margins (tests: -1 shows that a smaller margin breaks it) */
    EncodecStreamDecoder streamDecoder(int batch, int marginSlack) {
        ensureOpen();
        return new EncodecStreamDecoder(this, quantizer, decoder, batch, marginSlack);
    }

    /**
     * audiocraft's {@code decode_latent}: the quantized latent (sum of the codewords) before the decoder.
     *
     * @return {@code [B][dimension][T]}
     */
    public float[][][] decodeLatent(long[][][] codes) {
        checkCodes("codes", codes);
        ensureOpen();
        try (NDManager call = weights.newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray z = quantizer.decode(toArray(call, codes));
            return Arrays3.unflatten(
                    z.toFloatArray(), codes.length, config.rvq().dimension(), codes[0][0].length);
        }
    }

    private static NDArray toArray(NDManager m, long[][][] codes) {
        return m.create(Arrays3.flatten(codes), new Shape(codes.length, codes[0].length, codes[0][0].length));
    }

    /** x [B, C, T] float32 -> codes [B, K, T'] int64. */
    NDArray encode(NDArray x) {
        NDArray emb = encoder.forward(x); // [B, D, T']
        return quantizer.encode(emb);
    }

    /** codes [B, K, T] int64 -> [B, C, T * hop]. */
    NDArray decode(NDArray codes) {
        NDArray emb = quantizer.decode(codes); // [B, D, T]
        return decoder.forward(emb);
    }

    /** The manager holding the weights (tests check that calls leave nothing behind on it). */
    NDManager weightsManager() {
        return weights;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this EncodecModel has been closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            weights.close();
        }
    }

    @Override
    public String toString() {
        return "EncodecModel[" + sampleRate() + " Hz, " + channels() + " ch, " + numCodebooks() + " x " + cardinality()
                + " codes at " + frameRate() + " Hz]";
    }
}
