package dev.musicgen.examples;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import java.nio.file.Path;

/**
 * Longer than the model's 30 s window. MusicGen generates 30 s, then repeatedly keeps the last
 * {@code 30 - extendStride} seconds as a prompt and generates {@code extendStride} new seconds, until the duration is
 * reached (audiocraft's extension loop). A smaller stride keeps more context per step but needs more steps.
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.LongForm ["prompt"] [out.wav] [seconds] [extendStride]
 * </pre>
 */
public final class LongForm {
    private LongForm() {}

    public static void main(String[] args) {
        String prompt = ExampleModels.arg(args, 0, "epic synthwave track with driving bass and arpeggios");
        Path out = Path.of(ExampleModels.arg(args, 1, "long-form.wav"));
        double seconds = Double.parseDouble(ExampleModels.arg(args, 2, "45"));
        double extendStride = Double.parseDouble(ExampleModels.arg(args, 3, "18"));

        GeneratedAudio audio = run(ExampleModels.builder(ModelVersion.SMALL), prompt, seconds, extendStride, out);
        System.out.printf(
                "wrote %s (%.1f s) in %.0f s%n",
                out, audio.durationSeconds(), audio.timings().get("total").toMillis() / 1000.0);
    }

    public static GeneratedAudio run(
            MusicGeneratorBuilder model, String prompt, double seconds, double extendStride, Path out) {
        try (MusicGenerator generator = model.build()) {
            // extendStride must be below the window (generator.maxDuration(), 30 s for the released models).
            System.out.printf(
                    "window %.0f s, stride %.0f s: %d extension step(s)%n",
                    generator.maxDuration(),
                    extendStride,
                    extensionSteps(seconds, generator.maxDuration(), extendStride));
            GenerationRequest request = GenerationRequest.builder()
                    .prompt(prompt)
                    .duration(seconds)
                    .extendStride(extendStride) // default 18 s, as on Replicate
                    .build();
            GeneratedAudio audio = generator.generate(request);
            audio.writeTo(out);
            return audio;
        }
    }

    /** How many times the window moves: ceil((duration - window) / stride), none if it fits. */
    static int extensionSteps(double seconds, double window, double stride) {
        return seconds <= window ? 0 : (int) Math.ceil((seconds - window) / stride - 1e-9);
    }
}
