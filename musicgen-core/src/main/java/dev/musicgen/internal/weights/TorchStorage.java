package dev.musicgen.internal.weights;

import dev.musicgen.CheckpointException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;

/** A torch storage inside a checkpoint archive; tensors are (possibly strided) views of it. */
final class TorchStorage {
    private final String source;
    private final String key;
    private final DType dtype;
    private final long numel;
    private final Supplier<ByteBuffer> bytes;

    TorchStorage(String source, String key, DType dtype, long numel, Supplier<ByteBuffer> bytes) {
        this.source = source;
        this.key = key;
        this.dtype = dtype;
        this.numel = numel;
        this.bytes = bytes;
    }

    /** The view {@code storage[offset:]} with {@code size}/{@code stride}; materialized only when strided. */
    TensorData view(long offset, long[] size, long[] stride) {
        long n = 1;
        long maxIndex = offset;
        for (int i = 0; i < size.length; i++) {
            n *= size[i];
            if (size[i] > 0) {
                maxIndex += (size[i] - 1) * stride[i];
            }
        }
        if (n > 0 && (offset < 0 || maxIndex >= numel)) {
            throw new CheckpointException("invalid checkpoint " + source + ": tensor view of storage " + key
                    + " (offset " + offset + ", size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
                    + ") reaches past its " + numel + " elements");
        }
        int es = dtype.byteSize();
        final long count = n;
        if (isContiguous(size, stride)) {
            // zip.bytes maps a STORED entry anew on every call, so the caller owns what it gets (see TensorData.mapped)
            return TensorData.mapped("", dtype, size, () -> slice(offset * es, count * es));
        }
        return new TensorData("", dtype, size, () -> gather(offset, size, stride, count));
    }

    private ByteBuffer all() {
        ByteBuffer b = bytes.get();
        if (b.remaining() < numel * dtype.byteSize()) {
            throw new CheckpointException("invalid checkpoint " + source + ": storage " + key + " has " + b.remaining()
                    + " bytes, expected " + numel * dtype.byteSize() + " (truncated?)");
        }
        return b;
    }

    private ByteBuffer slice(long start, long len) {
        ByteBuffer b = all();
        if (start == 0 && len == b.remaining() && b.position() == 0) {
            return b; // the whole storage (the usual state_dict tensor): the mapping itself, which can be released
        }
        return b.slice(Math.toIntExact(start), Math.toIntExact(len)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer gather(long offset, long[] size, long[] stride, long count) {
        ByteBuffer src = all();
        int es = dtype.byteSize();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * es)).order(ByteOrder.LITTLE_ENDIAN);
        long[] idx = new long[size.length];
        for (long i = 0; i < count; i++) {
            long e = offset;
            for (int d = 0; d < size.length; d++) {
                e += idx[d] * stride[d];
            }
            for (int k = 0; k < es; k++) {
                out.put(src.get(Math.toIntExact(e * es + k)));
            }
            for (int d = size.length - 1; d >= 0; d--) {
                if (++idx[d] < size[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        out.flip();
        return out;
    }

    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }
}
