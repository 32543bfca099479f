package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioReader;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI commands the README shows. */
class ReadmeCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void generate_help_lists_the_options() {
        InspectCommandTest.Result r = InspectCommandTest.run("generate", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains(
                        "Usage: musicgen generate",
                        "--prompt",
                        "--extend-stride",
                        "--local-repo",
                        "--offline",
                        "--help");
        assertThat(InspectCommandTest.run("help", "generate").code()).isZero();
        assertThat(InspectCommandTest.run("--help").code()).isZero();
    }

    @Test
    void offline_generation_with_the_tiny_test_models() throws Exception {
        Path out = tmp.resolve("tiny.wav");
        InspectCommandTest.Result r = InspectCommandTest.run(
                "generate",
                "--model",
                Fixtures.path("models", "musicgen_mono").toString(),
                "--local-repo",
                "tiny/t5-a=" + Fixtures.path("models", "t5"),
                "--offline",
                "--prompt",
                "lo-fi hip hop beat",
                "--duration",
                "1",
                "--seed",
                "42",
                "--no-progress",
                "--output",
                out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("seed 42", "wrote " + out);
        Audio audio = AudioReader.read(out);
        assertThat(audio.sampleRate()).isEqualTo(32000);
        assertThat(audio.channels()).isEqualTo(1);
        assertThat(audio.frames()).isEqualTo(32000);
    }
}
