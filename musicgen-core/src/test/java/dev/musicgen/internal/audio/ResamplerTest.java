package dev.musicgen.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.audio.*;
import dev.musicgen.testing.Tensors;
import dev.musicgen.testing.TestTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * julius {@code resample_frac} parity. Golden data: {@code golden/audio/audio_golden.safetensors},
 * made by {@code golden/audio/make_audio_golden.py} with julius 0.2.7 on torch 1.13.1 (the torch the
 * fixtures were made with) from the {@code continuation_resample} fixture's input.
 */
class ResamplerTest {

    /** julius builds its kernels in float32 and convolves in float32; we accumulate in double. */
    private static final double TOLERANCE = 1e-6;

    @Test
    void should_match_julius_on_the_continuation_resample_prompt() throws IOException {
        Path dir = TestTensors.fixture("continuation_resample");
        float[][] input = TestTensors.read(dir.resolve("inputs.safetensors"))
                .get("input_audio")
                .floats2d();
        float[][] prompt = TestTensors.read(dir.resolve("expected.safetensors"))
                .get("prompt_wav")
                .floats2d();
        Map<String, TestTensors.Tensor> golden = TestTensors.read(TestTensors.golden("audio_golden.safetensors"));

        // the predictor's trim: input[..., int(sr * start) : int(sr * end)], start 0.2 s, end 0.9 s
        Audio clip = new Audio(input, 44100).slice((int) (44100 * 0.2), (int) (44100 * 0.9));
        assertThat(clip.samples()).isDeepEqualTo(prompt);

        Audio resampled = Resampler.resample(clip, 32000);
        assertClose(
                resampled.samples(),
                golden.get("continuation_resample.resampled").floats2d());

        Audio mono = AudioConversion.convert(clip, 32000, 1);
        assertThat(mono.sampleRate()).isEqualTo(32000);
        assertClose(
                mono.samples(),
                golden.get("continuation_resample.converted_mono").floats2d());
    }

    @ParameterizedTest
    @CsvSource({"48000,32000", "16000,32000", "22050,32000", "32000,24000", "8000,32000", "44100,32000"})
    void should_match_julius_for_other_rate_pairs(int from, int to) throws IOException {
        Map<String, TestTensors.Tensor> golden = TestTensors.read(TestTensors.golden("audio_golden.safetensors"));
        String key = "r" + from + "_" + to;
        float[][] in = golden.get(key + ".input").floats2d();
        float[][] expected = golden.get(key + ".output").floats2d();
        Audio out = Resampler.resample(new Audio(in, from), to);
        assertClose(out.samples(), expected);
    }

    @Test
    void should_return_the_input_when_rates_reduce_to_the_same_value() {
        float[] x = {1f, 2f, 3f};
        assertThat(new Resampler(32000, 32000).apply(x)).isSameAs(x);
    }

    @Test
    void should_keep_a_constant_signal_constant() {
        float[] x = new float[1000];
        java.util.Arrays.fill(x, 0.5f);
        float[] y = Resampler.resample(x, 44100, 32000);
        assertThat(y).hasSize(725); // floor(32000 * 1000 / 44100)
        for (float v : y) {
            assertThat((double) v).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void should_handle_rates_whose_gcd_is_small() {
        // 44101 and 32000 are coprime: 32000 kernels of ~70 non-negligible taps each
        float[] x = new float[4410];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(2 * Math.PI * 440 * i / 44101.0);
        }
        float[] y = Resampler.resample(x, 44101, 32000);
        assertThat(y).hasSize((int) Math.floor(32000.0 * 4410 / 44101));
        for (int i = 100; i < y.length - 100; i++) {
            assertThat((double) y[i])
                    .isCloseTo(Math.sin(2 * Math.PI * 440 * i / 32000.0), org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    @Test
    void should_name_the_bad_parameter() {
        assertThatThrownBy(() -> new Resampler(0, 32000)).hasMessage("oldSr must be positive, but is: 0");
        assertThatThrownBy(() -> new Resampler(44100, -1)).hasMessage("newSr must be positive, but is: -1");
        assertThatThrownBy(() -> new Resampler(44100, 32000, 24, 1.5))
                .hasMessage("rolloff must be in (0, 1], but is: 1.5");
    }

    static void assertClose(float[][] actual, float[][] expected) {
        Tensors.assertAllClose("resampled", actual, expected, TOLERANCE, 0);
    }
}
