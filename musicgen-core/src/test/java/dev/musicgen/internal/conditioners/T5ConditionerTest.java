package dev.musicgen.internal.conditioners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.musicgen.CheckpointException;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class T5ConditionerTest {
    private static NDManager root;

    @BeforeAll
    static void init() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void done() {
        root.close();
    }

    @Test
    void conditioner_output_and_mask_match_fixture() {
        List<String> texts = new ArrayList<>();
        Fixtures.caseJson("t5")
                .getAsJsonObject("params")
                .getAsJsonArray("texts")
                .forEach(e -> texts.add(e.getAsString()));
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"))) {
            WeightStore lm = WeightStore.of("state_dict.bin", ck.tensors("best_state"));
            try (T5Conditioner c = T5Conditioner.load(
                            Fixtures.path("models", "t5"),
                            lm.view("condition_provider.conditioners.description.output_proj"),
                            64,
                            root);
                    NDManager call = root.newSubManager()) {
                Condition out = c.forward(texts, call);
                Map<String, TensorData> exp = Fixtures.tensors("t5", "expected.safetensors");
                assertThat(out.embeds().getShape().getShape()).containsExactly(3, 27, 64);
                double[] tol = Fixtures.tolerance("t5", "conditioner_embeds");
                Tensors.assertAllClose(
                        "conditioner_embeds",
                        out.embeds().toFloatArray(),
                        exp.get("conditioner_embeds").toFloatArray(),
                        tol[0],
                        tol[1]);
                Tensors.assertExact(
                        "conditioner_mask",
                        out.mask().toLongArray(),
                        exp.get("conditioner_mask").toLongArray());
                assertThat(out.embeds().getManager()).isSameAs(call);
                assertThat(out.mask().getManager()).isSameAs(call);
            }
        }
    }

    @Test
    void hub_ids_and_wrong_projection_shape() {
        RepoResolver r = (id, files) -> Path.of("/x", id);
        assertThat(T5Conditioner.resolveTextModel("t5-large", r)).isEqualTo(Path.of("/x/google-t5/t5-large"));
        assertThat(T5Conditioner.resolveTextModel("google/flan-t5-base", r))
                .isEqualTo(Path.of("/x/google/flan-t5-base"));
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"))) {
            WeightStore lm = WeightStore.of("state_dict.bin", ck.tensors("best_state"));
            assertThatThrownBy(() -> T5Conditioner.load(
                            Fixtures.path("models", "t5"),
                            lm.view("condition_provider.conditioners.description.output_proj"),
                            128,
                            root))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("output_proj.weight")
                    .hasMessageContaining("[64, 32]");
        }
    }
}
