package dev.musicgen.internal.conditioners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.lm.ConditionFuser;
import dev.musicgen.internal.lm.LMCheckpoint;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConditionProviderTest {
    /** The fixtures' LM checkpoints name their text model tiny/t5-a, whose files are fixtures/models/t5. */
    static final RepoResolver FIXTURE_T5 = (id, files) -> {
        assertThat(id).isEqualTo("tiny/t5-a");
        return Fixtures.path("models", "t5");
    };

    private static NDManager root;

    @BeforeAll
    static void init() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void done() {
        root.close();
    }

    /** The LM's fuser of a fixture checkpoint: production fuses the provider's conditions with it. */
    static ConditionFuser fuser(String model) {
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", model, "state_dict.bin"))) {
            return ck.config().fuser();
        }
    }

    /** The provider's conditions fused as the LM fuses them (width 64, the fixtures' LM dim). */
    static ConditionFuser.Fused fused(ConditionFuser fuser, ConditionTensors c, NDManager m) {
        return fuser.fuse(LMConditions.from(c), m, 64);
    }

    static ConditionProvider provider(String model, UnaryOperator<String> editCfg) {
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", model, "state_dict.bin"))) {
            XpConfig cfg = XpConfig.parse(editCfg.apply((String) ck.rootMap().get("xp.cfg")));
            WeightStore lm = WeightStore.of("state_dict.bin", ck.tensors("best_state"));
            ConditionProvider p = ConditionProvider.fromXpConfig(cfg, lm, FIXTURE_T5, StemSeparator.identity(), root);
            // everything under condition_provider. is read or knowingly ignored
            lm.view("condition_provider").checkAllUsed();
            return p;
        }
    }

    @Test
    void cross_attention_source_of_a_cfg_batch_matches_generate_text() {
        String text = Fixtures.caseJson("generate_text")
                .getAsJsonObject("params")
                .getAsJsonArray("texts")
                .get(0)
                .getAsString();
        try (ConditionProvider p = provider("musicgen_mono", s -> s);
                NDManager call = root.newSubManager()) {
            assertThat(p.supportsMelody()).isFalse();
            ConditionTensors c = p.withNullConditions(List.of(text), null, call);
            assertThat(c.conditions()).containsOnlyKeys("description");
            ConditionFuser.Fused f = fused(fuser("musicgen_mono"), c, call);
            assertThat(f.prefix()).isNull();
            NDArray cross = f.crossSource();
            assertThat(cross.getShape()).isEqualTo(new Shape(2, 27, 64));
            double[] tol = Fixtures.tolerance("generate_text", "condition_description");
            Tensors.assertAllClose(
                    "condition_description",
                    cross.toFloatArray(),
                    Fixtures.tensors("generate_text", "expected.safetensors")
                            .get("condition_description")
                            .toFloatArray(),
                    tol[0],
                    tol[1]);
        }
    }

    @Test
    void cond_and_uncond_batches_match_lm_forward() {
        List<String> texts = texts("lm_forward");
        Map<String, TensorData> exp = Fixtures.tensors("lm_forward", "expected.safetensors");
        try (ConditionProvider p = provider("musicgen_mono", s -> s);
                NDManager call = root.newSubManager()) {
            ConditionFuser fuser = fuser("musicgen_mono");
            int before = root.getManagedArrays().size();
            ConditionTensors cond = p.conditions(texts, null, call);
            ConditionTensors uncond = p.conditions(Arrays.asList(null, null), null, call);
            try (NDManager fusing = call.newSubManager()) {
                assertLike(
                        "cross_attention_src_cond", fused(fuser, cond, fusing).crossSource(), exp, "lm_forward");
                NDArray uncondSrc = fused(fuser, uncond, fusing).crossSource();
                assertLike("cross_attention_src_uncond", uncondSrc, exp, "lm_forward");
                assertThat(uncondSrc.getShape()).isEqualTo(new Shape(2, 1, 64));
            }
            cond.close();
            uncond.close();
            assertThat(root.getManagedArrays().size())
                    .as("arrays left on the weights and call managers")
                    .isEqualTo(before);
        }
    }

    @Test
    void hf_layout_gives_the_audiocraft_cross_attention_source() {
        List<String> texts = texts("musicgen_hf");
        Map<String, TensorData> exp = Fixtures.tensors("lm_forward", "expected.safetensors");
        try (SafeTensorsFile f = SafeTensorsFile.open(Fixtures.path("musicgen_hf", "model", "model.safetensors"))) {
            WeightStore hf = WeightStore.of("model.safetensors", f.tensors());
            ConditionFuser fuser;
            try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("musicgen_hf", "model"))) {
                fuser = ck.config().fuser();
            }
            try (ConditionProvider p = ConditionProvider.fromHfConfig(Fixtures.path("musicgen_hf", "model"), hf, root);
                    NDManager call = root.newSubManager()) {
                hf.view("text_encoder").checkAllUsed();
                hf.view("enc_to_dec_proj").checkAllUsed();
                assertLike(
                        "cross_attention_src_cond",
                        fused(fuser, p.conditions(texts, null, call), call).crossSource(),
                        exp,
                        "lm_forward");
                assertLike(
                        "cross_attention_src_uncond",
                        fused(fuser, p.conditions(Arrays.asList(null, null), null, call), call)
                                .crossSource(),
                        exp,
                        "lm_forward");
            }
        }
    }

    @Test
    void melody_conditions_match_fixture_cond_and_null_rows() {
        String text = Fixtures.caseJson("melody")
                .getAsJsonObject("params")
                .get("text")
                .getAsString();
        Map<String, TensorData> exp = Fixtures.tensors("melody", "expected.safetensors");
        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        try (ConditionProvider p = provider("musicgen_melody", s -> s);
                NDManager call = root.newSubManager()) {
            assertThat(p.supportsMelody()).isTrue();
            assertThat(p.chromaConditioner().matchLenOnEval()).isFalse();
            assertThat(p.chromaConditioner().chromaLen()).isEqualTo(235);
            int before = root.getManagedArrays().size();
            ConditionTensors c = p.withNullConditions(List.of(text), List.<float[][]>of(new float[][] {melody}), call);
            // 2 conditions x (embeds, mask): nothing else is left behind
            assertThat(root.getManagedArrays().size()).isEqualTo(before + 4);
            assertThat(List.copyOf(c.conditions().keySet())).containsExactly("description", "self_wav");
            Condition desc = c.condition("description");
            Condition wav = c.condition("self_wav");
            assertLike("condition_description", desc.embeds(), exp, "melody");
            Tensors.assertExact(
                    "condition_description_mask",
                    desc.mask().toLongArray(),
                    exp.get("condition_description_mask").toLongArray());
            assertLike("condition_self_wav", wav.embeds(), exp, "melody");
            Tensors.assertExact(
                    "condition_self_wav_mask",
                    wav.mask().toLongArray(),
                    exp.get("condition_self_wav_mask").toLongArray());
            // the fuser prepends description, then self_wav in front of it: [self_wav, description, tokens]
            ConditionFuser.Fused f = fused(fuser("musicgen_melody"), c, call);
            assertThat(f.crossSource()).isNull();
            NDArray prefix = f.prefix();
            assertThat(prefix.getShape()).isEqualTo(new Shape(2, 12 + 27, 64));
            Tensors.assertAllClose(
                    "prefix[:, :12]",
                    prefix.get(new NDIndex(":, :12")).toFloatArray(),
                    wav.embeds().toFloatArray(),
                    0,
                    0);
            Tensors.assertAllClose(
                    "prefix[:, 12:]",
                    prefix.get(new NDIndex(":, 12:")).toFloatArray(),
                    desc.embeds().toFloatArray(),
                    0,
                    0);
        }
    }

    @Test
    void text_only_request_on_a_melody_model_gives_five_masked_frames() {
        try (ConditionProvider p = provider("musicgen_melody", s -> s);
                NDManager call = root.newSubManager()) {
            ConditionTensors c = p.withNullConditions(List.of("soft piano"), null, call);
            Condition wav = c.condition("self_wav");
            assertThat(wav.embeds().getShape()).isEqualTo(new Shape(2, 5, 64));
            assertThat(wav.mask().toLongArray()).containsOnly(0L);
            for (float v : wav.embeds().toFloatArray()) {
                assertThat(Math.abs(v)).isEqualTo(0f);
            }
        }
    }

    @Test
    void match_len_on_eval_tiles_to_chroma_len_and_keeps_every_frame() {
        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        Map<String, TensorData> exp = Fixtures.tensors("melody", "expected.safetensors");
        try (ConditionProvider p = provider(
                        "musicgen_melody", s -> s.replace("match_len_on_eval: false", "match_len_on_eval: true"));
                NDManager call = root.newSubManager()) {
            assertThat(p.chromaConditioner().matchLenOnEval()).isTrue();
            ConditionTensors c = p.withNullConditions(List.of("x"), List.<float[][]>of(new float[][] {melody}), call);
            Condition wav = c.condition("self_wav");
            assertThat(wav.embeds().getShape()).isEqualTo(new Shape(2, 235, 64));
            assertThat(wav.mask().toLongArray()).containsOnly(1L);
            // the 12 real frames repeat; the fixture's masked rows hold them unmasked for the cond row
            float[] cond12 = exp.get("condition_self_wav").toFloatArray();
            float[] all = wav.embeds().toFloatArray();
            double[] tol = Fixtures.tolerance("melody", "condition_self_wav");
            for (int rep = 0; rep * 12 < 235; rep++) {
                int frames = Math.min(12, 235 - rep * 12);
                float[] got = Arrays.copyOfRange(all, rep * 12 * 64, (rep * 12 + frames) * 64);
                Tensors.assertAllClose(
                        "cond row, repeat " + rep, got, Arrays.copyOfRange(cond12, 0, frames * 64), tol[0], tol[1]);
            }
            // null row: zeros → one-hot C on every frame → proj(e_C) = W[:, 0] + b, unmasked
            float[] nullRow = Arrays.copyOfRange(all, 235 * 64, 2 * 235 * 64);
            try (TorchCheckpoint ck =
                    TorchCheckpoint.open(Fixtures.path("models", "musicgen_melody", "state_dict.bin"))) {
                Map<String, TensorData> w = ck.tensors("best_state");
                float[] weight = w.get("condition_provider.conditioners.self_wav.output_proj.weight")
                        .toFloatArray();
                float[] bias = w.get("condition_provider.conditioners.self_wav.output_proj.bias")
                        .toFloatArray();
                float[] expectedFrame = new float[64];
                for (int d = 0; d < 64; d++) {
                    expectedFrame[d] = weight[d * 12] + bias[d];
                }
                for (int f = 0; f < 235; f++) {
                    Tensors.assertAllClose(
                            "null frame " + f,
                            Arrays.copyOfRange(nullRow, f * 64, f * 64 + 64),
                            expectedFrame,
                            1e-6,
                            1e-6);
                }
            }
        }
    }

    @Test
    void batches_zero_pad_melodies_to_the_longest_and_mask_by_length() {
        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        float[][] stereo = {Arrays.copyOf(melody, 20000), Arrays.copyOf(melody, 20000)};
        try (ConditionProvider p = provider("musicgen_melody", s -> s);
                NDManager call = root.newSubManager()) {
            List<float[][]> melodies = Arrays.asList(new float[][] {melody}, stereo, null);
            ConditionTensors c = p.conditions(Arrays.asList("a", "b", null), melodies, call);
            long[] mask = c.condition("self_wav").mask().toLongArray();
            assertThat(c.condition("self_wav").mask().getShape()).isEqualTo(new Shape(3, 12));
            // 48000/4096 = 11.7 -> 12 valid frames; 20000/4096 = 4.9 -> 5; absent -> 0
            assertThat(Arrays.stream(mask, 0, 12).sum()).isEqualTo(12);
            assertThat(Arrays.stream(mask, 12, 24).sum()).isEqualTo(5);
            assertThat(Arrays.stream(mask, 24, 36).sum()).isEqualTo(0);
        }
        WavCondition w = WavCondition.collate(Arrays.asList(new float[][] {{1f, 2f}, {3f, 5f}}, null), 32000);
        assertThat(w.wav()[0]).containsExactly(2f, 3.5f);
        assertThat(w.wav()[1]).containsExactly(0f, 0f);
        assertThat(w.lengths()).containsExactly(2, 0);
    }

    @Test
    void bad_requests_are_refused_with_clear_messages() {
        try (ConditionProvider p = provider("musicgen_mono", s -> s);
                NDManager call = root.newSubManager()) {
            assertThatThrownBy(() -> p.withNullConditions(List.of("a"), List.<float[][]>of(new float[][] {{0f}}), call))
                    .hasMessageContaining("doesn't support melody");
        }
        try (ConditionProvider p = provider("musicgen_melody", s -> s);
                NDManager call = root.newSubManager()) {
            assertThatThrownBy(() ->
                            p.conditions(List.of("a", "b"), java.util.Collections.<float[][]>singletonList(null), call))
                    .hasMessageContaining("number of melodies (1) must match number of prompts (2)");
        }
    }

    private static List<String> texts(String caseName) {
        List<String> texts = new ArrayList<>();
        Fixtures.caseJson(caseName)
                .getAsJsonObject("params")
                .getAsJsonArray("texts")
                .forEach(e -> texts.add(e.getAsString()));
        return texts;
    }

    private static void assertLike(String name, NDArray actual, Map<String, TensorData> exp, String caseName) {
        TensorData e = exp.get(name);
        assertThat(actual.getShape().getShape()).as(name + " shape").containsExactly(e.shape());
        double[] tol = Fixtures.tolerance(caseName, name);
        Tensors.assertAllClose(name, actual.toFloatArray(), e.toFloatArray(), tol[0], tol[1]);
    }
}
