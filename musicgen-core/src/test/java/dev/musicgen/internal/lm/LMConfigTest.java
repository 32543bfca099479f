package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import dev.musicgen.internal.config.JsonConfig;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class LMConfigTest {
    static LMConfig fromFixture(String model) {
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", model, "state_dict.bin"))) {
            return ck.config();
        }
    }

    @Test
    void reads_every_fixture_xp_cfg() {
        LMConfig mono = fromFixture("musicgen_mono");
        assertThat(mono.dim()).isEqualTo(64);
        assertThat(mono.numHeads()).isEqualTo(4);
        assertThat(mono.numLayers()).isEqualTo(2);
        assertThat(mono.ffnDim()).isEqualTo(256);
        assertThat(mono.nQ()).isEqualTo(4);
        assertThat(mono.card()).isEqualTo(64);
        assertThat(mono.specialToken()).isEqualTo(64);
        assertThat(mono.biasAttn() || mono.biasFf() || mono.biasProj()).isFalse();
        assertThat(mono.delays()).containsExactly(0, 1, 2, 3);
        assertThat(mono.fuser().cross()).containsExactly("description");
        assertThat(mono.crossAttention()).isTrue();
        assertThat(mono.maxDuration()).isEqualTo(30.0);
        assertThat(mono.cfgCoef()).isEqualTo(3.0);
        assertThat(mono.channels()).isEqualTo(1);
        assertThat(mono.sampleRate()).isEqualTo(32000);

        LMConfig stereo = fromFixture("musicgen_stereo");
        assertThat(stereo.nQ()).isEqualTo(8);
        assertThat(stereo.delays()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
        assertThat(stereo.channels()).isEqualTo(2);
        assertThat(stereo.interleaveStereo()).isTrue();

        LMConfig melody = fromFixture("musicgen_melody");
        assertThat(melody.fuser().prepend()).containsExactly("self_wav", "description");
        assertThat(melody.fuser().cross()).isEmpty();
        assertThat(melody.crossAttention()).isFalse();

        assertThat(fromFixture("musicgen_long").maxDuration()).isEqualTo(2.0);
    }

    @Test
    void reads_hf_config_json() {
        JsonConfig file = JsonConfig.read(Fixtures.path("musicgen_hf", "model", "config.json"));
        JsonObject cfg = file.json();
        LMConfig hf = LMConfig.fromHfConfig(file, null, 30);
        assertThat(hf)
                .isEqualTo(new LMConfig(
                        64,
                        4,
                        2,
                        256,
                        4,
                        64,
                        false,
                        false,
                        false,
                        10_000,
                        1.0,
                        List.of(0, 1, 2, 3),
                        new ConditionFuser(List.of(), List.of("description"), false, 1.0),
                        30,
                        3.0,
                        1,
                        false,
                        32000));
        cfg.getAsJsonObject("decoder").addProperty("num_codebooks", 8);
        cfg.getAsJsonObject("decoder").addProperty("audio_channels", 2);
        assertThat(LMConfig.fromHfConfig(file, null, 30).delays()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
        cfg.addProperty("model_type", "musicgen_melody");
        assertThat(LMConfig.fromHfConfig(file, null, 30).fuser().prepend()).containsExactly("self_wav", "description");
        JsonObject gen = new JsonObject();
        gen.addProperty("guidance_scale", 5.0);
        assertThat(LMConfig.fromHfConfig(file, JsonConfig.of(gen, "generation_config.json"), 30)
                        .cfgCoef())
                .isEqualTo(5.0);
        // a value of the wrong type names the file, the key path and the value
        cfg.getAsJsonObject("decoder").addProperty("num_hidden_layers", "two");
        assertThatThrownBy(() -> LMConfig.fromHfConfig(file, null, 30))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("config.json: decoder.num_hidden_layers must be an integer, but is: \"two\"");
        cfg.getAsJsonObject("decoder").addProperty("num_hidden_layers", 2);
        cfg.getAsJsonObject("decoder").addProperty("audio_channels", 3);
        assertThatThrownBy(() -> LMConfig.fromHfConfig(file, null, 30))
                .hasMessage("decoder.audio_channels must be between 1 and 2, but is: 3");
    }

    @Test
    void refuses_transformer_features_musicgen_never_uses() {
        String base = "lm_model: transformer_lm\n"
                + "transformer_lm: {dim: 64, num_heads: 4, num_layers: 2, n_q: 4, card: 64, norm_first: true,"
                + " %s}\n"
                + "dataset: {segment_duration: 30}\n"
                + "fuser: {sum: [], prepend: [], cross: [description], input_interpolate: []}\n";
        assertThat(LMConfig.fromXpConfig(XpConfig.parse(String.format(base, "activation: gelu")))
                        .dim())
                .isEqualTo(64);
        assertThatThrownBy(() -> LMConfig.fromXpConfig(XpConfig.parse(String.format(base, "layer_scale: 0.1"))))
                .hasMessage("unsupported LM config: transformer_lm.layer_scale = 0.1 (supported: null)");
        assertThatThrownBy(
                        () -> LMConfig.fromXpConfig(XpConfig.parse(String.format(base, "positional_embedding: rope"))))
                .hasMessage("unsupported LM config: transformer_lm.positional_embedding = rope (supported: sin)");
        assertThatThrownBy(() -> LMConfig.fromXpConfig(XpConfig.parse(String.format(base, "activation: relu"))))
                .hasMessage("unsupported LM config: transformer_lm.activation = relu (supported: gelu)");
        assertThatThrownBy(() -> LMConfig.fromXpConfig(
                        XpConfig.parse(String.format(base, "x: 1").replace("norm_first: true", "norm_first: false"))))
                .hasMessage("unsupported LM config: transformer_lm.norm_first = false (supported: true (pre-norm))");
        assertThatThrownBy(() -> LMConfig.fromXpConfig(
                        XpConfig.parse(String.format(base, "x: 1").replace("sum: []", "sum: [genre]"))))
                .hasMessage("unsupported LM config: fuser.sum = [genre] (supported: [])");
        assertThatThrownBy(() -> LMConfig.fromXpConfig(
                        XpConfig.parse(String.format(base, "num_heads: 5").replace("num_heads: 4, ", ""))))
                .hasMessage("dim (64) must be divisible by numHeads (5)");
    }
}
