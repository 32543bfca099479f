package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.Arrays3;
import dev.musicgen.spi.StreamDecoder;
import java.util.List;

/**
 * Incremental EnCodec decode: codes in as the frames become known, the samples that are final out, and the
 * concatenation equal to {@link EncodecModel#decode} of all the frames (up to float rounding).
 *
 * <p>The SEANet decoder is a convolution ({@code conv0}), a causal LSTM, then a stack of convolutions and transposed
 * convolutions. It runs here in three parts:
 * <ol>
 *   <li>the layers before the LSTM, as a {@link MarginStage}: an output frame is final once the frames within the
 *       stage's receptive radius to its right have arrived (3 frames for the 7-tap {@code conv0});</li>
 *   <li>the LSTM, over the new frames only, from the hidden and cell state the previous piece ended with;</li>
 *   <li>the layers after the LSTM, as another {@link MarginStage} (2 frames of radius for MusicGen's EnCodec).</li>
 * </ol>
 * A margin stage recomputes its radius of frames on the left of each piece rather than keeping every layer's
 * padding state: the kept outputs then see exactly the inputs they see in one pass (the approach of {@link Chunked},
 * whose chunks equal the one-pass decode), and the true edges of the signal are padded as in one pass: the left edge
 * on the first pieces, the right edge by {@link #finish()}.
 *
 * <p>Between calls the decoder holds only plain Java arrays (the LSTM state and a few frames of stage input), never
 * native memory; each call runs in a sub-manager of the model's and frees everything it made before returning.
 */
final class EncodecStreamDecoder implements StreamDecoder {
    private final EncodecModel model;
    private final ResidualVectorQuantizer quantizer;
    private final int batch;
    private final int channels;
    private final MarginStage pre;
    private final StreamableLSTM lstm; // null when the decoder has none
    private final MarginStage post; // null when there is no LSTM (pre is then the whole decoder)
    private float[] h; // LSTM state [layers, B, C], null before the first frame
    private float[] c;
    private boolean finished;
    private boolean closed;

    /** @param marginSlack frames added to both stages' margins (negative in tests: to see a too small one fail) */
    EncodecStreamDecoder(
            EncodecModel model, ResidualVectorQuantizer quantizer, SEANetDecoder decoder, int batch, int marginSlack) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, but is: " + batch);
        }
        this.model = model;
        this.quantizer = quantizer;
        this.batch = batch;
        SEANetConfig cfg = decoder.config();
        this.channels = cfg.channels();
        List<Layer> layers = decoder.layers();
        int at = -1;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof StreamableLSTM) {
                at = i;
            }
        }
        int hop = cfg.hopLength();
        double headRadius = convRadius(cfg.kernelSize(), 1, cfg.causal()); // conv0, at the frame rate
        double tailRadius = tailRadius(cfg);
        if (at < 0) {
            this.lstm = null;
            this.pre = new MarginStage(layers, cfg.dimension(), hop, margin(headRadius + tailRadius, marginSlack));
            this.post = null;
        } else {
            this.lstm = (StreamableLSTM) layers.get(at);
            int width = lstm.dimension();
            this.pre = new MarginStage(layers.subList(0, at), cfg.dimension(), 1, margin(headRadius, marginSlack));
            this.post =
                    new MarginStage(layers.subList(at + 1, layers.size()), width, hop, margin(tailRadius, marginSlack));
        }
    }

    /** Frames of input held back before their output is final: the two stages' margins. */
    @Override
    public int lookAheadFrames() {
        return pre.margin + (post == null ? 0 : post.margin);
    }

    private static int margin(double radius, int slack) {
        return Math.max(0, (int) Math.ceil(radius - 1e-9) + slack);
    }

    /**
     * One-sided receptive radius, in input samples, of a stride-1 conv as {@link StreamableConv1d} pads it: the whole
     * padding on the left when causal, else the larger (left) half.
     */
    static double convRadius(int kernelSize, int dilation, boolean causal) {
        int paddingTotal = (kernelSize - 1) * dilation;
        return causal ? paddingTotal : paddingTotal - paddingTotal / 2;
    }

    /**
     * Receptive radius, in frames, of the layers after the LSTM: per upsampling, the transposed conv (kernel
     * {@code 2 S}, stride {@code S}: output frame {@code j} reads input frames {@code j - 1 .. j + 1} whatever the
     * trimming) and the residual blocks at its output rate; then the last conv at the sample rate.
     */
    static double tailRadius(SEANetConfig cfg) {
        double radius = 0;
        int rate = 1; // samples per frame at the current layer's input
        for (int ratio : cfg.ratios()) {
            radius += 1.0 / rate;
            rate *= ratio;
            for (int j = 0; j < cfg.nResidualLayers(); j++) {
                radius += convRadius(cfg.residualKernelSize(), SEANetEncoder.pow(cfg.dilationBase(), j), cfg.causal())
                        / rate;
            }
        }
        return radius + convRadius(cfg.lastKernelSize(), 1, cfg.causal()) / rate;
    }

    @Override
    public float[][][] decode(long[][][] codes) {
        ensureUsable();
        if (codes == null || codes.length != batch) {
            throw new IllegalArgumentException("codes: expected " + batch + " items (shape [" + batch + ", "
                    + model.numCodebooks() + ", n]), found " + (codes == null ? "null" : codes.length));
        }
        int n = codes[0] == null || codes[0].length == 0 || codes[0][0] == null ? -1 : codes[0][0].length;
        if (n == 0) {
            for (long[][] item : codes) {
                if (item == null || item.length != model.numCodebooks()) {
                    model.checkCodes("codes", codes); // names the bad item
                }
                for (long[] row : item) {
                    if (row == null || row.length != 0) {
                        throw new IllegalArgumentException("codes: ragged array, row [0, 0] has 0 frames but another"
                                + " row has " + (row == null ? "none" : String.valueOf(row.length)));
                    }
                }
            }
            return new float[batch][channels][0];
        }
        model.checkCodes("codes", codes);
        return run(codes, false);
    }

    @Override
    public float[][][] finish() {
        ensureUsable();
        finished = true;
        return run(null, true);
    }

    private float[][][] run(long[][][] codes, boolean last) {
        try (NDManager call = model.weightsManager().newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray emb = null;
            if (codes != null) {
                NDArray x = call.create(Arrays3.flatten(codes), new Shape(batch, codes[0].length, codes[0][0].length));
                emb = quantizer.decode(x); // [B, D, n]
            }
            NDArray y = pre.push(call, emb, last);
            if (lstm != null) {
                if (y != null) {
                    y = lstm(call, y);
                }
                y = post.push(call, y, last);
            }
            if (y == null) {
                return new float[batch][channels][0];
            }
            return Arrays3.unflatten(
                    y.toFloatArray(), batch, channels, (int) y.getShape().get(2));
        }
    }

    private NDArray lstm(NDManager call, NDArray x) {
        Shape state = new Shape(lstm.numLayers(), batch, lstm.dimension());
        NDArray h0 = h == null ? call.zeros(state) : call.create(h, state);
        NDArray c0 = c == null ? call.zeros(state) : call.create(c, state);
        NDList out = lstm.forward(x, h0, c0);
        h = out.get(1).toFloatArray();
        c = out.get(2).toFloatArray();
        return out.get(0);
    }

    private void ensureUsable() {
        if (closed) {
            throw new IllegalStateException("this stream decoder is closed");
        }
        if (finished) {
            throw new IllegalStateException("this stream decoder has finished; start a new one for a new stream");
        }
        if (!model.weightsManager().isOpen()) {
            throw new IllegalStateException("the codec of this stream decoder has been closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        pre.held = null;
        if (post != null) {
            post.held = null;
        }
        h = null;
        c = null;
    }

    /**
     * A stack of layers without recurrence run over a growing sequence of frames: each push computes the frames that
     * have become final, over a slice widened on the left by {@code margin} frames that are computed and dropped,
     * and keeps the last {@code margin} frames of input (as floats) for the next push.
     */
    static final class MarginStage {
        private final List<Layer> layers;
        private final int inChannels;
        private final int outPerFrame;
        final int margin;
        private float[] held = new float[0]; // input frames [heldStart, heldStart + heldFrames), [B, C, heldFrames]
        private int heldFrames;
        private long heldStart;
        private long done; // frames whose output has been returned
        private int batch = -1;

        MarginStage(List<Layer> layers, int inChannels, int outPerFrame, int margin) {
            this.layers = layers;
            this.inChannels = inChannels;
            this.outPerFrame = outPerFrame;
            this.margin = margin;
        }

        /**
         * @param x the next input frames {@code [B, C, n]}, or null
         * @param last whether the input ends here (the right edge is then padded as in one pass)
         * @return the new final output {@code [B, C', m]} (a view into this call's arrays), or null for none
         */
        NDArray push(NDManager m, NDArray x, boolean last) {
            NDArray all = x;
            if (heldFrames > 0) {
                NDArray h = m.create(held, new Shape(batch, inChannels, heldFrames));
                all = x == null ? h : h.concat(x, 2);
            }
            if (all == null) {
                return null;
            }
            batch = (int) all.getShape().get(0);
            long end = heldStart + all.getShape().get(2);
            long finalEnd = last ? end : end - margin;
            NDArray out = null;
            if (finalEnd > done) {
                // heldStart <= max(0, done - margin): the slice starts at the signal's true left edge or a margin early
                long a = Math.max(0, done - margin);
                NDArray in = a == heldStart ? all : all.get(new NDIndex(":, :, {}:", a - heldStart));
                NDArray y = Layer.sequential(layers, in);
                long from = (done - a) * outPerFrame;
                long to = last ? y.getShape().get(2) : (finalEnd - a) * outPerFrame;
                out = y.get(new NDIndex(":, :, {}:{}", from, to));
                done = finalEnd;
            }
            long keepFrom = Math.max(heldStart, done - margin);
            NDArray keep = keepFrom == heldStart ? all : all.get(new NDIndex(":, :, {}:", keepFrom - heldStart));
            held = keep.toFloatArray();
            heldFrames = (int) (end - keepFrom);
            heldStart = keepFrom;
            return out;
        }
    }
}
