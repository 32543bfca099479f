package dev.musicgen.spark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Seeds for rows that give none: a function of the base seed and the row's identity only (never the clock), so a
 * re-run task, a retried one or a speculative copy draws the same seed on any executor and JVM.
 */
public final class Seeds {
    private Seeds() {}

    /**
     * The seed of a row (or batch) without one: the first 31 bits of SHA-256 over {@code "<baseSeed>/<identity>"},
     * so in {@code [0, 2^31)}, a valid seed for every MusicGen front end (Replicate's is a 32-bit int).
     */
    public static long derive(long baseSeed, String identity) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] h = sha.digest((baseSeed + "/" + identity).getBytes(StandardCharsets.UTF_8));
            return ((h[0] & 0x7FL) << 24) | ((h[1] & 0xFFL) << 16) | ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
