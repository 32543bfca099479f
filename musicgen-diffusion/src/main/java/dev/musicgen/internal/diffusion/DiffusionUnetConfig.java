package dev.musicgen.internal.diffusion;

import dev.musicgen.internal.config.Check;
import dev.musicgen.internal.config.XpConfig;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments of audiocraft {@code DiffusionUnet(chin=cfg.channels, num_steps=cfg.schedule.num_steps,
 * **cfg.diffusion_unet)} (models/builders.py {@code get_diffusion_model}, models/unet.py @ 896ec7c), with upstream's
 * defaults for absent keys. {@code resBlocks}, {@code normGroups}, {@code kernel}, {@code stride} and
 * {@code dropout} are the {@code **kwargs} upstream forwards to every encoder/decoder layer.
 *
 * @param codecDim channels of the codec latent conditioning the bottleneck, or 0 for an unconditional U-Net
 */
record DiffusionUnetConfig(
        int chin,
        int hidden,
        int depth,
        double growth,
        int maxChannels,
        int numSteps,
        boolean embAllLayers,
        boolean crossAttention,
        boolean bilstm,
        boolean transformer,
        int codecDim,
        int resBlocks,
        int normGroups,
        int kernel,
        int stride,
        double dropout) {

    private static final Set<String> KNOWN = Set.of(
            "hidden",
            "depth",
            "growth",
            "max_channels",
            "emb_all_layers",
            "cross_attention",
            "bilstm",
            "transformer",
            "codec_dim",
            "res_blocks",
            "norm_groups",
            "kernel",
            "stride",
            "dropout");

    DiffusionUnetConfig {
        Check.positive("channels", chin);
        Check.positive("diffusion_unet.hidden", hidden);
        Check.positive("diffusion_unet.depth", depth);
        Check.positive("diffusion_unet.max_channels", maxChannels);
        Check.positive("schedule.num_steps", numSteps);
        Check.positive("diffusion_unet.norm_groups", normGroups);
        Check.positive("diffusion_unet.kernel", kernel);
        Check.positive("diffusion_unet.stride", stride);
        Check.atLeast("diffusion_unet.res_blocks", resBlocks, 0);
        Check.that(codecDim >= 0, "diffusion_unet.codec_dim", "null or positive", codecDim);
        Check.that(growth > 0, "diffusion_unet.growth", "positive", growth);
        if (bilstm && !transformer) {
            throw new IllegalArgumentException("diffusion_unet.bilstm=true is not supported: no released MBD"
                    + " checkpoint uses a BiLSTM bottleneck (use transformer=true or neither)");
        }
        if (crossAttention && transformer) {
            throw new IllegalArgumentException("diffusion_unet.cross_attention=true is not supported: the released MBD"
                    + " checkpoints add the codec latent to the bottleneck (cross_attention=false)");
        }
        for (int c : channels(chin, hidden, depth, growth, maxChannels)) {
            if (c % normGroups != 0) {
                throw new IllegalArgumentException("diffusion_unet.norm_groups (" + normGroups
                        + ") must divide every layer's channels, but a layer has " + c);
            }
        }
        int bottleneck = channels(chin, hidden, depth, growth, maxChannels)[depth - 1];
        if (transformer && bottleneck % PostNormTransformer.NUM_HEADS != 0) {
            throw new IllegalArgumentException("the transformer bottleneck's channels (" + bottleneck
                    + ") must be divisible by its " + PostNormTransformer.NUM_HEADS + " heads");
        }
    }

    /** Reads a band's cfg: {@code channels}, {@code schedule.num_steps} and the {@code diffusion_unet} node. */
    static DiffusionUnetConfig of(XpConfig cfg) {
        XpConfig u = cfg.child("diffusion_unet");
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, Object> e : u.asMap().entrySet()) {
            if (!KNOWN.contains(e.getKey())) {
                unknown.add(e.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("diffusion_unet has keys DiffusionUnet does not take: " + unknown
                    + "; known: " + new TreeSet<>(KNOWN));
        }
        return new DiffusionUnetConfig(
                cfg.getInt("channels", 3),
                u.getInt("hidden", 24),
                u.getInt("depth", 3),
                u.getDouble("growth", 2),
                u.getInt("max_channels", 10_000),
                cfg.getInt("schedule.num_steps", 1000),
                u.getBool("emb_all_layers", false),
                u.getBool("cross_attention", false),
                u.getBool("bilstm", false),
                u.getBool("transformer", false),
                u.getInt("codec_dim", 0),
                u.getInt("res_blocks", 1),
                u.getInt("norm_groups", 4),
                u.getInt("kernel", 4),
                u.getInt("stride", 2),
                u.getDouble("dropout", 0));
    }

    /** Output channels of encoder d (= input channels of the mirrored decoder): hidden, then ×growth up to the cap. */
    int[] channels() {
        return channels(chin, hidden, depth, growth, maxChannels);
    }

    private static int[] channels(int chin, int hidden, int depth, double growth, int maxChannels) {
        int[] out = new int[depth];
        int h = hidden;
        for (int d = 0; d < depth; d++) {
            out[d] = h;
            h = Math.min((int) (h * growth), maxChannels);
        }
        return out;
    }

    /** Channels at the bottleneck (the last encoder's output). */
    int bottleneck() {
        return channels()[depth - 1];
    }
}
