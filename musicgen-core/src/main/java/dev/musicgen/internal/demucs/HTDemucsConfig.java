package dev.musicgen.internal.demucs;

import dev.musicgen.internal.config.Check;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The constructor arguments of demucs' {@code HTDemucs} (demucs 4.0.1 {@code htdemucs.py}) that change inference,
 * as the checkpoint's {@code kwargs} stores them. Training-only arguments (dropout, init scales, learning rates,
 * CAPE augmentation, sparse-attention masks when sparsity is off) are accepted and ignored, as upstream ignores them
 * in eval mode.
 *
 * <p>Only the inference path of the released models is supported: complex-as-channels output (no Wiener filter),
 * no {@code MultiWrap} bands, sinusoidal position embeddings, dense attention, every encoder layer on frequencies
 * (the branches never merge), {@code use_train_segment=True}. Anything else is refused by name.
 *
 * @param segmentNumerator   {@code segment} as the exact fraction of seconds demucs pickles ({@code Fraction(39, 5)})
 * @param channelsTime       0 when {@code channels_time} is None
 */
public record HTDemucsConfig(
        List<String> sources,
        int audioChannels,
        int samplerate,
        long segmentNumerator,
        long segmentDenominator,
        int channels,
        int channelsTime,
        double growth,
        int nfft,
        boolean cac,
        int depth,
        boolean rewrite,
        double freqEmb,
        double embScale,
        int kernelSize,
        int stride,
        int context,
        int contextEnc,
        int normStarts,
        int normGroups,
        int dconvMode,
        int dconvDepth,
        double dconvComp,
        int bottomChannels,
        int tLayers,
        double tHiddenScale,
        int tHeads,
        boolean tLayerScale,
        boolean tGelu,
        double tMaxPeriod,
        double tWeightPosEmbed,
        boolean tNormIn,
        boolean tNormFirst,
        boolean tNormOut,
        boolean tCrossFirst) {

    private static final Logger LOG = LoggerFactory.getLogger(HTDemucsConfig.class);

    /** Upstream defaults of {@code HTDemucs.__init__} (demucs 4.0.1), for keys a checkpoint leaves out. */
    private static final Map<String, Object> DEFAULTS = defaults();

    /** Arguments that only matter for training (or for options refused elsewhere), accepted and ignored. */
    private static final Set<String> IGNORED = Set.of(
            "multi_freqs_depth",
            "emb_smooth",
            "time_stride",
            "dconv_init",
            "t_dropout",
            "t_max_positions",
            "t_weight_decay",
            "t_lr",
            "t_cape_mean_normalize",
            "t_cape_augment",
            "t_cape_glob_loc_scale",
            "t_mask_type",
            "t_mask_random_seed",
            "t_sparse_attn_window",
            "t_global_window",
            "t_sparsity",
            "t_auto_sparsity",
            "rescale",
            "end_iters");

    public HTDemucsConfig {
        sources = List.copyOf(sources);
        Check.that(!sources.isEmpty(), "sources must not be empty");
        Check.that(
                sources.contains("vocals") && sources.contains("other"),
                "sources must contain 'vocals' and 'other' (audiocraft keeps these stems), but are: " + sources);
        Check.positive("audio_channels", audioChannels);
        Check.positive("samplerate", samplerate);
        Check.that(
                segmentNumerator > 0 && segmentDenominator > 0,
                "segment must be positive, but is: " + segmentNumerator + "/" + segmentDenominator);
        Check.positive("channels", channels);
        Check.that(nfft >= 16 && Integer.bitCount(nfft) == 1, "nfft", "a power of two >= 16", nfft);
        Check.that(
                cac,
                "cac",
                "true (complex-as-channels; the Wiener-filter output of cac=false is not supported)",
                false);
        Check.positive("depth", depth);
        Check.that(
                kernelSize > 0 && stride > 0 && kernelSize % stride == 0,
                "kernel_size must be a positive multiple of stride, but kernel_size is " + kernelSize + " and stride "
                        + stride);
        Check.inRange("dconv_mode", dconvMode, 0, 3);
        Check.that(dconvComp > 0, "dconv_comp", "positive", dconvComp);
        Check.positive("norm_groups", normGroups);
        Check.atLeast("t_layers", tLayers, 0);
        int freqs = nfft / 2;
        for (int i = 0; i < depth; i++) {
            Check.that(
                    freqs > kernelSize,
                    "depth " + depth + " with nfft " + nfft + " and kernel_size " + kernelSize
                            + " merges the time and frequency branches at layer " + i
                            + ", which is not supported (every encoder layer must still have more than kernel_size"
                            + " frequencies)");
            freqs /= stride;
        }
        if (tLayers > 0) {
            int dim = transformerChannels();
            Check.that(
                    tHeads > 0 && dim % tHeads == 0,
                    "t_heads must divide the transformer dim " + dim + ", but is: " + tHeads);
            Check.that(dim % 4 == 0, "the transformer dim must be divisible by 4 (2-D sin embedding), but is: " + dim);
        }
    }

    /**
     * Reads a checkpoint's {@code kwargs}. Keys the upstream signature does not have are dropped with a warning, as
     * {@code demucs.states.load_model} does; unsupported settings are refused naming the key and value.
     */
    public static HTDemucsConfig fromKwargs(Map<String, ?> kwargs) {
        Map<String, Object> k = new LinkedHashMap<>(DEFAULTS);
        for (Map.Entry<String, ?> e : kwargs.entrySet()) {
            if (!DEFAULTS.containsKey(e.getKey()) && !IGNORED.contains(e.getKey())) {
                LOG.warn("Dropping inexistant parameter {}", e.getKey());
                continue;
            }
            k.put(e.getKey(), e.getValue());
        }
        refuseUnless(k, "wiener_iters", 0);
        refuseUnless(k, "wiener_residual", false);
        refuseUnless(k, "t_emb", "sin");
        refuseUnless(k, "t_sin_random_shift", 0);
        refuseUnless(k, "t_norm_in_group", false);
        refuseUnless(k, "t_group_norm", false);
        refuseUnless(k, "t_sparse_self_attn", false);
        refuseUnless(k, "t_sparse_cross_attn", false);
        refuseUnless(k, "use_train_segment", true);
        Object mf = k.get("multi_freqs");
        if (mf != null && !(mf instanceof List && ((List<?>) mf).isEmpty())) {
            throw new IllegalArgumentException("multi_freqs must be empty (MultiWrap is not supported), but is: " + mf);
        }
        long[] segment = fraction(k.get("segment"));
        Object ct = k.get("channels_time");
        List<String> sources = new ArrayList<>();
        Object src = k.get("sources");
        if (!(src instanceof List)) {
            throw new IllegalArgumentException("sources must be a list of names, but is: " + src);
        }
        for (Object s : (List<?>) src) {
            sources.add(String.valueOf(s));
        }
        return new HTDemucsConfig(
                sources,
                i(k, "audio_channels"),
                i(k, "samplerate"),
                segment[0],
                segment[1],
                i(k, "channels"),
                ct == null ? 0 : ((Number) ct).intValue(),
                d(k, "growth"),
                i(k, "nfft"),
                b(k, "cac"),
                i(k, "depth"),
                b(k, "rewrite"),
                d(k, "freq_emb"),
                d(k, "emb_scale"),
                i(k, "kernel_size"),
                i(k, "stride"),
                i(k, "context"),
                i(k, "context_enc"),
                i(k, "norm_starts"),
                i(k, "norm_groups"),
                i(k, "dconv_mode"),
                i(k, "dconv_depth"),
                d(k, "dconv_comp"),
                i(k, "bottom_channels"),
                i(k, "t_layers"),
                d(k, "t_hidden_scale"),
                i(k, "t_heads"),
                b(k, "t_layer_scale"),
                b(k, "t_gelu"),
                d(k, "t_max_period"),
                d(k, "t_weight_pos_embed"),
                b(k, "t_norm_in"),
                b(k, "t_norm_first"),
                b(k, "t_norm_out"),
                b(k, "t_cross_first"));
    }

    /** {@code int(segment * samplerate)}: the only input length the model accepts (shorter input is zero-padded). */
    public int trainingLength() {
        return Math.toIntExact(Math.floorDiv((long) samplerate * segmentNumerator, segmentDenominator));
    }

    /** {@code segment} in seconds. */
    public double segmentSeconds() {
        return (double) segmentNumerator / segmentDenominator;
    }

    public int hopLength() {
        return nfft / 4;
    }

    /** Index of a source in the model's output, e.g. {@code sourceIndex("vocals")}. */
    public int sourceIndex(String name) {
        int i = sources.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("source must be one of " + sources + ", but is: " + name);
        }
        return i;
    }

    /** Channels of the deepest encoder layer: {@code channels * growth ** (depth - 1)} (upstream int arithmetic). */
    int deepestChannels() {
        int c = channels;
        for (int i = 1; i < depth; i++) {
            c = (int) (growth * c);
        }
        return c;
    }

    /** Width of the cross-domain transformer: {@code bottom_channels} if set, else the deepest channels. */
    int transformerChannels() {
        return bottomChannels > 0 ? bottomChannels : (int) (channels * Math.pow(growth, depth - 1));
    }

    private static void refuseUnless(Map<String, Object> k, String key, Object allowed) {
        Object v = k.get(key);
        boolean same = allowed instanceof Number && v instanceof Number
                ? ((Number) allowed).doubleValue() == ((Number) v).doubleValue()
                : allowed.equals(v);
        Check.that(same, key, allowed + " (the only value supported)", v);
    }

    private static long[] fraction(Object v) {
        if (v instanceof States.Fraction) {
            States.Fraction f = (States.Fraction) v;
            return new long[] {f.numerator(), f.denominator()};
        }
        if (v instanceof Integer || v instanceof Long) {
            return new long[] {((Number) v).longValue(), 1};
        }
        if (v instanceof Number) {
            // a float segment: exact as a binary fraction, like Python's int(float * int) would see it
            double s = ((Number) v).doubleValue();
            long den = 1;
            while (s * den != Math.rint(s * den) && den < (1L << 30)) {
                den *= 2;
            }
            return new long[] {Math.round(s * den), den};
        }
        throw new IllegalArgumentException("segment must be a number or fractions.Fraction, but is: " + v);
    }

    private static int i(Map<String, Object> k, String key) {
        Object v = k.get(key);
        if (!(v instanceof Number) || ((Number) v).doubleValue() != Math.rint(((Number) v).doubleValue())) {
            throw new IllegalArgumentException(key + " must be an integer, but is: " + v);
        }
        return ((Number) v).intValue();
    }

    private static double d(Map<String, Object> k, String key) {
        Object v = k.get(key);
        if (v instanceof Boolean) {
            return (Boolean) v ? 1 : 0;
        }
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(key + " must be a number, but is: " + v);
        }
        return ((Number) v).doubleValue();
    }

    private static boolean b(Map<String, Object> k, String key) {
        Object v = k.get(key);
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue() != 0;
        }
        throw new IllegalArgumentException(key + " must be a boolean, but is: " + v);
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sources", null);
        m.put("audio_channels", 2);
        m.put("channels", 48);
        m.put("channels_time", null);
        m.put("growth", 2);
        m.put("nfft", 4096);
        m.put("wiener_iters", 0);
        m.put("wiener_residual", false);
        m.put("cac", true);
        m.put("depth", 4);
        m.put("rewrite", true);
        m.put("multi_freqs", null);
        m.put("freq_emb", 0.2);
        m.put("emb_scale", 10);
        m.put("kernel_size", 8);
        m.put("stride", 4);
        m.put("context", 1);
        m.put("context_enc", 0);
        m.put("norm_starts", 4);
        m.put("norm_groups", 4);
        m.put("dconv_mode", 1);
        m.put("dconv_depth", 2);
        m.put("dconv_comp", 8);
        m.put("bottom_channels", 0);
        m.put("t_layers", 5);
        m.put("t_emb", "sin");
        m.put("t_hidden_scale", 4.0);
        m.put("t_heads", 8);
        m.put("t_norm_in", true);
        m.put("t_norm_in_group", false);
        m.put("t_group_norm", false);
        m.put("t_norm_first", true);
        m.put("t_norm_out", true);
        m.put("t_max_period", 10000.0);
        m.put("t_layer_scale", true);
        m.put("t_gelu", true);
        m.put("t_weight_pos_embed", 1.0);
        m.put("t_sin_random_shift", 0);
        m.put("t_sparse_self_attn", false);
        m.put("t_sparse_cross_attn", false);
        m.put("t_cross_first", false);
        m.put("samplerate", 44100);
        m.put("segment", 10);
        m.put("use_train_segment", true);
        return m;
    }
}
