package dev.musicgen.internal.t5;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
public record T5Config(int vocabSize, int dModel, int dKv, int dFf, int numLayers, int numHeads,
        int relativeAttentionNumBuckets, int relativeAttentionMaxDistance, double layerNormEpsilon,
        String feedForwardProj) {

    public T5Config {
        positive("vocab_size", vocabSize);
        positive("d_model", dModel);
        positive("d_kv", dKv);
        positive("d_ff", dFf);
        positive("num_layers", numLayers);
        positive("num_heads", numHeads);
        positive("relative_attention_num_buckets", relativeAttentionNumBuckets);
        positive("relative_attention_max_distance", relativeAttentionMaxDistance);
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException("layer_norm_epsilon must be > 0, but is: " + layerNormEpsilon);
        }
        String[] parts = feedForwardProj == null ? new String[0] : feedForwardProj.split("-");
        if (parts.length < 1 || parts.length > 2 || (parts.length == 2 && !"gated".equals(parts[0]))) {
            throw new IllegalArgumentException("feed_forward_proj must be 'ACT' or 'gated-ACT' (e.g. 'relu',"
                    + " 'gated-gelu'), but is: " + feedForwardProj);
        }
        activationOf(feedForwardProj); // validates the activation name
    }

    /** Parses {@code config.json} text (a T5 repo's, or a MusicGen one's, using its {@code text_encoder} section). */
    public static T5Config fromJson(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        if (o.has("text_encoder") && o.get("text_encoder").isJsonObject()) {
            o = o.getAsJsonObject("text_encoder");
        }
        return fromJson(o);
    }

    /** Reads {@code config.json} from a file. */
    public static T5Config load(Path configJson) {
        try {
            return fromJson(Files.readString(configJson));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read T5 config " + configJson, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid T5 config " + configJson + ": " + e.getMessage(), e);
        }
    }

    /** Builds the config from a parsed JSON object with transformers' defaults for missing keys. */
    public static T5Config fromJson(JsonObject o) {
        String modelType = str(o, "model_type", "t5");
        if (!"t5".equals(modelType)) {
            throw new IllegalArgumentException("text encoder config has model_type '" + modelType
                    + "', only 't5' is supported");
        }
        return new T5Config(
                integer(o, "vocab_size", 32128),
                integer(o, "d_model", 512),
                integer(o, "d_kv", 64),
                integer(o, "d_ff", 2048),
                integer(o, "num_layers", 6),
                integer(o, "num_heads", 8),
                integer(o, "relative_attention_num_buckets", 32),
                integer(o, "relative_attention_max_distance", 128),
                o.has("layer_norm_epsilon") ? o.get("layer_norm_epsilon").getAsDouble() : 1e-6,
                str(o, "feed_forward_proj", "relu"));
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

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, but is: " + v);
        }
    }

    private static int integer(JsonObject o, String key, int dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsInt();
    }

    private static String str(JsonObject o, String key, String dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsString();
    }
}
