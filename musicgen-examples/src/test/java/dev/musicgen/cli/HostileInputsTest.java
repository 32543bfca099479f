package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.internal.weights.SafeTensorsWriter;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs through the command line, one class of attack per test: each ends with its exit code and one clear
 * line naming the input and the problem, no stack trace, no partial output file, nothing executed, within a time
 * bound. (The API-level rows are in {@code BadInputsTest}; the parsers' own cases beside each parser.)
 */
@Timeout(120)
class HostileInputsTest {
    @TempDir
    Path tmp;

    private static final String MODEL = Fixtures.path("models", "musicgen_mono").toString();
    private static final String T5 = "tiny/t5-a=" + Fixtures.path("models", "t5");

    /** Runs the CLI and checks what every refusal shares; returns stderr's one line. */
    private String refused(int exitCode, String... args) throws IOException {
        InspectCommandTest.Result r = InspectCommandTest.run(args);
        assertThat(r.code()).as(r.err()).isEqualTo(exitCode);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(r.err()).hasSize(1);
        assertThat(lines.get(0)).startsWith("error: ").doesNotContain("\tat ", "Exception in thread");
        try (Stream<Path> s = Files.walk(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".part"))
                            .toList())
                    .isEmpty();
        }
        return lines.get(0);
    }

    private String[] generate(String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "generate",
                "--model",
                MODEL,
                "--local-repo",
                T5,
                "--offline",
                "--no-progress",
                "--duration",
                "0.5",
                "--seed",
                "1"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void a_checkpoint_that_would_run_code_runs_nothing() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("evil-model"));
        Path marker = tmp.resolve("pwned");
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.writeBytes(new byte[] {(byte) 0x80, 2});
        pickle.writeBytes(("cos\nsystem\n(X").getBytes(StandardCharsets.US_ASCII));
        byte[] cmd = ("touch " + marker).getBytes(StandardCharsets.US_ASCII);
        pickle.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(cmd.length)
                .array());
        pickle.writeBytes(cmd);
        pickle.writeBytes("tR.".getBytes(StandardCharsets.US_ASCII));
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(dir.resolve("state_dict.bin")))) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pickle.toByteArray());
            z.putNextEntry(new ZipEntry("archive/byteorder"));
            z.write("little".getBytes(StandardCharsets.US_ASCII));
        }
        Files.copy(Path.of(MODEL, "compression_state_dict.bin"), dir.resolve("compression_state_dict.bin"));
        Path out = tmp.resolve("out.wav");
        String line = refused(
                1,
                "generate",
                "--model",
                dir.toString(),
                "--offline",
                "--no-progress",
                "-p",
                "x",
                "-d",
                "0.5",
                "-o",
                out.toString());
        assertThat(line).contains("state_dict.bin", "os.system", "allow-list");
        assertThat(marker).doesNotExist();
        assertThat(out).doesNotExist();
    }

    @Test
    void a_crafted_tokenizer_is_refused_before_the_native_library_sees_it() throws IOException {
        Path t5 = Files.createDirectories(tmp.resolve("t5"));
        try (Stream<Path> s = Files.list(Fixtures.path("models", "t5"))) {
            for (Path p : s.toList()) {
                Files.copy(p, t5.resolve(p.getFileName()));
            }
        }
        String json = Files.readString(t5.resolve("tokenizer.json"))
                .replace("\"unk_id\": 2", "\"unk_id\": 99999")
                .replace("\"unk_id\":2", "\"unk_id\":99999");
        Files.writeString(t5.resolve("tokenizer.json"), json);
        Path out = tmp.resolve("out.wav");
        String line = refused(
                2,
                "generate",
                "--model",
                MODEL,
                "--local-repo",
                "tiny/t5-a=" + t5,
                "--offline",
                "--no-progress",
                "-p",
                "x",
                "-d",
                "0.5",
                "-o",
                out.toString());
        assertThat(line).contains("tokenizer.json", "unk_id 99999");
        assertThat(out).doesNotExist();
    }

    @Test
    void inputs_that_never_end_or_claim_too_much_fail_fast() throws IOException {
        Path out = tmp.resolve("codes.safetensors");
        // a device is refused from its type, never read
        assertThat(refused(
                        2,
                        "encode",
                        "--model",
                        MODEL,
                        "--offline",
                        "--input-audio",
                        "/dev/zero",
                        "--output",
                        out.toString()))
                .contains("/dev/zero", "not a file");
        // a sample rate no recording has
        Path slow = tmp.resolve("slow.wav");
        byte[] wav = AudioFiles.encode(
                new Audio(new float[1][100], 16000), AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS);
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 1);
        Files.write(slow, wav);
        assertThat(refused(
                        2,
                        "encode",
                        "--model",
                        MODEL,
                        "--offline",
                        "--input-audio",
                        slow.toString(),
                        "--output",
                        out.toString()))
                .contains("slow.wav", "1 Hz");
        assertThat(out).doesNotExist();
        // a tokens file claiming hours of frames
        Path tokens = tmp.resolve("long.safetensors");
        SafeTensorsWriter.write(
                tokens, Map.of("tokens", TensorData.ofLongs("tokens", new long[] {1, 4, 100_000}, new long[400_000])));
        Path decoded = tmp.resolve("decoded.wav");
        assertThat(refused(
                        2,
                        "decode",
                        "--model",
                        MODEL,
                        "--offline",
                        "--tokens",
                        tokens.toString(),
                        "--output",
                        decoded.toString()))
                .contains("at most");
        assertThat(decoded).doesNotExist();
        // a prompt of 125 KB
        assertThat(refused(
                        2,
                        generate(
                                "-p",
                                "a".repeat(125_000),
                                "-o",
                                tmp.resolve("p.wav").toString())))
                .contains("prompt", "at most 10000");
    }

    @Test
    void the_same_corrupt_audio_gives_the_same_exit_code_under_every_command() throws IOException {
        Path bad = tmp.resolve("corrupt.wav");
        Files.write(bad, "RIFF\u0010\u0000\u0000\u0000WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1));
        String enc = refused(
                2,
                "encode",
                "--model",
                MODEL,
                "--offline",
                "--input-audio",
                bad.toString(),
                "--output",
                tmp.resolve("c.safetensors").toString());
        String gen = refused(
                2,
                generate(
                        "-p",
                        "x",
                        "--input-audio",
                        bad.toString(),
                        "--continuation",
                        "-o",
                        tmp.resolve("g.wav").toString()));
        assertThat(enc).contains("corrupt.wav");
        assertThat(gen).contains("corrupt.wav");
    }

    @Test
    void outputs_never_replace_special_files_nor_disagree_with_their_extension() throws IOException {
        InspectCommandTest.Result r = InspectCommandTest.run(generate("-p", "x", "-o", "/dev/null"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.isRegularFile(Path.of("/dev/null"))).isFalse();
        Path mp3 = tmp.resolve("x.mp3");
        assertThat(refused(2, generate("-p", "x", "--output-format", "wav", "-o", mp3.toString())))
                .contains("x.mp3", "output format is wav");
        assertThat(mp3).doesNotExist();
    }
}
