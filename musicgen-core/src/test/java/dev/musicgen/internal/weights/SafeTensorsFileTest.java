package dev.musicgen.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.CheckpointException;
import dev.musicgen.testing.MemorySensitive;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsFileTest {
    @TempDir
    Path tmp;

    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        Path p = Files.createTempFile(tmp, "t", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void reads_values_of_every_dtype() throws IOException {
        // bf16 0x3f80 = 1.0, f16 0x3c00 = 1.0
        String h = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]},"
                + "\"c\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12]}}";
        byte[] hb = h.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + hb.length + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hb.length)
                .put(hb)
                .putShort((short) 0x3f80)
                .putShort((short) 0x3c00)
                .putLong(-7);
        Path p = tmp.resolve("ok.safetensors");
        Files.write(p, b.array());
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.tensors().get("a").toFloatArray()).containsExactly(1.0f);
            assertThat(f.tensors().get("b").toFloatArray()).containsExactly(1.0f);
            assertThat(f.tensors().get("c").toLongArray()).containsExactly(-7L);
        }
    }

    /**
     * Widening an fp16 tensor to fp32 (the FLOAT32 load of an fp16 checkpoint) and reading one into a Java array both
     * release the tensor's file mapping at once, so a widening load does not keep the whole file resident on top of
     * the fp32 copies; the copies hold the right values. A same-type load keeps its zero-copy mapping.
     */
    @MemorySensitive
    @Test
    void a_converted_copy_releases_its_mapping_at_once() throws IOException {
        ProcMaps.assumeAvailable();
        int n = 1 << 16; // 128 KiB of fp16 1.5 (0x3e00)
        String h = "{\"w\":{\"dtype\":\"F16\",\"shape\":[" + n + "],\"data_offsets\":[0," + 2 * n + "]}}";
        byte[] hb = h.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + hb.length + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hb.length).put(hb);
        for (int i = 0; i < n; i++) {
            b.putShort((short) 0x3e00);
        }
        Path p = tmp.resolve("mapped-f16.safetensors");
        Files.write(p, b.array());
        try (SafeTensorsFile f = SafeTensorsFile.open(p);
                ai.djl.ndarray.NDManager m =
                        ai.djl.ndarray.NDManager.newBaseManager(dev.musicgen.internal.nn.F.ENGINE)) {
            TensorData w = f.tensors().get("w");
            ai.djl.ndarray.NDArray wide = w.toNDArray(m, ai.djl.ndarray.types.DataType.FLOAT32);
            assertThat(ProcMaps.mappingsOf(p)).isZero();
            assertThat(wide.toFloatArray()).hasSize(n).containsOnly(1.5f);
            assertThat(w.toFloatArray()).hasSize(n).containsOnly(1.5f);
            assertThat(ProcMaps.mappingsOf(p)).isZero();
            ai.djl.ndarray.NDArray same = w.toNDArray(m, ai.djl.ndarray.types.DataType.FLOAT16);
            assertThat(ProcMaps.mappingsOf(p)).isPositive(); // zero-copy: the array reads the mapping
            assertThat(same.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray())
                    .containsOnly(1.5f);
        }
    }

    @Test
    void lying_headers_are_refused_naming_file_and_tensor() throws IOException {
        Map<String, String> cases = Map.of(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,64]}}",
                "past the end",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}",
                "needs 12",
                "{\"w\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                "unknown dtype Q4",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                "overlapping",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                "invalid data_offsets",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                "negative dimension",
                "{\"w\":{\"dtype\":\"F32\"}}",
                "shape",
                "[1,2,3]",
                "not a JSON object");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path p = file(c.getKey(), 16);
            assertThatThrownBy(() -> SafeTensorsFile.open(p))
                    .as(c.getKey())
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining(c.getValue());
        }
    }

    @Test
    void oversized_or_truncated_headers_are_refused() throws IOException {
        Path huge = tmp.resolve("huge.safetensors");
        Files.write(
                huge,
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(Long.MAX_VALUE / 2)
                        .array());
        assertThatThrownBy(() -> SafeTensorsFile.open(huge)).hasMessageContaining("header length");
        Path shortHeader = tmp.resolve("short.safetensors");
        Files.write(
                shortHeader,
                ByteBuffer.allocate(20)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(1000)
                        .array());
        assertThatThrownBy(() -> SafeTensorsFile.open(shortHeader)).hasMessageContaining("truncated");
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        assertThatThrownBy(() -> SafeTensorsFile.open(tiny)).hasMessageContaining("too short");
    }

    @Test
    void truncated_fixture_file_is_refused() throws IOException {
        byte[] full = Files.readAllBytes(dev.musicgen.testing.Fixtures.path("models", "t5", "model.safetensors"));
        Path p = tmp.resolve("cut.safetensors");
        Files.write(p, java.util.Arrays.copyOf(full, full.length - 100));
        assertThatThrownBy(() -> SafeTensorsFile.open(p)).hasMessageContaining("past the end");
    }

    @Test
    void sharded_index_is_followed() throws IOException {
        Path a = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        Path b = file("{\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        Path idx = tmp.resolve("model.safetensors.index.json");
        Files.writeString(
                idx,
                "{\"metadata\":{},\"weight_map\":{\"x\":\"" + a.getFileName() + "\",\"y\":\"" + b.getFileName()
                        + "\"}}");
        List<AutoCloseable> open = new ArrayList<>();
        Map<String, TensorData> t = SafeTensorsFile.openAll(idx, open);
        assertThat(t).containsOnlyKeys("x", "y");
        assertThat(open).hasSize(2);
        Files.writeString(idx, "{\"weight_map\":{\"x\":\"nope.safetensors\"}}");
        assertThatThrownBy(() -> SafeTensorsFile.openAll(idx, new ArrayList<>()))
                .hasMessageContaining("nope.safetensors");
    }

    @Test
    void lenient_headers_are_refused() throws IOException {
        Map<String, String> cases = Map.of(
                // an empty range sorted between two overlapping ones must not hide the overlap
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                        + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
                "overlapping",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
                "not an integer",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[18446744073709551617],\"data_offsets\":[0,4]}}",
                "not an integer",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                "duplicate key",
                "{\"__metadata__\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}",
                "nested deeper",
                "{\"w\\u001b[31m\":{\"dtype\":\"Q\\u001b\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                "w\\u001b[31m");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path p = file(c.getKey(), 16);
            assertThatThrownBy(() -> SafeTensorsFile.open(p))
                    .as(c.getKey().substring(0, Math.min(80, c.getKey().length())))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining(c.getValue())
                    .hasMessageNotContaining("\u001b");
        }
    }

    @Test
    void shard_names_cannot_point_outside_the_directory() throws IOException {
        Path idx = tmp.resolve("model.safetensors.index.json");
        for (String shard : new String[] {"../outside.safetensors", "/etc/passwd", "sub/x.safetensors", "x.bin"}) {
            Files.writeString(idx, "{\"weight_map\":{\"x\":\"" + shard + "\"}}");
            assertThatThrownBy(() -> SafeTensorsFile.openAll(idx, new ArrayList<>()))
                    .as(shard)
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("beside the index");
        }
    }
}
