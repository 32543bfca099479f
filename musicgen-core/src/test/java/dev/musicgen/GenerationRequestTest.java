package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GenerationRequestTest {
    static GenerationRequest.Builder full() {
        return GenerationRequest.builder()
                .prompt("lo-fi beat")
                .duration(12)
                .inputAudio(Path.of("in.wav"))
                .continuation(true)
                .continuationStart(1)
                .continuationEnd(4.0)
                .classifierFreeGuidance(4)
                .temperature(0.9)
                .topK(100)
                .topP(0.5)
                .seed(42)
                .multiBandDiffusion(true)
                .normalizationStrategy(NormalizationStrategy.PEAK)
                .outputFormat(OutputFormat.MP3)
                .extendStride(12);
    }

    @Test
    void has_replicates_defaults() {
        GenerationRequest r = GenerationRequest.builder().prompt("x").build();
        assertThat(r.duration()).isEqualTo(8);
        assertThat(r.classifierFreeGuidance()).isEqualTo(3);
        assertThat(r.temperature()).isEqualTo(1);
        assertThat(r.topK()).isEqualTo(250);
        assertThat(r.topP()).isZero();
        assertThat(r.seed()).isEmpty();
        assertThat(r.extendStride()).isEqualTo(18);
        assertThat(r.continuation()).isFalse();
        assertThat(r.continuationStart()).isZero();
        assertThat(r.continuationEnd()).isEmpty();
        assertThat(r.multiBandDiffusion()).isFalse();
        assertThat(r.normalizationStrategy()).isEqualTo(NormalizationStrategy.LOUDNESS);
        assertThat(r.outputFormat()).isEqualTo(OutputFormat.WAV);
    }

    @Test
    void equal_when_every_input_is_and_the_token_does_not_count() {
        GenerationRequest a = full().build();
        GenerationRequest b = full().cancellation(new CancellationToken()).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isEqualTo(a.toBuilder().build());
        assertThat(a.cancellation()).isNotSameAs(b.cancellation());
        assertThat(a)
                .isNotEqualTo(full().seed(43).build())
                .isNotEqualTo(full().prompt("lo-fi beats").build())
                .isNotEqualTo(full().continuationEnd(null).build())
                .isNotEqualTo(full().topP(0.6).build())
                .isNotEqualTo(full().inputAudio(Path.of("other.wav")).build())
                .isNotEqualTo(full().outputFormat(OutputFormat.WAV).build())
                .isNotEqualTo(null)
                .isNotEqualTo("x");
        byte[] wav = {1, 2, 3};
        assertThat(full().inputAudio(InputAudio.of(wav)).build())
                .isEqualTo(full().inputAudio(InputAudio.of(wav.clone())).build());
        assertThat(full().inputAudio(InputAudio.of(new float[][] {{0.5f}}, 8000))
                        .build())
                .isEqualTo(full().inputAudio(InputAudio.of(new float[][] {{0.5f}}, 8000))
                        .build())
                .isNotEqualTo(full().inputAudio(InputAudio.of(new float[][] {{0.5f}}, 16000))
                        .build());
    }

    @Test
    void to_string_names_every_input() {
        assertThat(full().build().toString())
                .isEqualTo("GenerationRequest[prompt=\"lo-fi beat\", duration=12.0, "
                        + "inputAudio=in.wav, continuation=true, continuationStart=1.0, continuationEnd=4.0, "
                        + "classifierFreeGuidance=4.0, temperature=0.9, topK=100, topP=0.5, seed=42, multiBandDiffusion=true, "
                        + "normalizationStrategy=peak, outputFormat=mp3, extendStride=12.0]");
        assertThat(GenerationRequest.builder().prompt("x").build().toString())
                .isEqualTo("GenerationRequest["
                        + "prompt=\"x\", duration=8.0, classifierFreeGuidance=3.0, temperature=1.0, topK=250, topP=0.0, "
                        + "seed=random, multiBandDiffusion=false, normalizationStrategy=loudness, outputFormat=wav, "
                        + "extendStride=18.0]");
    }

    @Test
    void the_sampling_rules_name_the_public_parameter() {
        assertThatThrownBy(() -> GenerationRequest.builder()
                        .prompt("x")
                        .classifierFreeGuidance(-2)
                        .build())
                .hasMessage("classifierFreeGuidance must be >= 0, but is: -2.0");
        assertThatThrownBy(() -> GenerationRequest.builder()
                        .prompt("x")
                        .classifierFreeGuidance(Double.NaN)
                        .build())
                .hasMessage("classifierFreeGuidance must be a finite number, but is: NaN");
        assertThatThrownBy(() ->
                        GenerationRequest.builder().prompt("x").duration(3601).build())
                .hasMessage("duration must be at most 3600 seconds, but is: 3601.0");
        assertThatThrownBy(
                        () -> GenerationRequest.builder().prompt("x").seed(-5).build())
                .hasMessage("seed must be >= 0, or null/-1 for a random seed, but is: -5");
        assertThat(GenerationRequest.builder().prompt("x").seed(-1).build().seed())
                .isEmpty();
    }

    @Test
    void a_copy_gets_a_token_of_its_own() {
        CancellationToken mine = new CancellationToken();
        GenerationRequest r = full().cancellation(mine).build();
        assertThat(r.cancellation()).isSameAs(mine);
        assertThat(r.toBuilder().build().cancellation()).isNotSameAs(mine);
    }
}
