package dev.musicgen.internal.generation;

import static dev.musicgen.testing.TestArrays.flat;
import static dev.musicgen.testing.TestArrays.longs3;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.musicgen.internal.conditioners.ConditionProvider;
import dev.musicgen.internal.conditioners.StemSeparator;
import dev.musicgen.internal.lm.LMCheckpoint;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token-exact generation against the upstream fixtures (top_k = 1): from the recorded condition tensors (the LM alone)
 * and from text/melody through the real {@link ConditionProvider} (end to end up to the codec).
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

    static LMConditions.Tensor tensor(String name, TensorData t) {
        long[] s = t.shape();
        return new LMConditions.Tensor(name, t.toFloatArray(), (int) s[0], (int) s[1], (int) s[2]);
    }

    static GenerationParams params(JsonObject caseJson) {
        JsonObject p = caseJson.getAsJsonObject("params");
        JsonObject g = p.getAsJsonObject("generation_params");
        return GenerationParams.builder()
                .duration(p.get("duration").getAsDouble())
                .useSampling(g.get("use_sampling").getAsBoolean())
                .temperature(g.get("temp").getAsDouble())
                .topK(g.get("top_k").getAsInt())
                .topP(g.get("top_p").getAsDouble())
                .cfgCoef(g.get("cfg_coef").getAsDouble())
                .seed(0L)
                .build();
    }

    static GenerationResult run(String model, LMConditions c, long[][][] prompt, GenerationParams params) {
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", model, "state_dict.bin"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32)) {
            MusicGenLM gen = new MusicGenLM(lm, 50);
            return gen.generate(ConditionSource.fixed(c), prompt, params, null, null);
        }
    }

    void checkTextCase(String name, String model) {
        Map<String, TensorData> exp = Fixtures.tensors(name, "expected.safetensors");
        GenerationResult r = run(
                model,
                LMConditions.of(tensor("description", exp.get("condition_description"))),
                null,
                params(Fixtures.caseJson(name)));
        assertThat(r.patternSequences()).hasSize(1);
        Tensors.assertExact(
                name + " tokens_before_revert",
                flat(r.patternSequences().get(0)),
                exp.get("tokens_before_revert").toLongArray());
        Tensors.assertExact(
                name + " tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
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
        LMConditions c = LMConditions.of(
                tensor("description", exp.get("condition_description")),
                tensor("self_wav", exp.get("condition_self_wav")));
        JsonObject cj = Fixtures.caseJson("melody");
        GenerationResult r = run("musicgen_melody", c, null, params(cj));
        Tensors.assertExact(
                "melody tokens_before_revert",
                flat(r.patternSequences().get(0)),
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
                .isEqualTo(Fixtures.caseJson("generate_text_cfg1")
                        .getAsJsonObject("params")
                        .getAsJsonArray("texts")
                        .get(0)
                        .getAsString());
        long[][][] prompt = longs3(exp.get("prompt_tokens"));
        GenerationResult r = run(
                "musicgen_mono",
                LMConditions.of(tensor("description", cond.get("condition_description"))),
                prompt,
                params(cj));
        Tensors.assertExact(
                "continuation tokens_before_revert",
                flat(r.patternSequences().get(0)),
                exp.get("tokens_before_revert").toLongArray());
        Tensors.assertExact(
                "continuation tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }

    @Test
    void long_generation_extension_loop() {
        JsonObject cj = Fixtures.caseJson("long_generation");
        JsonObject p = cj.getAsJsonObject("params");
        String text = p.get("text").getAsString();
        Map<String, TensorData> exp = Fixtures.tensors("long_generation", "expected.safetensors");
        JsonObject g = p.getAsJsonObject("generation_params");
        GenerationParams params = GenerationParams.builder()
                .duration(p.get("duration").getAsDouble())
                .extendStride(p.get("extend_stride").getAsDouble())
                .useSampling(g.get("use_sampling").getAsBoolean())
                .temperature(g.get("temp").getAsDouble())
                .topK(g.get("top_k").getAsInt())
                .topP(g.get("top_p").getAsDouble())
                .cfgCoef(g.get("cfg_coef").getAsDouble())
                .seed(0L)
                .build();
        List<ConditionSource.Chunk> chunks = new ArrayList<>();
        GenerationResult r = fromText("musicgen_long", List.of(text), null, null, params, chunks);
        assertThat(chunks).extracting(ConditionSource.Chunk::timeOffsetSeconds).containsExactly(0.0, 1.0, 2.0);
        assertThat(chunks).allMatch(ConditionSource.Chunk::windowed);
        assertThat(r.patternSequences()).hasSize(p.get("n_lm_generate_calls").getAsInt());
        for (int i = 0; i < r.patternSequences().size(); i++) {
            Tensors.assertExact(
                    "tokens_before_revert_" + i,
                    flat(r.patternSequences().get(i)),
                    exp.get("tokens_before_revert_" + i).toLongArray());
        }
        Tensors.assertExact("tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }

    static final RepoResolver FIXTURE_T5 = (id, files) -> {
        assertThat(id).isEqualTo("tiny/t5-a");
        return Fixtures.path("models", "t5");
    };

    /** Text (and melody) → conditions through the real ConditionProvider → tokens. */
    static GenerationResult fromText(
            String model,
            List<String> texts,
            List<float[][]> melodies,
            long[][][] prompt,
            GenerationParams params,
            List<ConditionSource.Chunk> chunks) {
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", model, "state_dict.bin"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32);
                ConditionProvider cp = ConditionProvider.fromXpConfig(
                        ck.xpConfig(), ck.store(), FIXTURE_T5, StemSeparator.identity(), root)) {
            ck.store().checkAllUsed();
            ConditionProviderSource source = new ConditionProviderSource(cp, texts, melodies, root);
            return new MusicGenLM(lm, 50)
                    .generate(
                            chunk -> {
                                if (chunks != null) {
                                    chunks.add(chunk);
                                }
                                return source.conditionsFor(chunk);
                            },
                            prompt,
                            params,
                            null,
                            null);
        }
    }

    static List<String> texts(JsonObject caseJson) {
        List<String> out = new ArrayList<>();
        caseJson.getAsJsonObject("params").getAsJsonArray("texts").forEach(e -> out.add(e.getAsString()));
        return out;
    }

    @Test
    void text_to_tokens_through_the_condition_provider() {
        for (String[] c : new String[][] {
            {"generate_text", "musicgen_mono"},
            {"generate_text_cfg1", "musicgen_mono"},
            {"generate_text_temp07", "musicgen_mono"},
            {"generate_text_stereo", "musicgen_stereo"}
        }) {
            JsonObject cj = Fixtures.caseJson(c[0]);
            Map<String, TensorData> exp = Fixtures.tensors(c[0], "expected.safetensors");
            GenerationResult r = fromText(c[1], texts(cj), null, null, params(cj), null);
            Tensors.assertExact(
                    c[0] + " tokens_before_revert",
                    flat(r.patternSequences().get(0)),
                    exp.get("tokens_before_revert").toLongArray());
            Tensors.assertExact(
                    c[0] + " tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
        }
    }

    @Test
    void melody_through_the_condition_provider() {
        JsonObject cj = Fixtures.caseJson("melody");
        Map<String, TensorData> exp = Fixtures.tensors("melody", "expected.safetensors");
        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        GenerationResult r = fromText(
                "musicgen_melody",
                List.of(cj.getAsJsonObject("params").get("text").getAsString()),
                java.util.Collections.singletonList(new float[][] {melody}),
                null,
                params(cj),
                null);
        Tensors.assertExact(
                "melody tokens_before_revert",
                flat(r.patternSequences().get(0)),
                exp.get("tokens_before_revert").toLongArray());
        Tensors.assertExact("melody tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }

    @Test
    void continuation_through_the_condition_provider() {
        JsonObject cj = Fixtures.caseJson("continuation");
        Map<String, TensorData> exp = Fixtures.tensors("continuation", "expected.safetensors");
        GenerationResult r = fromText(
                "musicgen_mono",
                List.of(cj.getAsJsonObject("params").get("text").getAsString()),
                null,
                longs3(exp.get("prompt_tokens")),
                params(cj),
                null);
        Tensors.assertExact(
                "continuation tokens_before_revert",
                flat(r.patternSequences().get(0)),
                exp.get("tokens_before_revert").toLongArray());
        Tensors.assertExact(
                "continuation tokens", flat(r.tokens()), exp.get("tokens").toLongArray());
    }
}
