package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.device.DeviceSelector;
import dev.musicgen.testing.RequiresGpu;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny fixture model on GPU 0 (skipped without one): the fixture's shapes, and the same seed gives the same audio. */
@RequiresGpu
class GpuGenerationIT {
    @TempDir
    Path tmp;

    @Test
    void generates_on_the_gpu_reproducibly() {
        try (MusicGenerator g = FixtureModels.builder("musicgen_mono", tmp)
                .device(DeviceSelector.gpu(0))
                .build()) {
            GenerationRequest request = MusicGeneratorFixturesTest.request("generate_text")
                    .prompt(MusicGeneratorFixturesTest.text("generate_text", 0))
                    .build();
            GeneratedAudio a = g.generate(request);
            GeneratedAudio b = g.generate(request);
            assertThat(a.tokens()).hasNumberOfRows(4);
            assertThat(a.tokens()[0]).hasSize(50);
            assertThat(a.samples()[0]).hasSize(32000);
            assertThat(b.tokens()).isDeepEqualTo(a.tokens());
            assertThat(b.samples()).isDeepEqualTo(a.samples());
        }
    }
}
