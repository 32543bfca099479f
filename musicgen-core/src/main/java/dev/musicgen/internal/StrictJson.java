package dev.musicgen.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * JSON from files we did not write (safetensors headers, config.json, tokenizer.json): checked in one iterative pass
 * before it is parsed into a tree, so that a hostile file cannot overflow the stack with deep nesting or hide a second
 * value behind a duplicate key (readers disagree on which one wins).
 */
public final class StrictJson {
    /** Deeper documents are refused: the files we read nest a handful of levels. */
    public static final int MAX_DEPTH = 64;

    private StrictJson() {}

    /**
     * Parses {@code json}; a problem is reported as an {@link IllegalArgumentException} whose message says what is
     * wrong (callers prefix it with the file's name and wrap it in their own exception type).
     */
    public static JsonElement parse(String json) {
        check(json);
        try {
            return JsonParser.parseString(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid JSON: " + oneLine(e.getMessage()));
        }
    }

    /** Refuses nesting deeper than {@link #MAX_DEPTH} and duplicate keys in any object. */
    public static void check(String json) {
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            Deque<Set<String>> objects = new ArrayDeque<>();
            int depth = 0;
            while (true) {
                JsonToken t = r.peek();
                switch (t) {
                    case BEGIN_OBJECT:
                    case BEGIN_ARRAY:
                        if (++depth > MAX_DEPTH) {
                            throw new IllegalArgumentException("JSON nested deeper than " + MAX_DEPTH + " levels");
                        }
                        if (t == JsonToken.BEGIN_OBJECT) {
                            r.beginObject();
                            objects.push(new HashSet<>());
                        } else {
                            r.beginArray();
                            objects.push(Set.of());
                        }
                        break;
                    case END_OBJECT:
                        r.endObject();
                        objects.pop();
                        depth--;
                        break;
                    case END_ARRAY:
                        r.endArray();
                        objects.pop();
                        depth--;
                        break;
                    case NAME:
                        String name = r.nextName();
                        if (!objects.peek().add(name)) {
                            throw new IllegalArgumentException("duplicate key \"" + printable(name) + "\"");
                        }
                        break;
                    case END_DOCUMENT:
                        return;
                    default:
                        r.skipValue();
                        break;
                }
            }
        } catch (MalformedJsonException e) {
            throw new IllegalArgumentException("invalid JSON: " + oneLine(e.getMessage()));
        } catch (IOException | IllegalStateException e) {
            throw new IllegalArgumentException("invalid JSON: " + oneLine(e.getMessage()));
        }
    }

    /** {@code s} with control characters (terminal escapes, newlines) shown as {@code \\uXXXX}, at most 200 chars. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() >= 200 && s.length() > 200 ? b + "..." : b.toString();
    }

    private static String oneLine(String m) {
        return m == null ? "malformed" : printable(m.replace('\n', ' '));
    }
}
