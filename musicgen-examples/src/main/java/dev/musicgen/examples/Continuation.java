package dev.musicgen.examples;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Continues an audio file: the clip between {@code start} and {@code end} seconds is the beginning of the output,
 * and the model writes what comes next. {@code seconds} is the length of the whole output, clip included.
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.Continuation [in.wav] [start] [end] ["prompt"] [out.wav] [seconds]
 * </pre>
 *
 * The input may be WAV, MP3 or FLAC, at any rate and channel count. Without an input file, a four-note sine melody
 * is written to {@code continuation-input.wav} and continued. Leave {@code end} out (or give {@code -}) to use the
 * clip up to its end.
 */
public final class Continuation {
    private Continuation() {}

    public static void main(String[] args) throws IOException {
        Path input = args.length > 0 && !args[0].isBlank()
                ? Path.of(args[0])
                : ExampleModels.writeDemoMelody(Path.of("continuation-input.wav"), 4);
        double start = Double.parseDouble(ExampleModels.arg(args, 1, "0"));
        String endArg = ExampleModels.arg(args, 2, "-");
        Double end = endArg.equals("-") ? null : Double.valueOf(endArg);
        String prompt = ExampleModels.arg(args, 3, "acoustic folk song with guitar and harmonica");
        Path out = Path.of(ExampleModels.arg(args, 4, "continuation.wav"));
        double seconds = Double.parseDouble(ExampleModels.arg(args, 5, "12"));

        GeneratedAudio audio = run(ExampleModels.builder(ModelVersion.SMALL), input, start, end, prompt, seconds, out);
        System.out.printf(
                "wrote %s (%.1f s, starting with %s from %.1f s)%n", out, audio.durationSeconds(), input, start);
    }

    public static GeneratedAudio run(
            MusicGeneratorBuilder model,
            Path input,
            double start,
            Double end,
            String prompt,
            double seconds,
            Path out) {
        try (MusicGenerator generator = model.build()) {
            GenerationRequest request = GenerationRequest.builder()
                    .prompt(prompt) // may be null: continue with no text condition
                    .inputAudio(input) // any rate and channel count; converted as audiocraft does
                    .continuation(true)
                    .continuationStart(start)
                    .continuationEnd(end) // null = the end of the clip
                    .duration(seconds) // must be longer than the clip
                    .build();
            GeneratedAudio audio = generator.generate(request);
            audio.writeTo(out);
            return audio;
        }
    }
}
