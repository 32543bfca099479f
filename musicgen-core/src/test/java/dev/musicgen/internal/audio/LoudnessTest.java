package dev.musicgen.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.audio.*;
import dev.musicgen.testing.TestTensors;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** torchaudio {@code loudness} parity, bit for bit, against values computed by torch 1.13 / torchaudio 0.13. */
class LoudnessTest {

    private static Map<String, TestTensors.Tensor> golden() throws IOException {
        return TestTensors.read(TestTensors.golden("audio_golden.safetensors"));
    }

    /** The K-weighting coefficients torchaudio computes in float32 (printed with {@code float.hex}). */
    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "32000;0x1.de293p+1 -0x1.860efep+2 0x1.49b616p+1 0x1.3c62cep+1 -0x1.e71968p+1 0x1.8cefbcp+0 "
                        + "0x1.fffe2cp-1 -0x1.fffe2cp+0 0x1.fffe2cp-1 0x1.01e8fap+0 -0x1.fffc5ap+0 0x1.fc2e0cp-1",
                "44100;0x1.cb03aap+1 -0x1.8d7392p+2 0x1.5e8d76p+1 0x1.2bd4c4p+1 -0x1.f2d81p+1 0x1.ab5a92p+0 "
                        + "0x1.ffff0ap-1 -0x1.ffff0ap+0 0x1.ffff0ap-1 0x1.0162dp+0 -0x1.fffe14p+0 0x1.fd3a5ep-1",
                "48000;0x1.c6d09ep+1 -0x1.8ebd04p+2 0x1.630c0cp+1 0x1.2842d2p+1 -0x1.f4e37p+1 0x1.b20672p+0 "
                        + "0x1.ffff3p-1 -0x1.ffff3p+0 0x1.ffff3p-1 0x1.0145fcp+0 -0x1.fffe62p+0 0x1.fd7406p-1",
                "16000;0x1.0e6112p+2 -0x1.5862d8p+2 0x1.00a4bcp+1 0x1.766cfep+1 -0x1.9e8a9ap+1 0x1.297d94p+0 "
                        + "0x1.fff8b4p-1 -0x1.fff8b4p+0 0x1.fff8b4p-1 0x1.03d1eep+0 -0x1.fff168p+0 0x1.f85c24p-1",
                "24000;0x1.f46852p+1 -0x1.7a062ep+2 0x1.30b4acp+1 0x1.503fap+1 -0x1.d3fb0cp+1 0x1.69982p+0 "
                        + "0x1.fffcc2p-1 -0x1.fffcc2p+0 0x1.fffcc2p-1 0x1.028bf8p+0 -0x1.fff984p+0 0x1.fae812p-1",
                "22050;0x1.fbf926p+1 -0x1.74fc14p+2 0x1.27fc18p+1 0x1.572d06p+1 -0x1.cbf984p+1 0x1.5d932cp+0 "
                        + "0x1.fffc28p-1 -0x1.fffc28p+0 0x1.fffc28p-1 0x1.02c59ep+0 -0x1.fff852p+0 0x1.fa74c2p-1",
            })
    void should_compute_the_k_weighting_coefficients_as_torchaudio(int sampleRate, String hex) {
        String[] parts = hex.trim().split("\\s+");
        float[][] t = Loudness.trebleCoefficients(sampleRate);
        float[][] h = Loudness.highpassCoefficients(sampleRate);
        float[] actual = {
            t[0][0], t[0][1], t[0][2], t[1][0], t[1][1], t[1][2], h[0][0], h[0][1], h[0][2], h[1][0], h[1][1], h[1][2]
        };
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("coefficient %d", i).isEqualTo(Float.parseFloat(parts[i]));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {32000, 44100, 48000, 16000})
    void should_match_torchaudio_loudness_bit_for_bit(int sampleRate) throws IOException {
        Map<String, TestTensors.Tensor> golden = golden();
        float[][] x = loudnessInput(sampleRate);
        assertThat(Loudness.integrated(x, sampleRate))
                .isEqualTo(golden.get("loudness" + sampleRate + ".lufs").floats()[0]);
        assertThat(Loudness.integrated(new float[][] {x[0]}, sampleRate))
                .isEqualTo(golden.get("loudness" + sampleRate + ".mono_lufs").floats()[0]);
    }

    /**
     * 8 s of stereo (77 blocks: the vectorised block sums) against torchaudio 0.13, whose result here
     * is the same for 1, 2, 8 and 16 torch threads (block energies are per-row reductions).
     */
    @Test
    void should_match_torchaudio_on_eight_seconds() {
        int sr = 32000;
        int n = sr * 8;
        float[][] x = new float[2][n];
        for (int i = 0; i < n; i++) {
            double t = i;
            x[0][i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * t / sr) + 0.02 * Math.sin(t * t * 1e-3));
            x[1][i] =
                    (float) (0.15 * Math.sin(2 * Math.PI * 1000 * t / sr) + 0.4 * Math.sin(2 * Math.PI * 60 * t / sr));
        }
        assertThat(Loudness.integrated(x, sr)).isEqualTo(-10.739169120788574f);
    }

    @Test
    void should_return_nan_when_shorter_than_one_block() {
        assertThat(Loudness.integrated(new float[][] {new float[100]}, 32000)).isNaN();
    }

    @Test
    void should_refuse_more_than_five_channels() {
        assertThatThrownBy(() -> Loudness.integrated(new float[6][32000], 32000))
                .hasMessage("loudness supports at most 5 channels, but the audio has 6");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 1000, 4097, 12800, 16000})
    void should_sum_like_torch_cascade_sum(int n) throws IOException {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (((i * 7919L + n * 104729L) % 20011) / 20011.0 - 0.5);
        }
        assertThat(TorchFloat.sum(x, 0, n)).isEqualTo(golden().get("sum" + n).floats()[0]);
    }

    @Test
    void should_compute_log10_like_sleef() {
        // values where SLEEF's u10 log10f and the correctly rounded result differ (checked against torch 1.13)
        assertThat(TorchFloat.log10(1f)).isEqualTo(0f);
        assertThat(TorchFloat.log10(10f)).isEqualTo(1f);
        assertThat(TorchFloat.log10(0f)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(TorchFloat.log10(-1f)).isNaN();
        assertThat(TorchFloat.log10(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(TorchFloat.ceilLog2(400)).isEqualTo(9);
        assertThat(TorchFloat.ceilLog2(2)).isEqualTo(1);
        assertThat(TorchFloat.ceilLog2(1024)).isEqualTo(10);
    }

    /** The deterministic signal of make_audio_golden.py: float64 formula rounded to float32. */
    static float[][] loudnessInput(int sr) {
        int n = sr * 2;
        float[][] x = new float[2][n];
        for (int i = 0; i < n; i++) {
            double t = i;
            double left = 0.3 * Math.sin(2 * Math.PI * 440.0 * t / sr) + 0.02 * Math.sin(t * t * 1e-3);
            double right = 0.15 * Math.sin(2 * Math.PI * 1000.0 * t / sr) + 0.4 * Math.sin(2 * Math.PI * 60.0 * t / sr);
            x[0][i] = (float) left;
            x[1][i] = (float) right;
        }
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < sr / 2; i++) {
                x[c][i] *= 0.001f;
            }
        }
        return x;
    }
}
