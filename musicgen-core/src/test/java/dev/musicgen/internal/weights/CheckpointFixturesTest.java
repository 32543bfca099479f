package dev.musicgen.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.MemorySensitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CheckpointFixturesTest {
    @Test
    void every_state_dict_loads_with_config() throws Exception {
        for (String m : List.of("musicgen_mono", "musicgen_stereo", "musicgen_melody", "musicgen_long")) {
            try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", m, "state_dict.bin"))) {
                Map<String, TensorData> t = ck.tensors("best_state");
                assertThat(t).containsKey("emb.0.weight");
                assertThat(ck.rootMap().get("xp.cfg")).isInstanceOf(String.class);
                for (TensorData d : t.values()) {
                    assertThat(d.toFloatArray()).hasSize((int) d.numel());
                }
            }
        }
    }

    /**
     * A torch zip checkpoint maps each STORED storage anew when read: converting a tensor (here fp32 to fp16; the
     * real case is an fp16 state_dict loaded as FLOAT32) releases that mapping at once, with the right values,
     * while a same-type (zero-copy) load keeps its mapping.
     */
    @MemorySensitive
    @Test
    void converting_a_zip_tensor_releases_its_mapping() throws Exception {
        ProcMaps.assumeAvailable();
        Path file = Fixtures.path("models", "musicgen_mono", "state_dict.bin");
        try (TorchCheckpoint ck = TorchCheckpoint.open(file);
                ai.djl.ndarray.NDManager m =
                        ai.djl.ndarray.NDManager.newBaseManager(dev.musicgen.internal.nn.F.ENGINE)) {
            TensorData w = ck.tensors("best_state").get("emb.0.weight");
            float[] want = w.toFloatArray();
            long before = ProcMaps.mappingsOf(file);
            ai.djl.ndarray.NDArray half = w.toNDArray(m, ai.djl.ndarray.types.DataType.FLOAT16);
            assertThat(ProcMaps.mappingsOf(file)).isEqualTo(before);
            float[] got =
                    half.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i])
                        .isCloseTo(want[i], org.assertj.core.data.Offset.offset(2e-3f * (1 + Math.abs(want[i]))));
            }
            ai.djl.ndarray.NDArray same = w.toNDArray(m, ai.djl.ndarray.types.DataType.FLOAT32);
            assertThat(ProcMaps.mappingsOf(file)).isEqualTo(before + 1);
            assertThat(same.toFloatArray()).containsExactly(want);
        }
    }

    @Test
    void compression_checkpoints_and_pointer() {
        try (TorchCheckpoint ck =
                TorchCheckpoint.open(Fixtures.path("models", "encodec", "compression_state_dict.bin"))) {
            assertThat(ck.tensors("best_state")).isNotEmpty();
        }
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("encodec_hf", "compression_state_dict.bin"))) {
            assertThat(ck.rootMap()).containsEntry("pretrained", "tiny/encodec_32khz-a");
        }
    }

    @Test
    void mbd_checkpoint_with_omegaconf() {
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("mbd", "model", "mbd_musicgen_32khz.th"))) {
            Map<String, Object> root = ck.rootMap();
            assertThat(root).containsKeys("sample_rate", "n_bands");
            @SuppressWarnings("unchecked")
            Map<String, Object> band0 = (Map<String, Object>) root.get(0);
            assertThat(band0).containsKeys("cfg", "model_state", "processor_state");
            assertThat(band0.get("cfg")).isInstanceOf(Map.class);
        }
    }

    @Test
    void t5_bin_equals_safetensors() {
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", "t5", "pytorch_model.bin"));
                SafeTensorsFile st = SafeTensorsFile.open(Fixtures.path("models", "t5", "model.safetensors"))) {
            Map<String, TensorData> bin = ck.tensors(null);
            for (Map.Entry<String, TensorData> e : st.tensors().entrySet()) {
                assertThat(bin).containsKey(e.getKey());
                assertThat(bin.get(e.getKey()).toFloatArray())
                        .as(e.getKey())
                        .containsExactly(e.getValue().toFloatArray());
            }
        }
    }

    @Test
    void every_fixture_safetensors_opens() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Fixtures.root())) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).collect(Collectors.toList());
        }
        assertThat(files).hasSizeGreaterThan(20);
        for (Path p : files) {
            try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
                for (TensorData t : f.tensors().values()) {
                    t.buffer();
                }
            }
        }
    }
}
