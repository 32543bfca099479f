package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Port of audiocraft {@code SEANetDecoder} ({@code modules/seanet.py} @ v1.2.0). Layer {@code i} of the list is
 * module {@code model.i} of upstream's {@code nn.Sequential} (weights under {@code layers.i} in our names):
 * conv from {@code dimension}; LSTM if configured; per ratio: activation, transposed conv (k = 2 ratio, channels
 * halved), residual blocks; activation; conv to {@code channels}; the final activation if configured.
 */
final class SEANetDecoder {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SEANetDecoder.class);
    private final List<Layer> layers = new ArrayList<>();
    private final SEANetConfig cfg;
    private final int head; // layers [0, head) run over the whole sequence (conv, LSTM, first upsampling)
    private final int headRate; // samples per frame of the head's output
    private final int margin; // frames of context for the chunked layers

    /** @param w the view of the decoder ({@code decoder.}) */
    SEANetDecoder(WeightStore w, NDManager manager, SEANetConfig cfg) {
        this.cfg = cfg;
        int nBlocks = cfg.nBlocks();
        int disable = cfg.disableNormOuterBlocks();
        boolean wn = cfg.norm().equals("weight_norm");
        int mult = 1 << cfg.ratios().size();
        layers.add(new StreamableConv1d(
                SEANetEncoder.conv(w, 0),
                manager,
                cfg.dimension(),
                mult * cfg.nFilters(),
                cfg.kernelSize(),
                1,
                1,
                cfg.causal(),
                cfg.padMode(),
                wn && disable != nBlocks));
        if (cfg.lstm() > 0) {
            layers.add(new StreamableLSTM(
                    w.view("layers." + layers.size() + ".lstm"), manager, mult * cfg.nFilters(), cfg.lstm(), true));
        }
        int head = layers.size();
        int headRate = 1; // samples per frame at the head's output
        double spread = 0; // receptive radius of the chunked layers, in frames
        int rate = 1; // samples per frame at the current layer
        for (int i = 0; i < cfg.ratios().size(); i++) {
            int ratio = cfg.ratios().get(i);
            if (i > 0) {
                spread += Math.ceil(2.0 * ratio / ratio) / rate;
            }
            rate *= ratio;
            for (int j = 0; j < cfg.nResidualLayers(); j++) {
                spread += Chunked.convSpread(cfg.residualKernelSize(), SEANetEncoder.pow(cfg.dilationBase(), j)) / rate;
            }
            boolean blockNorm = wn && disable < nBlocks - (i + 1);
            layers.add(Act.of(cfg.activation(), cfg.activationParams()));
            layers.add(new StreamableConvTranspose1d(
                    SEANetEncoder.conv(w, layers.size()),
                    manager,
                    mult * cfg.nFilters(),
                    mult * cfg.nFilters() / 2,
                    ratio * 2,
                    ratio,
                    cfg.causal(),
                    cfg.trimRightRatio(),
                    blockNorm));
            if (i == 0) {
                // the first upsampling runs over the whole sequence too: at the frame rate its input is small, and
                // one large GEMM over 1 500 frames beats 30 chunk-sized ones that each stream its 32 MB weight
                head = layers.size();
                headRate = ratio;
            }
            for (int j = 0; j < cfg.nResidualLayers(); j++) {
                layers.add(new SEANetResnetBlock(
                        w.view("layers." + layers.size()),
                        manager,
                        cfg,
                        mult * cfg.nFilters() / 2,
                        new int[] {cfg.residualKernelSize(), 1},
                        new int[] {SEANetEncoder.pow(cfg.dilationBase(), j), 1},
                        blockNorm));
            }
            mult /= 2;
        }
        layers.add(Act.of(cfg.activation(), cfg.activationParams()));
        layers.add(new StreamableConv1d(
                SEANetEncoder.conv(w, layers.size()),
                manager,
                cfg.nFilters(),
                cfg.channels(),
                cfg.lastKernelSize(),
                1,
                1,
                cfg.causal(),
                cfg.padMode(),
                wn && disable < 1));
        if (cfg.finalActivation() != null) {
            layers.add(Act.of(cfg.finalActivation(), cfg.finalActivationParams()));
        }
        spread += Chunked.convSpread(cfg.lastKernelSize(), 1) / rate;
        this.margin = (int) Math.ceil(spread) + 1;
        this.head = head;
        this.headRate = headRate;
    }

    /** z [B, dimension, T] -> [B, channels, T * hop]. */
    NDArray forward(NDArray z) {
        long t0 = System.nanoTime();
        NDArray h = Layer.sequential(layers.subList(0, head), z); // small at the frame rate; the LSTM is sequential
        long t1 = System.nanoTime();
        NDArray y = Chunked.run(layers.subList(head, layers.size()), h, headRate, cfg.hopLength(), margin);
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "decoder over {} frames: conv, LSTM and first upsampling {} ms, the rest in chunks {} ms",
                    z.getShape().get(2),
                    (t1 - t0) / 1_000_000,
                    (System.nanoTime() - t1) / 1_000_000);
        }
        h.close();
        return y;
    }

    SEANetConfig config() {
        return cfg;
    }

    /** The layers in upstream's order (for the incremental decoder, which runs them in its own pieces). */
    List<Layer> layers() {
        return java.util.Collections.unmodifiableList(layers);
    }
}
