package dev.musicgen.internal.t5;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crafted tokenizer.json files never reach the native library (which aborts the JVM on some of them). */
class TokenizerFileCheckTest {
    @TempDir
    Path tmp;

    private Path variant(String name, Consumer<JsonObject> edit) throws IOException {
        JsonObject t = JsonParser.parseString(Files.readString(Fixtures.path("models", "t5", "tokenizer.json")))
                .getAsJsonObject();
        edit.accept(t);
        Path p = tmp.resolve(name + ".json");
        Files.writeString(p, t.toString());
        return p;
    }

    @Test
    void t5s_own_tokenizers_pass() {
        assertThatCode(() -> TokenizerFileCheck.check(Fixtures.path("models", "t5", "tokenizer.json")))
                .doesNotThrowAnyException();
        assertThatCode(() -> TokenizerFileCheck.check(Fixtures.path("musicgen_hf", "model", "tokenizer.json")))
                .doesNotThrowAnyException();
    }

    @Test
    void crafted_tokenizers_are_refused_before_the_native_library_loads_them() throws IOException {
        assertRefused(
                variant("unk", t -> t.getAsJsonObject("model").addProperty("unk_id", 1_000_000)),
                "unk_id 1000000 is outside the vocabulary");
        assertRefused(variant("bpe", t -> t.getAsJsonObject("model").addProperty("type", "BPE")), "model type BPE");
        assertRefused(
                variant(
                        "regex",
                        t -> t.getAsJsonObject("normalizer")
                                .getAsJsonArray("normalizers")
                                .get(1)
                                .getAsJsonObject()
                                .getAsJsonObject("pattern")
                                .addProperty("Regex", "(a+)+$")),
                "regex");
        assertRefused(
                variant(
                        "charsmap",
                        t -> t.getAsJsonObject("normalizer")
                                .getAsJsonArray("normalizers")
                                .get(0)
                                .getAsJsonObject()
                                .addProperty("precompiled_charsmap", "AAAA")),
                "not T5's");
        assertRefused(
                variant("split", t -> {
                    JsonObject split = new JsonObject();
                    split.addProperty("type", "Split");
                    t.add("pre_tokenizer", split);
                }),
                "pre_tokenizer type Split");
        assertRefused(
                variant("vocab", t -> {
                    JsonArray bad = new JsonArray();
                    bad.add("x");
                    t.getAsJsonObject("model").getAsJsonArray("vocab").set(3, bad);
                }),
                "vocab entry 3");
        Path dup = tmp.resolve("dup.json");
        Files.writeString(dup, "{\"model\":{\"type\":\"Unigram\"},\"model\":{\"type\":\"BPE\"}}");
        assertRefused(dup, "duplicate key");
    }

    @Test
    void loading_a_crafted_tokenizer_throws_instead_of_aborting() throws IOException {
        Path bad = variant("unk", t -> t.getAsJsonObject("model").addProperty("unk_id", -5));
        assertThatThrownBy(() -> T5Tokenizer.load(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.toString());
    }

    private static void assertRefused(Path p, String what) {
        assertThatThrownBy(() -> TokenizerFileCheck.check(p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining(what);
    }
}
