package dev.musicgen.internal.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.musicgen.CheckpointException;
import dev.musicgen.internal.weights.WeightFiles;
import dev.musicgen.internal.weights.WeightStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of transformers {@code T5EncoderModel} (src/transformers/models/t5/modeling_t5.py) for inference: shared token
 * embedding, {@code num_layers} {@link T5Block}s with the relative position bias computed by the first block and
 * reused by all, final RMS layer norm. Always fp32 (audiocraft runs T5 under fp32 autocast).
 *
 * <p>The attention mask becomes an additive bias {@code (1 - mask) * finfo(float32).min} added to the position bias,
 * exactly as upstream: a row whose mask is all zero gives every key the same (huge negative) score, i.e. uniform
 * attention, which audiocraft then zeroes with its mask multiply.
 *
 * <p>Internal API. Weights live on a sub-manager of the parent given at load time, owned by this object: close it.
 * Loads from the HF layout: {@code shared.weight}, {@code encoder.block.N.layer.0.SelfAttention.{q,k,v,o}.weight},
 * {@code ...relative_attention_bias.weight} (block 0), {@code ...layer.0.layer_norm.weight},
 * {@code ...layer.1.DenseReluDense.{wi|wi_0,wi_1,wo}.weight}, {@code ...layer.1.layer_norm.weight},
 * {@code encoder.final_layer_norm.weight}; decoder and LM-head keys of a full T5 checkpoint are ignored.
 */
public final class T5EncoderModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(T5EncoderModel.class);

    /** Keys of a T5 checkpoint the encoder knowingly does not read (relative to the T5 root). */
    public static final List<String> IGNORED_KEYS =
            List.of("decoder\\..*", "lm_head\\.weight", "encoder\\.embed_tokens\\.weight" /* tied to shared.weight */);

    private final T5Config config;
    private final NDManager manager;
    private final NDArray shared; // [vocab, d_model]
    private final List<T5Block> blocks;
    private final T5LayerNorm finalLayerNorm;
    private boolean closed;

    private T5EncoderModel(
            T5Config config, NDManager manager, NDArray shared, List<T5Block> blocks, T5LayerNorm finalLayerNorm) {
        this.config = config;
        this.manager = manager;
        this.shared = shared;
        this.blocks = blocks;
        this.finalLayerNorm = finalLayerNorm;
    }

    /**
     * Loads a T5 repo directory: {@code config.json} plus {@code model.safetensors}, a sharded
     * {@code model.safetensors.index.json}, or {@code pytorch_model.bin}.
     */
    public static T5EncoderModel load(Path dir, NDManager parent) {
        Path configJson = dir.resolve("config.json");
        if (!Files.isRegularFile(configJson)) {
            throw new IllegalArgumentException("T5 directory " + dir + " has no config.json");
        }
        T5Config config = T5Config.load(configJson);
        Path weights = WeightFiles.find(dir);
        if (weights == null) {
            throw new IllegalArgumentException("T5 directory " + dir + " has none of model.safetensors,"
                    + " model.safetensors.index.json, pytorch_model.bin");
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            WeightStore store = WeightStore.of(weights.toString(), WeightFiles.open(weights, open));
            T5EncoderModel model = load(config, store, parent);
            store.checkAllUsed();
            return model;
        } finally {
            WeightFiles.closeAll(open);
        }
    }

    /**
     * Loads from a store whose keys are relative to the T5 root ({@code shared.weight}, {@code encoder.*}), e.g. the
     * {@code text_encoder.} view of an HF MusicGen checkpoint. Marks {@link #IGNORED_KEYS} as knowingly unused; the
     * caller runs {@link WeightStore#checkAllUsed()} when it has read everything else.
     */
    public static T5EncoderModel load(T5Config config, WeightStore store, NDManager parent) {
        store.ignore(IGNORED_KEYS);
        NDManager m = parent.newSubManager();
        try {
            int d = config.dModel();
            int inner = config.innerDim();
            NDArray shared = weight(store, "shared.weight", m, config.vocabSize(), d);
            List<T5Block> blocks = new ArrayList<>();
            for (int i = 0; i < config.numLayers(); i++) {
                String p = "encoder.block." + i + ".layer.";
                String att = p + "0.SelfAttention.";
                NDArray rel = null;
                if (i == 0) {
                    rel = weight(
                            store,
                            att + "relative_attention_bias.weight",
                            m,
                            config.relativeAttentionNumBuckets(),
                            config.numHeads());
                } else if (store.has(att + "relative_attention_bias.weight")) {
                    throw new CheckpointException("checkpoint " + store.source() + " has a relative attention bias in"
                            + " encoder block " + i + "; T5 keeps it in block 0 only");
                }
                T5Attention attention = new T5Attention(
                        weight(store, att + "q.weight", m, inner, d),
                        weight(store, att + "k.weight", m, inner, d),
                        weight(store, att + "v.weight", m, inner, d),
                        weight(store, att + "o.weight", m, d, inner),
                        rel,
                        config);
                T5LayerNorm attNorm =
                        new T5LayerNorm(weight(store, p + "0.layer_norm.weight", m, d), config.layerNormEpsilon());
                String ff = p + "1.DenseReluDense.";
                T5DenseActDense dense;
                if (config.isGatedAct()) {
                    dense = new T5DenseActDense(
                            weight(store, ff + "wi_0.weight", m, config.dFf(), d),
                            weight(store, ff + "wi_1.weight", m, config.dFf(), d),
                            weight(store, ff + "wo.weight", m, d, config.dFf()),
                            config.denseActFn());
                } else {
                    dense = new T5DenseActDense(
                            weight(store, ff + "wi.weight", m, config.dFf(), d),
                            null,
                            weight(store, ff + "wo.weight", m, d, config.dFf()),
                            config.denseActFn());
                }
                T5LayerNorm ffNorm =
                        new T5LayerNorm(weight(store, p + "1.layer_norm.weight", m, d), config.layerNormEpsilon());
                blocks.add(new T5Block(attNorm, attention, ffNorm, dense));
            }
            if (store.has("encoder.block." + config.numLayers() + ".layer.0.layer_norm.weight")) {
                throw new CheckpointException("checkpoint " + store.source() + " has more encoder blocks than"
                        + " num_layers=" + config.numLayers());
            }
            T5LayerNorm fin =
                    new T5LayerNorm(weight(store, "encoder.final_layer_norm.weight", m, d), config.layerNormEpsilon());
            LOG.debug(
                    "loaded T5 encoder from {}{} ({} layers, d_model {}, {})",
                    store.source(),
                    store.prefix().isEmpty() ? "" : " under '" + store.prefix() + "'",
                    config.numLayers(),
                    d,
                    config.feedForwardProj());
            return new T5EncoderModel(config, m, shared, List.copyOf(blocks), fin);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static NDArray weight(WeightStore store, String key, NDManager m, long... shape) {
        return store.load(key, m, DataType.FLOAT32, shape);
    }

    public T5Config config() {
        return config;
    }

    /**
     * {@code T5EncoderModel(input_ids, attention_mask).last_hidden_state}.
     *
     * @param inputIds [B, L] int64
     * @param attentionMask [B, L] int64 (1 = token, 0 = padding / absent prompt)
     * @return [B, L, d_model] float32, attached to {@code inputIds}' manager
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask) {
        ensureOpen();
        if (inputIds.getShape().dimension() != 2 || !inputIds.getShape().equals(attentionMask.getShape())) {
            throw new IllegalArgumentException("inputIds and attentionMask must both be [B, L], but are "
                    + inputIds.getShape() + " and " + attentionMask.getShape());
        }
        NDManager out = inputIds.getManager();
        int len = (int) inputIds.getShape().get(1);
        long batch = inputIds.getShape().get(0);
        NDArray result;
        try (NDScope scope = new NDScope()) {
            NDArray h =
                    Embedding.embedding(inputIds, shared, SparseFormat.DENSE).singletonOrThrow(); // [B, L, d]
            // extended mask: (1 - mask) * finfo(float32).min, [B, 1, 1, L]
            NDArray ext = attentionMask
                    .toType(DataType.FLOAT32, false)
                    .neg()
                    .add(1f)
                    .mul(-Float.MAX_VALUE)
                    .reshape(batch, 1, 1, len);
            NDArray positionBias =
                    blocks.get(0).attention().computeBias(out, len, len, config).add(ext);
            for (T5Block block : blocks) {
                h = block.forward(h, positionBias);
            }
            result = finalLayerNorm.forward(h);
            NDScope.unregister(result);
        }
        result.attach(out);
        NDScope.register(result); // to the caller's scope, if any, like the result of any op
        return result;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("T5EncoderModel is closed");
        }
    }

    /** Frees the weights. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
