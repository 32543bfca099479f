package dev.musicgen.internal.weights;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.musicgen.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file (little-endian, header padded to 8 bytes so every tensor is aligned), readable
 * by {@link SafeTensorsFile} and by the Python {@code safetensors} package. The file is written to a temporary file
 * in the target's directory and then moved over the target, so readers never see a half-written file.
 */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    /** Writes {@code tensors} in iteration order, with no metadata. */
    public static void write(Path target, Map<String, TensorData> tensors) {
        write(target, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} in iteration order.
     *
     * @param metadata string pairs stored under {@code __metadata__} (may be empty)
     */
    public static void write(Path target, Map<String, TensorData> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        Map<String, ByteBuffer> data = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException(
                        "tensor name '" + e.getKey() + "' is not allowed in a safetensors file");
            }
            TensorData t = e.getValue();
            ByteBuffer b = t.buffer().duplicate();
            JsonObject info = new JsonObject();
            info.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + b.remaining());
            info.add("data_offsets", offsets);
            header.add(e.getKey(), info);
            data.put(e.getKey(), b);
            offset += b.remaining();
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' '); // the format allows trailing spaces in the header
        }
        head.flip();

        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            dev.musicgen.internal.TempFiles.writeAtomically(target, out -> {
                WritableByteChannel ch = Channels.newChannel(out);
                writeFully(ch, head);
                for (ByteBuffer b : data.values()) {
                    writeFully(ch, b.duplicate());
                }
            });
        } catch (IOException e) {
            throw new CheckpointException("cannot write safetensors file " + target + ": " + e.getMessage(), e);
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
