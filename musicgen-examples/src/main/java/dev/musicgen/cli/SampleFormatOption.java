package dev.musicgen.cli;

import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The sample format of WAV output. */
final class SampleFormatOption {
    @Option(
            names = "--sample-format",
            description = "pcm16 (default) or float32 (raw decoder output, no " + "normalization, WAV only).",
            defaultValue = "pcm16")
    String sampleFormat;

    /** Whether float32 was asked for. */
    boolean float32() {
        String fmt = sampleFormat.toLowerCase(Locale.ROOT);
        if (!fmt.equals("pcm16") && !fmt.equals("float32")) {
            throw new IllegalArgumentException("--sample-format must be pcm16 or float32, but is: " + sampleFormat);
        }
        return fmt.equals("float32");
    }

    /** Refuses float32 for a non-WAV {@code target}. */
    void check(Path target, boolean wav) {
        if (float32() && !wav) {
            throw new IllegalArgumentException("--sample-format float32 needs a .wav output, but is: " + target);
        }
    }
}
