package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = MusicGenCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void inspects_every_fixture_checkpoint() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Fixtures.root())) {
            files = s.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".safetensors")
                                || n.equals("state_dict.bin")
                                || n.equals("compression_state_dict.bin")
                                || n.endsWith(".th") && !n.startsWith("7e57de30")
                                || n.equals("pytorch_model.bin");
                    })
                    .collect(Collectors.toList());
        }
        for (Path f : files) {
            Result r = run("inspect", f.toString());
            assertThat(r.code()).as(f + ": " + r.err()).isZero();
            assertThat(r.out()).contains(f.toString());
        }
        Result lm = run(
                "inspect",
                Fixtures.path("models", "musicgen_mono", "state_dict.bin").toString());
        assertThat(lm.out()).contains("lm: dim=64").contains("emb.0.weight").contains("F32   [65, 64]");
        Result mbd = run(
                "inspect",
                Fixtures.path("mbd", "model", "mbd_musicgen_32khz.th").toString());
        assertThat(mbd.out()).contains("multiband diffusion: n_bands=4");
        Result dir = run("inspect", Fixtures.path("musicgen_hf", "model").toString());
        assertThat(dir.code()).isZero();
        assertThat(dir.out()).contains("HF config");
    }

    @Test
    void errors_are_one_line_with_exit_codes() {
        Result missing = run("inspect", "/no/such/file.bin");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("does not exist").doesNotContain("Exception");
        Result corrupt = run("inspect", Fixtures.path("README.md").toString());
        assertThat(corrupt.code()).isEqualTo(1);
        assertThat(corrupt.err()).contains("not a zip archive").doesNotContain("\tat ");
        assertThat(run("--help").out()).contains("inspect");
    }

    @Test
    void tensor_names_cannot_drive_the_terminal(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Path f = tmp.resolve("escape.safetensors");
        dev.musicgen.internal.weights.SafeTensorsWriter.write(
                f,
                java.util.Map.of(
                        "w\u001b[2J\u001b]0;pwned\u0007",
                        dev.musicgen.internal.weights.TensorData.ofFloats("w", new long[] {1}, new float[] {1f})));
        Result r = run("inspect", f.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\u001b", "\u0007").contains("w\\u001b[2J");
    }
}
