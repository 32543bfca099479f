package dev.musicgen.internal.t5;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.musicgen.internal.StrictJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * Checks a {@code tokenizer.json} against what T5's tokenizer uses before the native tokenizers library sees it: that
 * library aborts the whole process (a Rust panic) on some malformed inputs, which no {@code catch} can recover from.
 * Only T5's component types are accepted (Unigram model, Metaspace/whitespace pre-tokenizers, its normalizers, a
 * template post-processor), no free regexes, and the precompiled normalization map must be T5's own.
 */
final class TokenizerFileCheck {
    /** A larger file is refused: T5's is 2.4 MB. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    /** SHA-256 of sentencepiece's nmt_nfkc charsmap, the one every T5 tokenizer.json carries. */
    private static final Set<String> KNOWN_CHARSMAPS =
            Set.of("51d3684747b35ef99cd4802f37cc1ee0c6bec4d060814f774efb1066d3c167f2");

    /** The only regex T5's normalizer uses (collapse runs of spaces). */
    private static final Set<String> KNOWN_REGEXES = Set.of(" {2,}");

    private static final Set<String> NORMALIZERS = Set.of(
            "Sequence",
            "Precompiled",
            "Replace",
            "Strip",
            "NFKC",
            "NFC",
            "NFD",
            "NFKD",
            "Lowercase",
            "StripAccents",
            "Prepend");
    private static final Set<String> PRE_TOKENIZERS = Set.of("Sequence", "Metaspace", "WhitespaceSplit", "Whitespace");
    private static final Set<String> DECODERS =
            Set.of("Sequence", "Metaspace", "Replace", "Strip", "Fuse", "ByteFallback");

    private final Path file;

    private TokenizerFileCheck(Path file) {
        this.file = file;
    }

    /** @throws IllegalArgumentException naming the file and what is not T5-like */
    static void check(Path file) {
        new TokenizerFileCheck(file).run();
    }

    private void run() {
        JsonObject root;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw bad("it is " + size + " bytes, more than the " + MAX_BYTES + " a T5 tokenizer may have");
            }
            JsonElement e = StrictJson.parse(Files.readString(file));
            if (!e.isJsonObject()) {
                throw bad("it is not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read T5 tokenizer " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("T5 tokenizer ") ? e : bad(e.getMessage());
        }
        component(root.get("normalizer"), "normalizer", NORMALIZERS, "normalizers");
        component(root.get("pre_tokenizer"), "pre_tokenizer", PRE_TOKENIZERS, "pretokenizers");
        component(root.get("decoder"), "decoder", DECODERS, "decoders");
        JsonElement post = root.get("post_processor");
        if (post != null && !post.isJsonNull() && !"TemplateProcessing".equals(type(post, "post_processor"))) {
            throw bad("post_processor type " + type(post, "post_processor") + " is not T5's (TemplateProcessing)");
        }
        model(root.get("model"));
    }

    private void component(JsonElement e, String what, Set<String> allowed, String sequenceField) {
        if (e == null || e.isJsonNull()) {
            return;
        }
        String type = type(e, what);
        if (!allowed.contains(type)) {
            throw bad(what + " type " + StrictJson.printable(type) + " is not one T5 uses " + allowed);
        }
        JsonObject o = e.getAsJsonObject();
        switch (type) {
            case "Sequence": {
                JsonElement parts = o.get(sequenceField);
                if (parts == null || !parts.isJsonArray()) {
                    throw bad(what + " Sequence has no '" + sequenceField + "' list");
                }
                for (JsonElement p : parts.getAsJsonArray()) {
                    component(p, what, allowed, sequenceField);
                }
                break;
            }
            case "Replace": {
                JsonElement pattern = o.get("pattern");
                if (pattern != null
                        && pattern.isJsonObject()
                        && pattern.getAsJsonObject().has("Regex")) {
                    String regex = String.valueOf(pattern.getAsJsonObject().get("Regex"));
                    JsonElement r = pattern.getAsJsonObject().get("Regex");
                    if (!r.isJsonPrimitive() || !KNOWN_REGEXES.contains(r.getAsString())) {
                        throw bad(what + " Replace uses the regex " + StrictJson.printable(regex) + ", not one T5 uses "
                                + KNOWN_REGEXES);
                    }
                }
                break;
            }
            case "Precompiled": {
                JsonElement map = o.get("precompiled_charsmap");
                String sha;
                try {
                    byte[] bytes =
                            Base64.getDecoder().decode(map == null || !map.isJsonPrimitive() ? "" : map.getAsString());
                    sha = HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
                } catch (IllegalArgumentException ex) {
                    throw bad(what + " Precompiled holds a precompiled_charsmap that is not base64");
                } catch (NoSuchAlgorithmException ex) {
                    throw new IllegalStateException(ex);
                }
                if (!KNOWN_CHARSMAPS.contains(sha)) {
                    throw bad(what + " Precompiled holds a precompiled_charsmap (sha256 " + sha + ") that is not T5's");
                }
                break;
            }
            default:
                break;
        }
    }

    private void model(JsonElement e) {
        if (e == null || !e.isJsonObject()) {
            throw bad("it has no 'model' object");
        }
        String type = type(e, "model");
        if (!"Unigram".equals(type)) {
            throw bad("model type " + StrictJson.printable(type) + " is not T5's (Unigram)");
        }
        JsonObject m = e.getAsJsonObject();
        JsonElement vocab = m.get("vocab");
        if (vocab == null || !vocab.isJsonArray() || vocab.getAsJsonArray().size() == 0) {
            throw bad("model has no 'vocab' list");
        }
        JsonArray v = vocab.getAsJsonArray();
        for (int i = 0; i < v.size(); i++) {
            JsonElement piece = v.get(i);
            if (!piece.isJsonArray()
                    || piece.getAsJsonArray().size() != 2
                    || !piece.getAsJsonArray().get(0).isJsonPrimitive()
                    || !piece.getAsJsonArray().get(0).getAsJsonPrimitive().isString()
                    || !piece.getAsJsonArray().get(1).isJsonPrimitive()
                    || !piece.getAsJsonArray().get(1).getAsJsonPrimitive().isNumber()) {
                throw bad("model vocab entry " + i + " is not a [piece, score] pair");
            }
        }
        JsonElement unk = m.get("unk_id");
        if (unk != null && !unk.isJsonNull()) {
            long id;
            try {
                id = unk.getAsBigDecimal().longValueExact();
            } catch (RuntimeException ex) {
                throw bad("model unk_id " + StrictJson.printable(unk.toString()) + " is not an integer");
            }
            if (id < 0 || id >= v.size()) {
                throw bad("model unk_id " + id + " is outside the vocabulary (0.." + (v.size() - 1) + ")");
            }
        }
    }

    private String type(JsonElement e, String what) {
        if (!e.isJsonObject()
                || !e.getAsJsonObject().has("type")
                || !e.getAsJsonObject().get("type").isJsonPrimitive()) {
            throw bad(what + " has no 'type'");
        }
        return e.getAsJsonObject().get("type").getAsString();
    }

    private IllegalArgumentException bad(String problem) {
        return new IllegalArgumentException(
                "T5 tokenizer " + file + " is refused: " + problem + " (only T5's own tokenizer.json is accepted)");
    }
}
