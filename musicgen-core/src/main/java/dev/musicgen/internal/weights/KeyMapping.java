package dev.musicgen.internal.weights;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ordered table of regex renames from one on-disk layout to the names our classes use. Each layout (audiocraft,
 * HF transformers) has exactly one such table, so no string surgery is scattered through model code.
 */
public final class KeyMapping {
    private record Rule(Pattern pattern, String replacement) {}

    private final List<Rule> rules;

    private KeyMapping(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static KeyMapping identity() {
        return new KeyMapping(List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Applies every matching rule in order (each to the result of the previous one). */
    public String apply(String key) {
        String k = key;
        for (Rule r : rules) {
            Matcher m = r.pattern.matcher(k);
            if (m.find()) {
                k = m.replaceAll(r.replacement);
            }
        }
        return k;
    }

    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        /** {@code regex} is a Java regex; {@code replacement} may use {@code $1}-style groups. */
        public Builder rename(String regex, String replacement) {
            rules.add(new Rule(Pattern.compile(regex), replacement));
            return this;
        }

        public KeyMapping build() {
            return new KeyMapping(rules);
        }
    }
}
