package dev.musicgen.internal.conditioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.hub.HubRepos;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.t5.T5EncoderModel;
import dev.musicgen.internal.t5.T5Tokenizer;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.spi.RepoResolver;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Port of audiocraft {@code T5Conditioner} (audiocraft/modules/conditioners.py, v1.2.0) for inference: the frozen T5
 * text encoder, then {@code output_proj} ({@code Linear(t5_dim, dim)} with bias, from the LM checkpoint), then
 * {@code embeds * mask}. A null or empty description tokenizes to {@code </s>} with an all-zero mask, so its row is
 * all zeros after the multiply. T5 runs in fp32 whatever the LM's dtype.
 *
 * <p>Owns its tokenizer, encoder and projection weights: close it. Internal API.
 */
public final class T5Conditioner implements AutoCloseable {
    /** Files a T5 repo must provide. */
    static final String[] T5_FILES = {"config.json", "tokenizer.json", "model.safetensors"};

    private final T5Tokenizer tokenizer;
    private final T5EncoderModel t5;
    private final NDManager manager;
    private final NDArray projWeight; // [dim, t5_dim]
    private final NDArray projBias; // [dim]
    private final int outputDim;
    private boolean closed;

    private T5Conditioner(
            T5Tokenizer tokenizer,
            T5EncoderModel t5,
            NDManager manager,
            NDArray projWeight,
            NDArray projBias,
            int outputDim) {
        this.tokenizer = tokenizer;
        this.t5 = t5;
        this.manager = manager;
        this.projWeight = projWeight;
        this.projBias = projBias;
        this.outputDim = outputDim;
    }

    /**
     * The local directory of T5 model {@code name} as xp.cfg writes it ({@code conditioners.description.t5.name}),
     * through {@code resolver}; legacy ids map to their Hub repos ({@code t5-base} → {@code google-t5/t5-base},
     * {@link HubRepos#t5Repo}).
     */
    public static Path resolveTextModel(String name, RepoResolver resolver) {
        return resolver.resolve(HubRepos.t5Repo(name), T5_FILES);
    }

    /**
     * Builds the conditioner, taking ownership of {@code tokenizer} and {@code t5} (closed with it, or here when
     * loading fails).
     *
     * @param outputProj view holding {@code weight [outputDim, t5_dim]} and {@code bias [outputDim]}
     */
    public static T5Conditioner create(
            T5Tokenizer tokenizer, T5EncoderModel t5, WeightStore outputProj, int outputDim, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            int t5Dim = t5.config().dModel();
            NDArray w = outputProj.load("weight", m, DataType.FLOAT32, outputDim, t5Dim);
            NDArray b = outputProj.load("bias", m, DataType.FLOAT32, outputDim);
            return new T5Conditioner(tokenizer, t5, m, w, b, outputDim);
        } catch (RuntimeException e) {
            m.close();
            t5.close();
            tokenizer.close();
            throw e;
        }
    }

    /** Loads the tokenizer and encoder from a T5 repo directory and the projection from {@code outputProj}. */
    public static T5Conditioner load(Path t5Dir, WeightStore outputProj, int outputDim, NDManager parent) {
        T5Tokenizer tok = T5Tokenizer.load(t5Dir);
        T5EncoderModel enc;
        try {
            enc = T5EncoderModel.load(t5Dir, parent);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
        return create(tok, enc, outputProj, outputDim, parent);
    }

    /** Output dimension (the LM's {@code dim}). */
    public int outputDim() {
        return outputDim;
    }

    /** {@code tokenize}: null → {@code ""}; padded batch; rows of empty prompts get a zero mask. */
    public T5Tokenizer.TokenBatch tokenize(List<String> texts) {
        ensureOpen();
        return tokenizer.encodeBatch(texts);
    }

    /** tokenize then forward. */
    public Condition forward(List<String> texts, NDManager out) {
        return forward(tokenize(texts), out);
    }

    /**
     * {@code forward}: {@code output_proj(t5(ids, mask).last_hidden_state) * mask[..., None]}.
     *
     * @return embeds [B, L, dim] and mask [B, L] (int64) on {@code out}
     */
    public Condition forward(T5Tokenizer.TokenBatch tokens, NDManager out) {
        ensureOpen();
        Shape shape = new Shape(tokens.batchSize(), tokens.length());
        NDArray embeds;
        NDArray mask;
        try (NDScope scope = new NDScope()) {
            NDArray ids = out.create(flat(tokens.inputIds()), shape);
            mask = out.create(flat(tokens.attentionMask()), shape);
            NDArray hidden = t5.forward(ids, mask); // [B, L, t5_dim]
            embeds = F.linear(hidden, projWeight, projBias)
                    .mul(mask.toType(DataType.FLOAT32, false).expandDims(2)); // [B, L, dim]
            NDScope.unregister(embeds, mask);
        }
        embeds.attach(out);
        NDScope.register(embeds);
        NDScope.register(mask);
        return new Condition(embeds, mask);
    }

    private static long[] flat(long[][] a) {
        return Arrays.stream(a).flatMapToLong(Arrays::stream).toArray();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("T5Conditioner is closed");
        }
    }

    /** Frees the projection, the encoder and the tokenizer. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
            t5.close();
            tokenizer.close();
        }
    }
}
