package dev.musicgen.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.audio.*;
import dev.musicgen.testing.TestTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fixture {@code normalization}: audiocraft {@code normalize_audio} with Replicate's parameters on three
 * signals (quiet mono, loud mono beyond ±1, stereo) and four strategies, then ffmpeg's 16-bit PCM.
 */
class NormalizerTest {

    /** The acceptance bound of the issue; the fixture's case.json allows 1e-4. */
    private static final double FLOAT_TOLERANCE = 1e-6;

    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (String signal : List.of("quiet", "loud", "stereo")) {
            for (Normalizer.Strategy s : Normalizer.Strategy.values()) {
                out.add(new Object[] {signal, s});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void should_match_audiocraft_normalize_audio_and_ffmpeg_pcm16(String signal, Normalizer.Strategy strategy)
            throws IOException {
        Path dir = TestTensors.fixture("normalization");
        Map<String, TestTensors.Tensor> inputs = TestTensors.read(dir.resolve("inputs.safetensors"));
        Map<String, TestTensors.Tensor> expected = TestTensors.read(dir.resolve("expected.safetensors"));
        String key = signal + "_" + strategy.upstreamName();
        Audio input = new Audio(inputs.get(signal + "_input").floats2d(), 32000);

        Audio normalized = Normalizer.normalize(input, strategy);

        float[][] want = expected.get(key + "_normalized").floats2d();
        double maxDiff = 0;
        for (int c = 0; c < want.length; c++) {
            for (int t = 0; t < want[c].length; t++) {
                maxDiff = Math.max(maxDiff, Math.abs(normalized.samples()[c][t] - want[c][t]));
            }
        }
        assertThat(maxDiff).as("max |normalized - audiocraft| for " + key).isLessThanOrEqualTo(FLOAT_TOLERANCE);

        short[][] pcm = expected.get(key + "_pcm16").shorts2d();
        for (int c = 0; c < pcm.length; c++) {
            short[] mine = new short[pcm[c].length];
            for (int t = 0; t < mine.length; t++) {
                mine[t] = Pcm.toPcm16(normalized.samples()[c][t]);
            }
            assertThat(mine).as("pcm16 of " + key + " channel " + c).isEqualTo(pcm[c]);
        }
        // the input is left as it was
        assertThat(input.samples()).isDeepEqualTo(inputs.get(signal + "_input").floats2d());
    }

    @Test
    void should_leave_quiet_audio_alone_under_loudness() {
        float[][] x = {{0.001f, -0.001f, 0.001f, -0.001f}};
        Audio out = Normalizer.normalize(new Audio(x, 32000), Normalizer.Strategy.LOUDNESS);
        assertThat(out.samples()).isDeepEqualTo(x);
    }

    @Test
    void should_return_silence_unchanged_under_peak_and_rms() {
        Audio silence = new Audio(new float[2][1000], 32000);
        assertThat(Normalizer.normalize(silence, Normalizer.Strategy.PEAK)).isEqualTo(silence);
        assertThat(Normalizer.normalize(silence, Normalizer.Strategy.RMS)).isEqualTo(silence);
    }

    @Test
    void should_say_why_loudness_cannot_be_measured_on_a_short_clip() {
        float[][] x = new float[1][3200];
        for (int i = 0; i < x[0].length; i++) {
            x[0][i] = (float) Math.sin(i * 0.1) * 0.5f;
        }
        assertThatThrownBy(() -> Normalizer.normalize(new Audio(x, 32000), Normalizer.Strategy.LOUDNESS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one 0.4 s block")
                .hasMessageContaining("12800 frames at 32000 Hz")
                .hasMessageContaining("3200 frames");
    }

    @Test
    void should_refuse_non_finite_samples() {
        float[][] x = {{0f, Float.NaN}};
        assertThatThrownBy(() -> Normalizer.normalize(new Audio(x, 32000), Normalizer.Strategy.PEAK))
                .hasMessage("audio must contain only finite samples, but channel 0 frame 1 is NaN");
    }

    @Test
    void should_parse_upstream_names() {
        assertThat(Normalizer.Strategy.fromName("Loudness")).isEqualTo(Normalizer.Strategy.LOUDNESS);
        assertThatThrownBy(() -> Normalizer.Strategy.fromName("loud"))
                .hasMessage("normalization strategy must be one of loudness, clip, peak, rms, but is: loud");
    }

    @Test
    void should_convert_to_pcm16_as_ffmpeg() {
        assertThat(Pcm.toPcm16(1f)).isEqualTo((short) 32767);
        assertThat(Pcm.toPcm16(-1f)).isEqualTo((short) -32768);
        assertThat(Pcm.toPcm16(0.5f / 32768)).isEqualTo((short) 0); // half to even
        assertThat(Pcm.toPcm16(1.5f / 32768)).isEqualTo((short) 2);
        assertThat(Pcm.toPcm16(-2.5f / 32768)).isEqualTo((short) -2);
        assertThat(Pcm.toPcm16(3f)).isEqualTo((short) 32767);
        assertThat(Pcm.toPcm16(Float.NaN)).isEqualTo((short) 0);
    }
}
