package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.sun.net.httpserver.HttpServer;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.cli.MusicGenCli;
import dev.musicgen.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad inputs through the API and the {@code musicgen generate} CLI, one row each: the error names the parameter and
 * the value, the CLI prints one line (no stack trace) and exits 2 for a usage error, 1 for a runtime failure, and no
 * output file (nor a temporary one) is left behind. Silent input audio is valid and generates.
 */
class BadInputsTest {
    /** The download limit the loopback server's oversize answers exceed (instead of 200 MiB). */
    static final long LIMIT = 4096;

    @TempDir
    static Path tmp;

    static Path in; // input files, good and bad
    static Path out; // every output goes here; it must hold nothing new after each row
    static MusicGenerator mono;
    static MusicGenerator longModel;
    static GeneratedAudio generated;
    static HttpServer server;
    static String http; // http://127.0.0.1:<port>
    static int closedPort;

    @BeforeAll
    static void setUp() throws IOException {
        System.setProperty(InputAudioLoader.MAX_BYTES_PROPERTY, Long.toString(LIMIT));
        in = Files.createDirectories(tmp.resolve("in"));
        out = Files.createDirectories(tmp.resolve("out"));
        Files.createDirectories(out.resolve("adir"));
        Files.createDirectories(out.resolve("readonly"));
        Files.setPosixFilePermissions(out.resolve("readonly"), PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.writeString(out.resolve("afile"), "not a directory");

        byte[] wav = AudioFiles.encode(sine(32000, 32000), AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS);
        Files.write(in.resolve("ok.wav"), wav); // 1.0 s mono
        Files.write(
                in.resolve("silent.wav"),
                AudioFiles.encode(
                        new Audio(new float[1][32000], 32000),
                        AudioFiles.Format.WAV,
                        AudioFiles.WriteOptions.DEFAULTS));
        Files.write(in.resolve("empty.wav"), new byte[0]);
        Files.write(
                in.resolve("no-samples.wav"),
                AudioFiles.encode(
                        new Audio(new float[1][0], 32000), AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS));
        byte[] corruptWav = wav.clone();
        Arrays.fill(corruptWav, 12, 44, (byte) 0x7f); // "fmt " and "data" headers gone
        Files.write(in.resolve("corrupt.wav"), corruptWav);
        Files.write(in.resolve("truncated.wav"), Arrays.copyOf(wav, 30));
        byte[] mp3 = resource("sine440_lame.mp3");
        byte[] corruptMp3 = new byte[600];
        System.arraycopy(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 10}, 0, corruptMp3, 0, 10);
        Arrays.fill(corruptMp3, 20, 600, (byte) 0x55); // an ID3 tag, then no MPEG frame
        Files.write(in.resolve("corrupt.mp3"), corruptMp3);
        Files.write(in.resolve("truncated.mp3"), Arrays.copyOf(mp3, 100)); // not one whole frame
        byte[] flac = resource("s16.flac");
        Files.write(in.resolve("truncated.flac"), Arrays.copyOf(flac, flac.length - 500));
        byte[] corruptFlac = flac.clone();
        for (int i = corruptFlac.length - 300; i < corruptFlac.length - 236; i++) {
            corruptFlac[i] ^= 0x5A; // inside the last frame
        }
        Files.write(in.resolve("corrupt.flac"), corruptFlac);
        byte[] ogg = new byte[256];
        System.arraycopy("OggS".getBytes(StandardCharsets.US_ASCII), 0, ogg, 0, 4);
        System.arraycopy("\u0001vorbis".getBytes(StandardCharsets.ISO_8859_1), 0, ogg, 28, 7);
        Files.write(in.resolve("clip.ogg"), ogg);
        Files.writeString(in.resolve("notes.txt"), "these are not the samples you are looking for\n");
        Files.createDirectories(in.resolve("a-directory.wav"));
        Files.write(in.resolve("locked.wav"), wav);
        Files.setPosixFilePermissions(in.resolve("locked.wav"), PosixFilePermissions.fromString("---------"));
        Files.createDirectories(in.resolve("empty-model"));
        Path corruptModel = Files.createDirectories(in.resolve("corrupt-model"));
        Files.writeString(corruptModel.resolve("state_dict.bin"), "not a checkpoint");
        Files.writeString(corruptModel.resolve("compression_state_dict.bin"), "not a checkpoint");

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] big = Arrays.copyOf(wav, (int) LIMIT * 3);
        server.createContext(
                "/declared.wav",
                ex -> { // Content-Length over the limit
                    ex.sendResponseHeaders(200, big.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(big);
                    } catch (IOException ignored) {
                        // the client hangs up once it has read the header
                    }
                });
        server.createContext(
                "/chunked.wav",
                ex -> { // no length, more than the limit
                    ex.sendResponseHeaders(200, 0);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(big);
                    } catch (IOException ignored) {
                        // the client stops reading at the limit
                    }
                });
        server.createContext("/missing.wav", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.createContext("/broken.wav", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        server.createContext("/page.html", ex -> {
            byte[] page = "<html><body>not audio</body></html>".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, page.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(page);
            }
        });
        server.start();
        http = "http://127.0.0.1:" + server.getAddress().getPort();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        mono = FixtureModels.builder("musicgen_mono", tmp.resolve("cache")).build();
        longModel = FixtureModels.builder("musicgen_long", tmp.resolve("cache")).build();
        generated = mono.generate(req().build());
    }

    @AfterAll
    static void tearDown() {
        System.clearProperty(InputAudioLoader.MAX_BYTES_PROPERTY);
        if (server != null) {
            server.stop(0);
        }
        if (mono != null) {
            mono.close();
        }
        if (longModel != null) {
            longModel.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ the table

    /** One row: a call that must fail, and how. */
    interface Check {
        void verify() throws Exception;
    }

    static Stream<Arguments> cases() {
        List<Arguments> t = new ArrayList<>();
        // --- GenerationRequest.build(): missing inputs, every out-of-range number
        t.add(api("no prompt, no audio", () -> req().prompt(null).build(), IAE, "prompt or inputAudio"));
        t.add(api("empty prompt, no audio", () -> req().prompt("").build(), IAE, "prompt or inputAudio"));
        t.add(api("blank prompt, no audio", () -> req().prompt(" \t").build(), IAE, "prompt or inputAudio"));
        t.add(api(
                "prompt of 125 KB",
                () -> req().prompt("a".repeat(125_000)).build(),
                IAE,
                "prompt",
                "at most 10000",
                "125000"));
        t.add(api("duration 0", () -> req().duration(0).build(), IAE, "duration", "0.0"));
        t.add(api("duration -1", () -> req().duration(-1).build(), IAE, "duration", "-1.0"));
        t.add(api("duration NaN", () -> req().duration(Double.NaN).build(), IAE, "duration", "NaN"));
        t.add(api(
                "duration Infinity",
                () -> req().duration(Double.POSITIVE_INFINITY).build(),
                IAE,
                "duration",
                "Infinity"));
        t.add(api("duration over an hour", () -> req().duration(3601).build(), IAE, "duration", "3601.0"));
        t.add(api("topP -0.1", () -> req().topP(-0.1).build(), IAE, "topP", "-0.1"));
        t.add(api("topP 1.5", () -> req().topP(1.5).build(), IAE, "topP", "1.5"));
        t.add(api("topP NaN", () -> req().topP(Double.NaN).build(), IAE, "topP", "NaN"));
        t.add(api("topK -1", () -> req().topK(-1).build(), IAE, "topK", "-1"));
        t.add(api("temperature -0.5", () -> req().temperature(-0.5).build(), IAE, "temperature", "-0.5"));
        t.add(api("temperature NaN", () -> req().temperature(Double.NaN).build(), IAE, "temperature", "NaN"));
        t.add(api(
                "temperature Infinity",
                () -> req().temperature(Double.POSITIVE_INFINITY).build(),
                IAE,
                "temperature",
                "Infinity"));
        t.add(api("cfg -1", () -> req().classifierFreeGuidance(-1).build(), IAE, "classifierFreeGuidance", "-1.0"));
        t.add(api(
                "cfg -Infinity",
                () -> req().classifierFreeGuidance(Double.NEGATIVE_INFINITY).build(),
                IAE,
                "classifierFreeGuidance",
                "-Infinity"));
        t.add(api(
                "continuationStart -1",
                () -> withAudio().continuationStart(-1).build(),
                IAE,
                "continuationStart",
                "-1.0"));
        t.add(api(
                "continuationStart NaN",
                () -> withAudio().continuationStart(Double.NaN).build(),
                IAE,
                "continuationStart",
                "NaN"));
        t.add(api(
                "continuationEnd -0.5",
                () -> withAudio().continuationEnd(-0.5).build(),
                IAE,
                "continuationEnd",
                "-0.5"));
        t.add(api(
                "continuationEnd Infinity",
                () -> withAudio().continuationEnd(Double.POSITIVE_INFINITY).build(),
                IAE,
                "continuationEnd",
                "Infinity"));
        t.add(api(
                "start > end",
                () -> withAudio().continuationStart(0.8).continuationEnd(0.2).build(),
                IAE,
                "continuationStart",
                "continuationEnd",
                "0.8",
                "0.2"));
        t.add(api(
                "continuation without audio",
                () -> req().continuation(true).build(),
                IAE,
                "continuation",
                "inputAudio"));
        t.add(api("extendStride 0", () -> req().extendStride(0).build(), IAE, "extendStride", "0.0"));
        t.add(api("extendStride NaN", () -> req().extendStride(Double.NaN).build(), IAE, "extendStride", "NaN"));
        t.add(api(
                "loudness with duration under 0.4 s",
                () -> req().duration(0.2)
                        .normalizationStrategy(NormalizationStrategy.LOUDNESS)
                        .build(),
                IAE,
                "duration",
                "0.2",
                "loudness"));
        t.add(api("seed -5", () -> req().seed(-5L).build(), IAE, "seed", "-5"));
        t.add(api(
                "normalization null",
                () -> req().normalizationStrategy(null).build(),
                IAE,
                "normalizationStrategy",
                "null"));
        t.add(api("outputFormat null", () -> req().outputFormat(null).build(), IAE, "outputFormat", "null"));
        t.add(api(
                "unknown normalization name",
                () -> NormalizationStrategy.fromName("loudest"),
                IAE,
                "normalizationStrategy",
                "loudest",
                "loudness, clip, peak, rms"));
        t.add(api(
                "unknown output format name",
                () -> OutputFormat.fromName("ogg"),
                IAE,
                "outputFormat",
                "ogg",
                "wav, mp3"));
        // --- InputAudio construction
        t.add(api("inputAudio empty string", () -> InputAudio.parse(" "), IAE, "inputAudio", "empty"));
        t.add(api(
                "inputAudio ftp: URI",
                () -> InputAudio.of(URI.create("ftp://127.0.0.1/x.wav")),
                IAE,
                "inputAudio",
                "scheme",
                "ftp"));
        t.add(api("inputAudio no channels", () -> InputAudio.of(new float[0][], 32000), IAE, "inputAudio", "channel"));
        t.add(api("inputAudio zero frames", () -> InputAudio.of(new float[1][0], 32000), IAE, "inputAudio", "empty"));
        t.add(api("inputAudio sample rate 0", () -> InputAudio.of(new float[1][10], 0), IAE, "sampleRate", "0"));
        t.add(api(
                "inputAudio NaN sample",
                () -> InputAudio.of(new float[][] {{0f, Float.NaN}}, 32000),
                IAE,
                "inputAudio",
                "finite",
                "frame 1",
                "NaN"));
        t.add(api(
                "inputAudio stream over the limit",
                () -> InputAudio.of(new java.io.ByteArrayInputStream(new byte[(int) LIMIT + 1])),
                IAE,
                "inputAudio",
                "limit",
                Long.toString(LIMIT)));
        // --- input audio read at generate(): files
        t.add(api("file missing", () -> gen(file("no-such.wav")), IAE, "inputAudio", "no-such.wav", "does not exist"));
        t.add(api(
                "file is a directory",
                () -> gen(file("a-directory.wav")),
                IAE,
                "inputAudio",
                "a-directory.wav",
                "directory"));
        t.add(apiAsUser(
                "file unreadable (chmod 000)",
                () -> gen(file("locked.wav")),
                IAE,
                "inputAudio",
                "locked.wav",
                "not readable"));
        t.add(api("file empty (0 bytes)", () -> gen(file("empty.wav")), IAE, "inputAudio", "empty.wav", "empty"));
        t.add(api(
                "WAV with no samples",
                () -> gen(file("no-samples.wav")),
                IAE,
                "inputAudio",
                "no-samples.wav",
                "empty"));
        t.add(api("corrupt WAV", () -> gen(file("corrupt.wav")), IAE, "inputAudio", "corrupt.wav", "WAV"));
        t.add(api("truncated WAV", () -> gen(file("truncated.wav")), IAE, "inputAudio", "truncated.wav", "truncated"));
        t.add(api("corrupt MP3", () -> gen(file("corrupt.mp3")), IAE, "inputAudio", "corrupt.mp3", "MP3"));
        t.add(api("truncated MP3", () -> gen(file("truncated.mp3")), IAE, "inputAudio", "truncated.mp3"));
        t.add(api("corrupt FLAC", () -> gen(file("corrupt.flac")), IAE, "inputAudio", "corrupt.flac", "corrupt FLAC"));
        t.add(api(
                "truncated FLAC",
                () -> gen(file("truncated.flac")),
                IAE,
                "inputAudio",
                "truncated.flac",
                "truncated FLAC"));
        t.add(api(
                "OGG header", () -> gen(file("clip.ogg")), IAE, "inputAudio", "clip.ogg", "unsupported", "Ogg Vorbis"));
        t.add(api("text file", () -> gen(file("notes.txt")), IAE, "inputAudio", "notes.txt", "unsupported"));
        t.add(api("empty bytes", () -> gen(InputAudio.of(new byte[0])), IAE, "inputAudio", "empty"));
        t.add(api(
                "data URI not base64",
                () -> gen(InputAudio.parse("data:audio/wav,RIFF")),
                IAE,
                "inputAudio",
                "base64"));
        // --- input audio read at generate(): URLs (loopback only)
        t.add(api(
                "unreachable URL",
                () -> gen(InputAudio.parse("http://127.0.0.1:" + closedPort + "/x.wav")),
                MusicGenException.class,
                "inputAudio",
                "127.0.0.1:" + closedPort,
                "connection refused"));
        t.add(api(
                "download declared over the limit",
                () -> gen(InputAudio.parse(http + "/declared.wav")),
                IAE,
                "inputAudio",
                "declared.wav",
                "limit of " + LIMIT));
        t.add(api(
                "download streamed over the limit",
                () -> gen(InputAudio.parse(http + "/chunked.wav")),
                IAE,
                "inputAudio",
                "chunked.wav",
                "limit of " + LIMIT));
        t.add(api(
                "download HTTP 404",
                () -> gen(InputAudio.parse(http + "/missing.wav")),
                IAE,
                "inputAudio",
                "missing.wav",
                "HTTP 404"));
        t.add(api(
                "download HTTP 503",
                () -> gen(InputAudio.parse(http + "/broken.wav")),
                MusicGenException.class,
                "inputAudio",
                "broken.wav",
                "HTTP 503"));
        t.add(api(
                "download is an HTML page",
                () -> gen(InputAudio.parse(http + "/page.html")),
                IAE,
                "inputAudio",
                "page.html",
                "unsupported",
                "HTML"));
        // --- rules that need the clip or the model
        t.add(api(
                "continuationEnd beyond the clip",
                () -> mono.generate(
                        withAudio().continuation(true).continuationEnd(1.5).build()),
                IAE,
                "continuationEnd",
                "1.5",
                "1.0 s"));
        t.add(api(
                "continuationStart at the end of the clip",
                () -> mono.generate(
                        withAudio().continuation(true).continuationStart(1.0).build()),
                IAE,
                "continuationStart",
                "1.0"));
        t.add(api(
                "continuationStart after the end of the clip",
                () -> mono.generate(
                        withAudio().continuation(true).continuationStart(3).build()),
                IAE,
                "continuationStart",
                "3.0"));
        t.add(api(
                "start == end: empty clip",
                () -> mono.generate(withAudio()
                        .continuation(true)
                        .continuationStart(0.5)
                        .continuationEnd(0.5)
                        .build()),
                IAE,
                "inputAudio",
                "empty",
                "0.5"));
        t.add(api(
                "melody on a non-melody model",
                () -> mono.generate(withAudio().build()),
                IAE,
                "melody",
                "inputAudio",
                "musicgen_mono"));
        t.add(api(
                "continuation prompt longer than the output",
                () -> mono.generate(withAudio().continuation(true).duration(0.5).build()),
                IAE,
                "continuation prompt",
                "duration",
                "0.5",
                "1.0 s"));
        t.add(api(
                "duration shorter than one frame",
                () -> mono.generate(req().duration(0.01).build()),
                IAE,
                "duration",
                "0.01"));
        t.add(api(
                "extendStride == max duration",
                () -> longModel.generate(req().duration(3).extendStride(2).build()),
                IAE,
                "extendStride",
                "2.0",
                "maximum duration (2.0 s)"));
        t.add(api(
                "extendStride > max duration",
                () -> longModel.generate(req().duration(3).extendStride(5).build()),
                IAE,
                "extendStride",
                "5.0"));
        t.add(api("generate(empty list)", () -> mono.generate(List.of()), IAE, "requests", "empty"));
        // --- models
        t.add(api(
                "unknown model version",
                () -> fixtureBuilder().model("tiny-huge").build(),
                IAE,
                "model",
                "tiny-huge",
                "stereo-melody-large"));
        t.add(api(
                "model directory missing",
                () -> fixtureBuilder().model(in.resolve("no-model")).build(),
                IAE,
                "model",
                "no-model",
                "does not exist"));
        t.add(api(
                "model directory empty",
                () -> fixtureBuilder().model(in.resolve("empty-model")).build(),
                IAE,
                "model",
                "empty-model",
                "state_dict.bin"));
        t.add(api(
                "model repo not cached offline",
                () -> fixtureBuilder().model("nobody/no-such-model").build(),
                MusicGenException.class,
                "nobody/no-such-model",
                "ffline"));
        t.add(api(
                "model checkpoint corrupt",
                () -> fixtureBuilder().model(in.resolve("corrupt-model")).build(),
                RuntimeException.class,
                "corrupt-model",
                "state_dict.bin"));
        // --- writing
        t.add(api(
                "write: output directory missing",
                () -> generated.writeTo(out.resolve("missing/x.wav")),
                UncheckedIOException.class,
                "missing",
                "does not exist"));
        t.add(api(
                "write: output parent is a file",
                () -> generated.writeTo(out.resolve("afile/x.wav")),
                UncheckedIOException.class,
                "afile",
                "not a directory"));
        t.add(api(
                "write: output path is a directory",
                () -> generated.writeTo(out.resolve("adir")),
                UncheckedIOException.class,
                "adir",
                "directory"));
        t.add(apiAsUser(
                "write: output directory read-only",
                () -> generated.writeTo(out.resolve("readonly/x.wav")),
                UncheckedIOException.class,
                "readonly",
                "not writable"));
        t.add(api(
                "write: format null",
                () -> generated.writeTo(out.resolve("x.wav"), null),
                IAE,
                "outputFormat",
                "null"));

        // --- the CLI: 2 for usage errors, 1 for runtime failures, one line on stderr
        t.add(cli("CLI no prompt, no audio", 2, "prompt or inputAudio", "-d", "0.2"));
        t.add(cli("CLI empty prompt", 2, "prompt or inputAudio", "-p", "", "-d", "0.2"));
        t.add(cli("CLI duration 0", 2, "duration must be > 0", "-p", "x", "-d", "0"));
        t.add(cli("CLI duration NaN", 2, "duration must be a finite number, but is: NaN", "-p", "x", "-d", "NaN"));
        t.add(cli(
                "CLI duration Infinity",
                2,
                "duration must be a finite number, but is: Infinity",
                "-p",
                "x",
                "-d",
                "Infinity"));
        t.add(cli("CLI duration not a number", 2, "--duration", "-p", "x", "-d", "eight"));
        t.add(cli("CLI loudness with duration 0.3", 2, "duration must be at least 0.4 s", "-p", "x", "-d", "0.3"));
        t.add(cli("CLI top-p 2", 2, "topP", "-p", "x", "--top-p", "2"));
        t.add(cli("CLI top-k -3", 2, "topK must be >= 0 (0 = disabled), but is: -3", "-p", "x", "--top-k", "-3"));
        t.add(cli("CLI temperature -1", 2, "temperature must be >= 0", "-p", "x", "--temperature", "-1"));
        t.add(cli("CLI cfg -2", 2, "classifierFreeGuidance must be >= 0, but is: -2.0", "-p", "x", "--cfg", "-2"));
        t.add(cli(
                "CLI continuation-start -1",
                2,
                "continuationStart must be >= 0",
                "-p",
                "x",
                "--input-audio",
                in.resolve("ok.wav").toString(),
                "--continuation-start",
                "-1"));
        t.add(cli(
                "CLI start > end",
                2,
                "continuationStart must be less than or equal to continuationEnd",
                "-p",
                "x",
                "--input-audio",
                in.resolve("ok.wav").toString(),
                "--continuation-start",
                "0.6",
                "--continuation-end",
                "0.3"));
        t.add(cli(
                "CLI continuation without audio",
                2,
                "continuation is true but no inputAudio",
                "-p",
                "x",
                "--continuation"));
        t.add(cli(
                "CLI unknown normalization",
                2,
                "normalizationStrategy must be one of",
                "-p",
                "x",
                "--normalization",
                "loudest"));
        t.add(cli(
                "CLI unknown format",
                2,
                "outputFormat must be one of wav, mp3, but is: flac",
                "-p",
                "x",
                "--format",
                "flac"));
        t.add(cli(
                "CLI unknown output extension",
                2,
                "--output",
                "-p",
                "x",
                "-o",
                out.resolve("x.ogg").toString()));
        t.add(cli("CLI unknown compute type", 2, "--compute-type", "-p", "x", "--compute-type", "FLOAT8"));
        t.add(cli(
                "CLI output directory missing",
                2,
                "does not exist",
                "-p",
                "x",
                "-o",
                out.resolve("missing/x.wav").toString()));
        t.add(cli(
                "CLI output is a directory",
                2,
                "is a directory",
                "-p",
                "x",
                "-o",
                out.resolve("adir").toString()));
        t.add(cliAsUser(
                "CLI output directory read-only",
                2,
                "not writable",
                "-p",
                "x",
                "-o",
                out.resolve("readonly/x.wav").toString()));
        t.add(cli(
                "CLI save-tokens directory missing",
                2,
                "--save-tokens",
                "-p",
                "x",
                "--save-tokens",
                out.resolve("missing/t.safetensors").toString()));
        t.add(cli(
                "CLI input audio missing",
                2,
                "does not exist",
                "--input-audio",
                in.resolve("no-such.wav").toString()));
        t.add(cli("CLI input audio empty string", 2, "inputAudio must be a path or URI", "--input-audio", ""));
        t.add(cli(
                "CLI input audio is a directory",
                2,
                "directory",
                "--input-audio",
                in.resolve("a-directory.wav").toString()));
        t.add(cliAsUser(
                "CLI input audio unreadable",
                2,
                "not readable",
                "--input-audio",
                in.resolve("locked.wav").toString()));
        t.add(cli(
                "CLI input audio corrupt WAV",
                2,
                "corrupt.wav",
                "--input-audio",
                in.resolve("corrupt.wav").toString()));
        t.add(cli(
                "CLI input audio truncated FLAC",
                2,
                "truncated FLAC",
                "--input-audio",
                in.resolve("truncated.flac").toString()));
        t.add(cli(
                "CLI input audio OGG",
                2,
                "unsupported audio format (Ogg Vorbis)",
                "--input-audio",
                in.resolve("clip.ogg").toString()));
        t.add(cli(
                "CLI input audio text",
                2,
                "unsupported audio format",
                "--input-audio",
                in.resolve("notes.txt").toString()));
        t.add(cli(
                "CLI input audio empty",
                2,
                "empty",
                "--input-audio",
                in.resolve("no-samples.wav").toString()));
        t.add(cli(
                "CLI unreachable URL",
                1,
                "connection refused",
                "--input-audio",
                "http://127.0.0.1:" + closedPort + "/x.wav"));
        t.add(cli("CLI download over the limit", 2, "limit of " + LIMIT, "--input-audio", http + "/chunked.wav"));
        t.add(cli("CLI unknown model", 2, "model version must be one of", "--model", "tiny-huge", "-p", "x"));
        t.add(cli(
                "CLI model directory missing",
                2,
                "does not exist",
                "--model",
                in.resolve("no-model").toString(),
                "-p",
                "x"));
        t.add(cli(
                "CLI model checkpoint corrupt",
                1,
                "state_dict.bin",
                "--model",
                in.resolve("corrupt-model").toString(),
                "-p",
                "x"));
        t.add(cli("CLI unknown device", 2, "bogus", "--device", "bogus", "-p", "x"));
        t.add(cli(
                "CLI melody on a non-melody model",
                2,
                "does not support melody input",
                "--input-audio",
                in.resolve("ok.wav").toString(),
                "-p",
                "x"));
        t.add(cli(
                "CLI continuationEnd beyond the clip",
                2,
                "continuationEnd must be at most",
                "--input-audio",
                in.resolve("ok.wav").toString(),
                "--continuation",
                "--continuation-end",
                "4",
                "-d",
                "8"));
        t.add(cli(
                "CLI extendStride >= max duration",
                2,
                "extendStride must be <",
                "--model",
                Fixtures.path("models", "musicgen_long").toString(),
                "-p",
                "x",
                "-d",
                "3",
                "--extend-stride",
                "2"));
        return t.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void refuses(String name, Check check) throws Exception {
        Set<String> before = listing(out);
        check.verify();
        assertThat(listing(out))
                .as("files in the output directory after: " + name)
                .isEqualTo(before);
    }

    @Test
    void the_table_has_at_least_40_api_and_cli_rows() {
        List<Arguments> all = cases().collect(Collectors.toList());
        long cliRows = all.stream()
                .filter(a -> ((String) a.get()[0]).startsWith("CLI "))
                .count();
        assertThat(all.size() - cliRows).isGreaterThanOrEqualTo(40);
        assertThat(cliRows).isGreaterThanOrEqualTo(30);
    }

    // ------------------------------------------------------------------------------------------------ valid edges

    @Test
    void silent_audio_is_valid_as_a_continuation_and_as_a_melody() throws IOException {
        Path silent = in.resolve("silent.wav");
        GeneratedAudio cont = mono.generate(GenerationRequest.builder()
                .inputAudio(silent)
                .continuation(true)
                .continuationEnd(0.2)
                .duration(0.4)
                .seed(1)
                .build());
        assertFinite(cont.normalizedSamples());
        assertThat(cont.durationSeconds()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(0.01));
        assertFinite(cont.samples());
        try (MusicGenerator melody =
                FixtureModels.builder("musicgen_melody", tmp.resolve("cache")).build()) {
            GeneratedAudio m = melody.generate(GenerationRequest.builder()
                    .inputAudio(silent)
                    .prompt("calm")
                    .duration(0.4)
                    .seed(1)
                    .build());
            assertFinite(m.samples());
            assertFinite(m.normalizedSamples());
        }
        // silent output normalizes and writes with every strategy (loudness has an energy floor)
        for (NormalizationStrategy s : NormalizationStrategy.values()) {
            GeneratedAudio quiet = new GeneratedAudio(
                    new float[1][6400], 32000, 0, new long[4][10], s, OutputFormat.WAV, java.util.Map.of());
            assertFinite(quiet.normalizedSamples());
            Path f = tmp.resolve("silent-" + s + ".wav");
            quiet.writeTo(f);
            assertThat(Files.size(f)).isGreaterThan(6400 * 2);
        }
    }

    @Test
    void the_cli_writes_when_the_input_is_good() throws IOException {
        Path target = tmp.resolve("good.wav");
        Result r = runCli(gen("-p", "beat", "-d", "0.4", "--seed", "3", "-o", target.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("seed 3").contains(target.toString());
        assertThat(Files.size(target)).isGreaterThan(44);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    static Arguments api(String name, ThrowingCallable call, Class<? extends Throwable> type, String... fragments) {
        return Arguments.of(name, (Check) () -> {
            var a = assertThatThrownBy(call).as(name).isInstanceOf(type);
            for (String f : fragments) {
                a.hasMessageContaining(f);
            }
        });
    }

    /** Permission checks do not bind root: the row is skipped there. */
    static Arguments apiAsUser(
            String name, ThrowingCallable call, Class<? extends Throwable> type, String... fragments) {
        Check c = (Check) api(name, call, type, fragments).get()[1];
        return Arguments.of(name, (Check) () -> {
            assumeFalse(isRoot(), "running as root: file permissions do not stop reads or writes");
            c.verify();
        });
    }

    static Arguments cli(String name, int code, String fragment, String... args) {
        return Arguments.of(name, (Check) () -> {
            Result r = runCli(gen(args));
            assertThat(r.code()).as(name + ": exit code; stderr: " + r.err()).isEqualTo(code);
            assertThat(r.err())
                    .as(name)
                    .startsWith("error: ")
                    .contains(fragment)
                    .doesNotContain("\tat ")
                    .doesNotContainPattern("(java|dev|ai)\\.[a-z.]+\\.[A-Z][A-Za-z]*(Exception|Error)");
            // one line; a bad option adds a pointer to --help
            List<String> lines = r.err().strip().lines().collect(Collectors.toList());
            assertThat(lines).as(name + ": " + r.err()).hasSizeLessThanOrEqualTo(2);
            if (lines.size() == 2) {
                assertThat(lines.get(1)).contains("--help");
            }
            assertThat(r.out()).as(name).doesNotContain("wrote");
        });
    }

    static Arguments cliAsUser(String name, int code, String fragment, String... args) {
        Check c = (Check) cli(name, code, fragment, args).get()[1];
        return Arguments.of(name, (Check) () -> {
            assumeFalse(isRoot(), "running as root: file permissions do not stop reads or writes");
            c.verify();
        });
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static GenerationRequest.Builder req() {
        // peak: loudness cannot measure 0.2 s
        return GenerationRequest.builder()
                .prompt("drums")
                .duration(0.2)
                .seed(0)
                .normalizationStrategy(NormalizationStrategy.PEAK);
    }

    static GenerationRequest.Builder withAudio() {
        return req().inputAudio(in.resolve("ok.wav"));
    }

    static InputAudio file(String name) {
        return InputAudio.of(in.resolve(name));
    }

    /** Generates on the mono model with this input audio as a 0.2 s continuation (end 0.1 s). */
    static void gen(InputAudio audio) {
        mono.generate(
                req().inputAudio(audio).continuation(true).continuationEnd(0.1).build());
    }

    static MusicGeneratorBuilder fixtureBuilder() {
        return FixtureModels.builder("musicgen_mono", tmp.resolve("cache"));
    }

    /** {@code generate} on the mono fixture model, offline, writing to out/x.wav unless the row names -o. */
    static String[] gen(String... args) {
        List<String> a = new ArrayList<>(List.of(
                "generate",
                "--offline",
                "--no-progress",
                "--local-repo",
                "tiny/t5-a=" + Fixtures.path("models", "t5"),
                "--local-repo",
                "tiny/encodec_32khz-a=" + Fixtures.path("encodec_hf", "model")));
        List<String> given = Arrays.asList(args);
        if (!given.contains("--device")) {
            a.addAll(List.of("--device", "cpu"));
        }
        if (!given.contains("--model")) {
            a.addAll(List.of("--model", Fixtures.path("models", "musicgen_mono").toString()));
        }
        if (!given.contains("-o")) {
            a.addAll(List.of("-o", out.resolve("x.wav").toString()));
        }
        a.addAll(given);
        return a.toArray(new String[0]);
    }

    record Result(int code, String out, String err) {}

    static Result runCli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = MusicGenCli.run(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Every path under {@code dir}, hidden temporary files included. */
    static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    static Audio sine(int frames, int rate) {
        float[] x = new float[frames];
        for (int i = 0; i < frames; i++) {
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        return new Audio(new float[][] {x}, rate);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream s = BadInputsTest.class.getResourceAsStream("/audio/" + name)) {
            if (s == null) {
                fail("test resource /audio/" + name + " (from musicgen-core's test-jar) is missing");
            }
            return s.readAllBytes();
        }
    }

    static void assertFinite(float[][] samples) {
        for (float[] ch : samples) {
            for (float v : ch) {
                if (!Float.isFinite(v)) {
                    fail("non-finite sample " + v);
                }
            }
        }
    }
}
