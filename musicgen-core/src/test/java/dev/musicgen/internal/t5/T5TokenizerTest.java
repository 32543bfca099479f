package dev.musicgen.internal.t5;

import static dev.musicgen.testing.TestArrays.flat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class T5TokenizerTest {
    private static T5Tokenizer tok;

    @BeforeAll
    static void load() {
        tok = T5Tokenizer.load(Fixtures.path("models", "t5"));
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void every_fixture_case_gives_sentencepiece_ids_exactly() throws Exception {
        JsonArray cases = JsonParser.parseString(Files.readString(Fixtures.path("tokenizer", "tokenizer_cases.json")))
                .getAsJsonArray();
        assertThat(cases.size()).isGreaterThanOrEqualTo(20);
        for (JsonElement c : cases) {
            JsonObject o = c.getAsJsonObject();
            String text = o.get("text").getAsString();
            long[] expected = toLongs(o.getAsJsonArray("ids"));
            Tensors.assertExact("ids of " + quoted(text), tok.encode(text), expected);
        }
    }

    @Test
    void batch_pads_with_zero_to_longest_and_zeroes_mask_of_empty_and_null_rows() {
        T5Tokenizer.TokenBatch b = tok.encodeBatch(Arrays.asList("hip hop beat", "", null, "a", "   "));
        assertThat(b.batchSize()).isEqualTo(5);
        assertThat(b.length()).isEqualTo(8);
        assertThat(b.inputIds()[0]).containsExactly(72, 8, 35, 39, 3, 38, 20, 1);
        assertThat(b.attentionMask()[0]).containsOnly(1L);
        assertThat(b.inputIds()[1]).containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
        assertThat(b.attentionMask()[1]).containsOnly(0L);
        assertThat(b.inputIds()[2]).containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
        assertThat(b.attentionMask()[2]).containsOnly(0L);
        assertThat(b.inputIds()[3]).containsExactly(50, 1, 0, 0, 0, 0, 0, 0);
        assertThat(b.attentionMask()[3]).containsExactly(1, 1, 0, 0, 0, 0, 0, 0);
        // audiocraft compares the raw text with "": blanks are not absent, only tokenized to </s>
        assertThat(b.inputIds()[4]).containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
        assertThat(b.attentionMask()[4]).containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void t5_fixture_inputs_are_reproduced() {
        JsonArray texts = Fixtures.caseJson("t5").getAsJsonObject("params").getAsJsonArray("texts");
        List<String> list = new java.util.ArrayList<>();
        texts.forEach(e -> list.add(e.getAsString()));
        T5Tokenizer.TokenBatch b = tok.encodeBatch(list);
        var inputs = Fixtures.tensors("t5", "inputs.safetensors");
        Tensors.assertExact(
                "input_ids", flat(b.inputIds()), inputs.get("input_ids").toLongArray());
        Tensors.assertExact(
                "attention_mask",
                flat(b.attentionMask()),
                inputs.get("attention_mask").toLongArray());
    }

    @Test
    void whitespace_is_normalized_the_sentencepiece_way() {
        assertThat(T5Tokenizer.normalizeWhitespace("  two  spaces \t\n three  "))
                .isEqualTo("two spaces three");
        assertThat(T5Tokenizer.normalizeWhitespace("\u3000a\u00a0b ")).isEqualTo("a b");
        assertThat(T5Tokenizer.normalizeWhitespace("")).isEmpty();
    }

    @Test
    void missing_file_and_closed_use_are_refused() {
        assertThatThrownBy(() -> T5Tokenizer.load(Path.of("/nonexistent/t5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokenizer.json");
        T5Tokenizer t = T5Tokenizer.load(Fixtures.path("models", "t5", "tokenizer.json"));
        t.close();
        t.close();
        assertThatThrownBy(() -> t.encode("a")).isInstanceOf(IllegalStateException.class);
    }

    private static long[] toLongs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    private static String quoted(String s) {
        return "'" + s.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
