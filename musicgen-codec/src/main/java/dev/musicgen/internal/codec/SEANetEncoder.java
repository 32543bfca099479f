package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Port of audiocraft {@code SEANetEncoder} ({@code modules/seanet.py} @ v1.2.0). Layer {@code i} of the list is
 * module {@code model.i} of upstream's {@code nn.Sequential} (weights under {@code layers.i} in our names):
 * conv; per ratio (reversed): residual blocks, activation, strided conv (k = 2 ratio, channels doubled); LSTM if
 * configured; activation; conv to {@code dimension}.
 */
final class SEANetEncoder {
    private final List<Layer> layers = new ArrayList<>();
    private final SEANetConfig cfg;
    private final int tail; // layers [0, tail) run in chunks of frames, the rest (LSTM, conv) over the whole sequence
    private final int margin; // frames of context for the chunked layers

    /** @param w the view of the encoder ({@code encoder.}) */
    SEANetEncoder(WeightStore w, NDManager manager, SEANetConfig cfg) {
        this.cfg = cfg;
        List<Integer> ratios = new ArrayList<>(cfg.ratios());
        java.util.Collections.reverse(ratios);
        int nBlocks = cfg.nBlocks();
        int disable = cfg.disableNormOuterBlocks();
        boolean wn = cfg.norm().equals("weight_norm");
        int mult = 1;
        int rate = cfg.hopLength(); // input samples per frame at the current layer
        double spread = Chunked.convSpread(cfg.kernelSize(), 1) / rate; // receptive radius, in frames
        layers.add(new StreamableConv1d(
                conv(w, 0),
                manager,
                cfg.channels(),
                mult * cfg.nFilters(),
                cfg.kernelSize(),
                1,
                1,
                cfg.causal(),
                cfg.padMode(),
                wn && disable < 1));
        for (int i = 0; i < ratios.size(); i++) {
            int ratio = ratios.get(i);
            boolean blockNorm = wn && disable < i + 2;
            for (int j = 0; j < cfg.nResidualLayers(); j++) {
                layers.add(new SEANetResnetBlock(
                        w.view("layers." + layers.size()),
                        manager,
                        cfg,
                        mult * cfg.nFilters(),
                        new int[] {cfg.residualKernelSize(), 1},
                        new int[] {pow(cfg.dilationBase(), j), 1},
                        blockNorm));
            }
            layers.add(Act.of(cfg.activation(), cfg.activationParams()));
            layers.add(new StreamableConv1d(
                    conv(w, layers.size()),
                    manager,
                    mult * cfg.nFilters(),
                    mult * cfg.nFilters() * 2,
                    ratio * 2,
                    ratio,
                    1,
                    cfg.causal(),
                    cfg.padMode(),
                    blockNorm));
            for (int j = 0; j < cfg.nResidualLayers(); j++) {
                spread += Chunked.convSpread(cfg.residualKernelSize(), pow(cfg.dilationBase(), j)) / rate;
            }
            spread += Chunked.convSpread(ratio * 2, 1) / rate;
            rate /= ratio;
            mult *= 2;
        }
        tail = layers.size();
        margin = (int) Math.ceil(spread) + 1;
        if (cfg.lstm() > 0) {
            layers.add(new StreamableLSTM(
                    w.view("layers." + layers.size() + ".lstm"), manager, mult * cfg.nFilters(), cfg.lstm(), true));
        }
        layers.add(Act.of(cfg.activation(), cfg.activationParams()));
        layers.add(new StreamableConv1d(
                conv(w, layers.size()),
                manager,
                mult * cfg.nFilters(),
                cfg.dimension(),
                cfg.lastKernelSize(),
                1,
                1,
                cfg.causal(),
                cfg.padMode(),
                wn && disable != nBlocks));
    }

    static WeightStore conv(WeightStore w, int index) {
        return w.view("layers." + index + ".conv");
    }

    static int pow(int base, int exp) {
        int r = 1;
        for (int i = 0; i < exp; i++) {
            r *= base;
        }
        return r;
    }

    /** x [B, channels, T] -> [B, dimension, ceil(T / hop)]. */
    NDArray forward(NDArray x) {
        NDArray h = Chunked.run(layers.subList(0, tail), x, cfg.hopLength(), 1, margin); // [B, C, frames]
        NDArray y = Layer.sequential(layers.subList(tail, layers.size()), h);
        if (h != x) {
            h.close();
        }
        return y;
    }

    SEANetConfig config() {
        return cfg;
    }
}
