package dev.musicgen.internal.t5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.MemorySensitive;
import dev.musicgen.testing.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T5EncoderModelTest {
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
    void last_hidden_state_matches_fixture_including_all_masked_row() {
        try (T5EncoderModel t5 = T5EncoderModel.load(Fixtures.path("models", "t5"), root);
                NDManager call = root.newSubManager()) {
            float[] actual = run(t5, call);
            double[] tol = Fixtures.tolerance("t5", "last_hidden_state");
            float[] expected = Fixtures.tensors("t5", "expected.safetensors")
                    .get("last_hidden_state")
                    .toFloatArray();
            Tensors.assertAllClose("last_hidden_state", actual, expected, tol[0], tol[1]);
        }
    }

    @Test
    void pytorch_model_bin_gives_the_same_states(@TempDir Path tmp) throws Exception {
        Files.copy(Fixtures.path("models", "t5", "config.json"), tmp.resolve("config.json"));
        Files.copy(Fixtures.path("models", "t5", "pytorch_model.bin"), tmp.resolve("pytorch_model.bin"));
        try (T5EncoderModel t5 = T5EncoderModel.load(tmp, root);
                NDManager call = root.newSubManager()) {
            float[] expected = Fixtures.tensors("t5", "expected.safetensors")
                    .get("last_hidden_state")
                    .toFloatArray();
            double[] tol = Fixtures.tolerance("t5", "last_hidden_state");
            Tensors.assertAllClose("last_hidden_state (.bin)", run(t5, call), expected, tol[0], tol[1]);
        }
    }

    @Test
    void loads_from_text_encoder_prefix_of_hf_musicgen_checkpoint() {
        Path dir = Fixtures.path("musicgen_hf", "model");
        T5Config config = T5Config.load(dir.resolve("config.json"));
        assertThat(config.dModel()).isEqualTo(32);
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
            WeightStore store = WeightStore.of(f.path().toString(), f.tensors());
            WeightStore view = store.view("text_encoder");
            try (T5EncoderModel t5 = T5EncoderModel.load(config, view, root);
                    NDManager call = root.newSubManager()) {
                view.checkAllUsed();
                float[] expected = Fixtures.tensors("t5", "expected.safetensors")
                        .get("last_hidden_state")
                        .toFloatArray();
                double[] tol = Fixtures.tolerance("t5", "last_hidden_state");
                Tensors.assertAllClose("last_hidden_state (hf)", run(t5, call), expected, tol[0], tol[1]);
            }
        }
    }

    @MemorySensitive
    @Test
    void forward_leaves_nothing_on_the_weights_manager() {
        try (T5EncoderModel t5 = T5EncoderModel.load(Fixtures.path("models", "t5"), root);
                NDManager call = root.newSubManager()) {
            int before = countArrays(root);
            for (int i = 0; i < 3; i++) {
                run(t5, call);
            }
            assertThat(countArrays(root)).isEqualTo(before);
        }
    }

    @Test
    void relative_position_buckets_match_transformers() {
        // bidirectional, 32 buckets, max distance 128: 16 per side, exact below 8, logarithmic up to 15
        int[] rel = {0, 1, 7, 8, 11, 12, 15, 16, 22, 23, 32, 64, 127, 128, 1000};
        int[] pos = {0, 17, 23, 24, 24, 25, 25, 26, 26, 27, 28, 30, 31, 31, 31};
        for (int i = 0; i < rel.length; i++) {
            assertThat(T5Attention.relativePositionBucket(rel[i], true, 32, 128))
                    .as("rel +" + rel[i])
                    .isEqualTo(pos[i]);
            int neg = rel[i] == 0 ? 0 : pos[i] - 16;
            assertThat(T5Attention.relativePositionBucket(-rel[i], true, 32, 128))
                    .as("rel -" + rel[i])
                    .isEqualTo(neg);
        }
    }

    @Test
    void config_defaults_and_validation() {
        T5Config c = T5Config.fromJson("{\"model_type\":\"t5\",\"d_model\":768,\"d_kv\":64,\"num_heads\":12,"
                + "\"num_layers\":12,\"d_ff\":3072}");
        assertThat(c.vocabSize()).isEqualTo(32128);
        assertThat(c.feedForwardProj()).isEqualTo("relu");
        assertThat(c.isGatedAct()).isFalse();
        assertThat(c.layerNormEpsilon()).isEqualTo(1e-6);
        T5Config g = T5Config.fromJson("{\"feed_forward_proj\":\"gated-gelu\"}");
        assertThat(g.isGatedAct()).isTrue();
        assertThat(g.denseActFn()).isEqualTo("gelu_new");
        assertThatThrownBy(() -> T5Config.fromJson("{\"feed_forward_proj\":\"gated-foo\"}"))
                .hasMessageContaining("foo");
        assertThatThrownBy(() -> T5Config.fromJson("{\"num_heads\":0}"))
                .hasMessage("num_heads must be positive, but is: 0");
    }

    @Test
    void gelu_new_is_the_tanh_form() {
        try (NDManager m = root.newSubManager()) {
            float[] x = {-3f, -1f, -0.5f, 0f, 0.5f, 1f, 3f};
            float[] y = T5DenseActDense.activation(m.create(x), "gelu_new").toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double e = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3))));
                assertThat((double) y[i]).isCloseTo(e, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    private static float[] run(T5EncoderModel t5, NDManager call) {
        Map<String, TensorData> in = Fixtures.tensors("t5", "inputs.safetensors");
        NDArray ids = call.create(in.get("input_ids").toLongArray(), new Shape(3, 27));
        NDArray mask = call.create(in.get("attention_mask").toLongArray(), new Shape(3, 27));
        NDArray h = t5.forward(ids, mask);
        assertThat(h.getShape()).isEqualTo(new Shape(3, 27, 32));
        assertThat(h.getManager()).isSameAs(call);
        float[] out = h.toFloatArray();
        h.close();
        ids.close();
        mask.close();
        return out;
    }

    static int countArrays(NDManager m) {
        return m.getManagedArrays().size();
    }
}
