package dev.musicgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioReader;
import dev.musicgen.internal.codec.TokensFile;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Slow;
import dev.musicgen.testing.Tensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MultiBand Diffusion through the CLI: recorded-noise replay matches upstream; generate works mono and stereo. */
@Slow
class MbdCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void decode_with_replayed_noise_matches_upstream() throws Exception {
        Map<String, TensorData> c = Fixtures.tensors("mbd/public", "case.safetensors");
        TensorData codes = c.get("codes");
        long[] shape = codes.shape();
        long[] flat = codes.toLongArray();
        long[][][] arr = new long[(int) shape[0]][(int) shape[1]][(int) shape[2]];
        int i = 0;
        for (long[][] b : arr) {
            for (long[] k : b) {
                for (int t = 0; t < k.length; t++) {
                    k[t] = flat[i++];
                }
            }
        }
        Path tokens = tmp.resolve("codes.safetensors");
        TokensFile.write(tokens, arr);
        Path out = tmp.resolve("mbd.wav");
        String model = Fixtures.path("mbd", "model").toString();
        InspectCommandTest.Result r = InspectCommandTest.run(
                "decode",
                "--multi-band-diffusion",
                "--model",
                model,
                "--mbd-model",
                model,
                "--tokens",
                tokens.toString(),
                "--noise",
                Fixtures.path("mbd", "public", "case.safetensors").toString(),
                "--sample-format",
                "float32",
                "--output",
                out.toString(),
                "--offline",
                "--device",
                "cpu");
        assertThat(r.code()).as(r.err()).isZero();
        Audio a = AudioReader.read(out);
        Tensors.assertAllClose("mbd wav_out", a.samples()[0], c.get("wav_out").toFloatArray(), 1e-5, 0);
    }

    @Test
    void generate_with_mbd_mono_and_stereo() throws Exception {
        for (String m : new String[] {"musicgen_mono", "musicgen_stereo"}) {
            Path out = tmp.resolve(m + ".wav");
            InspectCommandTest.Result r = InspectCommandTest.run(
                    "generate",
                    "--model",
                    Fixtures.path("models", m).toString(),
                    "--local-repo",
                    "tiny/t5-a=" + Fixtures.path("models", "t5"),
                    "--offline",
                    "--device",
                    "cpu",
                    "--no-progress",
                    "--prompt",
                    "calm ambient pads",
                    "--duration",
                    "0.5",
                    "--seed",
                    "3",
                    "--multi-band-diffusion",
                    "--mbd-model",
                    Fixtures.path("mbd", "model").toString(),
                    "--output",
                    out.toString());
            assertThat(r.code()).as(m + ": " + r.err()).isZero();
            Audio a = AudioReader.read(out);
            assertThat(a.channels()).isEqualTo(m.equals("musicgen_stereo") ? 2 : 1);
            assertThat(a.frames()).isEqualTo(16000);
        }
    }
}
