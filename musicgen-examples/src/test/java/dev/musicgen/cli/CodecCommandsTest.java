package dev.musicgen.cli;

import static dev.musicgen.testing.TestArrays.flat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.audio.AudioReader;
import dev.musicgen.internal.codec.TokensFile;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encode / decode / generate through the CLI on the fixture models, checked against the upstream outputs. */
class CodecCommandsTest {
    @TempDir
    Path tmp;

    void roundTrip(String caseName, String model, int channels, String... extra) throws Exception {
        Map<String, TensorData> in = Fixtures.tensors(caseName, "inputs.safetensors");
        Map<String, TensorData> exp = Fixtures.tensors(caseName, "expected.safetensors");
        float[] wav = in.get("wav").toFloatArray();
        int n = wav.length / channels;
        float[][] ch = new float[channels][];
        for (int c = 0; c < channels; c++) {
            ch[c] = java.util.Arrays.copyOfRange(wav, c * n, (c + 1) * n);
        }
        Path input = tmp.resolve(caseName + ".wav");
        AudioFiles.write(
                input,
                new Audio(ch, 32000),
                AudioFiles.Format.WAV,
                AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(AudioFiles.WavEncoding.FLOAT_32));
        Path codes = tmp.resolve(caseName + "-codes.safetensors");
        String[] encArgs = concat(
                new String[] {
                    "encode",
                    "--model",
                    model,
                    "--input-audio",
                    input.toString(),
                    "--output",
                    codes.toString(),
                    "--offline",
                    "--device",
                    "cpu"
                },
                extra);
        InspectCommandTest.Result r = InspectCommandTest.run(encArgs);
        assertThat(r.code()).as(r.err()).isZero();
        Tensors.assertExact(
                caseName + " codes",
                flat(TokensFile.read(codes)),
                exp.get("codes").toLongArray());

        Path out = tmp.resolve(caseName + "-decoded.wav");
        String[] decArgs = concat(
                new String[] {
                    "decode",
                    "--model",
                    model,
                    "--tokens",
                    codes.toString(),
                    "--output",
                    out.toString(),
                    "--sample-format",
                    "float32",
                    "--offline",
                    "--device",
                    "cpu"
                },
                extra);
        r = InspectCommandTest.run(decArgs);
        assertThat(r.code()).as(r.err()).isZero();
        double[] tol = Fixtures.tolerance(caseName, "decoded");
        Tensors.assertAllClose(
                caseName + " decoded",
                flat(AudioReader.read(out).samples()),
                exp.get("decoded").toFloatArray(),
                tol[0],
                tol[1]);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void encode_decode_audiocraft_layout() throws Exception {
        roundTrip("encodec", Fixtures.path("models", "encodec").toString(), 1);
    }

    @Test
    void encode_decode_hf_layout_through_the_pointer() throws Exception {
        roundTrip(
                "encodec_hf",
                Fixtures.path("encodec_hf").toString(),
                1,
                "--local-repo",
                "tiny/encodec_32khz-a=" + Fixtures.path("encodec_hf", "model"));
    }

    @Test
    void generate_writes_tokens_and_audio() throws Exception {
        Path out = tmp.resolve("gen.wav");
        Path tokens = tmp.resolve("gen.safetensors");
        InspectCommandTest.Result r = InspectCommandTest.run(
                "generate",
                "--model",
                Fixtures.path("models", "musicgen_mono").toString(),
                "--local-repo",
                "tiny/t5-a=" + Fixtures.path("models", "t5"),
                "--offline",
                "--device",
                "cpu",
                "--no-progress",
                "--prompt",
                "upbeat rock song with electric guitar and drums",
                "--duration",
                "1",
                "--top-k",
                "1",
                "--seed",
                "0",
                "--output",
                out.toString(),
                "--save-tokens",
                tokens.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("seed 0");
        Tensors.assertExact(
                "generate tokens",
                flat(TokensFile.read(tokens)),
                Fixtures.tensors("generate_text", "expected.safetensors")
                        .get("tokens")
                        .toLongArray());
        assertThat(AudioReader.read(out).frames()).isEqualTo(32000);
    }
}
