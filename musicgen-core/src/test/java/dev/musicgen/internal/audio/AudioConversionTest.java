package dev.musicgen.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.audio.*;
import dev.musicgen.audio.AudioReaderTest;
import org.junit.jupiter.api.Test;

/** audiocraft {@code convert_audio_channels} cases and the predictor's trim. */
class AudioConversionTest {

    private static final Audio STEREO = new Audio(new float[][] {{0.5f, 1f, -1f}, {0.25f, 0f, 1f}}, 32000);

    @Test
    void should_downmix_by_mean() {
        Audio mono = AudioConversion.convertChannels(STEREO, 1);
        assertThat(mono.samples()).isDeepEqualTo(new float[][] {{0.375f, 0.5f, 0f}});
    }

    @Test
    void should_repeat_mono() {
        Audio mono = new Audio(new float[][] {{0.1f, 0.2f}}, 16000);
        assertThat(AudioConversion.convertChannels(mono, 2).samples())
                .isDeepEqualTo(new float[][] {{0.1f, 0.2f}, {0.1f, 0.2f}});
    }

    @Test
    void should_keep_the_first_channels() {
        Audio three = new Audio(new float[][] {{1f}, {2f}, {3f}}, 8000);
        assertThat(AudioConversion.convertChannels(three, 2).samples()).isDeepEqualTo(new float[][] {{1f}, {2f}});
    }

    @Test
    void should_refuse_spreading_stereo_over_more_channels() {
        assertThatThrownBy(() -> AudioConversion.convert(STEREO, 32000, 3))
                .hasMessage("the audio has 2 channels, fewer than the 3 requested, and is not mono: "
                        + "only mono audio can be spread over more channels");
        assertThatThrownBy(() -> AudioConversion.convert(STEREO, 0, 1))
                .hasMessage("targetSampleRate must be positive, but is: 0");
    }

    @Test
    void should_leave_matching_audio_unchanged() {
        assertThat(AudioConversion.convert(STEREO, 32000, 2)).isSameAs(STEREO);
    }

    @Test
    void should_resample_before_converting_channels() {
        Audio stereo = AudioReaderTest.sine(2, 48000, 4800);
        Audio converted = AudioConversion.convert(stereo, 32000, 1);
        Audio resampledFirst = Resampler.resample(stereo, 32000);
        assertThat(converted.samples())
                .isDeepEqualTo(
                        AudioConversion.convertChannels(resampledFirst, 1).samples());
        assertThat(converted.frames()).isEqualTo(3200);
    }

    @Test
    void should_trim_as_the_predictor() {
        Audio clip = new Audio(new float[1][44100], 44100);
        assertThat(AudioConversion.trim(clip, 0.2, 0.9).frames()).isEqualTo(39690 - 8820);
        assertThat(AudioConversion.trim(clip, 0.5, null).frames()).isEqualTo(44100 - 22050);
        assertThat(AudioConversion.trim(clip, 0, 5.0).frames()).isEqualTo(44100); // past the end: clamped
        assertThat(AudioConversion.trim(clip, 3, 4.0).frames()).isZero();
        assertThatThrownBy(() -> AudioConversion.trim(clip, 2, 1.0))
                .hasMessage("startSeconds (2.0) must be less than or equal to endSeconds (1.0)");
        assertThatThrownBy(() -> AudioConversion.trim(clip, Double.NaN, null))
                .hasMessage("startSeconds must be a finite number >= 0, but is: NaN");
    }
}
