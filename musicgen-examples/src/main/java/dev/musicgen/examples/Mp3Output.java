package dev.musicgen.examples;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.OutputFormat;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * MP3 output, encoded in pure Java (no ffmpeg): at the default 128 kbps through the request's output format, and at
 * another bit rate through {@link AudioFiles}.
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.Mp3Output ["prompt"] [out.mp3] [seconds]
 * </pre>
 */
public final class Mp3Output {
    private Mp3Output() {}

    public static void main(String[] args) throws IOException {
        String prompt = ExampleModels.arg(args, 0, "reggae song with offbeat guitar and dub bass");
        Path out = Path.of(ExampleModels.arg(args, 1, "song.mp3"));
        double seconds = Double.parseDouble(ExampleModels.arg(args, 2, "8"));

        run(ExampleModels.builder(ModelVersion.SMALL), prompt, seconds, out);
        System.out.println("wrote " + out + " (128 kbps) and " + highQuality(out) + " (320 kbps)");
    }

    public static GeneratedAudio run(MusicGeneratorBuilder model, String prompt, double seconds, Path out)
            throws IOException {
        try (MusicGenerator generator = model.build()) {
            GenerationRequest request = GenerationRequest.builder()
                    .prompt(prompt)
                    .duration(seconds)
                    .outputFormat(OutputFormat.MP3)
                    .build();
            GeneratedAudio audio = generator.generate(request);
            audio.writeTo(out); // the request's format: MP3, 128 kbps
            // byte[] mp3 = audio.toBytes(OutputFormat.MP3); would give the same file in memory, e.g. for HTTP.

            // Another bit rate: write the normalized samples with explicit options.
            Audio normalized = new Audio(audio.normalizedSamples(), audio.sampleRate());
            AudioFiles.write(
                    highQuality(out),
                    normalized,
                    AudioFiles.Format.MP3,
                    AudioFiles.WriteOptions.DEFAULTS.withMp3BitrateKbps(320));
            return audio;
        }
    }

    /** {@code song.mp3} → {@code song-320k.mp3}. */
    static Path highQuality(Path out) {
        String name = out.getFileName().toString().replaceFirst("(?i)\\.mp3$", "");
        return out.resolveSibling(name + "-320k.mp3");
    }
}
