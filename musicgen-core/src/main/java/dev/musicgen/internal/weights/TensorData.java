package dev.musicgen.internal.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.CheckpointException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One tensor of a checkpoint, read lazily: its bytes (contiguous, little-endian) are only mapped or streamed when
 * asked for, so opening a multi-GB file costs nothing until a weight is used.
 */
public final class TensorData {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final Supplier<ByteBuffer> bytes;
    private final boolean freshMappings; // every bytes.get() maps the file anew: the caller owns that mapping

    public TensorData(String name, DType dtype, long[] shape, Supplier<ByteBuffer> bytes) {
        this(name, dtype, shape, bytes, false);
    }

    private TensorData(String name, DType dtype, long[] shape, Supplier<ByteBuffer> bytes, boolean freshMappings) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.bytes = bytes;
        this.freshMappings = freshMappings;
    }

    /**
     * A tensor whose supplier maps its file region anew on every call, so that a mapping used only to build a
     * converted copy can be released at once instead of staying resident until a garbage collection.
     */
    static TensorData mapped(String name, DType dtype, long[] shape, Supplier<ByteBuffer> freshMapping) {
        return new TensorData(name, dtype, shape, freshMapping, true);
    }

    /** A tensor held in memory, for tests and for values computed in Java. */
    public static TensorData ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TensorData(name, DType.F32, shape, () -> b.duplicate().order(ByteOrder.LITTLE_ENDIAN));
    }

    public static TensorData ofLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new TensorData(name, DType.I64, shape, () -> b.duplicate().order(ByteOrder.LITTLE_ENDIAN));
    }

    /** The same tensor under another name (its bytes and how they are read unchanged). */
    public TensorData named(String newName) {
        return new TensorData(java.util.Objects.requireNonNull(newName, "newName"), dtype, shape, bytes, freshMappings);
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public Shape djlShape() {
        return new Shape(shape);
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return numel() * dtype.byteSize();
    }

    /** The raw bytes, little-endian, positioned at 0 with exactly {@link #byteSize()} remaining. */
    public ByteBuffer buffer() {
        ByteBuffer b = bytes.get();
        if (b.remaining() != byteSize()) {
            throw new CheckpointException("tensor '" + name + "' has " + b.remaining() + " bytes of data, expected "
                    + byteSize() + " for " + dtype + Arrays.toString(shape));
        }
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Values as float, converting from any floating or integer dtype. */
    public float[] toFloatArray() {
        int n = checkedSize();
        ByteBuffer b = buffer();
        float[] out = new float[n];
        switch (dtype) {
            case F32:
                b.asFloatBuffer().get(out);
                break;
            case F64:
                for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8);
                break;
            case F16:
                for (int i = 0; i < n; i++) out[i] = Half.toFloat(b.getShort(i * 2));
                break;
            case BF16:
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                break;
            case I64:
                for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8);
                break;
            case I32:
                for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4);
                break;
            case I16:
                for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2);
                break;
            case I8:
                for (int i = 0; i < n; i++) out[i] = b.get(i);
                break;
            case U8:
            case BOOL:
                for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff;
                break;
            default:
                throw new IllegalStateException(dtype.toString());
        }
        release(b);
        return out;
    }

    /** Values as long; floating values must be integral. */
    public long[] toLongArray() {
        int n = checkedSize();
        ByteBuffer b = buffer();
        long[] out = new long[n];
        switch (dtype) {
            case I64:
                b.asLongBuffer().get(out);
                break;
            case I32:
                for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4);
                break;
            case I16:
                for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2);
                break;
            case I8:
                for (int i = 0; i < n; i++) out[i] = b.get(i);
                break;
            case U8:
            case BOOL:
                for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff;
                break;
            default:
                float[] f = toFloatArray();
                for (int i = 0; i < n; i++) out[i] = (long) f[i];
        }
        release(b);
        return out;
    }

    public int[] toIntArray() {
        long[] l = toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    /**
     * Creates the tensor on {@code manager} as {@code target}. F32/F16/int data go to the engine straight from the
     * (mapped) buffer; BF16 and I16 are converted in Java first because the engine would abort on them.
     */
    public NDArray toNDArray(NDManager manager, DataType target) {
        DataType src = dtype.djlOrNull();
        NDArray raw;
        ByteBuffer mapping = null; // a mapping this call owns, released once a converted copy exists
        if (src == null) {
            if (dtype == DType.BF16) {
                raw = manager.create(toFloatArray(), djlShape());
                src = DataType.FLOAT32;
            } else { // I16
                raw = manager.create(toIntArray(), djlShape());
                src = DataType.INT32;
            }
        } else {
            ByteBuffer b = buffer();
            if (!b.isDirect()) {
                ByteBuffer d = ByteBuffer.allocateDirect(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                d.put(b).flip();
                b = d;
            } else if (freshMappings) {
                mapping = b;
            }
            raw = manager.create(b, djlShape(), src); // PyTorch engine: wraps the direct buffer, no copy
        }
        if (target == null || target == src) {
            return raw;
        }
        NDArray converted = raw.toType(target, false);
        if (converted != raw) {
            raw.close();
            if (mapping != null) {
                // the only view of the mapping is closed and the converted copy is separate: unmapping now keeps a
                // widening load (fp16 file -> fp32 weights) from holding the whole file resident on top of the fp32
                // weights until some later garbage collection
                release(mapping);
            }
        }
        return converted;
    }

    /** Unmaps a buffer this object mapped for one read, now copied out (see {@link #mapped}). */
    private void release(ByteBuffer b) {
        if (freshMappings) {
            Mappings.unmap(b);
        }
    }

    private int checkedSize() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException("tensor '" + name + "' is too large for a Java array: " + n + " elements");
        }
        return (int) n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
