package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Slow;
import dev.musicgen.testing.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The golden cases end to end through the public API: tokens exact, audio within each case's tolerance. */
class MusicGeneratorFixturesTest {
    @TempDir
    static Path tmp;

    static MusicGenerator mono;

    @BeforeAll
    static void load() {
        mono = FixtureModels.builder("musicgen_mono", tmp).build();
    }

    @AfterAll
    static void close() {
        mono.close();
    }

    static GenerationRequest.Builder request(String caseName) {
        JsonObject p = Fixtures.caseJson(caseName).getAsJsonObject("params");
        JsonObject g = p.getAsJsonObject("generation_params");
        return GenerationRequest.builder()
                .duration(p.get("duration").getAsDouble())
                .temperature(g.get("temp").getAsDouble())
                .topK(g.get("top_k").getAsInt())
                .topP(g.get("top_p").getAsDouble())
                .classifierFreeGuidance(g.get("cfg_coef").getAsDouble())
                .seed(0);
    }

    static String text(String caseName, int i) {
        JsonObject p = Fixtures.caseJson(caseName).getAsJsonObject("params");
        return p.has("texts")
                ? p.getAsJsonArray("texts").get(i).getAsString()
                : p.get("text").getAsString();
    }

    static void check(String caseName, List<GeneratedAudio> out) {
        Map<String, TensorData> exp = Fixtures.tensors(caseName, "expected.safetensors");
        List<Long> tokens = new ArrayList<>();
        List<Float> wav = new ArrayList<>();
        for (GeneratedAudio a : out) {
            for (long[] row : a.tokens()) {
                for (long t : row) {
                    tokens.add(t);
                }
            }
            for (float[] ch : a.samples()) {
                for (float s : ch) {
                    wav.add(s);
                }
            }
        }
        Tensors.assertExact(
                caseName + " tokens",
                tokens.stream().mapToLong(Long::longValue).toArray(),
                exp.get("tokens").toLongArray());
        float[] w = new float[wav.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = wav.get(i);
        }
        double[] tol = Fixtures.tolerance(caseName, "wav");
        Tensors.assertAllClose(caseName + " wav", w, exp.get("wav").toFloatArray(), tol[0], tol[1]);
    }

    @Test
    void text_to_audio() {
        check(
                "generate_text",
                List.of(mono.generate(request("generate_text")
                        .prompt(text("generate_text", 0))
                        .build())));
        check(
                "generate_text_cfg1",
                List.of(mono.generate(request("generate_text_cfg1")
                        .prompt(text("generate_text_cfg1", 0))
                        .build())));
    }

    @Test
    void batch_of_two_prompts() {
        List<GenerationRequest> rs = List.of(
                request("generate_text_temp07")
                        .prompt(text("generate_text_temp07", 0))
                        .build(),
                request("generate_text_temp07")
                        .prompt(text("generate_text_temp07", 1))
                        .build());
        check("generate_text_temp07", mono.generate(rs));
    }

    @Test
    void stereo_model() {
        try (MusicGenerator g = FixtureModels.builder("musicgen_stereo", tmp).build()) {
            assertThat(g.channels()).isEqualTo(2);
            check(
                    "generate_text_stereo",
                    List.of(g.generate(request("generate_text_stereo")
                            .prompt(text("generate_text_stereo", 0))
                            .build())));
        }
    }

    @Test
    void melody_conditioning() {
        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        try (MusicGenerator g = FixtureModels.builder("musicgen_melody", tmp).build()) {
            assertThat(g.supportsMelody()).isTrue();
            GenerationRequest r = request("melody")
                    .prompt(text("melody", 0))
                    .inputAudio(InputAudio.of(new float[][] {melody}, 32000))
                    .build();
            check("melody", List.of(g.generate(r)));
        }
    }

    @Slow
    @Test
    void melody_through_htdemucs_stem_separation_is_seeded() {
        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        try (MusicGenerator g = FixtureModels.builder("musicgen_melody", tmp)
                .stemSeparation(true)
                .demucsCheckpoint(Fixtures.path("demucs", "model", "7e57de30-6015d918.th"))
                .build()) {
            GenerationRequest r = request("melody")
                    .prompt(text("melody", 0))
                    .temperature(1)
                    .topK(50)
                    .seed(7)
                    .inputAudio(InputAudio.of(new float[][] {melody}, 32000))
                    .build();
            GeneratedAudio a = g.generate(r);
            GeneratedAudio b = g.generate(r.toBuilder().build());
            assertThat(a.tokens()).isDeepEqualTo(b.tokens());
            assertThat(a.seed()).isEqualTo(7);
            assertThat(a.tokens()[0]).hasSize(50);
        }
    }

    @Test
    void continuation_from_samples() {
        JsonObject p = Fixtures.caseJson("continuation").getAsJsonObject("params");
        float[] in = Fixtures.tensors("continuation", "inputs.safetensors")
                .get("input_audio")
                .toFloatArray();
        GenerationRequest r = request("continuation")
                .prompt(text("continuation", 0))
                .inputAudio(InputAudio.of(new float[][] {in}, 32000))
                .continuation(true)
                .continuationStart(p.get("start").getAsDouble())
                .continuationEnd(p.get("end").getAsDouble())
                .build();
        check("continuation", List.of(mono.generate(r)));
    }

    @Test
    void continuation_from_a_44k_stereo_wav_file() throws Exception {
        JsonObject p = Fixtures.caseJson("continuation_resample").getAsJsonObject("params");
        float[] in = Fixtures.tensors("continuation_resample", "inputs.safetensors")
                .get("input_audio")
                .toFloatArray();
        int n = in.length / 2;
        float[][] st = {java.util.Arrays.copyOfRange(in, 0, n), java.util.Arrays.copyOfRange(in, n, 2 * n)};
        Path wav = tmp.resolve("prompt44k.wav");
        AudioFiles.write(
                wav,
                new Audio(st, 44100),
                AudioFiles.Format.WAV,
                AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(AudioFiles.WavEncoding.FLOAT_32));
        GenerationRequest r = request("continuation_resample")
                .prompt(text("continuation_resample", 0))
                .inputAudio(wav)
                .continuation(true)
                .continuationStart(p.get("start").getAsDouble())
                .continuationEnd(p.get("end").getAsDouble())
                .build();
        check("continuation_resample", List.of(mono.generate(r)));
    }

    @Test
    void long_generation_through_the_extension_loop() {
        JsonObject p = Fixtures.caseJson("long_generation").getAsJsonObject("params");
        try (MusicGenerator g = FixtureModels.builder("musicgen_long", tmp).build()) {
            assertThat(g.maxDuration()).isEqualTo(2.0);
            GenerationRequest r = request("long_generation")
                    .prompt(text("long_generation", 0))
                    .extendStride(p.get("extend_stride").getAsDouble())
                    .build();
            check("long_generation", List.of(g.generate(r)));
        }
    }
}
