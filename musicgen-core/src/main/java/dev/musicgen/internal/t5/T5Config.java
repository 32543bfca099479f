package dev.musicgen.internal.t5;

import dev.musicgen.internal.config.Check;
import dev.musicgen.internal.config.JsonConfig;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The encoder part of a Hugging Face {@code T5Config} ({@code config.json} of a T5 repo, or the {@code text_encoder}
 * section of a MusicGen {@code config.json}). Missing keys take transformers' {@code T5Config} defaults.
 *
 * @param vocabSize rows of {@code shared.weight}
 * @param dModel hidden size
 * @param dKv size of one attention head
 * @param dFf inner size of the feed-forward block
 * @param numLayers encoder blocks
 * @param numHeads attention heads
 * @param relativeAttentionNumBuckets buckets of the relative position bias (split between both directions)
 * @param relativeAttentionMaxDistance distance beyond which all positions share the last bucket
 * @param layerNormEpsilon epsilon of the RMS layer norm
 * @param feedForwardProj {@code relu}, {@code gelu}, {@code gated-gelu}, {@code gated-silu}, ... as transformers
 *     spells it: {@code [gated-]ACT}
 */
public record T5Config(
        int vocabSize,
        int dModel,
        int dKv,
        int dFf,
        int numLayers,
        int numHeads,
        int relativeAttentionNumBuckets,
        int relativeAttentionMaxDistance,
        double layerNormEpsilon,
        String feedForwardProj) {

    public T5Config {
        Check.positive("vocab_size", vocabSize);
        Check.positive("d_model", dModel);
        Check.positive("d_kv", dKv);
        Check.positive("d_ff", dFf);
        Check.positive("num_layers", numLayers);
        Check.positive("num_heads", numHeads);
        Check.positive("relative_attention_num_buckets", relativeAttentionNumBuckets);
        Check.positive("relative_attention_max_distance", relativeAttentionMaxDistance);
        Check.positive("layer_norm_epsilon", layerNormEpsilon);
        String[] parts = feedForwardProj == null ? new String[0] : feedForwardProj.split("-");
        if (parts.length < 1 || parts.length > 2 || (parts.length == 2 && !"gated".equals(parts[0]))) {
            throw new IllegalArgumentException("feed_forward_proj must be 'ACT' or 'gated-ACT' (e.g. 'relu',"
                    + " 'gated-gelu'), but is: " + feedForwardProj);
        }
        activationOf(feedForwardProj); // validates the activation name
    }

    /** Parses {@code config.json} text (a T5 repo's, or a MusicGen one's, using its {@code text_encoder} section). */
    public static T5Config fromJson(String json) {
        JsonConfig o = JsonConfig.parse(json, "T5 config.json");
        JsonConfig textEncoder = o.child("text_encoder");
        return fromJson(textEncoder != null ? textEncoder : o);
    }

    /** Reads {@code config.json} from a file. */
    public static T5Config load(Path configJson) {
        JsonConfig o = JsonConfig.read(configJson);
        JsonConfig textEncoder = o.child("text_encoder");
        try {
            return fromJson(textEncoder != null ? textEncoder : o);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid T5 config " + configJson + ": " + e.getMessage(), e);
        }
    }

    /** Builds the config from a parsed JSON object with transformers' defaults for missing keys. */
    public static T5Config fromJson(JsonConfig o) {
        String modelType = o.getString("model_type", "t5");
        if (!"t5".equals(modelType)) {
            throw new IllegalArgumentException(
                    "text encoder config has model_type '" + modelType + "', only 't5' is supported");
        }
        return new T5Config(
                o.getInt("vocab_size", 32128),
                o.getInt("d_model", 512),
                o.getInt("d_kv", 64),
                o.getInt("d_ff", 2048),
                o.getInt("num_layers", 6),
                o.getInt("num_heads", 8),
                o.getInt("relative_attention_num_buckets", 32),
                o.getInt("relative_attention_max_distance", 128),
                o.getDouble("layer_norm_epsilon", 1e-6),
                o.getString("feed_forward_proj", "relu"));
    }

    /** Size of the concatenated heads ({@code num_heads * d_kv}), the rows of q/k/v. */
    public int innerDim() {
        return numHeads * dKv;
    }

    /** Whether the feed-forward block is gated ({@code wi_0}, {@code wi_1}) as in T5 v1.1 / flan-t5. */
    public boolean isGatedAct() {
        return feedForwardProj.startsWith("gated-");
    }

    /**
     * The feed-forward activation as transformers' {@code ACT2FN} name; {@code gated-gelu} means {@code gelu_new}
     * (the tanh form), as {@code T5Config.__init__} sets it.
     */
    public String denseActFn() {
        return activationOf(feedForwardProj);
    }

    private static String activationOf(String proj) {
        String lower = proj.toLowerCase(Locale.ROOT);
        if ("gated-gelu".equals(lower)) {
            return "gelu_new";
        }
        String act = lower.substring(lower.lastIndexOf('-') + 1);
        switch (act) {
            case "relu":
            case "gelu":
            case "gelu_new":
            case "silu":
            case "swish":
                return act;
            default:
                throw new IllegalArgumentException("feed_forward_proj activation '" + act + "' is not supported;"
                        + " supported: relu, gelu, gelu_new, silu (optionally prefixed with 'gated-')");
        }
    }
}
