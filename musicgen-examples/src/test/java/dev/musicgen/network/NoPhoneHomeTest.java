package dev.musicgen.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.testing.Fixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An offline run opens no connection beyond loopback: DJL's usage tracking (which asks 169.254.169.254 when the
 * engine starts and when a tokenizer is made) is switched off before the engine loads, unless the user turns it back
 * on with {@code OPT_OUT_TRACKING=false}. Each case runs in a fresh JVM, because the engine starts once per process;
 * {@link ConnectionTraceMain} records (and refuses) every connection the child tries.
 */
class NoPhoneHomeTest {
    @TempDir
    Path tmp;

    private record Run(int exit, List<String> connections, String output) {}

    private Run trace(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                ConnectionTraceMain.class.getName(),
                Integer.toString(closed)));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve("child-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("OPT_OUT_TRACKING");
        pb.environment().remove("DJL_OFFLINE");
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        boolean exited = p.waitFor(180, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited)
                .as("child JVM finished within 180 s; output:%n%s", output)
                .isTrue();
        assertThat(p.exitValue()).as("child exit code; output:%n%s", output).isZero();
        List<String> connections = output.lines()
                .filter(l -> l.startsWith("CONNECT "))
                .map(l -> l.substring(8))
                .toList();
        int exit = output.lines()
                .filter(l -> l.startsWith("EXIT "))
                .map(l -> Integer.parseInt(l.substring(5)))
                .findFirst()
                .orElse(-1);
        return new Run(exit, connections, output);
    }

    @Test
    void an_offline_generation_opens_no_connection_beyond_loopback() throws Exception {
        Path out = tmp.resolve("tiny.wav");
        Run r = trace(
                Map.of(),
                "cli",
                "generate",
                "--model",
                Fixtures.path("models", "musicgen_mono").toString(),
                "--local-repo",
                "tiny/t5-a=" + Fixtures.path("models", "t5"),
                "--offline",
                "--prompt",
                "lo-fi",
                "--duration",
                "1",
                "--seed",
                "1",
                "--no-progress",
                "--output",
                out.toString());

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(out).exists();
        assertThat(r.connections()).as(r.output()).isEmpty();
        assertThat(r.output()).contains("TRACKING_OFF true");
    }

    @Test
    void opt_out_tracking_false_turns_djl_tracking_back_on_and_the_trace_sees_it() throws Exception {
        Run r = trace(
                Map.of("OPT_OUT_TRACKING", "false"),
                "engine",
                Fixtures.path("models", "t5", "tokenizer.json").toString());

        assertThat(r.output()).contains("TRACKING_OFF false");
        assertThat(r.connections()).as(r.output()).anyMatch(u -> u.contains("169.254.169.254"));
    }
}
