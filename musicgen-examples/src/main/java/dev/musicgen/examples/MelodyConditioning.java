package dev.musicgen.examples;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Music that follows the melody of an audio file (its chromagram), in the style the prompt describes. Needs a melody
 * model ({@code melody}, {@code melody-large}, {@code stereo-melody}, {@code stereo-melody-large}).
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.MelodyConditioning [melody.wav|mp3|flac] ["prompt"] [out.wav] [seconds]
 * </pre>
 *
 * Without a melody file, a four-note sine melody is written to {@code melody-input.wav} and used.
 */
public final class MelodyConditioning {
    private MelodyConditioning() {}

    public static void main(String[] args) throws IOException {
        Path melody = args.length > 0 && !args[0].isBlank()
                ? Path.of(args[0])
                : ExampleModels.writeDemoMelody(Path.of("melody-input.wav"), 8);
        String prompt = ExampleModels.arg(args, 1, "cinematic orchestral piece with strings and timpani");
        Path out = Path.of(ExampleModels.arg(args, 2, "melody.wav"));
        double seconds = Double.parseDouble(ExampleModels.arg(args, 3, "8"));

        GeneratedAudio audio = run(ExampleModels.builder(ModelVersion.MELODY), melody, prompt, seconds, out);
        System.out.printf("wrote %s (%.1f s) following the melody of %s%n", out, audio.durationSeconds(), melody);
    }

    public static GeneratedAudio run(
            MusicGeneratorBuilder model, Path melody, String prompt, double seconds, Path out) {
        try (MusicGenerator generator = model.build()) {
            if (!generator.supportsMelody()) {
                throw new IllegalArgumentException(generator.modelName() + " is not a melody model; use melody, "
                        + "melody-large, stereo-melody or stereo-melody-large");
            }
            GenerationRequest request = GenerationRequest.builder()
                    .prompt(prompt)
                    .inputAudio(melody) // continuation(false), the default: follow its melody
                    .duration(seconds)
                    .build();
            GeneratedAudio audio = generator.generate(request);
            audio.writeTo(out);
            return audio;
        }
    }
}
