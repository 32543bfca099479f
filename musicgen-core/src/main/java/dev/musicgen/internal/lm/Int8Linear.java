package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.weights.TensorData;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A weight matrix {@code [out, in]} (PyTorch layout) quantized to int8 for {@link dev.musicgen.ComputeType#INT8_WEIGHTS}:
 * symmetric, no zero point: each row, or each block of {@link #block} values of a row, is stored as
 * {@code round(w / s)} in [-127, 127] with its fp32 scale {@code s = max|w| / 127}. By default one scale per row (per
 * output channel); {@code -Dmusicgen.int8.block=32} gives a scale per 32 values (measured in docs/PERFORMANCE.md).
 *
 * <p>The values are a Java {@code byte[]} on the heap: the Vector API reads heap arrays about 1.5x faster than direct
 * buffers onto engine memory (measured on this JDK; the buffer path re-checks the buffer on every vector load), and the
 * decode step is bound by how fast it streams these bytes. The engine only sees them in a prefill or a teacher-forced
 * pass, as an fp32 copy made for that call ({@link #dequantize}).
 */
final class Int8Linear {
    /** The block size of the per-block kernel's fast path (32 values, as llama.cpp's q8_0). */
    static final int BLOCK = 32;

    /**
     * The block size {@code LMModel.load} quantizes with: {@code -Dmusicgen.int8.block}, default 0 = one scale per row;
     * {@link #BLOCK} is the other measured choice. Mutable for tests.
     */
    static volatile int preferredBlock = Integer.getInteger("musicgen.int8.block", 0);

    final byte[] values; // [out, in] row-major
    final float[] scales; // [out, in / block]
    final int out;
    final int in;
    final int block;

    private Int8Linear(byte[] values, float[] scales, int out, int in, int block) {
        this.values = values;
        this.scales = scales;
        this.out = out;
        this.in = in;
        this.block = block;
    }

    /** Blocks per row. */
    int blocksPerRow() {
        return in / block;
    }

    /** The block size for rows of {@code in} values: {@code preferred} when it divides them, else the whole row. */
    static int blockFor(int in, int preferred) {
        return preferred > 0 && preferred < in && in % preferred == 0 ? preferred : in;
    }

    /**
     * Quantizes the row-wise concatenation of {@code parts} (each {@code [rows_i, in]}, fp32, fp16 or bf16 as the
     * checkpoint stores it). Each part is read once (its file mapping released after).
     *
     * @throws IllegalStateException naming {@code -Xmx} when the Java heap cannot hold the int8 matrix
     */
    static Int8Linear quantize(List<TensorData> parts, int in, int preferredBlock) {
        int rows = 0;
        for (TensorData t : parts) {
            long[] s = t.shape();
            if (s.length != 2 || s[1] != in) {
                throw new IllegalArgumentException("int8 quantization needs [rows, " + in + "] matrices, but "
                        + t.name() + " is " + Arrays.toString(s));
            }
            rows = Math.addExact(rows, (int) s[0]);
        }
        int block = blockFor(in, preferredBlock);
        long size = (long) rows * in;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("matrix of " + rows + " x " + in + " is too large for int8 weights");
        }
        byte[] values;
        float[] scales;
        try {
            values = new byte[(int) size];
            scales = new float[rows * (in / block)];
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException(
                    "INT8_WEIGHTS keeps the LM's int8 matrices on the Java heap and it is full"
                            + " (max " + (Runtime.getRuntime().maxMemory() >> 20)
                            + " MB): give the JVM more heap with -Xmx"
                            + " (about 1.2x the model's parameter count in bytes, e.g. -Xmx6g for musicgen-large)",
                    e);
        }
        Int8Linear q = new Int8Linear(values, scales, rows, in, block);
        int row = 0;
        for (TensorData t : parts) {
            float[] w = t.toFloatArray();
            q.fill(row, w);
            row += (int) t.shape()[0];
        }
        return q;
    }

    /** Quantizes {@code w [out, in]} (row-major); for tests and Java-built weights. */
    static Int8Linear quantize(float[] w, int out, int in, int preferredBlock) {
        return quantize(List.of(TensorData.ofFloats("w", new long[] {out, in}, w)), in, preferredBlock);
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
                    scales[(first + r) * nb + j] = scale;
                    float inv = scale == 0 ? 0 : 1 / scale;
                    for (int i = 0; i < block; i++) {
                        // w / scale rounded half to even, as torch.round; |w| <= max keeps it within [-127, 127]
                        int v = (int) Math.rint(w[from + i] * inv);
                        values[dst + j * block + i] = (byte) Math.max(-127, Math.min(127, v));
                    }
                }
            }
        });
    }

    /** Rows {@code [from, to)} as their own matrix (a copy). */
    Int8Linear rows(int from, int to) {
        int nb = in / block;
        return new Int8Linear(
                Arrays.copyOfRange(values, from * in, to * in),
                Arrays.copyOfRange(scales, from * nb, to * nb),
                to - from,
                in,
                block);
    }

    /** The dequantized fp32 matrix {@code [out, in]} (each value times its block's scale), on {@code target}. */
    NDArray dequantize(NDManager target) {
        int nb = in / block;
        try (NDArray q = target.create(values, new Shape(out, nb, block));
                NDArray s = target.create(scales, new Shape(out, nb, 1))) {
            NDArray wide = q.toType(DataType.FLOAT32, false);
            wide.muli(s);
            NDArray result = wide.reshape(out, in);
            wide.close();
            return result;
        }
    }

    /** The value at {@code [o, i]} dequantized, for tests. */
    float get(int o, int i) {
        return values[o * in + i] * scales[o * (in / block) + i / block];
    }

    /** Bytes the decode step reads for this matrix: the int8 values and the fp32 scales. */
    long bytes() {
        return (long) out * in + 4L * scales.length;
    }
}
