package dev.musicgen.internal.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** How many times this process maps a file, read from Linux's {@code /proc/self/maps}. */
final class ProcMaps {
    private ProcMaps() {}

    /** Skips the calling test where there is no {@code /proc/self/maps} (not Linux). */
    static void assumeAvailable() {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/maps")), "needs Linux /proc");
    }

    static long mappingsOf(Path file) throws IOException {
        String name = file.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.endsWith(name))
                .count();
    }
}
