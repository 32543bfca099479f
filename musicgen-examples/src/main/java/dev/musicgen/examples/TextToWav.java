package dev.musicgen.examples;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import java.nio.file.Path;

/**
 * A text prompt to a WAV file.
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.TextToWav ["prompt"] [out.wav] [seconds]
 * </pre>
 */
public final class TextToWav {
    private TextToWav() {}

    public static void main(String[] args) {
        String prompt = ExampleModels.arg(args, 0, "lo-fi hip hop beat with mellow piano and vinyl crackle");
        Path out = Path.of(ExampleModels.arg(args, 1, "text-to-wav.wav"));
        double seconds = Double.parseDouble(ExampleModels.arg(args, 2, "8"));

        GeneratedAudio audio = run(ExampleModels.builder(ModelVersion.SMALL), prompt, seconds, out);
        System.out.printf(
                "wrote %s: %.1f s, %d Hz, %d channel(s), seed %d%n",
                out, audio.durationSeconds(), audio.sampleRate(), audio.channels(), audio.seed());
    }

    public static GeneratedAudio run(MusicGeneratorBuilder model, String prompt, double seconds, Path out) {
        // Loading takes a while: in an application, build the generator once and keep it for many calls.
        try (MusicGenerator generator = model.build()) {
            GenerationRequest request = GenerationRequest.builder()
                    .prompt(prompt)
                    .duration(seconds)
                    .build(); // every other input has Replicate's default (cfg 3, top-k 250, random seed, ...)
            GeneratedAudio audio = generator.generate(request);
            audio.writeTo(out); // 16-bit PCM WAV, loudness-normalized to -14 LUFS
            return audio;
        }
    }
}
