package dev.musicgen.generation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.musicgen.lm.ConditionTensors;
import dev.musicgen.lm.LMCheckpoint;
import dev.musicgen.lm.LMModel;
import dev.musicgen.nn.F;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import dev.musicgen.weights.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token-exact generation against the upstream fixtures (top_k = 1), driven by the recorded condition tensors until the
 * conditioners land.
 */
class GenerationFixturesTest {
    private static NDManager root;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    static long[] flat(long[][][] a) {
        int b = a.length;
        int k = a[0].length;
        int n = a[0][0].length;
        long[] out = new long[b * k * n];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < k; q++) {
                System.arraycopy(a[i][q], 0, out, (i * k + q) * n, n);
            }
        }
        return out;
    }

    static long[][][] longs3(TensorData t) {
        long[] flat = t.toLongArray();
        int b = (int) t.shape()[0];
        int k = (int) t.shape()[1];
        int n = (int) t.shape()[2];
        long[][][] out = new long[b][k][n];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < k; q++) {
                System.arraycopy(flat, (i * k + q) * n, out[i][q], 0, n);
            }
        }
        return out;
    }

    static ConditionTensors.Tensor tensor(String name, TensorData t) {
        long[] s = t.shape();
        return new ConditionTensors.Tensor(name, t.toFloatArray(), (int) s[0], (int) s[1], (int) s[2]);
    }

    static GenerationParams params(JsonObject caseJson) {
        JsonObject p = caseJson.getAsJsonObject("params");
        JsonObject g = p.getAsJsonObject("generation_params");
        return GenerationParams.builder().duration(p.get("duration").getAsDouble())
                .useSampling(g.get("use_sampling").getAsBoolean()).temperature(g.get("temp").getAsDouble())
                .topK(g.get("top_k").getAsInt()).topP(g.get("top_p").getAsDouble())
                .cfgCoef(g.get("cfg_coef").getAsDouble()).seed(0L).build();
    }

    static GenerationResult run(String model, ConditionTensors c, long[][][] prompt, GenerationParams params) {
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", model, "state_dict.bin"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32)) {
            MusicGenLM gen = new MusicGenLM(lm, 50);
            return gen.generate(ConditionSource.fixed(c), prompt, params, null, null);
        }
    }

    void checkTextCase(String name, String model) {
        Map<String, TensorData> exp = Fixtures.tensors(name, "expected.safetensors");
        GenerationResult r = run(model, ConditionTensors.of(tensor("description", exp.get("condition_description"))),
                null, params(Fixtures.caseJson(name)));
        assertThat(r.patternSequences()).hasSize(1);
        Tensors.assertExact(name + " tokens_before_revert", flat(r.patternSequences().get(0)),
                exp.get("tokens_before_revert").toLongArray());
        Tensors.assertExact(name + " tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }

    @Test
    void generate_text() {
        checkTextCase("generate_text", "musicgen_mono");
    }

    @Test
    void generate_text_cfg1() {
        checkTextCase("generate_text_cfg1", "musicgen_mono");
    }

    @Test
    void generate_text_temp07_batch_of_two() {
        checkTextCase("generate_text_temp07", "musicgen_mono");
    }

    @Test
    void generate_text_stereo() {
        checkTextCase("generate_text_stereo", "musicgen_stereo");
    }

    @Test
    void melody_prepend() {
        Map<String, TensorData> exp = Fixtures.tensors("melody", "expected.safetensors");
        // ConditioningProvider order: text first, then wav; the fuser prepends each in turn -> [self_wav, description]
        ConditionTensors c = ConditionTensors.of(tensor("description", exp.get("condition_description")),
                tensor("self_wav", exp.get("condition_self_wav")));
        JsonObject cj = Fixtures.caseJson("melody");
        GenerationResult r = run("musicgen_melody", c, null, params(cj));
        Tensors.assertExact("melody tokens_before_revert", flat(r.patternSequences().get(0)),
                exp.get("tokens_before_revert").toLongArray());
        Tensors.assertExact("melody tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }

    @Test
    void continuation_from_recorded_prompt_tokens() {
        Map<String, TensorData> exp = Fixtures.tensors("continuation", "expected.safetensors");
        // same model and text as generate_text_cfg1, so its recorded condition is this case's condition
        Map<String, TensorData> cond = Fixtures.tensors("generate_text_cfg1", "expected.safetensors");
        JsonObject cj = Fixtures.caseJson("continuation");
        assertThat(cj.getAsJsonObject("params").get("text").getAsString())
                .isEqualTo(Fixtures.caseJson("generate_text_cfg1").getAsJsonObject("params")
                        .getAsJsonArray("texts").get(0).getAsString());
        long[][][] prompt = longs3(exp.get("prompt_tokens"));
        GenerationResult r = run("musicgen_mono", ConditionTensors.of(tensor("description",
                cond.get("condition_description"))), prompt, params(cj));
        Tensors.assertExact("continuation tokens_before_revert", flat(r.patternSequences().get(0)),
                exp.get("tokens_before_revert").toLongArray());
        Tensors.assertExact("continuation tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }

    @Test
    void long_generation_extension_loop() {
        JsonObject cj = Fixtures.caseJson("long_generation");
        JsonObject p = cj.getAsJsonObject("params");
        String text = p.get("text").getAsString();
        Map<String, TensorData> exp = Fixtures.tensors("long_generation", "expected.safetensors");
        JsonObject g = p.getAsJsonObject("generation_params");
        GenerationParams params = GenerationParams.builder().duration(p.get("duration").getAsDouble())
                .extendStride(p.get("extend_stride").getAsDouble()).useSampling(g.get("use_sampling").getAsBoolean())
                .temperature(g.get("temp").getAsDouble()).topK(g.get("top_k").getAsInt())
                .topP(g.get("top_p").getAsDouble()).cfgCoef(g.get("cfg_coef").getAsDouble()).seed(0L).build();
        GenerationResult r;
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_long", "state_dict.bin"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32)) {
            assertThat(lm.config().maxDuration()).isEqualTo(p.get("max_duration").getAsDouble());
            ConditionTensors c = textCondition(ck, text);
            List<ConditionSource.Chunk> chunks = new ArrayList<>();
            r = new MusicGenLM(lm, 50).generate(chunk -> {
                chunks.add(chunk);
                return c;
            }, null, params, null, null);
            assertThat(chunks).extracting(ConditionSource.Chunk::timeOffsetSeconds).containsExactly(0.0, 1.0, 2.0);
            assertThat(chunks).allMatch(ConditionSource.Chunk::windowed);
        }
        assertThat(r.patternSequences()).hasSize(cj.getAsJsonObject("params").get("n_lm_generate_calls").getAsInt());
        for (int i = 0; i < r.patternSequences().size(); i++) {
            Tensors.assertExact("tokens_before_revert_" + i, flat(r.patternSequences().get(i)),
                    exp.get("tokens_before_revert_" + i).toLongArray());
        }
        Tensors.assertExact("tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }

    /**
     * The text condition {@code [cond; null]} for one prompt, from the recorded T5 hidden states of the {@code t5}
     * fixture and the checkpoint's {@code output_proj} (T5Conditioner: {@code output_proj(hidden) * mask}); stands in
     * for the conditioner until it lands. The null row is all zeros (masked).
     */
    static ConditionTensors textCondition(LMCheckpoint ck, String text) {
        JsonObject t5 = Fixtures.caseJson("t5").getAsJsonObject("params");
        int row = -1;
        for (int i = 0; i < t5.getAsJsonArray("texts").size(); i++) {
            if (t5.getAsJsonArray("texts").get(i).getAsString().equals(text)) {
                row = i;
            }
        }
        assertThat(row).as("t5 fixture row for '" + text + "'").isGreaterThanOrEqualTo(0);
        Map<String, TensorData> in = Fixtures.tensors("t5", "inputs.safetensors");
        Map<String, TensorData> out = Fixtures.tensors("t5", "expected.safetensors");
        long[] mask = in.get("attention_mask").toLongArray();
        long[] hs = out.get("last_hidden_state").shape();
        int len = (int) hs[1];
        int t5Dim = (int) hs[2];
        int valid = 0;
        for (int j = 0; j < len; j++) {
            valid += (int) mask[row * len + j];
        }
        float[] hidden = java.util.Arrays.copyOfRange(out.get("last_hidden_state").toFloatArray(), row * len * t5Dim,
                (row * len + valid) * t5Dim);
        int dim = ck.config().dim();
        float[] proj;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            String key = "condition_provider.conditioners.description.output_proj.";
            proj = F.linear(m.create(hidden, new ai.djl.ndarray.types.Shape(1, valid, t5Dim)),
                    ck.store().load(key + "weight", m, DataType.FLOAT32),
                    ck.store().load(key + "bias", m, DataType.FLOAT32)).toFloatArray();
        }
        float[] both = new float[2 * valid * dim];
        System.arraycopy(proj, 0, both, 0, proj.length);
        return ConditionTensors.of(new ConditionTensors.Tensor("description", both, 2, valid, dim));
    }
}
