package dev.musicgen.internal.weights;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * Element types found in checkpoints. Only those DJL's PyTorch engine handles safely map to a {@link DataType};
 * BF16 and I16 abort the JVM inside DJL's JNI (djl-probe Q2), so they are converted in Java before reaching it.
 */
public enum DType {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    BF16(2, null),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I16(2, null),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int byteSize;
    private final DataType djl;

    DType(int byteSize, DataType djl) {
        this.byteSize = byteSize;
        this.djl = djl;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The DJL type, or null where creating one would crash the engine. */
    DataType djlOrNull() {
        return djl;
    }

    /** Parses a safetensors dtype name ("F32", "BF16", ...). */
    public static DType fromSafetensors(String name) {
        if (name == null) {
            return null;
        }
        switch (name.toUpperCase(Locale.ROOT)) {
            case "F64":
                return F64;
            case "F32":
                return F32;
            case "F16":
                return F16;
            case "BF16":
                return BF16;
            case "I64":
                return I64;
            case "I32":
                return I32;
            case "I16":
                return I16;
            case "I8":
                return I8;
            case "U8":
                return U8;
            case "BOOL":
                return BOOL;
            default:
                return null;
        }
    }

    /** Maps a torch storage class name ("FloatStorage", "HalfStorage", ...) to its dtype. */
    public static DType fromTorchStorage(String storageName) {
        switch (storageName) {
            case "DoubleStorage":
                return F64;
            case "FloatStorage":
                return F32;
            case "HalfStorage":
                return F16;
            case "BFloat16Storage":
                return BF16;
            case "LongStorage":
                return I64;
            case "IntStorage":
                return I32;
            case "ShortStorage":
                return I16;
            case "CharStorage":
                return I8;
            case "ByteStorage":
                return U8;
            case "BoolStorage":
                return BOOL;
            default:
                return null;
        }
    }
}
