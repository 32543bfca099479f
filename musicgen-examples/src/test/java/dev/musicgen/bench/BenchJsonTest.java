package dev.musicgen.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.bench.Figures.Figure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Figures go out as flat snake-case JSON records and come back as the same typed records. */
class BenchJsonTest {
    static final List<Figure> ONE_OF_EACH = List.of(
            new Figures.Step(
                    "musicgen-small",
                    "f16",
                    250,
                    false,
                    64.6,
                    60.1,
                    52.6,
                    50.0,
                    1.23,
                    241,
                    900.5,
                    20.1,
                    44.8,
                    "1.00,1.10,1.20"),
            new Figures.Step(
                    "musicgen-small",
                    "int8",
                    0,
                    true,
                    40.0,
                    39.0,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "2.00,1.00,1.00"),
            new Figures.StepsMemory("musicgen-small", "fp32", false, 3187L, 1680),
            new Figures.SyntheticFloor("musicgen-small", "fp32", 0, 72.8, 70.0, 60.0, 1680, 0, 22.0, "1,1,1"),
            new Figures.LinearForm("musicgen-small", "fp32", 150.25),
            new Figures.T5("musicgen-small", "f16", 74.0, 70.0, "1,1,1"),
            new Figures.Generation(
                    "musicgen-small",
                    "f16",
                    8,
                    1,
                    403,
                    80,
                    21.8,
                    0.57,
                    22.5,
                    50.6,
                    1941L,
                    "250:1830,403:1864",
                    1845L,
                    158,
                    1514,
                    "1,1,1",
                    "2,2,2"),
            new Figures.GenerationStep("musicgen-small", "f16", 30, 1500, 84.0, 80.0),
            new Figures.Load("musicgen-small", "f16", 0.84, 43, 253, 403, null, "1,1,1"),
            new Figures.Failure("musicgen-small", "int8", "all", "int8 not available in this build"));

    @TempDir
    Path tmp;

    @Test
    void every_kind_round_trips_through_a_file() throws Exception {
        assertThat(ONE_OF_EACH.stream().map(Figures::kind).distinct()).hasSameSizeAs(Figures.KINDS.keySet());
        Path file = tmp.resolve("figures.json");
        BenchJson.write(file, ONE_OF_EACH);
        assertThat(BenchJson.read(file)).isEqualTo(ONE_OF_EACH);
    }

    @Test
    void records_are_flat_with_the_kind_first_and_snake_case_names() {
        String line = BenchJson.line(ONE_OF_EACH.get(0));
        assertThat(line)
                .startsWith("{\"kind\":\"step\",\"model\":\"musicgen-small\",\"compute\":\"f16\",\"kv\":250,"
                        + "\"contended\":false,\"step_ms\":64.6,\"step_min_ms\":60.1,\"floor_ms\":52.6,");
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        o.entrySet()
                .forEach(e -> assertThat(e.getValue().isJsonPrimitive())
                        .as(e.getKey())
                        .isTrue());
        // a figure that was not taken is written as null, not left out
        JsonObject missing = BenchJson.toJson(ONE_OF_EACH.get(1));
        assertThat(missing.get("floor_ms").isJsonNull()).isTrue();
        assertThat(missing.get("bw_floor_ms").isJsonNull()).isTrue();
        assertThat(missing.get("contended").getAsBoolean()).isTrue();
    }

    @Test
    void one_record_per_line_in_an_array() {
        String json = BenchJson.write(ONE_OF_EACH.subList(0, 3));
        assertThat(json.split("\n")).hasSize(5).startsWith("[").endsWith("]");
        assertThat(BenchJson.write(List.of())).isEqualTo("[\n]\n");
        assertThat(BenchJson.read("[\n]\n")).isEmpty();
    }

    @Test
    void a_number_that_is_not_finite_becomes_null() {
        JsonObject o = BenchJson.toJson(new Figures.T5("musicgen-small", "fp32", Double.NaN, 1.0, "n/a"));
        assertThat(o.get("ms").isJsonNull()).isTrue();
        assertThat(o.get("min_ms").getAsDouble()).isEqualTo(1.0);
    }

    @Test
    void refuses_what_it_cannot_read_naming_it() {
        assertThatThrownBy(() -> BenchJson.read("{\"kind\":\"step\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("expected a JSON array");
        assertThatThrownBy(() -> BenchJson.read("[{\"kind\":\"speed\",\"model\":\"x\"}]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a figure must be an object with a kind in")
                .hasMessageContaining("{\"kind\":\"speed\",\"model\":\"x\"}");
        assertThatThrownBy(() -> BenchJson.read("[1]")).hasMessageContaining("but is: 1");
        assertThatThrownBy(() -> BenchJson.read("[{\"kind\":\"t5\",\"ms\":\"fast\"}]"))
                .hasMessageStartingWith("cannot read a t5 figure from");
        assertThatThrownBy(() -> BenchJson.read("[{")).hasMessageStartingWith("not JSON");
    }

    @Test
    void rounds_figures_to_two_decimals() {
        assertThat(Figures.r2(64.56789)).isEqualTo(64.57);
        assertThat(Figures.r2OrNull(Double.NaN)).isNull();
        List<Figure> many = new ArrayList<>(ONE_OF_EACH);
        assertThat(BenchJson.read(BenchJson.write(many))).hasSize(ONE_OF_EACH.size());
    }
}
