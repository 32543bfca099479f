package dev.musicgen.examples;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several prompts in one call. Requests with the same duration and sampling settings (and no input audio) run as one
 * batched forward pass, which is much faster than one after another; they share one seed.
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.BatchPrompts ["prompt 1" "prompt 2" ...]
 * </pre>
 *
 * Writes {@code batch-0.wav}, {@code batch-1.wav}, ... into the current directory
 * ({@code -Dmusicgen.outDir=DIR} to change it).
 */
public final class BatchPrompts {
    private BatchPrompts() {}

    public static void main(String[] args) {
        List<String> prompts = args.length > 0
                ? List.of(args)
                : List.of(
                        "80s pop track with bassy drums and synth",
                        "jazz trio with upright bass and brushed drums",
                        "ambient drone with slowly evolving pads");
        Path outDir = Path.of(System.getProperty("musicgen.outDir", "."));

        List<Path> files = run(ExampleModels.builder(ModelVersion.SMALL), prompts, 8, outDir);
        files.forEach(f -> System.out.println("wrote " + f));
    }

    public static List<Path> run(MusicGeneratorBuilder model, List<String> prompts, double seconds, Path outDir) {
        try (MusicGenerator generator = model.build()) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (String prompt : prompts) {
                requests.add(GenerationRequest.builder()
                        .prompt(prompt)
                        .duration(seconds)
                        .build());
            }
            List<GeneratedAudio> results = generator.generate(requests); // same order as the requests
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                Path file = outDir.resolve("batch-" + i + ".wav");
                results.get(i).writeTo(file);
                files.add(file);
            }
            System.out.printf(
                    "%d pieces in %.1f s, seed %d%n",
                    results.size(),
                    results.get(0).timings().get("total").toMillis() / 1000.0,
                    results.get(0).seed());
            return files;
        }
    }
}
