package dev.musicgen.internal.codec;

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
public record SEANetConfig(int channels, int dimension, int nFilters, int nResidualLayers, List<Integer> ratios,
        String activation, Map<String, Double> activationParams, String finalActivation,
        Map<String, Double> finalActivationParams, String norm, int kernelSize, int lastKernelSize,
        int residualKernelSize, int dilationBase, boolean causal, String padMode, boolean trueSkip, int compress,
        int lstm, int disableNormOuterBlocks, double trimRightRatio) {

    static final Set<String> NORMS = Set.of("none", "weight_norm");
    static final Set<String> PAD_MODES = Set.of("constant", "reflect");

    public SEANetConfig {
        ratios = List.copyOf(Objects.requireNonNull(ratios, "ratios"));
        activationParams = activationParams == null ? Map.of() : Map.copyOf(activationParams);
        finalActivationParams = finalActivationParams == null ? Map.of() : Map.copyOf(finalActivationParams);
        positive("channels", channels);
        positive("dimension", dimension);
        positive("n_filters", nFilters);
        positive("kernel_size", kernelSize);
        positive("last_kernel_size", lastKernelSize);
        positive("residual_kernel_size", residualKernelSize);
        positive("dilation_base", dilationBase);
        positive("compress", compress);
        if (nResidualLayers < 0) {
            throw new IllegalArgumentException("n_residual_layers must be >= 0, but is: " + nResidualLayers);
        }
        if (lstm < 0) {
            throw new IllegalArgumentException("lstm (number of LSTM layers) must be >= 0, but is: " + lstm);
        }
        if (ratios.isEmpty() || ratios.stream().anyMatch(r -> r == null || r < 1)) {
            throw new IllegalArgumentException("ratios must be a non-empty list of positive integers, but is: "
                    + ratios);
        }
        if (!NORMS.contains(norm)) {
            throw new IllegalArgumentException("norm must be one of " + NORMS + " (MusicGen's EnCodec uses"
                    + " weight_norm), but is: " + norm);
        }
        if (!PAD_MODES.contains(padMode)) {
            throw new IllegalArgumentException("pad_mode must be one of " + PAD_MODES + ", but is: " + padMode);
        }
        int nBlocks = ratios.size() + 2;
        if (disableNormOuterBlocks < 0 || disableNormOuterBlocks > nBlocks) {
            throw new IllegalArgumentException("disable_norm_outer_blocks must be between 0 and " + nBlocks
                    + ", but is: " + disableNormOuterBlocks);
        }
        if (trimRightRatio < 0 || trimRightRatio > 1 || (!causal && trimRightRatio != 1.0)) {
            throw new IllegalArgumentException("trim_right_ratio must be 1.0 for non-causal models and within [0, 1]"
                    + " otherwise, but is: " + trimRightRatio);
        }
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

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, but is: " + v);
        }
    }
}
