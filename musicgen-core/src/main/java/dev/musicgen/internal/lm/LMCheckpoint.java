package dev.musicgen.internal.lm;

import dev.musicgen.CheckpointException;
import dev.musicgen.internal.config.JsonConfig;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.KeyMapping;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import dev.musicgen.internal.weights.WeightFiles;
import dev.musicgen.internal.weights.WeightStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A MusicGen LM checkpoint in either on-disk layout, with its config and a {@link WeightStore} under audiocraft's
 * names (the names {@link LMModel} and the conditioners read):
 * <ul>
 *   <li>audiocraft: {@code state_dict.bin} ({@code best_state} + {@code xp.cfg}), fp16 on the Hub; names as stored
 *       ({@link #AUDIOCRAFT_KEYS});</li>
 *   <li>HF transformers: a directory with {@code config.json} and {@code model.safetensors} (or its shard index, or
 *       {@code pytorch_model.bin}); decoder keys renamed back by {@link #HF_KEYS} (the inverse of
 *       {@code convert_musicgen_transformers.py}); split {@code q_proj/k_proj/v_proj} stay split under the audiocraft
 *       layer prefix and are fused by {@link LMModel#load}.</li>
 * </ul>
 * Keep the checkpoint open until every component has loaded its weights; then {@link WeightStore#checkAllUsed}.
 */
public final class LMCheckpoint implements AutoCloseable {
    /** On-disk layouts. */
    public enum Layout {
        AUDIOCRAFT,
        HF
    }

    /** audiocraft names are the canonical names. */
    public static final KeyMapping AUDIOCRAFT_KEYS = KeyMapping.identity();

    /**
     * HF transformers MusicGen decoder → audiocraft names (layer-local renames anchored to decoder layers). Keys of
     * other components keep their HF names ({@code text_encoder.*}, {@code enc_to_dec_proj.*},
     * {@code audio_enc_to_dec_proj.*}, {@code audio_encoder.*}), as their loaders read them from the same store.
     */
    public static final KeyMapping HF_KEYS = KeyMapping.builder()
            .rename("^decoder\\.model\\.decoder\\.embed_tokens\\.", "emb.")
            .rename("^decoder\\.model\\.decoder\\.layers\\.", "transformer.layers.")
            .rename("^decoder\\.model\\.decoder\\.layer_norm\\.", "out_norm.")
            .rename("^decoder\\.lm_heads\\.", "linears.")
            .rename("^(transformer\\.layers\\.\\d+)\\.encoder_attn_layer_norm\\.", "$1.norm_cross.")
            .rename("^(transformer\\.layers\\.\\d+)\\.self_attn_layer_norm\\.", "$1.norm1.")
            .rename("^(transformer\\.layers\\.\\d+)\\.final_layer_norm\\.", "$1.norm2.")
            .rename("^(transformer\\.layers\\.\\d+)\\.encoder_attn\\.", "$1.cross_attention.")
            .rename("^(transformer\\.layers\\.\\d+)\\.fc1\\.", "$1.linear1.")
            .rename("^(transformer\\.layers\\.\\d+)\\.fc2\\.", "$1.linear2.")
            .build();

    /**
     * Keys of the checkpoint that are not the LM's: the conditioners' projections (audiocraft
     * {@code condition_provider.*}, HF {@code enc_to_dec_proj.*}, {@code audio_enc_to_dec_proj.*}) and, in HF files,
     * the T5 text encoder and the EnCodec audio encoder. Whoever loads those marks them used; a caller loading only
     * the LM passes these to {@link WeightStore#ignore}.
     */
    public static final List<String> NON_LM_KEYS = List.of(
            "condition_provider\\..*",
            "enc_to_dec_proj\\..*",
            "audio_enc_to_dec_proj\\..*",
            "text_encoder\\..*",
            "audio_encoder\\..*");

    private final Layout layout;
    private final LMConfig config;
    private final WeightStore store;
    private final XpConfig xpConfig;
    private final JsonConfig hfConfig;
    private final List<AutoCloseable> toClose;

    private LMCheckpoint(
            Layout layout,
            LMConfig config,
            WeightStore store,
            XpConfig xpConfig,
            JsonConfig hfConfig,
            List<AutoCloseable> toClose) {
        this.layout = layout;
        this.config = config;
        this.store = store;
        this.xpConfig = xpConfig;
        this.hfConfig = hfConfig;
        this.toClose = toClose;
    }

    /** A {@code state_dict.bin} file, a directory holding one, or an HF directory with {@code config.json}. */
    public static LMCheckpoint open(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("state_dict.bin"))) {
                return openAudiocraft(path.resolve("state_dict.bin"));
            }
            if (Files.isRegularFile(path.resolve("config.json"))) {
                return openHf(path, 30.0);
            }
            throw new CheckpointException(
                    "directory " + path + " holds neither an audiocraft state_dict.bin nor an HF" + " config.json");
        }
        return openAudiocraft(path);
    }

    /** An audiocraft {@code state_dict.bin}: {@code best_state} tensors and the {@code xp.cfg} YAML. */
    public static LMCheckpoint openAudiocraft(Path stateDict) {
        TorchCheckpoint ck = TorchCheckpoint.open(stateDict);
        try {
            XpConfig xp = XpConfig.fromStored(ck.rootMap().get("xp.cfg"));
            if (xp == null) {
                throw new CheckpointException("checkpoint " + stateDict + " has no 'xp.cfg' (found keys "
                        + ck.rootMap().keySet() + "); is it an LM state_dict.bin?");
            }
            LMConfig config = LMConfig.fromXpConfig(xp);
            Map<String, TensorData> tensors = ck.tensors("best_state");
            WeightStore store = WeightStore.of(stateDict.toString(), tensors, AUDIOCRAFT_KEYS);
            List<AutoCloseable> close = new ArrayList<>();
            close.add(ck);
            return new LMCheckpoint(Layout.AUDIOCRAFT, config, store, xp, null, close);
        } catch (RuntimeException e) {
            ck.close();
            throw e;
        }
    }

    /**
     * An HF transformers MusicGen directory. {@code maxDuration} is the LM's chunk length in seconds (HF configs do not
     * store it; 30 for every released MusicGen).
     */
    public static LMCheckpoint openHf(Path dir, double maxDuration) {
        JsonConfig config = JsonConfig.read(dir.resolve("config.json"));
        Path gen = dir.resolve("generation_config.json");
        JsonConfig genConfig = Files.isRegularFile(gen) ? JsonConfig.read(gen) : null;
        LMConfig lm = LMConfig.fromHfConfig(config, genConfig, maxDuration);
        List<AutoCloseable> close = new ArrayList<>();
        try {
            Path source = WeightFiles.find(dir);
            if (source == null) {
                throw new CheckpointException("HF MusicGen directory " + dir + " has no model.safetensors, "
                        + "model.safetensors.index.json or pytorch_model.bin");
            }
            WeightStore store = WeightStore.of(source.toString(), WeightFiles.open(source, close), HF_KEYS);
            return new LMCheckpoint(Layout.HF, lm, store, null, config, close);
        } catch (RuntimeException e) {
            WeightFiles.closeAll(close);
            throw e;
        }
    }

    public Layout layout() {
        return layout;
    }

    public LMConfig config() {
        return config;
    }

    /** All tensors of the checkpoint under audiocraft names, with shared used-key bookkeeping. */
    public WeightStore store() {
        return store;
    }

    /** The audiocraft {@code xp.cfg}, or null for the HF layout. */
    public XpConfig xpConfig() {
        return xpConfig;
    }

    /** The HF {@code config.json}, or null for the audiocraft layout. */
    public JsonConfig hfConfig() {
        return hfConfig;
    }

    @Override
    public void close() {
        WeightFiles.closeAll(toClose);
    }
}
