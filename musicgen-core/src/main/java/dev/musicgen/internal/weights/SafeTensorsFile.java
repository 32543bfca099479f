package dev.musicgen.internal.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.musicgen.CheckpointException;
import dev.musicgen.internal.StrictJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory-mapped reader of one {@code .safetensors} file. Each tensor is mapped on demand (64-bit offsets, so files
 * over 2 GiB work); nothing is copied up front. The header is validated fully before any tensor is handed out: a
 * header that lies about offsets, sizes or dtypes is refused naming the file and the tensor.
 */
public final class SafeTensorsFile implements AutoCloseable {
    /** Larger headers are refused: real checkpoints have headers of a few hundred KB. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorData> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorData> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    public static SafeTensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot open safetensors file " + path + ": " + e.getMessage(), e);
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafeTensorsFile parse(Path path, FileChannel ch) {
        try {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw bad(path, "file is " + fileSize + " bytes, too short for a safetensors header (truncated?)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
                throw bad(
                        path,
                        "header length " + headerLen + " is outside 1.." + MAX_HEADER_BYTES
                                + " bytes (not a safetensors file, or corrupt)");
            }
            if (8 + headerLen > fileSize) {
                throw bad(
                        path,
                        "header length " + headerLen + " runs past the end of the " + fileSize
                                + "-byte file (truncated?)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String json = new String(hb.array(), StandardCharsets.UTF_8);
            JsonObject header;
            try {
                JsonElement parsed = StrictJson.parse(json);
                if (!parsed.isJsonObject()) {
                    throw bad(path, "header is not a JSON object");
                }
                header = parsed.getAsJsonObject();
            } catch (IllegalArgumentException e) {
                throw bad(path, "header is not a valid JSON object: " + e.getMessage());
            }
            long dataStart = 8 + headerLen;
            long dataSize = fileSize - dataStart;
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            List<long[]> ranges = new ArrayList<>();
            List<String> rangeNames = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                String name = StrictJson.printable(e.getKey());
                if (e.getKey().equals("__metadata__")) {
                    if (e.getValue().isJsonObject()) {
                        for (Map.Entry<String, JsonElement> m :
                                e.getValue().getAsJsonObject().entrySet()) {
                            metadata.put(
                                    m.getKey(),
                                    m.getValue().isJsonPrimitive()
                                            ? m.getValue().getAsString()
                                            : m.getValue().toString());
                        }
                    }
                    continue;
                }
                if (!e.getValue().isJsonObject()) {
                    throw bad(path, "tensor '" + name + "': entry is not an object");
                }
                JsonObject t = e.getValue().getAsJsonObject();
                String dtypeName = t.has("dtype") && t.get("dtype").isJsonPrimitive()
                        ? t.get("dtype").getAsString()
                        : null;
                DType dtype = DType.fromSafetensors(dtypeName);
                if (dtype == null) {
                    throw bad(
                            path,
                            "tensor '" + name + "': unknown dtype "
                                    + (dtypeName == null ? null : StrictJson.printable(dtypeName))
                                    + " (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
                }
                long[] shape = longs(path, name, "shape", t);
                long[] offsets = longs(path, name, "data_offsets", t);
                if (offsets.length != 2) {
                    throw bad(path, "tensor '" + name + "': data_offsets must have 2 entries, has " + offsets.length);
                }
                long numel = 1;
                for (long d : shape) {
                    if (d < 0) {
                        throw bad(path, "tensor '" + name + "': negative dimension in shape");
                    }
                    numel = Math.multiplyExact(numel, d);
                }
                long begin = offsets[0];
                long end = offsets[1];
                if (begin < 0 || end < begin) {
                    throw bad(path, "tensor '" + name + "': invalid data_offsets [" + begin + ", " + end + "]");
                }
                if (end > dataSize) {
                    throw bad(
                            path,
                            "tensor '" + name + "': data_offsets end " + end + " is past the end of the data ("
                                    + dataSize + " bytes; truncated file?)");
                }
                long expected = Math.multiplyExact(numel, dtype.byteSize());
                if (end - begin != expected) {
                    throw bad(
                            path,
                            "tensor '" + name + "': " + (end - begin) + " bytes of data but shape "
                                    + java.util.Arrays.toString(shape) + " x " + dtype + " needs " + expected);
                }
                ranges.add(new long[] {begin, end});
                rangeNames.add(name);
                final long absolute = dataStart + begin;
                final long len = end - begin;
                tensors.put(
                        e.getKey(),
                        TensorData.mapped(e.getKey(), dtype, shape, () -> map(path, ch, name, absolute, len)));
            }
            checkOverlaps(path, ranges, rangeNames);
            return new SafeTensorsFile(path, ch, dataStart, tensors, metadata);
        } catch (IOException e) {
            throw new CheckpointException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
        } catch (ArithmeticException e) {
            throw bad(path, "tensor size overflows 64 bits");
        }
    }

    private static void checkOverlaps(Path path, List<long[]> ranges, List<String> names) {
        Integer[] order = new Integer[ranges.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingLong(i -> ranges.get(i)[0]));
        // compare with the furthest end so far, not just the previous range: an empty range in between must not
        // hide an overlap
        int furthest = -1;
        for (int i = 0; i < order.length; i++) {
            long[] cur = ranges.get(order[i]);
            if (cur[1] == cur[0]) {
                continue;
            }
            if (furthest >= 0 && cur[0] < ranges.get(furthest)[1]) {
                throw bad(
                        path,
                        "tensors '" + names.get(furthest) + "' and '" + names.get(order[i])
                                + "' have overlapping data ranges");
            }
            if (furthest < 0 || cur[1] > ranges.get(furthest)[1]) {
                furthest = order[i];
            }
        }
    }

    private static long[] longs(Path path, String tensor, String field, JsonObject t) {
        if (!t.has(field) || !t.get(field).isJsonArray()) {
            throw bad(path, "tensor '" + tensor + "': missing or invalid '" + field + "'");
        }
        JsonArray a = t.getAsJsonArray(field);
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                // exact: getAsLong would truncate 1.5 to 1 and wrap numbers past 64 bits into small ones
                out[i] = a.get(i).getAsBigDecimal().longValueExact();
            } catch (RuntimeException e) {
                throw bad(
                        path,
                        "tensor '" + tensor + "': '" + field + "' holds "
                                + StrictJson.printable(a.get(i).toString())
                                + ", which is not an integer in the 64-bit range");
            }
        }
        return out;
    }

    private static ByteBuffer map(Path path, FileChannel ch, String name, long offset, long len) {
        if (len == 0) {
            return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (len > Integer.MAX_VALUE) {
            throw bad(path, "tensor '" + name + "' is " + len + " bytes; single tensors over 2 GiB are not supported");
        }
        try {
            return ch.map(FileChannel.MapMode.READ_ONLY, offset, len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException("cannot map tensor '" + name + "' of " + path + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static CheckpointException bad(Path path, String what) {
        return new CheckpointException("invalid safetensors file " + path + ": " + what);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorData> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    long dataStart() {
        return dataStart;
    }

    /** Closes the channel; buffers already mapped stay valid until they are garbage collected. */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    /** True when the file starts like a safetensors file (8-byte length then '{'). */
    public static boolean looksLikeSafetensors(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() < 9) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(9);
            readFully(ch, b, 0);
            return b.get(8) == '{';
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads a sharded checkpoint through its {@code *.safetensors.index.json}, or a single file. */
    public static Map<String, TensorData> openAll(Path fileOrIndex, List<AutoCloseable> toClose) {
        if (fileOrIndex.getFileName().toString().endsWith(".index.json")) {
            JsonObject idx;
            try {
                idx = StrictJson.parse(Files.readString(fileOrIndex)).getAsJsonObject();
            } catch (IOException | RuntimeException e) {
                throw new CheckpointException(
                        "cannot read safetensors index " + fileOrIndex + ": " + e.getMessage(), e);
            }
            if (!idx.has("weight_map") || !idx.get("weight_map").isJsonObject()) {
                throw new CheckpointException("safetensors index " + fileOrIndex + " has no 'weight_map' object");
            }
            Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e :
                    idx.getAsJsonObject("weight_map").entrySet()) {
                String shard = e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : "";
                if (!shard.endsWith(".safetensors")
                        || shard.contains("/")
                        || shard.contains("\\")
                        || shard.startsWith(".")) {
                    // a shard is a file beside the index, never a path elsewhere
                    throw new CheckpointException("safetensors index " + fileOrIndex + " names shard '"
                            + StrictJson.printable(shard) + "' for tensor '" + StrictJson.printable(e.getKey())
                            + "': a shard must be a .safetensors file name beside the index");
                }
                SafeTensorsFile f = shards.get(shard);
                if (f == null) {
                    Path p = fileOrIndex.resolveSibling(shard);
                    if (!Files.exists(p)) {
                        throw new CheckpointException(
                                "safetensors index " + fileOrIndex + " names shard " + shard + " which does not exist");
                    }
                    f = open(p);
                    shards.put(shard, f);
                    toClose.add(f);
                }
                TensorData t = f.tensors().get(e.getKey());
                if (t == null) {
                    throw new CheckpointException("safetensors index " + fileOrIndex + " maps '" + e.getKey() + "' to "
                            + shard + ", which does not contain it");
                }
                out.put(e.getKey(), t);
            }
            return out;
        }
        SafeTensorsFile f = open(fileOrIndex);
        toClose.add(f);
        return f.tensors();
    }
}
