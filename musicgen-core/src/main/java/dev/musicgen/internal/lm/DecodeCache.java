package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * The Java decode step's per-generation memory ({@link dev.musicgen.ComputeType#INT8_WEIGHTS}): per layer the
 * self-attention keys and values of every row and head in the chosen {@link #format}, the cross-attention keys and
 * values (fp32, computed once by the engine), a view of the state's positional table, and the step's activations. All
 * are Java arrays (the Vector API reads heap arrays faster than direct buffers, see {@link Int8Linear}), allocated for
 * the state's whole capacity at once.
 *
 * <p>Layouts, per (row b, head h), {@code bh = b·H + h}, in elements of the format:
 * <ul>
 *   <li>keys: blocks of {@link #P} positions, each {@code [headDim][P]}: position j, dim d at
 *       {@code (bh·blocks + j/P)·headDim·P + d·P + j%P}, so the scores of P positions are one vector chain over d;</li>
 *   <li>values: {@code [position][headDim]}: {@code (bh·blocks·P + j)·headDim + d};</li>
 *   <li>int8 only: one fp32 scale per (bh, position) for keys and one for values, at {@code bh·blocks·P + j}.</li>
 * </ul>
 */
final class DecodeCache {
    static final int F32 = 0;
    static final int I8 = 1;
    /** Positions per key block. */
    static final int P = 32;

    /**
     * The self-attention cache format of new states: {@code -Dmusicgen.int8.kv=i8|f32}, default int8 (a quarter of
     * fp32's bytes; its error is small beside the weights' quantization, docs/PERFORMANCE.md). fp32 is the parity
     * reference of the tests. Mutable for tests.
     */
    static volatile int defaultFormat = parseFormat(System.getProperty("musicgen.int8.kv", "i8"));

    static int parseFormat(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "f32":
                return F32;
            case "i8":
                return I8;
            default:
                throw new IllegalArgumentException("musicgen.int8.kv must be i8 or f32, but is: " + s);
        }
    }

    static int elementBytes(int format) {
        return format == F32 ? 4 : 1;
    }

    final int format;
    final int batch;
    final int heads;
    final int headDim;
    final int capacity;
    final int blocks; // key blocks per (row, head): ceil(capacity / P)
    // per layer, the arrays of the format (the others stay null)
    final float[][] keysF32;
    final float[][] valuesF32;
    final byte[][] keysI8;
    final byte[][] valuesI8;
    final float[][] keyScales; // int8: per (row, head, position)
    final float[][] valueScales;
    final int crossLen; // 0 without cross-attention
    final int crossBlocks;
    final float[][] crossKeys; // fp32, key layout with crossBlocks
    final float[][] crossValues; // fp32, [crossLen][headDim] per (row, head)
    final FloatBuffer positions; // [capacity, dim], the state's table
    final float[] x; // [batch, dim] residual stream
    final float[] h; // [batch, dim] normed
    final float[] qkv; // [batch, 3·dim]
    final float[] attn; // [batch, dim] attention output (heads concatenated)
    final float[] ffn; // [batch, ffn]
    final float[] logits; // [batch, K·card]
    final float[][] scores; // per thread: [max(blocks, crossBlocks) · P]
    volatile boolean closed;

    DecodeCache(
            int format,
            LMConfig c,
            int batch,
            int capacity,
            int threads,
            StreamingMultiheadAttention.CrossKv[] crossKvs,
            NDArray posTable) {
        this.format = format;
        this.batch = batch;
        this.heads = c.numHeads();
        this.headDim = c.dim() / c.numHeads();
        this.capacity = capacity;
        this.blocks = (capacity + P - 1) / P;
        int layers = c.numLayers();
        long perLayer = (long) batch * heads * blocks * P * headDim;
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a self-attention cache of " + capacity + " positions x " + batch
                    + " rows is too large for the Java decode step");
        }
        int size = (int) perLayer;
        int scaleSize = batch * heads * blocks * P;
        keysF32 = format == F32 ? new float[layers][size] : null;
        valuesF32 = format == F32 ? new float[layers][size] : null;
        keysI8 = format == I8 ? new byte[layers][size] : null;
        valuesI8 = format == I8 ? new byte[layers][size] : null;
        keyScales = format == I8 ? new float[layers][scaleSize] : null;
        valueScales = format == I8 ? new float[layers][scaleSize] : null;
        int cl = 0;
        if (crossKvs != null) {
            cl = (int) crossKvs[0].values().getShape().get(2);
        }
        crossLen = cl;
        crossBlocks = (cl + P - 1) / P;
        int crossLayers = crossKvs == null ? 0 : layers;
        crossKeys = new float[crossLayers][batch * heads * crossBlocks * P * headDim];
        crossValues = new float[crossLayers][];
        for (int l = 0; l < crossLayers; l++) {
            float[] kT = crossKvs[l].keysT().toFloatArray(); // [N, H, Dh, Lc]
            crossValues[l] = crossKvs[l].values().toFloatArray(); // [N, H, Lc, Dh]: the value layout as it is
            for (int bh = 0; bh < batch * heads; bh++) {
                int base = bh * crossBlocks * P * headDim;
                for (int d = 0; d < headDim; d++) {
                    for (int j = 0; j < cl; j++) {
                        crossKeys[l][base + (j / P) * headDim * P + d * P + j % P] = kT[(bh * headDim + d) * cl + j];
                    }
                }
            }
        }
        positions = posTable.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        int d = c.dim();
        x = new float[batch * d];
        h = new float[batch * d];
        qkv = new float[batch * 3 * d];
        attn = new float[batch * d];
        ffn = new float[batch * c.ffnDim()];
        logits = new float[batch * c.nQ() * c.card()];
        scores = new float[threads][Math.max(blocks, crossBlocks) * P];
    }

    /** Element offset of (row, head) {@code bh}'s keys in the self-attention cache. */
    int keyBase(int bh) {
        return bh * blocks * P * headDim;
    }

    /** Element offset of {@code bh}'s values (as its keys': both hold blocks·P positions). */
    int valueBase(int bh) {
        return bh * blocks * P * headDim;
    }

    /** Offset of {@code bh}'s per-position scales (int8). */
    int scaleBase(int bh) {
        return bh * blocks * P;
    }

    int crossKeyBase(int bh) {
        return bh * crossBlocks * P * headDim;
    }

    int crossValueBase(int bh) {
        return bh * crossLen * headDim;
    }

    /** Bytes of self-attention cache one step reads at {@code length} cached positions (all layers and rows). */
    static long kvBytes(int format, LMConfig c, int batch, long length) {
        long perPos =
                (long) batch * c.dim() * 2 * elementBytes(format) + (format == I8 ? 2L * 4 * batch * c.numHeads() : 0);
        return perPos * length * c.numLayers();
    }

    static String formatName(int format) {
        return format == F32 ? "f32" : "i8";
    }
}
