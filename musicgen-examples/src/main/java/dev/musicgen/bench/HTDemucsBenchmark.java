package dev.musicgen.bench;

import ai.djl.Device;
import dev.musicgen.internal.demucs.HTDemucsConfig;
import dev.musicgen.internal.demucs.HTDemucsSeparator;
import dev.musicgen.internal.demucs.RandomHTDemucs;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * HTDemucs at the released htdemucs shapes ({@link RandomHTDemucs#releasedConfig}) with seeded random weights; not a
 * test. Times (1) one model forward on one 7.8 s training segment, 3 times, and (2) audiocraft's stem path on
 * {@code --seconds} of 32 kHz mono ({@link HTDemucsSeparator#separateVocalsOther}: resample, 1 shift, 7.8 s chunks with
 * overlap 0.25, resample back), {@code --reps} times.
 *
 * <pre>
 * java -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.HTDemucsBenchmark [--seconds 30] [--reps 2]
 * </pre>
 */
@Command(
        name = "HTDemucsBenchmark",
        mixinStandardHelpOptions = true,
        description = "Times HTDemucs stem separation at the released shapes with random weights (no download).")
public final class HTDemucsBenchmark implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "30", description = "seconds of audio (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--reps", defaultValue = "2", description = "separations (default: ${DEFAULT-VALUE})")
    int reps;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HTDemucsBenchmark()).execute(args));
    }

    @Override
    public Integer call() {
        BenchOptions.requireSecondsAndReps(this, seconds, reps, 0);
        PrintStream out = System.out;
        HTDemucsConfig c = RandomHTDemucs.releasedConfig();
        try (RandomHTDemucs model = RandomHTDemucs.create(c, Device.cpu(), 1234)) {
            out.printf(
                    Locale.ROOT,
                    "HTDemucs released shapes: %d parameters (%.1f M), segment %d samples, %d CPUs%n",
                    model.parameterCount(),
                    model.parameterCount() / 1e6,
                    c.trainingLength(),
                    Runtime.getRuntime().availableProcessors());
            Random r = new Random(42);
            float[] seg = new float[c.audioChannels() * c.trainingLength()];
            for (int i = 0; i < seg.length; i++) {
                seg[i] = (float) (0.1 * r.nextGaussian());
            }
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                double c0 = Machine.cpuSeconds();
                model.forward(seg);
                out.printf(
                        Locale.ROOT,
                        "forward of one %.1f s segment: %.2f s wall, %.2f s CPU (load %s)%n",
                        c.segmentSeconds(),
                        (System.nanoTime() - t0) / 1e9,
                        Machine.cpuSeconds() - c0,
                        Machine.loadavg());
            }
            int n = (int) Math.round(seconds * 32000);
            float[] melody = new float[n];
            for (int i = 0; i < n; i++) {
                double t = i / 32000.0;
                melody[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.05 * r.nextGaussian());
            }
            HTDemucsSeparator sep = model.separator();
            double[] times = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                double c0 = Machine.cpuSeconds();
                float[][] stems = sep.separateVocalsOther(new float[][] {melody}, 32000, 11025);
                times[i] = (System.nanoTime() - t0) / 1e9;
                out.printf(
                        Locale.ROOT,
                        "separate %.0f s of 32 kHz mono: %.2f s wall, %.2f s CPU (%d samples out," + " load %s)%n",
                        seconds,
                        times[i],
                        Machine.cpuSeconds() - c0,
                        stems[0].length,
                        Machine.loadavg());
            }
            out.println("peak RSS " + Machine.peakRssMb() + " MB");
            if (reps > 0) {
                out.printf(Locale.ROOT, "best %.2f s, median %.2f s%n", Machine.min(times), Machine.median(times));
            }
        }
        return 0;
    }
}
