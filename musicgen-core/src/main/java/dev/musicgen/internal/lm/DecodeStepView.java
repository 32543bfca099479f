package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.nn.F;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Read-only views of what one decode step of an {@link LMModel} reads, for the GEMM-floor benchmark
 * ({@code dev.musicgen.bench.StepFloor} in musicgen-examples): per layer every weight matrix with the form the step
 * multiplies it in, the self-attention cache at the state's next length and the cross-attention keys/values; then the
 * output heads. Generation never uses this class.
 *
 * <p>The arrays are the model's own weights and views of the state's arrays: read them, never write or close them.
 * The self-attention cache views are attached to the manager given to {@link #of} (closed with it); they share the
 * cache's memory, so they are valid while the state is open.
 */
public final class DecodeStepView {
    /** How the decode step multiplies a weight {@code W [out, in]} by its input {@code x [rows, in]}. */
    public enum Form {
        /** {@code linear(x, W)}, with x in the weight's dtype (rounded to fp16 for fp16 weights). */
        LINEAR,
        /** {@code W · xᵀ}, the result {@code [out, rows]} (large fp32 weights, see {@code Projection}). */
        WEIGHT_TIMES_INPUT_T
    }

    /** A weight matrix {@code [out, in]} (FLOAT32 or FLOAT16) and the form the step multiplies it in. */
    public record Matrix(NDArray weight, Form form) {
        public long out() {
            return weight.getShape().get(0);
        }

        public long in() {
            return weight.getShape().get(1);
        }

        /** Bytes of the weight, which the step reads once. */
        public long bytes() {
            return out() * in() * weight.getDataType().getNumOfBytes();
        }
    }

    /**
     * One attention of the step: the projection of its input (self: the fused {@code in_proj [3d, d]}; cross: the
     * query rows {@code [d, d]}), the keys transposed {@code [N, H, headDim, L]} and values {@code [N, H, L, headDim]}
     * its query attends to, and the output projection.
     */
    public record Attention(Matrix input, NDArray keysT, NDArray values, Matrix output, int heads, int headDim) {
        /** Positions attended to. */
        public long length() {
            return values.getShape().get(2);
        }

        /** Bytes of the projections and of the keys and values read at {@link #length}. */
        public long bytes() {
            return input.bytes()
                    + output.bytes()
                    + keysT.getShape().size() * keysT.getDataType().getNumOfBytes()
                    + values.getShape().size() * values.getDataType().getNumOfBytes();
        }
    }

    /** One transformer layer of the step; {@code cross} is null without cross-attention. */
    public record Layer(Attention self, Attention cross, Matrix linear1, Matrix linear2) {
        public long bytes() {
            return self.bytes() + (cross == null ? 0 : cross.bytes()) + linear1.bytes() + linear2.bytes();
        }
    }

    private final int batch;
    private final List<Layer> layers;
    private final Matrix heads;

    private DecodeStepView(int batch, List<Layer> layers, Matrix heads) {
        this.batch = batch;
        this.layers = List.copyOf(layers);
        this.heads = heads;
    }

    /**
     * The next decode step of {@code state} (at position {@link LMState#offset()}, attending to {@code offset + 1}
     * positions): views of {@code lm}'s weights and of the state's caches, the cache views on {@code views}.
     *
     * @throws UnsupportedOperationException for a compute type whose step is not a sequence of engine matrix
     *         products over FLOAT32/FLOAT16 weights
     */
    public static DecodeStepView of(LMModel lm, LMState state, NDManager views) {
        Objects.requireNonNull(lm, "lm");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(views, "views");
        ComputeType type = lm.computeType();
        if (type != ComputeType.FLOAT32 && type != ComputeType.FLOAT16_WEIGHTS) {
            throw new UnsupportedOperationException(
                    "no decode-step view for compute type " + type + "; it has one for FLOAT32 and FLOAT16_WEIGHTS");
        }
        long len = Math.min(state.offset + 1, state.capacity); // the cache plus the step's own position
        List<StreamingTransformerLayer> ls = lm.layers();
        List<Layer> out = new ArrayList<>(ls.size());
        for (int i = 0; i < ls.size(); i++) {
            StreamingTransformerLayer l = ls.get(i);
            StreamingMultiheadAttention.KvCache cache = state.caches[i];
            NDArray keys = F.narrow(cache.keys, 2, 0, len);
            NDArray keysT = F.transpose(keys, 2, 3);
            keys.close(); // the transposed view keeps the cache's memory alive on its own
            NDArray values = F.narrow(cache.values, 2, 0, len);
            keysT.attach(views);
            values.attach(views);
            NDScope.unregister(keysT);
            NDScope.unregister(values);
            Attention self = attention(l.selfAttn, keysT, values);
            Attention cross = null;
            if (l.crossAttention != null) {
                StreamingMultiheadAttention.CrossKv kv = state.crossKvs[i];
                cross = attention(l.crossAttention, kv.keysT(), kv.values());
            }
            out.add(new Layer(self, cross, matrix(l.linear1()), matrix(l.linear2())));
        }
        return new DecodeStepView(state.batch, out, matrix(lm.heads()));
    }

    private static Attention attention(StreamingMultiheadAttention a, NDArray keysT, NDArray values) {
        return new Attention(
                matrix(a.stepInputProjection()), keysT, values, matrix(a.outProjection()), a.numHeads(), a.headDim());
    }

    private static Matrix matrix(Projection p) {
        DataType t = p.weight.getDataType();
        if (t != DataType.FLOAT32 && t != DataType.FLOAT16) {
            throw new UnsupportedOperationException("no decode-step view of " + t + " weights");
        }
        return new Matrix(p.weight, p.transposedStep() ? Form.WEIGHT_TIMES_INPUT_T : Form.LINEAR);
    }

    /** Rows of the step (2 for one prompt with classifier-free guidance). */
    public int batch() {
        return batch;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The output heads {@code [K·card, d]}. */
    public Matrix heads() {
        return heads;
    }

    /**
     * Bytes the step must read at least: every weight matrix once and the keys and values it attends to (norms,
     * biases and the few embedding rows are left out: well under 1 % of it).
     */
    public long bytesRead() {
        long b = heads.bytes();
        for (Layer l : layers) {
            b += l.bytes();
        }
        return b;
    }
}
