package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * Port of demucs {@code DConv} (demucs 4.0.1 {@code demucs/demucs.py}) as HTDemucs builds it: {@code depth}
 * residual branches, each {@code Conv1d(C, C/compress, 3, dilation 2^d) → GroupNorm(1) → GELU →
 * Conv1d(C/compress, 2C, 1) → GroupNorm(1) → GLU → LayerScale}, added to the input. No attention or LSTM (HTDemucs never enables them).
 * Weight names: {@code layers.<d>.{0,1,3,4}.{weight,bias}}, {@code layers.<d>.6.scale}.
 */
final class DConv {
    private static final float EPS = 1e-5f;

    private final Layer[] layers;

    private record Layer(
            int dilation,
            NDArray conv1W,
            NDArray conv1B,
            NDArray norm1W,
            NDArray norm1B,
            NDArray conv2W,
            NDArray conv2B,
            NDArray norm2W,
            NDArray norm2B,
            NDArray scale) {}

    /** {@code DConv(channels, compress, depth, init, gelu=True)}; a negative depth means no dilation, as upstream. */
    DConv(Params p, int channels, double compress, int depth) {
        int hidden = (int) (channels / compress);
        boolean dilate = depth > 0;
        layers = new Layer[Math.abs(depth)];
        for (int d = 0; d < layers.length; d++) {
            Params l = p.child("layers").child(d);
            int dilation = dilate ? 1 << d : 1;
            layers[d] = new Layer(
                    dilation,
                    l.child(0).get("weight", hidden, channels, 3),
                    l.child(0).get("bias", hidden),
                    l.child(1).get("weight", hidden).reshape(hidden, 1),
                    l.child(1).get("bias", hidden).reshape(hidden, 1),
                    l.child(3).get("weight", 2L * channels, hidden, 1),
                    l.child(3).get("bias", 2L * channels),
                    l.child(4).get("weight", 2L * channels).reshape(2L * channels, 1),
                    l.child(4).get("bias", 2L * channels).reshape(2L * channels, 1),
                    l.child(6).get("scale", channels).reshape(channels, 1));
        }
    }

    /** Elements of the widest temporary per block of rows: 2M floats (8 MB) stays in cache. */
    private static final long BLOCK_ELEMENTS = 1L << 21;

    /**
     * x [N, C, T] → [N, C, T]. Rows are independent (the norms are per row), so the frequency branch's many rows
     * (batch × frequencies) run in blocks whose temporaries stay cache-sized.
     */
    NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long rows = s.get(0);
        long block = Math.max(1, BLOCK_ELEMENTS / (2 * s.get(1) * s.get(2)));
        return F.inBlocks(rows, block, 0, (from, to) -> forwardRows(x.get(new NDIndex("{}:{}", from, to))));
    }

    /**
     * The residual of an encoder/decoder layer's branch: x {@code [B, C, T]} (time) as is, or {@code [B, C, Fr, T]}
     * (frequency) with every frequency as its own row ({@code [B·Fr, C, T]}), as demucs' {@code HEncLayer} and
     * {@code HDecLayer} reshape it.
     */
    NDArray forward(NDArray x, boolean freq) {
        if (!freq) {
            return forward(x);
        }
        Shape s = x.getShape(); // [B, C, Fr, T] -> [B*Fr, C, T]
        NDArray flat = x.transpose(0, 2, 1, 3).reshape(-1, s.get(1), s.get(3));
        return forward(flat).reshape(s.get(0), s.get(2), s.get(1), s.get(3)).transpose(0, 2, 1, 3);
    }

    private NDArray forwardRows(NDArray x) {
        for (Layer l : layers) {
            NDArray y = F.conv1d(x, l.conv1W, l.conv1B, 1, l.dilation, l.dilation, 1);
            y = F.gelu(F.groupNorm(y, 1, l.norm1W, l.norm1B, EPS));
            y = F.conv1d(y, l.conv2W, l.conv2B, 1, 0, 1, 1);
            y = F.glu(F.groupNorm(y, 1, l.norm2W, l.norm2B, EPS), 1);
            x = x.add(y.mul(l.scale)); // LayerScale: scale[:, None] * y
        }
        return x;
    }
}
