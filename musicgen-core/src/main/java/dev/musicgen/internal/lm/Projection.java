package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * A linear layer {@code y = x Wᵀ + b} with the weight in PyTorch layout {@code [out, in]}, in one of two compute types:
 * <ul>
 *   <li>fp32 weights: skinny inputs (decode steps: a handful of rows) against large weights are computed as
 *       {@code (W · xᵀ)ᵀ}, 2–4× faster on CPU than {@code linear} for weights that do not fit in cache (djl-probe.md
 *       Q5); small weights keep {@code linear}, whose single call beats the extra transposes. The {@code W · xᵀ}
 *       result is re-attached to the activation's manager at once so nothing stays on the weights' manager
 *       (djl-probe.md Q6).</li>
 *   <li>fp16 weights ({@link dev.musicgen.ComputeType#FLOAT16_WEIGHTS}): x is rounded to fp16 for the product and the
 *       result widened back to fp32 (djl-probe.md Q5(d): half the bytes per step). {@code linear} is the fast form here
 *       ({@code W·xᵀ} in fp16 is ~10× slower). Biases stay fp32 and are added after widening. Inputs of more than
 *       {@link #HALF_GEMM_ROWS} rows (a long prefill) multiply an fp32 copy of the weight instead, made for that call:
 *       the fp16 kernel is compute-bound there.</li>
 *   <li>int8 weights ({@link dev.musicgen.ComputeType#INT8_WEIGHTS}, {@link Int8Linear}): the decode step reads them in
 *       Java ({@code JavaDecodeStep}); here (prefill, teacher forcing) each call multiplies with an fp32 copy of the
 *       dequantized weight made for that call.</li>
 * </ul>
 * Activations are fp32 in and out in both cases.
 */
final class Projection {
    /** Up to this many rows, the {@code W · xᵀ} form is used. */
    static final int SKINNY_ROWS = 16;
    /** Weights with at least this many elements (4 MiB in fp32) use the {@code W · xᵀ} form for skinny inputs. */
    static final long LARGE_WEIGHT = 1L << 20;
    /** Above this many rows, fp16 weights are widened to fp32 for the product (measured crossover ~60-200 rows). */
    static final int HALF_GEMM_ROWS = 64;

    final NDArray weight; // [out, in], FLOAT32 or FLOAT16; null for int8 (quantized)
    final NDArray bias; // [out] FLOAT32, or null
    final long in;
    final long out;
    final Int8Linear quantized; // INT8_WEIGHTS, else null
    private final ai.djl.ndarray.NDManager manager; // the weights'
    private final boolean half;
    private final boolean large;

    /**
     * An int8 weight (see {@link Int8Linear}), on the Java heap; {@code bias} fp32 or null; {@code manager} the
     * model's (for tensors a layer keeps, such as attention's scale).
     */
    Projection(Int8Linear quantized, NDArray bias, ai.djl.ndarray.NDManager manager) {
        this.weight = null;
        this.manager = manager;
        this.bias = bias;
        this.out = quantized.out;
        this.in = quantized.in;
        this.quantized = quantized;
        this.half = false;
        this.large = true;
        checkBias(bias);
    }

    /** {@code weight} fp32 or fp16; {@code bias} fp32 or null. */
    Projection(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
        this.out = weight.getShape().get(0);
        this.in = weight.getShape().get(1);
        this.half = weight.getDataType() == DataType.FLOAT16;
        if (!half && weight.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    "projection weights must be FLOAT32 or FLOAT16, but are: " + weight.getDataType());
        }
        checkBias(bias);
        this.quantized = null;
        this.manager = weight.getManager();
        this.large = out * in >= LARGE_WEIGHT;
    }

    private static void checkBias(NDArray bias) {
        if (bias != null && bias.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("projection biases must be FLOAT32, but are: " + bias.getDataType());
        }
    }

    /** Output rows {@code [from, to)} (and their biases) as a projection of its own: views, no copy. */
    Projection rows(long from, long to) {
        NDArray b = bias == null ? null : F.narrow(bias, 0, from, to);
        if (quantized != null) {
            return new Projection(quantized.rows((int) from, (int) to), b, manager);
        }
        return new Projection(F.narrow(weight, 0, from, to), b);
    }

    /** The manager holding this projection's weight (the model's). */
    ai.djl.ndarray.NDManager manager() {
        return manager;
    }

    boolean isHalf() {
        return half;
    }

    /** x {@code [..., in]} → {@code [..., out]}. */
    NDArray apply(NDArray x) {
        Shape s = x.getShape();
        long rows = s.size() / in;
        if (quantized != null) {
            try (NDArray w32 = quantized.dequantize(x.getManager())) {
                return F.linear(x, w32, bias);
            }
        }
        if (half) {
            if (rows > HALF_GEMM_ROWS) {
                // libtorch's CPU fp16 GEMM computes one dot product per output (~16 GFLOP/s here); for many rows
                // (a long prefill) widening the weight and running the fp32 GEMM is 2-3x faster
                try (NDArray w32 = weight.toType(DataType.FLOAT32, false)) {
                    return F.linear(x, w32, bias);
                }
            }
            return withBias(
                    F.linear(x.toType(DataType.FLOAT16, false), weight, null).toType(DataType.FLOAT32, false));
        }
        if (rows > SKINNY_ROWS || !large) {
            return F.linear(x, weight, bias);
        }
        long[] dims = s.getShape().clone(); // getShape() exposes the Shape's own array
        dims[dims.length - 1] = out;
        return apply2d(x.reshape(rows, in)).reshape(new Shape(dims));
    }

    /**
     * The decode-step form: x {@code [rows, in]} (rows small) → {@code [rows, out]}, with as few native calls as the
     * compute type allows (3 for a large weight, 1–2 for a small fp32 one) and no shape queries.
     */
    NDArray apply2d(NDArray x) {
        if (quantized != null) {
            return apply(x);
        }
        if (half) {
            NDArray y = F.toType(F.linear(F.toType(x, DataType.FLOAT16), weight, null), DataType.FLOAT32);
            return bias == null ? y : F.add(y, bias);
        }
        if (!large) {
            return F.linear(x, weight, bias);
        }
        NDArray yT = F.matmul(weight, F.transpose(x, 0, 1)); // [out, rows], created on the weights' manager
        yT.attach(x.getManager());
        NDArray y = F.transpose(yT, 0, 1);
        return bias == null ? y : F.add(y, bias);
    }

    /**
     * Whether {@link #apply2d} multiplies this weight as {@code W · xᵀ} (a large fp32 weight) rather than with
     * {@code linear} (fp16 weights with x in fp16, small fp32 weights); read by {@link DecodeStepView}.
     */
    boolean transposedStep() {
        return !half && large;
    }

    /**
     * For an input of {@code rows} rows: this projection with an fp32 copy of its fp16 weight when fp16 weights are
     * widened for that many rows (more than {@link #HALF_GEMM_ROWS}) or of its dequantized int8 weight (more than one
     * row), attached to {@code m} (closed with it); else this projection itself. Row-blocked callers widen once for all blocks rather than once per block.
     */
    Projection widenedFor(long rows, ai.djl.ndarray.NDManager m) {
        if (quantized != null) {
            return rows <= 1 ? this : new Projection(quantized.dequantize(m), bias);
        }
        if (!half || rows <= HALF_GEMM_ROWS) {
            return this;
        }
        NDArray w32 = weight.toType(DataType.FLOAT32, false);
        w32.attach(m);
        return new Projection(w32, bias);
    }

    private NDArray withBias(NDArray y) {
        return bias == null ? y : y.add(bias);
    }
}
