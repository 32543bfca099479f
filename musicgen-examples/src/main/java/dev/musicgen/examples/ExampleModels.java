package dev.musicgen.examples;

import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What the examples share: which model to load, and a stand-in audio file when you give none.
 *
 * <p>Every example loads its default model ({@link ModelVersion#SMALL}, or {@link ModelVersion#MELODY} for the melody
 * example) from the Hugging Face cache, downloading it on first use. These system properties change that:
 *
 * <pre>
 * -Dmusicgen.model=NAME|REPO|DIR   a version name ("medium"), a Hub repo id, or a local model directory
 * -Dmusicgen.localRepos=ID=DIR,... serve repo ids from local directories (e.g. the T5 a checkpoint names)
 * -Dmusicgen.offline=true          never use the network
 * -Dmusicgen.stemSeparation=false   take a melody's chroma from the whole mix (no HTDemucs download)
 * -Dmusicgen.cacheDir=DIR          the Hugging Face hub cache (default: HF_HUB_CACHE, else ~/.cache/huggingface/hub)
 * </pre>
 *
 * The device comes from {@code MUSICGEN_DEVICE} (default {@code auto}); see {@link CustomDeviceSelector}.
 */
public final class ExampleModels {
    private ExampleModels() {}

    /** A generator builder for {@code -Dmusicgen.model}, or {@code defaultModel} when it is not set. */
    public static MusicGeneratorBuilder builder(ModelVersion defaultModel) {
        MusicGeneratorBuilder builder = MusicGenerator.builder()
                .model(System.getProperty("musicgen.model", defaultModel.versionName()))
                .stemSeparation(Boolean.parseBoolean(System.getProperty("musicgen.stemSeparation", "true")));
        if (Boolean.getBoolean("musicgen.offline")) {
            builder.offline(true); // only when asked: otherwise HF_HUB_OFFLINE decides
        }
        String cacheDir = System.getProperty("musicgen.cacheDir");
        if (cacheDir != null && !cacheDir.isBlank()) {
            builder.cacheDir(Path.of(cacheDir));
        }
        String repos = System.getProperty("musicgen.localRepos", "");
        for (String entry : repos.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("musicgen.localRepos must be a comma-separated list of ID=DIR, "
                        + "but has the entry: '" + entry + "'");
            }
            builder.localRepo(
                    entry.substring(0, eq).trim(),
                    Path.of(entry.substring(eq + 1).trim()));
        }
        return builder;
    }

    /** {@code args[index]}, or {@code fallback} when it is missing or blank. */
    public static String arg(String[] args, int index, String fallback) {
        return index < args.length && !args[index].isBlank() ? args[index] : fallback;
    }

    /**
     * Writes a simple stand-in melody (C4 D4 E4 G4, one note per second, sine tones, 32 kHz mono WAV) and returns
     * {@code target}. Use your own recording instead: WAV, MP3 and FLAC are read, at any rate and channel count.
     */
    public static Path writeDemoMelody(Path target, double seconds) throws IOException {
        int rate = 32000;
        double[] notesHz = {261.63, 293.66, 329.63, 392.0};
        float[] samples = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < samples.length; i++) {
            double t = i / (double) rate;
            double hz = notesHz[(int) t % notesHz.length];
            double fade = Math.min(1, Math.min(t % 1, 1 - t % 1) * 50); // 20 ms fades: no clicks between notes
            samples[i] = (float) (0.3 * fade * Math.sin(2 * Math.PI * hz * t));
        }
        AudioFiles.write(
                target,
                new Audio(new float[][] {samples}, rate),
                AudioFiles.Format.WAV,
                AudioFiles.WriteOptions.DEFAULTS);
        return target;
    }
}
