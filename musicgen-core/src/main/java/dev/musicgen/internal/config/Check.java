package dev.musicgen.internal.config;

import java.util.Collection;

/**
 * Argument checks for configs and internal entry points, with one message shape: {@code NAME must be RULE, but is:
 * VALUE} (the parameter as the user or the config file spells it, what is allowed, what was given). Each check
 * returns the value so it can be used inline. Failures are {@link IllegalArgumentException}s.
 */
public final class Check {
    private Check() {}

    /** {@code value > 0}. */
    public static int positive(String name, int value) {
        if (value <= 0) {
            throw fail(name, "positive", value);
        }
        return value;
    }

    /** {@code value} is a finite number {@code > 0}. */
    public static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw fail(name, "a positive number", value);
        }
        return value;
    }

    /** {@code value >= min}. */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw fail(name, ">= " + min, value);
        }
        return value;
    }

    /** {@code min <= value <= max}. */
    public static int inRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw fail(name, "between " + min + " and " + max, value);
        }
        return value;
    }

    /** {@code value} is one of {@code allowed}. */
    public static <T> T oneOf(String name, T value, Collection<? extends T> allowed) {
        if (!allowed.contains(value)) {
            throw fail(name, "one of " + allowed, value);
        }
        return value;
    }

    /** {@code ok}, else {@code NAME must be RULE, but is: VALUE}. */
    public static void that(boolean ok, String name, String rule, Object value) {
        if (!ok) {
            throw fail(name, rule, value);
        }
    }

    /** {@code ok}, else the given message (for rules that relate several values). */
    public static void that(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** {@code NAME must be RULE, but is: VALUE}. */
    public static IllegalArgumentException fail(String name, String rule, Object value) {
        return new IllegalArgumentException(name + " must be " + rule + ", but is: " + value);
    }

    /**
     * A setting this port does not implement: {@code unsupported WHAT: KEY = VALUE (supported: SUPPORTED)}, e.g.
     * {@code unsupported LM config: transformer_lm.activation = relu (supported: gelu)}.
     */
    public static IllegalArgumentException unsupported(String what, String key, Object value, Object supported) {
        return new IllegalArgumentException(
                "unsupported " + what + ": " + key + " = " + value + " (supported: " + supported + ")");
    }
}
