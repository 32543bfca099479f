package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Port of audiocraft {@code StreamableLSTM} ({@code modules/lstm.py} @ v1.2.0): a multi-layer {@code nn.LSTM}
 * (hidden = input = {@code dimension}) over the time axis of a conv-layout tensor, with a skip connection, run by
 * libtorch's own LSTM through DJL's internal API (djl-probe.md Q2).
 */
final class StreamableLSTM implements Layer {
    private final int numLayers;
    private final int dimension;
    private final boolean skip;
    private final NDList params; // [weight_ih_l0 [4H,H], weight_hh_l0 [4H,H], bias_ih_l0 [4H], bias_hh_l0 [4H], ...l1]

    /** @param lstm the view of the {@code nn.LSTM} ({@code .../lstm.}) */
    StreamableLSTM(WeightStore lstm, NDManager manager, int dimension, int numLayers, boolean skip) {
        this.numLayers = numLayers;
        this.dimension = dimension;
        this.skip = skip;
        this.params = new NDList();
        long g = 4L * dimension;
        for (int l = 0; l < numLayers; l++) {
            params.add(load(lstm, manager, "weight_ih_l" + l, g, dimension));
            params.add(load(lstm, manager, "weight_hh_l" + l, g, dimension));
            params.add(load(lstm, manager, "bias_ih_l" + l, g));
            params.add(load(lstm, manager, "bias_hh_l" + l, g));
        }
    }

    private static NDArray load(WeightStore w, NDManager manager, String key, long... shape) {
        return w.load(key, manager, DataType.FLOAT32, shape);
    }

    /** x [B, C, T] -> [B, C, T]. */
    @Override
    public NDArray forward(NDArray x) {
        long batch = x.getShape().get(0);
        NDManager m = x.getManager();
        NDArray h0 = m.zeros(new Shape(numLayers, batch, dimension));
        NDArray c0 = m.zeros(new Shape(numLayers, batch, dimension));
        return forward(x, h0, c0).get(0);
    }

    /**
     * The LSTM from a given state (incremental decoding carries it from one piece of the sequence to the next).
     *
     * @param h0 hidden state {@code [numLayers, B, C]}
     * @param c0 cell state {@code [numLayers, B, C]}
     * @return {@code [y [B, C, T], h_T, c_T]}
     */
    NDList forward(NDArray x, NDArray h0, NDArray c0) {
        NDArray seq = x.transpose(2, 0, 1); // [T, B, C]
        NDList out = seq.getNDArrayInternal()
                .lstm(seq, new NDList(h0, c0), params, true, numLayers, 0.0, false, false, false);
        NDArray y = out.get(0); // [T, B, C]
        if (skip) {
            y = y.add(seq);
        }
        return new NDList(y.transpose(1, 2, 0), out.get(1), out.get(2));
    }

    int numLayers() {
        return numLayers;
    }

    int dimension() {
        return dimension;
    }
}
