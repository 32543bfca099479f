package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.testing.FakeHub;
import dev.musicgen.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code musicgen download} against a loopback Hub (and a loopback stand-in for Meta's demucs server) whose first
 * transfer of every file breaks halfway: one call fetches everything a melody model needs, resuming each file, with
 * progress as plain lines on a non-terminal stderr; afterwards offline mode finds it all in the caches.
 */
class DownloadCommandTest {
    private static final String REPO = "tiny/musicgen-melody";
    private static final String DEMUCS = "7e57de30-6015d918.th";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private Map<String, String> env;

    private record Result(int code, String out, String err) {}

    @BeforeEach
    void startHub() throws IOException {
        Path melody = Fixtures.path("models", "musicgen_melody");
        Path t5 = Fixtures.path("models", "t5");
        hub = new FakeHub()
                .addFile(REPO, "state_dict.bin", Files.readAllBytes(melody.resolve("state_dict.bin")), true)
                .addFile(
                        REPO,
                        "compression_state_dict.bin",
                        Files.readAllBytes(melody.resolve("compression_state_dict.bin")),
                        true)
                .addFile("tiny/t5-a", "config.json", Files.readAllBytes(t5.resolve("config.json")), false)
                .addFile("tiny/t5-a", "tokenizer.json", Files.readAllBytes(t5.resolve("tokenizer.json")), false)
                .addFile("tiny/t5-a", "model.safetensors", Files.readAllBytes(t5.resolve("model.safetensors")), true)
                .addRaw(DEMUCS, Files.readAllBytes(Fixtures.path("demucs", "model", DEMUCS)));
        env = new HashMap<>(Map.of(
                "HF_ENDPOINT",
                hub.endpoint(),
                "HF_HOME",
                tmp.resolve("hf").toString(),
                "MUSICGEN_DEMUCS_URL",
                hub.rawBase() + "/" + DEMUCS,
                "TORCH_HOME",
                tmp.resolve("torch").toString()));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private Result download(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new DownloadCommand(environment));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            return 1;
        });
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void one_call_fetches_everything_a_melody_model_needs_although_every_first_transfer_breaks() throws IOException {
        hub.mode(FakeHub.Mode.BREAK_FIRST);

        Result r = download(env, "--model", REPO);

        assertThat(r.code()).as(r.err()).isZero();
        List<Path> paths = r.out().lines().map(Path::of).toList();
        assertThat(paths).hasSize(6);
        Path demucs = tmp.resolve("hf")
                .resolve("assets")
                .resolve("musicgen")
                .resolve("default")
                .resolve("demucs")
                .resolve(DEMUCS);
        assertThat(paths.get(5)).isEqualTo(demucs.toAbsolutePath());
        assertThat(Files.readAllBytes(demucs)).isEqualTo(Files.readAllBytes(Fixtures.path("demucs", "model", DEMUCS)));
        assertThat(Files.readAllBytes(paths.get(0)))
                .isEqualTo(Files.readAllBytes(Fixtures.path("models", "musicgen_melody", "state_dict.bin")));
        assertThat(Files.readAllBytes(paths.get(4)))
                .isEqualTo(Files.readAllBytes(Fixtures.path("models", "t5", "model.safetensors")));
        for (String file : List.of(
                "state_dict.bin",
                "compression_state_dict.bin",
                "config.json",
                "tokenizer.json",
                "model.safetensors",
                DEMUCS)) {
            assertThat(r.err())
                    .contains("retrying")
                    .containsPattern("downloading \\S+/" + file.replace(".", "\\.") + ": .*\\(100%\\)");
        }
        assertThat(r.err()).doesNotContain("\r").doesNotContain("\u001b");

        int before = hub.requests.size();
        Map<String, String> offline = new HashMap<>(env);
        offline.put("HF_HUB_OFFLINE", "1");
        Result again = download(offline, "--model", REPO);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out().lines().map(Path::of).toList()).isEqualTo(paths);
        assertThat(hub.requests).hasSize(before);
    }

    @Test
    void offline_without_the_demucs_checkpoint_says_how_to_get_it() {
        assertThat(download(env, "--model", REPO).code()).isZero();
        Path demucs = tmp.resolve("hf")
                .resolve("assets")
                .resolve("musicgen")
                .resolve("default")
                .resolve("demucs")
                .resolve(DEMUCS);
        assertThat(demucs.toFile().delete()).isTrue();
        Map<String, String> offline = new HashMap<>(env);
        offline.put("HF_HUB_OFFLINE", "1");
        int before = hub.requests.size();

        Result r = download(offline, "--model", REPO);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Offline mode is on (HF_HUB_OFFLINE=1)", DEMUCS, "musicgen download --model");
        assertThat(hub.requests).hasSize(before);
    }

    @Test
    void progress_on_a_terminal_redraws_one_line_and_plain_lines_elsewhere() {
        StringWriter plain = new StringWriter();
        DownloadCommand.Progress p = new DownloadCommand.Progress(new PrintWriter(plain), false);
        p.onProgress("a/b", "f.bin", 0, 2_000_000);
        p.onProgress("a/b", "f.bin", 1_000_000, 2_000_000); // within 10 s of the last line: not printed
        p.onProgress("a/b", "f.bin", 2_000_000, 2_000_000);
        assertThat(plain.toString().lines())
                .containsExactly(
                        "downloading a/b/f.bin: 0 B of 2.0 MB (0%)", "downloading a/b/f.bin: 2.0 MB of 2.0 MB (100%)");

        StringWriter term = new StringWriter();
        DownloadCommand.Progress t = new DownloadCommand.Progress(new PrintWriter(term), true);
        t.onProgress("a/b", "f.bin", 0, 2_000_000);
        t.onProgress("a/b", "f.bin", 2_000_000, 2_000_000);
        t.onDone("a/b", "f.bin", Path.of("f.bin"));
        assertThat(term.toString())
                .startsWith("\rdownloading a/b/f.bin: 0 B")
                .contains("\rdownloading a/b/f.bin: 2.0 MB")
                .endsWith(System.lineSeparator());
        assertThat(DownloadCommand.stderrIsTerminal(Map.of("TERM", "dumb"))).isFalse();
    }
}
