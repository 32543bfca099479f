package dev.musicgen.cli;

import dev.musicgen.ComputeType;
import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.InputAudio;
import dev.musicgen.ModelSource;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.NormalizationStrategy;
import dev.musicgen.OutputFormat;
import dev.musicgen.ProgressListener;
import dev.musicgen.internal.codec.TokensFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code musicgen generate}: every input of Replicate's meta/musicgen as an option. */
@Command(
        name = "generate",
        description = "Generate music from a prompt, a melody, or an audio prompt to continue.",
        sortOptions = false)
final class GenerateCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            description = "Model version (small, medium, large, melody, melody-large, stereo-small, "
                    + "stereo-medium, stereo-large, stereo-melody, stereo-melody-large), Hub repo id, or local directory. "
                    + "Default: ${DEFAULT-VALUE}",
            defaultValue = "stereo-melody-large")
    String model;

    @Option(
            names = {"-p", "--prompt"},
            description = "Description of the music.")
    String prompt;

    @Option(
            names = {"-d", "--duration"},
            description = "Seconds (default ${DEFAULT-VALUE}); over 30 uses the "
                    + "extension loop; a continuation's total length.",
            defaultValue = "8")
    double duration;

    @Option(names = "--input-audio", description = "Melody or audio prompt: a file, an http(s) URL or a data: URI.")
    String inputAudio;

    @Option(names = "--continuation", description = "Continue --input-audio instead of following its melody.")
    boolean continuation;

    @Option(
            names = "--continuation-start",
            description = "Start (s) of the clip used (default ${DEFAULT-VALUE}).",
            defaultValue = "0")
    double continuationStart;

    @Option(names = "--continuation-end", description = "End (s) of the clip used (default: end of clip).")
    Double continuationEnd;

    @Option(
            names = {"--classifier-free-guidance", "--cfg"},
            description = "Classifier-free guidance (default " + "${DEFAULT-VALUE}).",
            defaultValue = "3")
    double cfg;

    @Option(
            names = "--temperature",
            description = "Sampling temperature (default ${DEFAULT-VALUE}).",
            defaultValue = "1.0")
    double temperature;

    @Option(names = "--top-k", description = "Top-k (default ${DEFAULT-VALUE}).", defaultValue = "250")
    int topK;

    @Option(names = "--top-p", description = "Top-p; 0 uses top-k (default ${DEFAULT-VALUE}).", defaultValue = "0")
    double topP;

    @Option(names = "--seed", description = "Seed; omitted or -1 for a random one (printed).")
    Long seed;

    @Option(
            names = "--extend-stride",
            description = "Seconds added per extra chunk past 30 s (default " + "${DEFAULT-VALUE}).",
            defaultValue = "18")
    double extendStride;

    @Mixin
    MbdOptions mbd;

    @Option(
            names = {"--normalization-strategy", "--normalization"},
            description = "loudness, clip, peak or rms " + "(default ${DEFAULT-VALUE}).",
            defaultValue = "loudness")
    String normalization;

    @Option(
            names = {"--output-format", "--format"},
            description = "wav or mp3 (default: from --output's extension, " + "else wav).")
    String format;

    @Mixin
    SampleFormatOption sampleFormat;

    @Option(
            names = {"-o", "--output"},
            description = "Output file (default ${DEFAULT-VALUE}); - streams a WAV to "
                    + "standard output while generating (raw decoder output: pcm16 clamped as clip, or float32).",
            defaultValue = "out.wav")
    Path output;

    @Option(names = "--play", description = "Play on the default audio device while generating (no file).")
    boolean play;

    @Option(names = "--save-tokens", description = "Also write the tokens (int64 [B,K,T]) to this .safetensors file.")
    Path saveTokens;

    @Mixin
    DeviceOptions device;

    @Option(
            names = "--compute-type",
            description = "FLOAT32, FLOAT16_WEIGHTS or INT8_WEIGHTS (CPU; needs java"
                    + " --add-modules jdk.incubator.vector) (default ${DEFAULT-VALUE}).",
            defaultValue = "FLOAT32")
    ComputeType computeType;

    @Option(names = "--text-encoder", description = "Local T5 directory instead of the one the checkpoint names.")
    Path textEncoder;

    @Mixin
    HubOptions hub;

    @Option(
            names = "--no-stem-separation",
            description = "Take a melody's chroma from the whole mix instead of "
                    + "HTDemucs' vocals + other stems (no 80 MB download).")
    boolean noStemSeparation;

    @Option(names = "--demucs-checkpoint", description = "Local htdemucs checkpoint 955717e8-8726e21a.th.")
    Path demucsCheckpoint;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        OutputFormat fmt = format != null ? OutputFormat.fromName(format) : formatOf(output);
        GenerationRequest.Builder rb = GenerationRequest.builder()
                .prompt(prompt)
                .duration(duration)
                .continuation(continuation)
                .continuationStart(continuationStart)
                .continuationEnd(continuationEnd)
                .classifierFreeGuidance(cfg)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .seed(seed)
                .extendStride(extendStride)
                .multiBandDiffusion(mbd.enabled)
                .normalizationStrategy(NormalizationStrategy.fromName(normalization))
                .outputFormat(fmt);
        if (inputAudio != null) {
            rb.inputAudio(InputAudio.parse(inputAudio));
        }
        GenerationRequest request = rb.build();
        boolean float32 = sampleFormat.float32();
        sampleFormat.check(output, fmt == OutputFormat.WAV);
        StreamingOutput streaming = StreamingOutput.of(output, play, float32, request, saveTokens);
        if (streaming == null) {
            checkWritable("--output", output);
        }
        if (saveTokens != null) {
            checkWritable("--save-tokens", saveTokens);
        }
        if (request.inputAudio().isPresent()) {
            // read and decode before loading a model: a bad file fails in a second, not after a multi-GB load
            request = request.toBuilder()
                    .inputAudio(request.inputAudio().get().preload())
                    .build();
        }
        try (ProgressBars bars =
                new ProgressBars(!noProgress, spec.commandLine().getErr())) {
            MusicGeneratorBuilder gb = hub.applyTo(MusicGenerator.builder())
                    .model(ModelSource.parse(model))
                    .computeType(computeType)
                    .device(device.selector())
                    .progressListener(bars)
                    .multiBandDiffusionModel(mbd.source());
            if (textEncoder != null) {
                gb.textEncoder(textEncoder);
            }
            gb.stemSeparation(!noStemSeparation);
            if (demucsCheckpoint != null) {
                gb.demucsCheckpoint(demucsCheckpoint);
            }
            try (MusicGenerator gen = gb.build()) {
                if (streaming != null) {
                    return streaming.run(
                            gen, request, bars::done, spec.commandLine().getErr());
                }
                GeneratedAudio audio = gen.generate(request);
                bars.done();
                if (float32) {
                    audio.writeRawFloatWav(output);
                } else {
                    audio.writeTo(output, fmt);
                }
                if (saveTokens != null) {
                    long[][] t = audio.tokens();
                    try {
                        TokensFile.write(saveTokens, new long[][][] {t});
                    } catch (RuntimeException e) {
                        // all or nothing: no audio file without the tokens asked for
                        java.nio.file.Files.deleteIfExists(output);
                        throw e;
                    }
                }
                out.printf(
                        "seed %d%nwrote %s (%.2f s, %d Hz, %d channel(s)) in %.1f s%n",
                        audio.seed(),
                        output,
                        audio.durationSeconds(),
                        audio.sampleRate(),
                        audio.channels(),
                        audio.timings().get("total").toMillis() / 1000.0);
            }
        }
        out.flush();
        return 0;
    }

    /** Whether {@code --sample-format} asks for float32, which needs WAV. */
    /** The format named by the output's extension: .mp3 → MP3, .wav or none → WAV, anything else is refused. */
    static OutputFormat formatOf(Path output) {
        String name = output.getFileName() == null ? "" : output.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return OutputFormat.WAV;
        }
        String ext = name.substring(dot + 1);
        try {
            return OutputFormat.fromName(ext);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--output " + output + " has the extension ." + ext + ", but the output "
                    + "format must be one of wav, mp3: name the file .wav or .mp3, or give --output-format");
        }
    }

    /** Fails before a model is loaded when {@code file} cannot be written: a missing or read-only directory. */
    static void checkWritable(String option, Path file) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (java.nio.file.Files.isDirectory(abs)) {
            throw new IllegalArgumentException(option + " " + file + " is a directory; give a file name");
        }
        if (dir == null || !java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    option + " " + file + ": the output directory " + dir + " does not exist");
        }
        if (!java.nio.file.Files.isWritable(dir)) {
            throw new IllegalArgumentException(
                    option + " " + file + ": the output directory " + dir + " is not writable");
        }
    }

    /**
     * Progress on stderr. On a terminal, a bar for the decode steps; otherwise (a log, a pipe) plain lines with no
     * escape codes or carriage returns: one when a phase starts and when it ends, and at most one every 10 s between.
     */
    static final class ProgressBars implements ProgressListener, AutoCloseable {
        private static final long PLAIN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

        private final boolean enabled;
        private final boolean terminal;
        private final PrintWriter err;
        private me.tongfei.progressbar.ProgressBar bar;
        private Phase phase;
        private long printedAt;

        ProgressBars(boolean enabled, PrintWriter err) {
            this(enabled, DownloadCommand.stderrIsTerminal(System.getenv()), err);
        }

        ProgressBars(boolean enabled, boolean terminal, PrintWriter err) {
            this.enabled = enabled;
            this.terminal = terminal;
            this.err = err;
        }

        @Override
        public synchronized void onProgress(Phase p, long step, long total) {
            if (!enabled) {
                return;
            }
            if (!terminal) {
                plain(p, step, total);
                return;
            }
            if (p != Phase.GENERATING) {
                return;
            }
            if (bar == null || phase != p) {
                close();
                phase = p;
                bar = new me.tongfei.progressbar.ProgressBarBuilder()
                        .setTaskName("generating")
                        .setInitialMax(Math.max(total, 1))
                        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                        .build();
            }
            bar.maxHint(Math.max(total, 1));
            bar.stepTo(step);
        }

        private void plain(Phase p, long step, long total) {
            long now = System.nanoTime();
            boolean changed = p != phase;
            boolean end = total > 0 && step >= total;
            if (!changed && !end && now - printedAt < PLAIN_NANOS) {
                return;
            }
            phase = p;
            printedAt = now;
            String name = p.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            err.println(
                    total > 0
                            ? name + " " + step + "/" + total
                                    + String.format(java.util.Locale.ROOT, " (%d%%)", step * 100 / total)
                            : name);
            err.flush();
        }

        void done() {
            close();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
            err.flush();
        }
    }
}
