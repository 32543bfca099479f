package dev.musicgen.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.device.DeviceSelector;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Starting the engine: what a user sees when packaging dropped it. */
class EnginesTest {
    /** Run in a child JVM whose class path lacks pytorch-engine, as a jar-with-dependencies build leaves it. */
    public static void main(String[] args) {
        try {
            DeviceSelector.cpu().select();
            System.out.println("no error");
        } catch (RuntimeException e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
    }

    @Test
    void a_missing_engine_says_what_happened_and_how_to_package() throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("pytorch-engine"))
                .collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        cp,
                        EnginesTest.class.getName())
                .redirectErrorStream(false)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out)
                .contains(
                        "dev.musicgen.MusicGenException",
                        "PyTorch engine",
                        "jar-with-dependencies",
                        "ServicesResourceTransformer");
    }
}
