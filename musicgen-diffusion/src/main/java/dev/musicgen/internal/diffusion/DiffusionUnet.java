package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Port of audiocraft {@code DiffusionUnet} (models/unet.py @ 896ec7c) for inference: {@code depth} strided
 * encoder layers (conv, GroupNorm, ReLU, residual blocks), a step embedding added after each encoder (all layers when
 * {@code emb_all_layers}), the codec latent projected by a 1x1 conv, nearest-interpolated to the bottleneck length and
 * added in place (so the deepest skip carries it too, as upstream's {@code z += condition_emb}), the transformer bottleneck (or zeros when the cfg has none), then mirrored decoder layers ending in a
 * transposed conv, each fed the matching skip. Weights live in this U-Net's own sub-manager.
 */
final class DiffusionUnet implements AutoCloseable {
    private static final float GN_EPS = 1e-5f; // nn.GroupNorm default

    private final DiffusionUnetConfig config;
    private final NDManager manager;
    private final EncoderLayer[] encoders;
    private final DecoderLayer[] decoders; // deepest first, as upstream's list
    private final float[][] stepEmbeddings; // [depth or 1][num_steps * C_d]: embedding, embeddings.0, ...
    private final NDArray convCodecW; // [C_bottleneck, codec_dim, 1] or null
    private final NDArray convCodecB; // [C_bottleneck] or null
    private final PostNormTransformer transformer; // null: the bottleneck is zeros

    /** Loads a band's {@code model_state}; every key of it must be used. */
    DiffusionUnet(NDManager parent, WeightStore w, DiffusionUnetConfig config) {
        this.config = config;
        this.manager = parent.newSubManager();
        try {
            int[] ch = config.channels();
            int depth = config.depth();
            encoders = new EncoderLayer[depth];
            decoders = new DecoderLayer[depth];
            int chin = config.chin();
            for (int d = 0; d < depth; d++) {
                encoders[d] = new EncoderLayer(manager, w.view("encoders." + d), chin, ch[d], config);
                // decoders are inserted at the front: decoder for depth d sits at index depth-1-d
                decoders[depth - 1 - d] =
                        new DecoderLayer(manager, w.view("decoders." + (depth - 1 - d)), ch[d], chin, config);
                chin = ch[d];
            }
            int nEmb = config.embAllLayers() ? depth : 1;
            stepEmbeddings = new float[nEmb][];
            stepEmbeddings[0] =
                    w.tensor("embedding.weight", config.numSteps(), ch[0]).toFloatArray();
            for (int d = 1; d < nEmb; d++) {
                stepEmbeddings[d] = w.tensor("embeddings." + (d - 1) + ".weight", config.numSteps(), ch[d])
                        .toFloatArray();
            }
            int bottleneck = config.bottleneck();
            if (config.codecDim() > 0) {
                convCodecW = w.load("conv_codec.weight", manager, DataType.FLOAT32, bottleneck, config.codecDim(), 1);
                convCodecB = w.load("conv_codec.bias", manager, DataType.FLOAT32, bottleneck);
            } else {
                convCodecW = null;
                convCodecB = null;
            }
            transformer = config.transformer() ? new PostNormTransformer(manager, w, bottleneck) : null;
            w.checkAllUsed();
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    DiffusionUnetConfig config() {
        return config;
    }

    /**
     * {@code model(x, step, condition).sample}. in: x [B, chin, L], condition [B, codec_dim, T] (ignored when the
     * U-Net has no codec input); out: [B, chin, L]. Temporaries attach to x's manager: call inside an NDScope.
     */
    NDArray forward(NDArray x, int step, NDArray condition) {
        if (step < 0 || step >= config.numSteps()) {
            throw new IllegalArgumentException("step must be in [0, " + config.numSteps() + "), but is: " + step);
        }
        long len = x.getShape().get(2);
        Deque<NDArray> skips = new ArrayDeque<>();
        NDArray z = x;
        for (int idx = 0; idx < encoders.length; idx++) {
            z = encoders[idx].forward(z);
            if (idx == 0 || config.embAllLayers()) {
                z = z.add(stepEmbedding(z.getManager(), idx, step)); // [1, C, 1] broadcast over batch and time
            }
            skips.push(z);
        }
        if (convCodecW != null) {
            if (condition == null) {
                throw new IllegalArgumentException(
                        "this U-Net is conditional (codec_dim " + config.codecDim() + "): a condition is required");
            }
            if (condition.getShape().get(1) != config.codecDim()) {
                throw new IllegalArgumentException("condition has "
                        + condition.getShape().get(1) + " channels, but the U-Net's codec_dim is " + config.codecDim());
            }
            NDArray c = F.conv1d(condition, convCodecW, convCodecB, 1, 0, 1, 1); // [B, C, T]
            long zLen = z.getShape().get(2);
            if (c.getShape().get(2) > 2 * zLen) {
                throw new IllegalArgumentException(
                        "the conditioning (" + c.getShape().get(2) + " frames) would be"
                                + " downsampled by a factor >= 2 to the bottleneck's " + zLen + " frames");
            }
            // F.interpolate(mode='nearest'): src = min(floor(dst * in/out), in - 1)
            c = c.getNDArrayInternal().interpolation(new long[] {zLen}, 0, false);
            // upstream's `z += condition_emb` is in place: the deepest skip carries the conditioning too
            skips.pop();
            z = z.add(c);
            skips.push(z);
        }
        if (transformer != null) {
            z = transformer.forward(z.transpose(0, 2, 1)).transpose(0, 2, 1);
        } else {
            z = z.zerosLike();
        }
        for (DecoderLayer dec : decoders) {
            NDArray s = skips.pop();
            long sLen = s.getShape().get(2);
            if (z.getShape().get(2) != sLen) {
                z = z.get(new NDIndex(":, :, 0:{}", sLen));
            }
            z = dec.forward(z.add(s));
        }
        return z.getShape().get(2) == len ? z : z.get(new NDIndex(":, :, 0:{}", len));
    }

    private NDArray stepEmbedding(NDManager m, int layer, int step) {
        float[] table = stepEmbeddings[layer];
        int c = table.length / config.numSteps();
        float[] row = new float[c];
        System.arraycopy(table, step * c, row, 0, c);
        return m.create(row, new Shape(1, c, 1));
    }

    @Override
    public void close() {
        manager.close();
    }

    /** GroupNorm with its affine parameters. */
    private static final class Norm {
        private final NDArray weight; // [C, 1], as F.groupNorm takes it
        private final NDArray bias; // [C, 1]
        private final int groups;

        Norm(NDManager m, WeightStore w, String name, int channels, int groups) {
            weight = w.load(name + ".weight", m, DataType.FLOAT32, channels).reshape(channels, 1);
            bias = w.load(name + ".bias", m, DataType.FLOAT32, channels).reshape(channels, 1);
            this.groups = groups;
        }

        NDArray forward(NDArray x) {
            return F.groupNorm(x, groups, weight, bias, GN_EPS);
        }
    }

    /** Upstream {@code ResBlock}: {@code x + conv2(relu(GN2(conv1(relu(GN1(x))))))}, k=3, dilation 2**j. */
    private static final class ResBlock {
        private final Norm norm1;
        private final Norm norm2;
        private final NDArray conv1W, conv1B, conv2W, conv2B; // [C, C, 3], [C]
        private final NDArray conv1G, conv2G; // [3C, C] GEMM forms, or null
        private final int dilation;

        ResBlock(NDManager m, WeightStore w, int channels, int normGroups, int dilation) {
            norm1 = new Norm(m, w, "norm1", channels, normGroups);
            norm2 = new Norm(m, w, "norm2", channels, normGroups);
            conv1W = w.load("conv1.weight", m, DataType.FLOAT32, channels, channels, 3);
            conv1B = w.load("conv1.bias", m, DataType.FLOAT32, channels);
            conv2W = w.load("conv2.weight", m, DataType.FLOAT32, channels, channels, 3);
            conv2B = w.load("conv2.bias", m, DataType.FLOAT32, channels);
            conv1G = Conv.gemmWeight(conv1W);
            conv2G = Conv.gemmWeight(conv2W);
            this.dilation = dilation;
        }

        /** in/out: [B, C, T]; padding = dilation * (3 - 1) / 2 keeps the length. */
        NDArray forward(NDArray x) {
            NDArray h = Conv.conv1d(Activation.relu(norm1.forward(x)), conv1W, conv1G, conv1B, 1, dilation, dilation);
            h = Conv.conv1d(Activation.relu(norm2.forward(h)), conv2W, conv2G, conv2B, 1, dilation, dilation);
            return h.addi(x); // h is ours: add in place
        }
    }

    private static ResBlock[] resBlocks(NDManager m, WeightStore w, int channels, DiffusionUnetConfig c) {
        ResBlock[] out = new ResBlock[c.resBlocks()];
        for (int j = 0; j < out.length; j++) {
            out[j] = new ResBlock(m, w.view("res_blocks." + j), channels, c.normGroups(), 1 << j);
        }
        return out;
    }

    /** Upstream {@code EncoderLayer}: right zero-pad to a multiple of stride, strided conv, GN, ReLU, res blocks. */
    private static final class EncoderLayer {
        private final NDArray convW; // [chout, chin, kernel], no bias
        private final NDArray convG; // GEMM form or null
        private final Norm norm;
        private final ResBlock[] resBlocks;
        private final int stride;
        private final int padding;

        EncoderLayer(NDManager m, WeightStore w, int chin, int chout, DiffusionUnetConfig c) {
            convW = w.load("conv.weight", m, DataType.FLOAT32, chout, chin, c.kernel());
            convG = Conv.gemmWeight(convW);
            norm = new Norm(m, w, "norm", chout, c.normGroups());
            resBlocks = resBlocks(m, w, chout, c);
            stride = c.stride();
            padding = (c.kernel() - c.stride()) / 2;
        }

        /** in: [B, chin, T] → out: [B, chout, ceil(T / stride)] (for kernel = 2 * stride). */
        NDArray forward(NDArray x) {
            long t = x.getShape().get(2);
            long pad = (stride - t % stride) % stride;
            if (pad > 0) {
                x = x.pad(new Shape(0, pad), 0f);
            }
            x = Activation.relu(norm.forward(Conv.conv1d(x, convW, convG, null, stride, padding, 1)));
            for (ResBlock r : resBlocks) {
                x = r.forward(x);
            }
            return x;
        }
    }

    /** Upstream {@code DecoderLayer}: res blocks, GN, ReLU, transposed strided conv (no bias). */
    private static final class DecoderLayer {
        private final ResBlock[] resBlocks;
        private final Norm norm;
        private final NDArray convTrW; // [chin, chout, kernel]
        private final int stride;
        private final int padding;

        DecoderLayer(NDManager m, WeightStore w, int chin, int chout, DiffusionUnetConfig c) {
            resBlocks = resBlocks(m, w, chin, c);
            norm = new Norm(m, w, "norm", chin, c.normGroups());
            convTrW = w.load("convtr.weight", m, DataType.FLOAT32, chin, chout, c.kernel());
            stride = c.stride();
            padding = (c.kernel() - c.stride()) / 2;
        }

        /** in: [B, chin, T] → out: [B, chout, (T - 1) * stride - 2 * padding + kernel]. */
        NDArray forward(NDArray x) {
            for (ResBlock r : resBlocks) {
                x = r.forward(x);
            }
            return F.convTranspose1d(Activation.relu(norm.forward(x)), convTrW, null, stride, padding, 0);
        }
    }
}
