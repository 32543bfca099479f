package dev.musicgen.internal.codec;

import dev.musicgen.internal.config.Check;
import dev.musicgen.internal.config.JsonConfig;
import dev.musicgen.internal.config.XpConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that sizes an EnCodec model: audiocraft's {@code EncodecModel} arguments ({@code encodec.*},
 * {@code seanet.*}, {@code rvq.*} of {@code xp.cfg}) or the same read from an HF {@code EncodecConfig}.
 *
 * @param frameRate frames per second of the codes (audiocraft: {@code sample_rate // hop_length}; HF:
 *     {@code sampling_rate / hop_length})
 * @param rvq the quantizer; its {@code nQ} is the number of codebooks stored in the checkpoint
 */
public record EncodecConfig(
        int sampleRate, int channels, double frameRate, SEANetConfig encoder, SEANetConfig decoder, RvqConfig rvq) {

    /**
     * The residual vector quantizer.
     *
     * @param dimension codeword dimension (the SEANet latent dimension)
     * @param nQ number of codebooks
     * @param bins codewords per codebook
     */
    public record RvqConfig(int dimension, int nQ, int bins) {
        public RvqConfig {
            Check.that(
                    dimension >= 1 && nQ >= 1 && bins >= 2,
                    "rvq needs dimension >= 1, n_q >= 1 and bins >= 2, but" + " has dimension=" + dimension + ", n_q="
                            + nQ + ", bins=" + bins);
        }
    }

    public EncodecConfig {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(rvq, "rvq");
        Check.positive("sample_rate", sampleRate);
        Check.that(
                channels == encoder.channels() && channels == decoder.channels(),
                "channels (" + channels
                        + ") must equal the encoder's (" + encoder.channels() + ") and the decoder's ("
                        + decoder.channels()
                        + ")");
        Check.that(
                encoder.hopLength() == decoder.hopLength(),
                "encoder and decoder ratios must give the same hop" + " length, but give " + encoder.hopLength()
                        + " and " + decoder.hopLength());
        Check.that(
                encoder.dimension() == rvq.dimension() && decoder.dimension() == rvq.dimension(),
                "the encoder"
                        + " dimension (" + encoder.dimension() + "), decoder dimension (" + decoder.dimension()
                        + ") and codebook dimension (" + rvq.dimension() + ") must be equal");
    }

    public int hopLength() {
        return encoder.hopLength();
    }

    /**
     * From an audiocraft {@code xp.cfg} as {@code builders.get_compression_model} reads it. Refuses what MusicGen's
     * codecs never use and this port does not implement (renormalization, other quantizers or autoencoders).
     *
     * @param nQ the number of codebooks found in the checkpoint (must equal {@code rvq.n_q})
     */
    public static EncodecConfig fromXpConfig(XpConfig cfg, int nQ) {
        String model = cfg.getString("compression_model", "encodec");
        if (!model.equals("encodec")) {
            throw new IllegalArgumentException("xp.cfg compression_model must be 'encodec', but is: " + model);
        }
        String autoencoder = cfg.getString("encodec.autoencoder", "seanet");
        String quantizer = cfg.getString("encodec.quantizer", "rvq");
        if (!autoencoder.equals("seanet") || !quantizer.equals("rvq")) {
            throw new IllegalArgumentException("xp.cfg encodec.autoencoder/quantizer must be seanet/rvq, but are: "
                    + autoencoder + "/" + quantizer);
        }
        if (cfg.getBool("encodec.renormalize", false) || cfg.getBool("encodec.renorm", false)) {
            throw new IllegalArgumentException(
                    "xp.cfg encodec.renormalize=true is not supported (MusicGen's EnCodec" + " does not renormalize)");
        }
        int sampleRate = cfg.getInt("encodec.sample_rate", cfg.getInt("sample_rate"));
        int channels = cfg.getInt("encodec.channels", cfg.getInt("channels", 1));
        SEANetConfig enc = seanet(cfg, "encoder");
        SEANetConfig dec = seanet(cfg, "decoder");
        int cfgNq = cfg.getInt("rvq.n_q");
        if (cfgNq != nQ) {
            throw new IllegalArgumentException("xp.cfg rvq.n_q is " + cfgNq + " but the checkpoint holds " + nQ
                    + " codebooks (quantizer.vq.layers.N)");
        }
        RvqConfig rvq = new RvqConfig(enc.dimension(), nQ, cfg.getInt("rvq.bins"));
        // audiocraft: frame_rate = sample_rate // encoder.hop_length (integer division)
        return new EncodecConfig(sampleRate, channels, sampleRate / enc.hopLength(), enc, dec, rvq);
    }

    private static SEANetConfig seanet(XpConfig cfg, String which) {
        Map<String, Object> kw = new LinkedHashMap<>(cfg.child("seanet").asMap());
        Object enc = kw.remove("encoder");
        Object dec = kw.remove("decoder");
        Object over = which.equals("encoder") ? enc : dec;
        if (over instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) over).entrySet()) {
                kw.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        XpConfig s = XpConfig.of(kw);
        boolean decoder = which.equals("decoder");
        return new SEANetConfig(
                s.getInt("channels", 1),
                s.getInt("dimension", 128),
                s.getInt("n_filters", 32),
                s.getInt("n_residual_layers", 3),
                ints(s.getIntArray("ratios"), List.of(8, 5, 4, 2)),
                s.getString("activation", "ELU"),
                doubles(s.get("activation_params"), Map.of("alpha", 1.0)),
                decoder ? s.getString("final_activation", null) : null,
                decoder ? doubles(s.get("final_activation_params"), Map.of()) : Map.of(),
                s.getString("norm", "none"),
                s.getInt("kernel_size", 7),
                s.getInt("last_kernel_size", 7),
                s.getInt("residual_kernel_size", 3),
                s.getInt("dilation_base", 2),
                s.getBool("causal", false),
                s.getString("pad_mode", "reflect"),
                s.getBool("true_skip", true),
                s.getInt("compress", 2),
                s.getInt("lstm", 0),
                s.getInt("disable_norm_outer_blocks", 0),
                decoder ? s.getDouble("trim_right_ratio", 1.0) : 1.0);
    }

    /**
     * From an HF {@code EncodecConfig} ({@code config.json} of {@code facebook/encodec_32khz}, or the
     * {@code audio_encoder} object of a MusicGen {@code config.json}), as transformers' {@code EncodecModel} builds
     * itself from it.
     *
     * @param nQ the number of codebooks found in the checkpoint ({@code quantizer.layers.N})
     */
    public static EncodecConfig fromHfJson(JsonConfig c, int nQ) {
        if (c.getBool("normalize", false)) {
            throw new IllegalArgumentException("EnCodec config normalize=true is not supported (MusicGen's 32 kHz"
                    + " EnCodec does not normalize)");
        }
        if (c.has("chunk_length_s")) {
            throw new IllegalArgumentException(
                    "EnCodec config chunk_length_s=" + c.json().get("chunk_length_s")
                            + " (chunked encoding) is not supported; MusicGen's 32 kHz EnCodec has chunk_length_s null");
        }
        String normType = c.getString("norm_type", "weight_norm");
        Check.that("weight_norm".equals(normType), "EnCodec config norm_type", "weight_norm", normType);
        int channels = c.getInt("audio_channels", 1);
        int hidden = c.getInt("hidden_size", 128);
        List<Integer> ratios = c.getIntList("upsampling_ratios", List.of(8, 5, 4, 2));
        boolean causal = c.getBool("use_causal_conv", true);
        double trim = c.getDouble("trim_right_ratio", 1.0);
        SEANetConfig s = new SEANetConfig(
                channels,
                hidden,
                c.getInt("num_filters", 32),
                c.getInt("num_residual_layers", 1),
                ratios,
                "ELU",
                Map.of("alpha", 1.0),
                null,
                Map.of(),
                normType,
                c.getInt("kernel_size", 7),
                c.getInt("last_kernel_size", 7),
                c.getInt("residual_kernel_size", 3),
                c.getInt("dilation_growth_rate", 2),
                causal,
                c.getString("pad_mode", "reflect"),
                !c.getBool("use_conv_shortcut", true),
                c.getInt("compress", 2),
                c.getInt("num_lstm_layers", 2),
                0,
                trim);
        int codebookDim = c.getInt("codebook_dim", hidden);
        int sampleRate = c.getInt("sampling_rate", 24000);
        RvqConfig rvq = new RvqConfig(codebookDim, nQ, c.getInt("codebook_size", 1024));
        return new EncodecConfig(sampleRate, channels, sampleRate / (double) s.hopLength(), s, s, rvq);
    }

    private static List<Integer> ints(int[] a, List<Integer> dflt) {
        if (a.length == 0) {
            return dflt;
        }
        List<Integer> l = new ArrayList<>();
        for (int v : a) {
            l.add(v);
        }
        return l;
    }

    private static Map<String, Double> doubles(Object o, Map<String, Double> dflt) {
        if (!(o instanceof Map)) {
            return dflt;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
            if (!(e.getValue() instanceof Number)) {
                throw new IllegalArgumentException(
                        "activation parameter '" + e.getKey() + "' must be a number, but" + " is: " + e.getValue());
            }
            m.put(String.valueOf(e.getKey()), ((Number) e.getValue()).doubleValue());
        }
        return m;
    }
}
