package dev.musicgen;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How generated audio is normalized before writing, as audiocraft's {@code normalize_audio} with Replicate's defaults. */
public enum NormalizationStrategy {
    /** Integrated loudness (ITU-R BS.1770-4) to -14 LUFS, no compressor, then clamp to [-1, 1]. */
    LOUDNESS,
    /** Clamp to ±(1 dB below full scale), no gain. */
    CLIP,
    /** Scale so the peak is 1 dB below full scale. */
    PEAK,
    /** Scale so the RMS is 18 dB below full scale, then clamp to [-1, 1]. */
    RMS;

    /** Parses "loudness", "clip", "peak" or "rms" (any case). */
    public static NormalizationStrategy fromName(String name) {
        for (NormalizationStrategy s : values()) {
            if (s.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("normalizationStrategy must be one of " + names() + ", but is: " + name);
    }

    static String names() {
        return Arrays.stream(values())
                .map(v -> v.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }
}
