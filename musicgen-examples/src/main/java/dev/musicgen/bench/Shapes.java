package dev.musicgen.bench;

import dev.musicgen.internal.codec.EncodecConfig;
import dev.musicgen.internal.codec.SEANetConfig;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.t5.T5Config;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The real shapes the benchmarks build with random weights: MusicGen's LMs, T5-base and the 32 kHz EnCodec. */
final class Shapes {
    private Shapes() {}

    /** The LM shapes of the released checkpoints (each with cross-attention, 4 codebooks of 2048). */
    enum LmSize {
        SMALL(1024, 16, 24, 4096),
        MEDIUM(1536, 24, 48, 6144),
        LARGE(2048, 32, 48, 8192);

        final int dim;
        final int heads;
        final int layers;
        final int ffn;

        LmSize(int dim, int heads, int layers, int ffn) {
            this.dim = dim;
            this.heads = heads;
            this.layers = layers;
            this.ffn = ffn;
        }

        LMConfig config() {
            return new LMConfig(
                    dim,
                    heads,
                    layers,
                    ffn,
                    4,
                    2048,
                    false,
                    false,
                    false,
                    10_000,
                    1.0,
                    List.of(0, 1, 2, 3),
                    new dev.musicgen.internal.lm.ConditionFuser(List.of(), List.of("description"), false, 1.0),
                    30,
                    3.0,
                    1,
                    false,
                    32000);
        }

        /** {@code musicgen-small} etc. */
        String label() {
            return "musicgen-" + name().toLowerCase(Locale.ROOT);
        }
    }

    /** T5-base, the text encoder of every MusicGen. */
    static final T5Config T5_BASE = new T5Config(32128, 768, 64, 3072, 12, 12, 32, 128, 1e-6, "relu");

    /**
     * EnCodec 32 kHz as MusicGen uses it: n_filters 64, dimension 128, ratios 8·5·4·4, one residual layer per stage,
     * a 2-layer LSTM, constant padding, 4 codebooks of 2048 (about 59 M parameters).
     */
    static final EncodecConfig ENCODEC_32K = encodec32k();

    private static EncodecConfig encodec32k() {
        SEANetConfig s = new SEANetConfig(
                1,
                128,
                64,
                1,
                List.of(8, 5, 4, 4),
                "ELU",
                Map.of("alpha", 1.0),
                null,
                Map.of(),
                "weight_norm",
                7,
                7,
                3,
                2,
                false,
                "constant",
                true,
                2,
                2,
                0,
                1.0);
        return new EncodecConfig(32000, 1, 50, s, s, new EncodecConfig.RvqConfig(128, 4, 2048));
    }
}
