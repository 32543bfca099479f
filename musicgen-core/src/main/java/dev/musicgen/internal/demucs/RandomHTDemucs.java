package dev.musicgen.internal.demucs;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTDemucs with seeded random weights, for the benchmark {@code dev.musicgen.bench.HTDemucsBenchmark}
 * (musicgen-examples; no download): the model at a config's shapes, one raw forward, and the separator audiocraft's
 * stem path uses. Generation never uses this class.
 */
public final class RandomHTDemucs implements AutoCloseable {
    private final HTDemucs model;

    private RandomHTDemucs(HTDemucs model) {
        this.model = model;
    }

    /**
     * The released {@code htdemucs} shapes (955717e8: channels 48, bottom_channels 512, t_layers 5, t_heads 8,
     * dconv_mode 3, nfft 4096, depth 4, segment 39/5 s).
     */
    public static HTDemucsConfig releasedConfig() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("sources", List.of("drums", "bass", "other", "vocals"));
        k.put("audio_channels", 2);
        k.put("samplerate", 44100);
        k.put("segment", new States.Fraction(39, 5));
        k.put("channels", 48);
        k.put("growth", 2);
        k.put("nfft", 4096);
        k.put("cac", true);
        k.put("depth", 4);
        k.put("rewrite", true);
        k.put("multi_freqs", List.of());
        k.put("freq_emb", 0.2);
        k.put("emb_scale", 10);
        k.put("kernel_size", 8);
        k.put("stride", 4);
        k.put("context", 1);
        k.put("context_enc", 0);
        k.put("norm_starts", 4);
        k.put("norm_groups", 4);
        k.put("dconv_mode", 3);
        k.put("dconv_depth", 2);
        k.put("dconv_comp", 8);
        k.put("bottom_channels", 512);
        k.put("t_layers", 5);
        k.put("t_hidden_scale", 4.0);
        k.put("t_heads", 8);
        k.put("t_layer_scale", true);
        k.put("t_gelu", true);
        k.put("t_emb", "sin");
        k.put("t_norm_in", true);
        k.put("t_norm_first", true);
        k.put("t_norm_out", true);
        return HTDemucsConfig.fromKwargs(k);
    }

    public static RandomHTDemucs create(HTDemucsConfig config, Device device, long seed) {
        return new RandomHTDemucs(HTDemucs.random(config, device, seed));
    }

    public HTDemucsConfig config() {
        return model.config();
    }

    /** Parameters of the model. */
    public long parameterCount() {
        return model.randomParameterCount();
    }

    /**
     * One forward of the model on {@code mix} {@code [audio_channels, trainingLength]} (flat, channel-major): the
     * stems {@code [sources, audio_channels, trainingLength]}, flat.
     */
    public float[] forward(float[] mix) {
        HTDemucsConfig c = model.config();
        try (NDManager m = model.manager().newSubManager();
                NDScope s = new NDScope()) {
            return model.forward(m.create(mix, new Shape(1, c.audioChannels(), c.trainingLength())), null)
                    .toFloatArray();
        }
    }

    /** The separator over this model (closing it leaves the model open). */
    public HTDemucsSeparator separator() {
        return HTDemucsSeparator.of(model);
    }

    @Override
    public void close() {
        model.close();
    }
}
