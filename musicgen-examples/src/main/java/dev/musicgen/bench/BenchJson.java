package dev.musicgen.bench;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.musicgen.bench.Figures.Figure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Figures as JSON: a list of flat records, one per line, {@code {"kind": "step", "model": "musicgen-small",
 * "compute": "f16", "kv": 250, "step_ms": 64.6, "floor_ms": 52.6, ...}}. A figure that is not a number is written as
 * null. Read back into the same records (what a child JVM hands its parent).
 */
final class BenchJson {
    /** Records to trees, components in snake case; NaN allowed here and replaced by null below. */
    private static final Gson TREES = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeNulls()
            .serializeSpecialFloatingPointValues()
            .create();

    private static final Gson TEXT = new GsonBuilder().serializeNulls().create();

    private BenchJson() {}

    /** One figure as a flat JSON object, {@code kind} first. */
    static JsonObject toJson(Figure f) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", Figures.kind(f));
        for (Map.Entry<String, JsonElement> e :
                TREES.toJsonTree(f).getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() && !Double.isFinite(v.getAsDouble())) {
                v = JsonNull.INSTANCE;
            }
            o.add(e.getKey(), v);
        }
        return o;
    }

    /** One figure as one line of JSON. */
    static String line(Figure f) {
        return TEXT.toJson(toJson(f));
    }

    /** A JSON array of the figures, one record per line. */
    static String write(List<? extends Figure> figures) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < figures.size(); i++) {
            b.append(i == 0 ? "\n" : ",\n").append(line(figures.get(i)));
        }
        return b.append("\n]\n").toString();
    }

    static void write(Path file, List<? extends Figure> figures) throws IOException {
        Files.writeString(file, write(figures), StandardCharsets.UTF_8);
    }

    /**
     * The figures of a JSON array written by {@link #write}.
     *
     * @throws IllegalArgumentException naming the record when it is not an object with a known {@code kind}
     */
    static List<Figure> read(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonArray()) {
            throw new IllegalArgumentException("expected a JSON array of figures, but got: " + abbreviate(json));
        }
        JsonArray array = root.getAsJsonArray();
        List<Figure> out = new ArrayList<>(array.size());
        for (JsonElement e : array) {
            out.add(read(e));
        }
        return out;
    }

    static List<Figure> read(Path file) throws IOException {
        return read(Files.readString(file, StandardCharsets.UTF_8));
    }

    private static Figure read(JsonElement e) {
        JsonElement kind = e.isJsonObject() ? e.getAsJsonObject().get("kind") : null;
        Class<? extends Figure> type =
                kind == null || !kind.isJsonPrimitive() ? null : Figures.KINDS.get(kind.getAsString());
        if (type == null) {
            throw new IllegalArgumentException("a figure must be an object with a kind in " + Figures.KINDS.keySet()
                    + ", but is: " + abbreviate(String.valueOf(e)));
        }
        JsonObject fields = e.getAsJsonObject().deepCopy();
        fields.remove("kind");
        try {
            return TREES.fromJson(fields, type);
        } catch (JsonParseException | IllegalArgumentException ex) {
            throw new IllegalArgumentException(
                    "cannot read a " + kind.getAsString() + " figure from " + abbreviate(String.valueOf(e)) + ": "
                            + ex.getMessage(),
                    ex);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
