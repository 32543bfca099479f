package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A weight matrix {@code [out, in]} (PyTorch layout) quantized to int8 for {@link dev.musicgen.ComputeType#INT8_WEIGHTS}:
 * each row is cut into blocks of {@link #block} input values, and each block {@code w} is stored as
 * {@code round(w / s)} in [-127, 127] with its own fp32 scale {@code s = max|w| / 127} (symmetric, no zero point).
 * Rows whose width is not a multiple of {@link #BLOCK} get one block per row (a per-output-channel scale).
 *
 * <p>The int8 values and the scales live in engine memory (an INT8 and a FLOAT32 tensor on the model's manager,
 * which owns and frees them); the Java decode step reads them through direct buffers onto that memory (no copy, no
 * Java heap), and a prefill multiplies with an fp32 copy made for that call ({@link #dequantize}).
 */
final class Int8Linear {
    /**
     * Input values per scale. Measured on the lm_forward fixture and on musicgen-small-shaped random weights against
     * per-output-channel scales: see docs/PERFORMANCE.md (int8 section).
     */
    static final int BLOCK = 32;

    final NDArray values; // INT8 [out, in]
    final NDArray scales; // FLOAT32 [out, in / block]
    final int out;
    final int in;
    final int block;
    /** {@link #values}' memory, row-major, native order. */
    final ByteBuffer valueBuf;
    /** {@link #scales}' memory: scale of row o, block j at {@code o * (in / block) + j}. */
    final FloatBuffer scaleBuf;

    private Int8Linear(NDArray values, NDArray scales, int out, int in, int block) {
        this.values = values;
        this.scales = scales;
        this.out = out;
        this.in = in;
        this.block = block;
        this.valueBuf = values.toByteBuffer(true).order(ByteOrder.nativeOrder());
        this.scaleBuf = scales.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        if (valueBuf.capacity() != (long) out * in || scaleBuf.capacity() != (long) out * (in / block)) {
            throw new IllegalStateException("engine memory of an int8 matrix is not contiguous: " + valueBuf.capacity()
                    + " bytes for " + out + " x " + in);
        }
    }

    /** Blocks per row. */
    int blocksPerRow() {
        return in / block;
    }

    /** The block size for rows of {@code in} values: {@link #BLOCK} when it divides them, else the whole row. */
    static int blockFor(int in, int preferred) {
        return preferred > 0 && in % preferred == 0 ? preferred : in;
    }

    /**
     * Quantizes the row-wise concatenation of {@code parts} (each {@code [rows_i, in]}, fp32, fp16 or bf16 as the
     * checkpoint stores it) onto {@code manager}. Each part is read once (its file mapping released after) and never
     * held as a whole in fp32 beside the result.
     */
    static Int8Linear quantize(List<TensorData> parts, int in, int preferredBlock, NDManager manager) {
        int rows = 0;
        for (TensorData t : parts) {
            long[] s = t.shape();
            if (s.length != 2 || s[1] != in) {
                throw new IllegalArgumentException("int8 quantization needs [rows, " + in + "] matrices, but "
                        + t.name() + " is " + java.util.Arrays.toString(s));
            }
            rows = Math.addExact(rows, (int) s[0]);
        }
        int block = blockFor(in, preferredBlock);
        NDArray values = manager.create(new Shape(rows, in), DataType.INT8);
        NDArray scales = manager.create(new Shape(rows, in / block), DataType.FLOAT32);
        try {
            Int8Linear q = new Int8Linear(values, scales, rows, in, block);
            int row = 0;
            for (TensorData t : parts) {
                float[] w = t.toFloatArray();
                q.fill(row, w);
                row += (int) t.shape()[0];
            }
            return q;
        } catch (RuntimeException e) {
            values.close();
            scales.close();
            throw e;
        }
    }

    /** Quantizes {@code w [out, in]} (row-major) onto {@code manager}; for tests and Java-built weights. */
    static Int8Linear quantize(float[] w, int out, int in, int preferredBlock, NDManager manager) {
        return quantize(List.of(TensorData.ofFloats("w", new long[] {out, in}, w)), in, preferredBlock, manager);
    }

    /** Writes the quantized rows of {@code w} ({@code [n, in]}) from row {@code first} on, rows in parallel. */
    private void fill(int first, float[] w) {
        int n = w.length / in;
        int nb = in / block;
        int chunk = Math.max(1, (1 << 16) / in);
        IntStream.range(0, (n + chunk - 1) / chunk).parallel().forEach(c -> {
            int end = Math.min(n, (c + 1) * chunk);
            for (int r = c * chunk; r < end; r++) {
                int dst = (first + r) * in;
                for (int j = 0; j < nb; j++) {
                    int from = r * in + j * block;
                    float max = 0;
                    for (int i = 0; i < block; i++) {
                        max = Math.max(max, Math.abs(w[from + i]));
                    }
                    float scale = max / 127f;
                    scaleBuf.put((first + r) * nb + j, scale);
                    float inv = scale == 0 ? 0 : 1 / scale;
                    for (int i = 0; i < block; i++) {
                        // w / scale rounded half to even, as torch.round; |w| <= max keeps it within [-127, 127]
                        int v = (int) Math.rint(w[from + i] * inv);
                        valueBuf.put(dst + j * block + i, (byte) Math.max(-127, Math.min(127, v)));
                    }
                }
            }
        });
    }

    /** Rows {@code [from, to)} as their own matrix: views of the same engine memory. */
    Int8Linear rows(int from, int to) {
        return new Int8Linear(F.narrow(values, 0, from, to), F.narrow(scales, 0, from, to), to - from, in, block);
    }

    /** The dequantized fp32 matrix {@code [out, in]} (each value times its block's scale), attached to {@code target}. */
    NDArray dequantize(NDManager target) {
        NDArray wide = values.toType(DataType.FLOAT32, false);
        int nb = in / block;
        try (NDArray blocks = wide.reshape(out, nb, block); NDArray s = scales.reshape(out, nb, 1)) {
            blocks.muli(s);
        }
        wide.attach(target);
        return wide;
    }

    /** The value at {@code [o, i]} dequantized, for tests. */
    float get(int o, int i) {
        return valueBuf.get(o * in + i) * scaleBuf.get(o * (in / block) + i / block);
    }

    /** Bytes the decode step reads for this matrix: the int8 values and the fp32 scales. */
    long bytes() {
        return (long) out * in + 4L * out * (in / block);
    }
}
