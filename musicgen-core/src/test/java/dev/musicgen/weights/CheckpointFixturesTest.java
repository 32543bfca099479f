package dev.musicgen.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.testing.Fixtures;
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

    @Test
    void compression_checkpoints_and_pointer() {
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", "encodec", "compression_state_dict.bin"))) {
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
                assertThat(bin.get(e.getKey()).toFloatArray()).as(e.getKey()).containsExactly(e.getValue().toFloatArray());
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
