package dev.musicgen.internal.codec;

import dev.musicgen.internal.config.Check;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Hyper-parameters of one SEANet encoder or decoder, as audiocraft's {@code SEANetEncoder}/{@code SEANetDecoder}
 * take them ({@code seanet.*} of {@code xp.cfg}, with the {@code seanet.encoder}/{@code seanet.decoder} overrides
 * applied), or as derived from an HF {@code EncodecConfig}.
 *
 * @param ratios decoder (upsampling) order, as upstream; the encoder uses them reversed
 * @param activation an {@code torch.nn} activation name: ELU, LeakyReLU, ReLU, Tanh, Sigmoid or GELU
 * @param finalActivation decoder only: an activation after the last convolution, or null
 * @param norm {@code weight_norm} or {@code none}
 * @param padMode {@code constant} (audiocraft's EnCodec) or {@code reflect} (HF's)
 * @param lstm number of LSTM layers at the end of the encoder / start of the decoder (0 = none)
 */
public record SEANetConfig(
        int channels,
        int dimension,
        int nFilters,
        int nResidualLayers,
        List<Integer> ratios,
        String activation,
        Map<String, Double> activationParams,
        String finalActivation,
        Map<String, Double> finalActivationParams,
        String norm,
        int kernelSize,
        int lastKernelSize,
        int residualKernelSize,
        int dilationBase,
        boolean causal,
        String padMode,
        boolean trueSkip,
        int compress,
        int lstm,
        int disableNormOuterBlocks,
        double trimRightRatio) {

    static final Set<String> NORMS = Set.of("none", "weight_norm");
    static final Set<String> PAD_MODES = Set.of("constant", "reflect");

    public SEANetConfig {
        ratios = List.copyOf(Objects.requireNonNull(ratios, "ratios"));
        activationParams = activationParams == null ? Map.of() : Map.copyOf(activationParams);
        finalActivationParams = finalActivationParams == null ? Map.of() : Map.copyOf(finalActivationParams);
        Check.positive("channels", channels);
        Check.positive("dimension", dimension);
        Check.positive("n_filters", nFilters);
        Check.positive("kernel_size", kernelSize);
        Check.positive("last_kernel_size", lastKernelSize);
        Check.positive("residual_kernel_size", residualKernelSize);
        Check.positive("dilation_base", dilationBase);
        Check.positive("compress", compress);
        Check.atLeast("n_residual_layers", nResidualLayers, 0);
        Check.atLeast("lstm (number of LSTM layers)", lstm, 0);
        Check.that(
                !ratios.isEmpty() && ratios.stream().allMatch(r -> r != null && r >= 1),
                "ratios",
                "a non-empty list of positive integers",
                ratios);
        Check.that(NORMS.contains(norm), "norm", "one of " + NORMS + " (MusicGen's EnCodec uses weight_norm)", norm);
        Check.oneOf("pad_mode", padMode, PAD_MODES);
        Check.inRange("disable_norm_outer_blocks", disableNormOuterBlocks, 0, ratios.size() + 2);
        Check.that(
                trimRightRatio >= 0 && trimRightRatio <= 1 && (causal || trimRightRatio == 1.0),
                "trim_right_ratio",
                "1.0 for non-causal models and within [0, 1] otherwise",
                trimRightRatio);
        Act.of(activation, activationParams); // validates the name and parameters
        if (finalActivation != null) {
            Act.of(finalActivation, finalActivationParams);
        }
    }

    /** Samples per frame: the product of the ratios. */
    public int hopLength() {
        int h = 1;
        for (int r : ratios) {
            h *= r;
        }
        return h;
    }

    /** First/last convolutions plus one block per ratio (upstream's {@code n_blocks}). */
    int nBlocks() {
        return ratios.size() + 2;
    }
}
