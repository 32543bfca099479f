package dev.musicgen.internal.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A Hugging Face {@code config.json} object (or one of its sections, such as a MusicGen config's {@code decoder}) read
 * the way transformers' config classes read it: an absent or {@code null} key takes the caller's default (the
 * config class's), and a value of the wrong type fails naming the file, the key path and the value.
 */
public final class JsonConfig {
    private final JsonObject json;
    private final String source; // the file, for messages
    private final String prefix; // the key path of this section, "" or "decoder."

    private JsonConfig(JsonObject json, String source, String prefix) {
        this.json = json;
        this.source = source;
        this.prefix = prefix;
    }

    /** Reads a JSON object from a file; a missing, unreadable or malformed file is a {@link CheckpointException}. */
    public static JsonConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e, e);
        }
        try {
            return parse(text, file.toString());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    /** Parses JSON text that must hold one object; {@code source} names it in messages. */
    public static JsonConfig parse(String text, String source) {
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException(source + " is not valid JSON: " + ex.getMessage(), ex);
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException(source + " must hold a JSON object, but holds: " + abbreviate(e));
        }
        return new JsonConfig(e.getAsJsonObject(), source, "");
    }

    /** Wraps an already-parsed object; {@code source} names it in messages. */
    public static JsonConfig of(JsonObject json, String source) {
        return new JsonConfig(json, source, "");
    }

    /** The underlying object. */
    public JsonObject json() {
        return json;
    }

    /** Whether {@code key} is present with a non-null value. */
    public boolean has(String key) {
        JsonElement e = json.get(key);
        return e != null && !e.isJsonNull();
    }

    /** The section at {@code key}, or null when it is absent, null or not an object. */
    public JsonConfig child(String key) {
        JsonElement e = json.get(key);
        return e != null && e.isJsonObject() ? new JsonConfig(e.getAsJsonObject(), source, prefix + key + ".") : null;
    }

    public int getInt(String key, int dflt) {
        return get(key, dflt, "an integer", JsonElement::getAsInt);
    }

    public double getDouble(String key, double dflt) {
        return get(key, dflt, "a number", JsonElement::getAsDouble);
    }

    public boolean getBool(String key, boolean dflt) {
        return get(key, dflt, "true or false", JsonElement::getAsBoolean);
    }

    public String getString(String key, String dflt) {
        return get(key, dflt, "a string", JsonElement::getAsString);
    }

    /** The integers of the array at {@code key}, or {@code dflt} when it is absent or null. */
    public List<Integer> getIntList(String key, List<Integer> dflt) {
        return getList(key, dflt, "an array of integers", JsonElement::getAsInt);
    }

    /** The numbers of the array at {@code key}, or {@code dflt} when it is absent or null. */
    public List<Double> getDoubleList(String key, List<Double> dflt) {
        return getList(key, dflt, "an array of numbers", JsonElement::getAsDouble);
    }

    private <T> T get(String key, T dflt, String kind, Function<JsonElement, T> read) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return dflt;
        }
        if (!e.isJsonPrimitive()) {
            throw wrongType(key, kind, e);
        }
        try {
            return read.apply(e);
        } catch (RuntimeException ex) {
            throw wrongType(key, kind, e);
        }
    }

    private <T> List<T> getList(String key, List<T> dflt, String kind, Function<JsonElement, T> read) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return dflt;
        }
        if (!e.isJsonArray()) {
            throw wrongType(key, kind, e);
        }
        List<T> out = new ArrayList<>();
        for (JsonElement item : (JsonArray) e) {
            if (!item.isJsonPrimitive()) {
                throw wrongType(key, kind, e);
            }
            try {
                out.add(read.apply(item));
            } catch (RuntimeException ex) {
                throw wrongType(key, kind, e);
            }
        }
        return out;
    }

    private IllegalArgumentException wrongType(String key, String kind, JsonElement value) {
        return Check.fail(source + ": " + prefix + key, kind, abbreviate(value));
    }

    private static String abbreviate(JsonElement e) {
        String s = e.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    @Override
    public String toString() {
        return source + (prefix.isEmpty() ? "" : " (" + prefix.substring(0, prefix.length() - 1) + ")");
    }
}
