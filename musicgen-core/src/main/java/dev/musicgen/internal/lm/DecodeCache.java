package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * The Java decode step's per-generation memory ({@link dev.musicgen.ComputeType#INT8_WEIGHTS}): per layer the
 * self-attention keys and values of every row and head in the chosen {@link #format}, the cross-attention keys and
 * values (fp32, computed once by the engine), the positional table, and the step's activations. The caches are
 * engine memory on the state's manager (allocated uninitialized, so untouched pages cost nothing; freed when the state
 * closes), read and written through direct buffers.
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
    static final int F16 = 1;
    static final int I8 = 2;
    /** Positions per key block. */
    static final int P = 32;

    /**
     * The self-attention cache format of new states: {@code -Dmusicgen.int8.kv=f32|f16|i8}. Mutable for tests.
     * The default was chosen by measured speed and agreement (docs/PERFORMANCE.md).
     */
    static volatile int defaultFormat = parseFormat(System.getProperty("musicgen.int8.kv", "i8"));

    static int parseFormat(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "f32":
                return F32;
            case "f16":
                return F16;
            case "i8":
                return I8;
            default:
                throw new IllegalArgumentException("musicgen.int8.kv must be f32, f16 or i8, but is: " + s);
        }
    }

    static int elementBytes(int format) {
        return format == F32 ? 4 : format == F16 ? 2 : 1;
    }

    final int format;
    final int batch;
    final int heads;
    final int headDim;
    final int capacity;
    final int blocks; // key blocks per (row, head): ceil(capacity / P)
    final ByteBuffer[] keys;
    final ByteBuffer[] values;
    final ByteBuffer[] keyScales; // int8 only
    final ByteBuffer[] valueScales;
    final int crossLen; // 0 without cross-attention
    final int crossBlocks;
    final ByteBuffer[] crossKeys; // fp32, key layout with crossBlocks
    final ByteBuffer[] crossValues; // fp32, [crossLen][headDim] per (row, head)
    final FloatBuffer positions; // [capacity, dim]
    final float[] x; // [batch, dim] residual stream
    final float[] h; // [batch, dim] normed
    final float[] qkv; // [batch, 3·dim]
    final float[] attn; // [batch, dim] attention output (heads concatenated)
    final float[] ffn; // [batch, ffn]
    final float[] logits; // [batch, K·card]
    final float[][] scores; // per thread: [max(capacity, crossLen) rounded up to P]
    private final NDManager manager;
    volatile boolean closed;

    DecodeCache(NDManager manager, int format, LMConfig c, int batch, int capacity, int threads,
            StreamingMultiheadAttention.CrossKv[] crossKvs, NDArray posTable) {
        this.manager = manager;
        this.format = format;
        this.batch = batch;
        this.heads = c.numHeads();
        this.headDim = c.dim() / c.numHeads();
        this.capacity = capacity;
        this.blocks = (capacity + P - 1) / P;
        int layers = c.numLayers();
        long perLayer = (long) batch * heads * blocks * P * headDim;
        int es = elementBytes(format);
        if (perLayer * es > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a self-attention cache of " + capacity + " positions x " + batch
                    + " rows is too large for the Java decode step");
        }
        keys = new ByteBuffer[layers];
        values = new ByteBuffer[layers];
        keyScales = new ByteBuffer[layers];
        valueScales = new ByteBuffer[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = buffer(perLayer * es);
            values[l] = buffer(perLayer * es);
            if (format == I8) {
                keyScales[l] = buffer(4L * batch * heads * blocks * P);
                valueScales[l] = buffer(4L * batch * heads * blocks * P);
            }
        }
        int cl = 0;
        if (crossKvs != null) {
            cl = (int) crossKvs[0].values().getShape().get(2);
        }
        crossLen = cl;
        crossBlocks = (cl + P - 1) / P;
        crossKeys = new ByteBuffer[crossKvs == null ? 0 : layers];
        crossValues = new ByteBuffer[crossKeys.length];
        for (int l = 0; l < crossKeys.length; l++) {
            crossKeys[l] = buffer(4L * batch * heads * crossBlocks * P * headDim);
            crossValues[l] = buffer(4L * batch * heads * cl * headDim);
            float[] kT = crossKvs[l].keysT().toFloatArray(); // [N, H, Dh, Lc]
            float[] v = crossKvs[l].values().toFloatArray(); // [N, H, Lc, Dh]
            float[] row = new float[headDim];
            for (int bh = 0; bh < batch * heads; bh++) {
                for (int j = 0; j < cl; j++) {
                    for (int d = 0; d < headDim; d++) {
                        row[d] = kT[(bh * headDim + d) * cl + j];
                    }
                    writeRaw(crossKeys[l], bh * crossBlocks * P * headDim, j, row, true);
                    for (int d = 0; d < headDim; d++) {
                        crossValues[l].putFloat(((bh * cl + j) * headDim + d) * 4, v[(bh * cl + j) * headDim + d]);
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
        scores = new float[threads][(Math.max(blocks, crossBlocks) + 1) * P];
    }

    private ByteBuffer buffer(long bytes) {
        NDArray a = manager.create(new Shape(Math.max(1, bytes)), DataType.INT8);
        return a.toByteBuffer(true).order(ByteOrder.nativeOrder());
    }

    /** fp32 key-layout write without the kernels (used for the cross keys at construction). */
    private void writeRaw(ByteBuffer buf, int base, int j, float[] row, boolean keyLayout) {
        for (int d = 0; d < headDim; d++) {
            int at = keyLayout ? base + (j / P) * headDim * P + d * P + j % P : base + j * headDim + d;
            buf.putFloat(at * 4, row[d]);
        }
    }

    /** Element offset of (row, head) {@code bh}'s keys in the self-attention cache. */
    int keyBase(int bh) {
        return bh * blocks * P * headDim;
    }

    /** Element offset of {@code bh}'s values (same as its keys: both hold blocks·P positions). */
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
        long perPos = (long) batch * c.dim() * 2 * elementBytes(format) + (format == I8 ? 2L * 4 * batch * c.numHeads()
                : 0);
        return perPos * length * c.numLayers();
    }

    static String formatName(int format) {
        return format == F32 ? "f32" : format == F16 ? "f16" : "i8";
    }
}
