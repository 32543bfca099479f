package dev.musicgen.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reader of HF {@code config.json} fields and the one argument check. */
class JsonConfigTest {
    private static final String JSON = "{\"model_type\": \"musicgen\", \"n\": 3, \"x\": 0.5, \"flag\": true,"
            + " \"gone\": null, \"ratios\": [8, 5], \"decoder\": {\"hidden_size\": \"wide\", \"layers\": [1, \"a\"]}}";

    @Test
    void absent_and_null_keys_take_the_default_present_ones_their_value() {
        JsonConfig c = JsonConfig.parse(JSON, "config.json");
        assertThat(c.getString("model_type", "t5")).isEqualTo("musicgen");
        assertThat(c.getInt("n", 1)).isEqualTo(3);
        assertThat(c.getDouble("x", 1)).isEqualTo(0.5);
        assertThat(c.getBool("flag", false)).isTrue();
        assertThat(c.getInt("gone", 7)).isEqualTo(7);
        assertThat(c.has("gone")).isFalse();
        assertThat(c.getInt("missing", 9)).isEqualTo(9);
        assertThat(c.getIntList("ratios", List.of())).containsExactly(8, 5);
        assertThat(c.getIntList("nope", List.of(2))).containsExactly(2);
        assertThat(c.child("decoder")).isNotNull();
        assertThat(c.child("n")).isNull();
        assertThat(c.child("missing")).isNull();
    }

    @Test
    void a_wrong_type_names_the_file_the_key_path_and_the_value() {
        JsonConfig d = JsonConfig.parse(JSON, "config.json").child("decoder");
        assertThatThrownBy(() -> d.getInt("hidden_size", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("config.json: decoder.hidden_size must be an integer, but is: \"wide\"");
        assertThatThrownBy(() -> d.getIntList("layers", List.of()))
                .hasMessage("config.json: decoder.layers must be an array of integers, but is: [1,\"a\"]");
        assertThatThrownBy(() -> JsonConfig.parse(JSON, "config.json").getInt("decoder", 1))
                .hasMessageStartingWith("config.json: decoder must be an integer, but is: {");
        assertThatThrownBy(() -> JsonConfig.parse("[1]", "config.json"))
                .hasMessage("config.json must hold a JSON object, but holds: [1]");
    }

    @Test
    void an_unreadable_or_malformed_file_is_a_checkpoint_error(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("config.json"), "{\"a\": ");
        assertThatThrownBy(() -> JsonConfig.read(bad))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(bad + " is not valid JSON");
        assertThatThrownBy(() -> JsonConfig.read(dir.resolve("missing.json")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cannot read " + dir.resolve("missing.json"));
        Path good = Files.writeString(dir.resolve("ok.json"), "{\"a\": 2}");
        assertThat(JsonConfig.read(good).getInt("a", 0)).isEqualTo(2);
    }

    @Test
    void checks_name_the_parameter_the_rule_and_the_value() {
        assertThat(Check.positive("dim", 4)).isEqualTo(4);
        assertThatThrownBy(() -> Check.positive("dim", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dim must be positive, but is: 0");
        assertThatThrownBy(() -> Check.positive("rate", Double.NaN))
                .hasMessage("rate must be a positive number, but is: NaN");
        assertThatThrownBy(() -> Check.atLeast("lstm", -1, 0)).hasMessage("lstm must be >= 0, but is: -1");
        assertThatThrownBy(() -> Check.inRange("channels", 3, 1, 2))
                .hasMessage("channels must be between 1 and 2, but is: 3");
        assertThatThrownBy(() -> Check.oneOf("pad_mode", "zero", Set.of("reflect")))
                .hasMessage("pad_mode must be one of [reflect], but is: zero");
        assertThatThrownBy(() -> Check.that(false, "nfft", "a power of two", 7))
                .hasMessage("nfft must be a power of two, but is: 7");
        assertThat(Check.unsupported("LM config", "activation", "relu", "gelu"))
                .hasMessage("unsupported LM config: activation = relu (supported: gelu)");
    }
}
