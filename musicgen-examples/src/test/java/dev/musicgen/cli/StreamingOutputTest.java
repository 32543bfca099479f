package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.JsonObject;
import dev.musicgen.FixtureModels;
import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.InputAudio;
import dev.musicgen.MusicGenerator;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.internal.audio.Pcm;
import dev.musicgen.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.Line;
import javax.sound.sampled.SourceDataLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code musicgen generate --output -}: a WAV stream on standard output whose float32 samples are the one-shot raw
 * samples of the same request and seed, for every generation fixture; {@code --play} without an audio device.
 */
class StreamingOutputTest {
    @TempDir
    Path tmp;

    record Result(int code, byte[] out, String err) {}

    /** Runs the CLI in this JVM with standard output captured as bytes. */
    static Result run(List<String> args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = MusicGenCli.run(args.toArray(new String[0]));
            return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A parsed WAV stream: format tag, rate, channels, and the samples as floats (PCM scaled by 1/32768). */
    record Stream(int formatTag, int sampleRate, int channels, float[][] samples) {}

    static Stream parse(byte[] wav) {
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ascii(wav, 0)).isEqualTo("RIFF");
        assertThat(b.getInt(4)).as("RIFF size of a stream").isEqualTo(0xFFFFFFFF);
        assertThat(ascii(wav, 8)).isEqualTo("WAVE");
        assertThat(ascii(wav, 12)).isEqualTo("fmt ");
        int fmtSize = b.getInt(16);
        int tag = b.getShort(20);
        int channels = b.getShort(22);
        int rate = b.getInt(24);
        int bits = b.getShort(34);
        int data = 20 + fmtSize;
        assertThat(ascii(wav, data)).isEqualTo("data");
        assertThat(b.getInt(data + 4)).as("data size of a stream").isEqualTo(0xFFFFFFFF);
        int start = data + 8;
        int bytes = bits / 8;
        assertThat((wav.length - start) % (channels * bytes))
                .as("whole sample frames")
                .isZero();
        int frames = (wav.length - start) / (channels * bytes);
        float[][] s = new float[channels][frames];
        b.position(start);
        for (int t = 0; t < frames; t++) {
            for (int c = 0; c < channels; c++) {
                s[c][t] = tag == 3 ? b.getFloat() : Pcm.fromPcm16(b.getShort());
            }
        }
        return new Stream(tag, rate, channels, s);
    }

    private static String ascii(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.US_ASCII);
    }

    /** The CLI arguments of a fixture request (the model, the generation parameters, seed 0). */
    static List<String> args(String caseName, String model) {
        JsonObject p = Fixtures.caseJson(caseName).getAsJsonObject("params");
        JsonObject g = p.getAsJsonObject("generation_params");
        JsonObject c = Fixtures.caseJson(caseName).getAsJsonObject("params");
        String text = c.has("texts")
                ? c.getAsJsonArray("texts").get(0).getAsString()
                : c.get("text").getAsString();
        return new ArrayList<>(List.of(
                "generate",
                "--model",
                Fixtures.path("models", model).toString(),
                "--local-repo",
                "tiny/t5-a=" + Fixtures.path("models", "t5"),
                "--local-repo",
                "tiny/encodec_32khz-a=" + Fixtures.path("encodec_hf", "model"),
                "--offline",
                "--no-stem-separation",
                "--no-progress",
                "--seed",
                "0",
                "--prompt",
                text,
                "--duration",
                p.get("duration").getAsString(),
                "--temperature",
                g.get("temp").getAsString(),
                "--top-k",
                g.get("top_k").getAsString(),
                "--top-p",
                g.get("top_p").getAsString(),
                "--cfg",
                g.get("cfg_coef").getAsString()));
    }

    /** The same request through the API, one shot. */
    static GeneratedAudio oneShot(String model, Path tmp, GenerationRequest.Builder r, String caseName) {
        JsonObject p = Fixtures.caseJson(caseName).getAsJsonObject("params");
        JsonObject g = p.getAsJsonObject("generation_params");
        String text = p.has("texts")
                ? p.getAsJsonArray("texts").get(0).getAsString()
                : p.get("text").getAsString();
        try (MusicGenerator gen =
                FixtureModels.builder(model, tmp.resolve("hub")).build()) {
            return gen.generate(r.prompt(text)
                    .duration(p.get("duration").getAsDouble())
                    .seed(0)
                    .temperature(g.get("temp").getAsDouble())
                    .topK(g.get("top_k").getAsInt())
                    .topP(g.get("top_p").getAsDouble())
                    .classifierFreeGuidance(g.get("cfg_coef").getAsDouble())
                    .build());
        }
    }

    static double maxDiff(float[][] a, float[][] b) {
        assertThat(a.length).isEqualTo(b.length);
        double m = 0;
        for (int c = 0; c < a.length; c++) {
            assertThat(a[c]).hasSameSizeAs(b[c]);
            for (int t = 0; t < a[c].length; t++) {
                m = Math.max(m, Math.abs(a[c][t] - b[c][t]));
            }
        }
        return m;
    }

    Path floatWav(String name, float[] samples) throws Exception {
        Path f = tmp.resolve(name);
        AudioFiles.write(
                f,
                new Audio(new float[][] {samples}, 32000),
                AudioFiles.Format.WAV,
                AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(AudioFiles.WavEncoding.FLOAT_32));
        return f;
    }

    void checkFloat32(String caseName, String model, List<String> extra, GenerationRequest.Builder api) {
        List<String> a = args(caseName, model);
        a.addAll(extra);
        a.addAll(List.of("--output", "-", "--sample-format", "float32"));
        Result r = run(a);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("seed 0", "streamed");
        Stream s = parse(r.out());
        assertThat(s.formatTag()).isEqualTo(3);
        assertThat(s.sampleRate()).isEqualTo(32000);
        double diff = maxDiff(s.samples(), oneShot(model, tmp, api, caseName).samples());
        System.out.printf(
                "generate --output - --sample-format float32, %s: max abs diff vs one-shot %.3g%n", caseName, diff);
        assertThat(diff).as(caseName + " max abs diff").isLessThanOrEqualTo(1e-5);
    }

    @Test
    void float32_stream_is_the_one_shot_raw_audio_for_every_fixture() throws Exception {
        checkFloat32("generate_text", "musicgen_mono", List.of(), GenerationRequest.builder());
        checkFloat32("generate_text_cfg1", "musicgen_mono", List.of(), GenerationRequest.builder());
        checkFloat32("generate_text_stereo", "musicgen_stereo", List.of(), GenerationRequest.builder());

        JsonObject cp = Fixtures.caseJson("continuation").getAsJsonObject("params");
        float[] in = Fixtures.tensors("continuation", "inputs.safetensors")
                .get("input_audio")
                .toFloatArray();
        Path prompt = floatWav("prompt.wav", in);
        checkFloat32(
                "continuation",
                "musicgen_mono",
                List.of(
                        "--input-audio",
                        prompt.toString(),
                        "--continuation",
                        "--continuation-start",
                        cp.get("start").getAsString(),
                        "--continuation-end",
                        cp.get("end").getAsString()),
                GenerationRequest.builder()
                        .inputAudio(InputAudio.of(prompt))
                        .continuation(true)
                        .continuationStart(cp.get("start").getAsDouble())
                        .continuationEnd(cp.get("end").getAsDouble()));

        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        Path m = floatWav("melody.wav", melody);
        checkFloat32(
                "melody",
                "musicgen_melody",
                List.of("--input-audio", m.toString()),
                GenerationRequest.builder().inputAudio(InputAudio.of(m)));

        String stride = Fixtures.caseJson("long_generation")
                .getAsJsonObject("params")
                .get("extend_stride")
                .getAsString();
        checkFloat32(
                "long_generation",
                "musicgen_long",
                List.of("--extend-stride", stride),
                GenerationRequest.builder().extendStride(Double.parseDouble(stride)));
    }

    @Test
    void pcm16_stream_is_the_raw_audio_clamped_as_clip() {
        List<String> a = args("generate_text_stereo", "musicgen_stereo");
        a.addAll(List.of("--output", "-"));
        Result r = run(a);
        assertThat(r.code()).as(r.err()).isZero();
        Stream s = parse(r.out());
        assertThat(s.formatTag()).isEqualTo(1);
        assertThat(s.channels()).isEqualTo(2);
        float[][] raw = oneShot("musicgen_stereo", tmp, GenerationRequest.builder(), "generate_text_stereo")
                .samples();
        float limit = (float) Math.pow(10, -1 / 20.0);
        int off = 0;
        for (int c = 0; c < 2; c++) {
            for (int t = 0; t < raw[c].length; t++) {
                float clipped = Math.max(-limit, Math.min(limit, raw[c][t]));
                float got = s.samples()[c][t];
                // one PCM step, plus rounding of samples whose raw value differs by float noise
                if (Math.abs(got - Pcm.fromPcm16(Pcm.toPcm16(clipped))) > 1.5 / 32768) {
                    off++;
                }
            }
        }
        assertThat(off).isZero();
        assertThat(s.samples()[0]).hasSize(raw[0].length);
    }

    @Test
    void refuses_what_cannot_stream_before_loading_a_model() {
        List<String> a = args("generate_text", "musicgen_mono");
        a.addAll(List.of("--output", "-", "--multi-band-diffusion"));
        Result r = run(a);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--output -: multiBandDiffusion cannot be streamed");
        assertThat(r.out()).isEmpty();

        List<String> b = args("generate_text", "musicgen_mono");
        b.addAll(List.of(
                "--output", "-", "--save-tokens", tmp.resolve("t.safetensors").toString()));
        Result rb = run(b);
        assertThat(rb.code()).isEqualTo(2);
        assertThat(rb.err()).contains("--save-tokens needs a file --output");
    }

    @Test
    void play_without_an_audio_device_fails_at_once() {
        boolean device;
        try {
            device = AudioSystem.isLineSupported(new Line.Info(SourceDataLine.class));
        } catch (RuntimeException | Error e) {
            device = false;
        }
        assumeFalse(device, "this machine has an audio device: --play would play");
        List<String> a = args("generate_text", "musicgen_mono");
        a.add("--play");
        long start = System.nanoTime();
        Result r = run(a);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--play: no audio output device is available", "--output - | ffplay");
        assertThat(r.out()).isEmpty();
        assertThat((System.nanoTime() - start) / 1e9).as("seconds to fail").isLessThan(5);
    }
}
