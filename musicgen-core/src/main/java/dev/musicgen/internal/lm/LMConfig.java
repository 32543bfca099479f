package dev.musicgen.internal.lm;

import dev.musicgen.internal.config.Check;
import dev.musicgen.internal.config.JsonConfig;
import dev.musicgen.internal.config.XpConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the MusicGen language model and its generation loop need from a checkpoint's config: the transformer
 * shape ({@code transformer_lm.*}), the codebook delays ({@code codebooks_pattern.delay.delays}), how conditions are
 * fused ({@code fuser.*}), the longest chunk it generates at once ({@code dataset.segment_duration}) and the default
 * guidance coefficient ({@code classifier_free_guidance.inference_coef}). Built from audiocraft's {@code xp.cfg}
 * ({@link #fromXpConfig}) or from an HF transformers {@code config.json} ({@link #fromHfConfig}).
 *
 * @param dim model width ({@code transformer_lm.dim}, HF {@code hidden_size})
 * @param numHeads attention heads
 * @param numLayers transformer layers
 * @param ffnDim feed-forward width ({@code hidden_scale * dim}, HF {@code ffn_dim})
 * @param nQ codebooks (4 mono, 8 interleaved stereo)
 * @param card codewords per codebook; the embeddings have {@code card + 1} rows, the extra one being the special token
 * @param biasAttn biases in attention projections
 * @param biasFf biases in the feed-forward linears
 * @param biasProj biases in the output heads
 * @param maxPeriod maximum period of the sinusoidal positions (10000)
 * @param positionalScale scale of the sinusoidal positions (1)
 * @param delays delay of each codebook in steps ({@code [0,1,2,3]}, stereo {@code [0,0,1,1,2,2,3,3]})
 * @param fuser how each named condition is fused with the LM input
 * @param maxDuration seconds generated in one pass of the LM; longer outputs go through the extension loop
 * @param cfgCoef default classifier-free guidance coefficient of the checkpoint
 * @param channels audio channels (1 or 2)
 * @param interleaveStereo whether stereo codebooks are interleaved L0,R0,L1,R1,...
 * @param sampleRate audio sample rate of the model
 */
public record LMConfig(
        int dim,
        int numHeads,
        int numLayers,
        int ffnDim,
        int nQ,
        int card,
        boolean biasAttn,
        boolean biasFf,
        boolean biasProj,
        double maxPeriod,
        double positionalScale,
        List<Integer> delays,
        ConditionFuser fuser,
        double maxDuration,
        double cfgCoef,
        int channels,
        boolean interleaveStereo,
        int sampleRate) {

    public LMConfig {
        Objects.requireNonNull(fuser, "fuser");
        delays = List.copyOf(delays);
        Check.positive("dim", dim);
        Check.positive("numHeads", numHeads);
        Check.positive("numLayers", numLayers);
        Check.positive("ffnDim", ffnDim);
        Check.positive("nQ", nQ);
        Check.positive("card", card);
        Check.positive("channels", channels);
        Check.positive("sampleRate", sampleRate);
        Check.that(dim % numHeads == 0, "dim (" + dim + ") must be divisible by numHeads (" + numHeads + ")");
        Check.that(dim % 2 == 0, "dim", "even for sinusoidal positions", dim);
        Check.that(delays.size() == nQ, "delays " + delays + " must have one entry per codebook (nQ = " + nQ + ")");
        for (int i = 0; i < delays.size(); i++) {
            if (delays.get(i) < 0 || (i > 0 && delays.get(i) < delays.get(i - 1))) {
                throw new IllegalArgumentException(
                        "delays must be non-negative and sorted ascending, but are: " + delays);
            }
        }
        Check.that(
                maxDuration > 0 && !Double.isInfinite(maxDuration),
                "maxDuration",
                "a positive number of seconds",
                maxDuration);
    }

    public int headDim() {
        return dim / numHeads;
    }

    /** Whether the layers have cross-attention (audiocraft enforces it when the fuser has cross conditions). */
    public boolean crossAttention() {
        return !fuser.cross().isEmpty();
    }

    public int maxDelay() {
        return delays.get(delays.size() - 1);
    }

    /** The special token (index {@code card} of each embedding): pads the delay pattern. */
    public int specialToken() {
        return card;
    }

    /** Reads an audiocraft {@code xp.cfg}; refuses transformer features MusicGen checkpoints never use. */
    public static LMConfig fromXpConfig(XpConfig cfg) {
        String lmModel = cfg.getString("lm_model", "transformer_lm");
        if (!"transformer_lm".equals(lmModel)) {
            throw unsupported("lm_model", lmModel, "transformer_lm");
        }
        XpConfig t = cfg.child("transformer_lm");
        int dim = t.getInt("dim");
        int nQ = t.getInt("n_q");
        requireSetting(t, "norm", "layer_norm", "layer_norm");
        if (!t.getBool("norm_first", false)) {
            throw unsupported("transformer_lm.norm_first", "false", "true (pre-norm)");
        }
        requireSetting(t, "activation", "gelu", "gelu");
        requireSetting(t, "positional_embedding", "sin", "sin");
        requireNull(t, "layer_scale");
        requireNull(t, "past_context");
        if (t.getInt("kv_repeat", 1) != 1) {
            throw unsupported("transformer_lm.kv_repeat", String.valueOf(t.getInt("kv_repeat", 1)), "1");
        }
        if (t.getBool("qk_layer_norm", false) || t.getBool("qk_layer_norm_cross", false)) {
            throw unsupported("transformer_lm.qk_layer_norm", "true", "false");
        }
        if (t.getBool("xpos", false)) {
            throw unsupported("transformer_lm.xpos", "true", "false");
        }
        if (t.getBool("two_step_cfg", false)) {
            // audiocraft's two-step path multiplies by the checkpoint coefficient whatever is asked; not ported
            throw unsupported("transformer_lm.two_step_cfg", "true", "false");
        }
        String modeling = cfg.getString("codebooks_pattern.modeling", "delay");
        if (!"delay".equals(modeling)) {
            throw unsupported("codebooks_pattern.modeling", modeling, "delay");
        }
        if (cfg.getInt("codebooks_pattern.delay.flatten_first", 0) != 0
                || cfg.getInt("codebooks_pattern.delay.empty_initial", 0) != 0) {
            throw unsupported("codebooks_pattern.delay.flatten_first/empty_initial", "non-zero", "0");
        }
        List<Integer> delays = new ArrayList<>();
        if (cfg.has("codebooks_pattern.delay.delays")) {
            for (int d : cfg.getIntArray("codebooks_pattern.delay.delays")) {
                delays.add(d);
            }
        } else {
            for (int q = 0; q < nQ; q++) {
                delays.add(q);
            }
        }
        ConditionFuser fuser = ConditionFuser.fromXpConfig(cfg);
        return new LMConfig(
                dim,
                t.getInt("num_heads"),
                t.getInt("num_layers"),
                (int) (t.getDouble("hidden_scale", 4) * dim),
                nQ,
                t.getInt("card"),
                t.getBool("bias_attn", true),
                t.getBool("bias_ff", true),
                t.getBool("bias_proj", true),
                t.getDouble("max_period", 10_000),
                t.getDouble("positional_scale", 1.0),
                delays,
                fuser,
                cfg.getDouble("dataset.segment_duration"),
                cfg.getDouble("classifier_free_guidance.inference_coef", 3.0),
                cfg.getInt("channels", 1),
                cfg.getBool("interleave_stereo_codebooks.use", false),
                cfg.getInt("sample_rate", 32_000));
    }

    /**
     * Reads an HF transformers MusicGen {@code config.json} (its {@code decoder} sub-config and the model type).
     * HF configs carry no training segment length: {@code maxDuration} is given by the caller (30 s for every
     * released MusicGen; transformers caps generation at 1500 frames for the same reason). {@code generationConfig}
     * (the repo's {@code generation_config.json}, may be null) supplies {@code guidance_scale} when present.
     */
    public static LMConfig fromHfConfig(JsonConfig config, JsonConfig generationConfig, double maxDuration) {
        String type = config.getString("model_type", "musicgen");
        JsonConfig d = config.child("decoder");
        if (d == null) {
            throw new IllegalArgumentException("HF config.json (model_type " + type + ") has no 'decoder' object");
        }
        int dim = d.getInt("hidden_size", 1024);
        int nQ = d.getInt("num_codebooks", 4);
        int channels = d.getInt("audio_channels", 1);
        String act = d.getString("activation_function", "gelu");
        if (!"gelu".equals(act)) {
            throw unsupported("decoder.activation_function", act, "gelu");
        }
        if (d.getBool("scale_embedding", false)) {
            throw unsupported("decoder.scale_embedding", "true", "false");
        }
        Check.inRange("decoder.audio_channels", channels, 1, 2);
        Check.that(
                nQ % channels == 0,
                "decoder.num_codebooks (" + nQ + ") must be a multiple of audio_channels (" + channels + ")");
        // transformers' build_delay_pattern_mask: codebooks of one channel pair share a delay
        List<Integer> delays = new ArrayList<>();
        for (int q = 0; q < nQ; q++) {
            delays.add(q / channels);
        }
        ConditionFuser fuser;
        if ("musicgen_melody".equals(type)) {
            fuser = new ConditionFuser(List.of("self_wav", "description"), List.of(), false, 1.0);
        } else if ("musicgen".equals(type)) {
            fuser = new ConditionFuser(List.of(), List.of("description"), false, 1.0);
        } else {
            throw unsupported("model_type", type, "musicgen or musicgen_melody");
        }
        double cfgCoef = generationConfig == null ? 3.0 : generationConfig.getDouble("guidance_scale", 3.0);
        JsonConfig audio = config.child("audio_encoder");
        int sampleRate = audio == null ? 32_000 : audio.getInt("sampling_rate", 32_000);
        return new LMConfig(
                dim,
                d.getInt("num_attention_heads", 16),
                d.getInt("num_hidden_layers", 24),
                d.getInt("ffn_dim", 4096),
                nQ,
                d.getInt("vocab_size", 2048),
                false,
                false,
                false,
                10_000,
                1.0,
                delays,
                fuser,
                maxDuration,
                cfgCoef,
                channels,
                channels == 2,
                sampleRate);
    }

    private static void requireSetting(XpConfig t, String key, String dflt, String allowed) {
        String v = t.getString(key, dflt);
        if (!allowed.equals(v)) {
            throw unsupported("transformer_lm." + key, v, allowed);
        }
    }

    private static void requireNull(XpConfig t, String key) {
        if (t.get(key) != null) {
            throw unsupported("transformer_lm." + key, String.valueOf(t.get(key)), "null");
        }
    }

    private static IllegalArgumentException unsupported(String key, String value, String allowed) {
        return Check.unsupported("LM config", key, value, allowed);
    }
}
