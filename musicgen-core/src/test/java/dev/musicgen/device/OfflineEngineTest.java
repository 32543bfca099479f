package dev.musicgen.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.testing.Slow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine must start with no network and nothing cached: natives come from the pytorch-native-cpu jar.
 * A fresh JVM is needed because an engine, once loaded, stays loaded for the life of the process.
 */
class OfflineEngineTest {

    @Slow
    @Test
    void should_start_pytorch_from_empty_engine_cache_in_offline_mode(@TempDir Path tmp)
            throws IOException, InterruptedException {
        Path engineCache = Files.createDirectories(tmp.resolve("engine-cache"));
        Path log = tmp.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                OfflineEngineMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("ENGINE_CACHE_DIR", engineCache.toString());
        env.remove("DJL_CACHE_DIR");
        env.remove("PYTORCH_LIBRARY_PATH");
        env.remove("PYTORCH_VERSION");
        env.remove("PYTORCH_FLAVOR");

        Process p = pb.start();
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);

        assertThat(exited)
                .as("child JVM finished within 120 s; output:%n%s", output)
                .isTrue();
        assertThat(p.exitValue()).as("exit code; output:%n%s", output).isZero();
        assertThat(output).contains("OK engine=PyTorch version=2.7.1 sum=10.0");
        try (Stream<Path> s = Files.walk(engineCache.resolve("pytorch"))) {
            assertThat(s.map(f -> f.getFileName().toString()))
                    .as("natives extracted into the empty cache")
                    .anyMatch(n -> n.startsWith("libtorch") || n.endsWith(".dll") || n.endsWith(".dylib"));
        }
    }
}
