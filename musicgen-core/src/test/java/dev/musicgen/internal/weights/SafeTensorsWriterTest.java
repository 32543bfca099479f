package dev.musicgen.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void round_trips_through_the_reader_with_aligned_data() throws Exception {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("tokens", TensorData.ofLongs("tokens", new long[] {1, 2, 3}, new long[] {0, 1, 2, 63, 5, -1}));
        t.put("x", TensorData.ofFloats("x", new long[] {3}, new float[] {1.5f, -2f, 0f}));
        Path f = dir.resolve("codes.safetensors");
        SafeTensorsWriter.write(f, t, Map.of("format", "pt"));
        try (SafeTensorsFile r = SafeTensorsFile.open(f)) {
            assertThat(r.dataStart() % 8).isZero();
            assertThat(r.metadata()).containsEntry("format", "pt");
            TensorData tok = r.tensors().get("tokens");
            assertThat(tok.dtype()).isEqualTo(DType.I64);
            assertThat(tok.shape()).containsExactly(1, 2, 3);
            assertThat(tok.toLongArray()).containsExactly(0, 1, 2, 63, 5, -1);
            assertThat(r.tensors().get("x").toFloatArray()).containsExactly(1.5f, -2f, 0f);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).containsExactly(f); // no temp file left behind
        }
    }

    @Test
    void replaces_an_existing_file() throws Exception {
        Path f = dir.resolve("a.safetensors");
        Files.writeString(f, "old");
        SafeTensorsWriter.write(f, Map.of("t", TensorData.ofLongs("t", new long[] {1}, new long[] {7})));
        try (SafeTensorsFile r = SafeTensorsFile.open(f)) {
            assertThat(r.tensors().get("t").toLongArray()).containsExactly(7);
        }
    }

    @Test
    void refuses_reserved_names() {
        assertThatThrownBy(() -> SafeTensorsWriter.write(
                        dir.resolve("b.safetensors"),
                        Map.of("__metadata__", TensorData.ofLongs("m", new long[] {1}, new long[] {1}))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("__metadata__");
    }
}
