package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees from a whole CLI process: run in a child JVM so that logging starts as it does for them. */
class CliOutputTest {
    @TempDir
    Path tmp;

    /** Runs {@code musicgen args...} in a fresh JVM with this test's class path; returns its exit code and output. */
    static InspectCommandTest.Result runProcess(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                MusicGenCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("musicgen " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new InspectCommandTest.Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** {@code musicgen generate} of 1 s with the tiny mono model, offline, writing {@code output}, plus {@code extra}. */
    private InspectCommandTest.Result generateTiny(Path output, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "generate",
                "--model",
                Fixtures.path("models", "musicgen_mono").toString(),
                "--local-repo",
                "tiny/t5-a=" + Fixtures.path("models", "t5"),
                "--offline",
                "--prompt",
                "beat",
                "--duration",
                "1",
                "--seed",
                "1",
                "--output",
                output.toString()));
        args.addAll(List.of(extra));
        return runProcess(tmp, args.toArray(String[]::new));
    }

    @Test
    void a_cpu_run_logs_no_cuda_warnings_and_no_engine_info_lines() throws Exception {
        InspectCommandTest.Result r = generateTiny(tmp.resolve("tiny.wav"), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("CudaUtils", "PtEngine", "ai.djl.util.Platform");
        assertThat(r.out()).contains("seed 1").doesNotContain("INFO", "WARN");
    }

    @Test
    void progress_into_a_log_is_plain_lines_without_escape_codes() throws Exception {
        InspectCommandTest.Result r = generateTiny(tmp.resolve("p.wav"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err())
                .doesNotContain("\r", "\u001b")
                .contains("conditioning 1/1", "generating ", "decoding 1/1", "post-processing 1/1");
    }
}
