package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.FixtureModels;
import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.MusicGenerator;
import dev.musicgen.audio.AudioReader;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code musicgen generate}: the spec's option names and their aliases, --sample-format, the shared Hub options. */
class GenerateOptionsTest {
    @TempDir
    Path tmp;

    static String[] tiny(Path out, String... more) {
        String[] base = {
            "generate",
            "--model",
            Fixtures.path("models", "musicgen_mono").toString(),
            "--local-repo",
            "tiny/t5-a=" + Fixtures.path("models", "t5"),
            "--device",
            "cpu",
            "--no-progress",
            "--prompt",
            "lo-fi hip hop beat",
            "--duration",
            "1",
            "--seed",
            "42",
            "--output",
            out.toString()
        };
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void the_spec_names_and_the_old_ones_are_the_same_option() {
        String[][] pairs = {
            {"--classifier-free-guidance", "--cfg", "-2", "classifierFreeGuidance must be >= 0, but is: -2.0"},
            {"--normalization-strategy", "--normalization", "loudest", "normalizationStrategy must be one of"},
            {"--output-format", "--format", "flac", "outputFormat must be one of wav, mp3, but is: flac"},
        };
        for (String[] p : pairs) {
            for (String name : new String[] {p[0], p[1]}) {
                InspectCommandTest.Result r = InspectCommandTest.run("generate", "-p", "x", name, p[2]);
                assertThat(r.code()).as(name).isEqualTo(2);
                assertThat(r.err()).as(name).contains(p[3]).doesNotContain("Exception");
            }
        }
        InspectCommandTest.Result help = InspectCommandTest.run("generate", "--help");
        // picocli lists the names of one option shortest first
        assertThat(help.out())
                .contains(
                        "--cfg, --classifier-free-guidance",
                        "--normalization, --normalization-strategy",
                        "--format, --output-format",
                        "--sample-format",
                        "--cache-dir",
                        "--local-repo",
                        "--offline");
    }

    @Test
    void float32_writes_the_raw_decoder_output() throws Exception {
        Path out = tmp.resolve("raw.wav");
        InspectCommandTest.Result r = InspectCommandTest.run(tiny(
                out,
                "--sample-format",
                "float32",
                "--offline",
                "--cache-dir",
                tmp.resolve("cache").toString(),
                "--classifier-free-guidance",
                "3",
                "--normalization-strategy",
                "peak",
                "--output-format",
                "wav"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("seed 42", "wrote " + out);
        byte[] wav = Files.readAllBytes(out);
        assertThat(wav[20] | wav[21] << 8).as("WAVE format tag: IEEE float").isEqualTo(3);
        GeneratedAudio api;
        try (MusicGenerator gen =
                FixtureModels.builder("musicgen_mono", tmp.resolve("cache")).build()) {
            api = gen.generate(GenerationRequest.builder()
                    .prompt("lo-fi hip hop beat")
                    .duration(1)
                    .seed(42)
                    .build());
        }
        assertThat(AudioReader.read(out).samples()).as("not normalized").isDeepEqualTo(api.samples());
    }

    @Test
    void float32_needs_wav_and_only_two_formats_exist() {
        InspectCommandTest.Result mp3 =
                InspectCommandTest.run(tiny(tmp.resolve("x.mp3"), "--sample-format", "float32"));
        assertThat(mp3.code()).isEqualTo(2);
        assertThat(mp3.err()).contains("--sample-format float32 needs a .wav output, but is: " + tmp.resolve("x.mp3"));
        InspectCommandTest.Result bad =
                InspectCommandTest.run(tiny(tmp.resolve("x.wav"), "--sample-format", "float64"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--sample-format must be pcm16 or float32, but is: float64");
        assertThat(tmp.resolve("x.wav")).doesNotExist();
    }

    @Test
    void offline_is_left_to_the_environment_unless_asked_for() {
        GenerateCommand plain = new GenerateCommand();
        new CommandLine(plain).parseArgs("-p", "x");
        assertThat(plain.hub.settings().offline()).as("HF_HUB_OFFLINE decides").isNull();
        GenerateCommand offline = new GenerateCommand();
        new CommandLine(offline).parseArgs("-p", "x", "--offline", "--cache-dir", "/tmp/hub");
        assertThat(offline.hub.settings().offline()).isTrue();
        assertThat(offline.hub.settings().cacheDir()).isEqualTo(Path.of("/tmp/hub"));
    }
}
