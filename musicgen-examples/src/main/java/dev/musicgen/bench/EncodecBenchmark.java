package dev.musicgen.bench;

import ai.djl.Device;
import dev.musicgen.internal.codec.EncodecConfig;
import dev.musicgen.internal.codec.EncodecModel;
import dev.musicgen.internal.weights.WeightStore;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Decode (and encode) benchmark of EnCodec with the real MusicGen 32 kHz shapes ({@code Shapes.ENCODEC_32K}) and
 * random weights: decodes {@code --seconds} of random tokens {@code --reps} times, then encodes the decoded audio as
 * often. Not a test (see docs/PERFORMANCE.md):
 *
 * <pre>
 * java -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.EncodecBenchmark [--seconds 30] [--reps 3]
 * </pre>
 */
@Command(
        name = "EncodecBenchmark",
        mixinStandardHelpOptions = true,
        description = "Times the EnCodec 32 kHz decode and encode with random weights (no download).")
public final class EncodecBenchmark implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "30", description = "seconds of tokens (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--reps", defaultValue = "3", description = "decodes and encodes (default: ${DEFAULT-VALUE})")
    int reps;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EncodecBenchmark()).execute(args));
    }

    @Override
    public Integer call() {
        BenchOptions.requireSecondsAndReps(this, seconds, reps, 1);
        PrintStream out = System.out;
        EncodecConfig cfg = Shapes.ENCODEC_32K;
        long t0 = System.nanoTime();
        try (EncodecModel model = EncodecModel.fromWeights(
                cfg, WeightStore.of("random", RandomEncodecWeights.of(cfg, 42)), Device.cpu())) {
            out.printf(
                    Locale.ROOT,
                    "load (random weights): %.2f s, VmHWM %s MB%n",
                    (System.nanoTime() - t0) / 1e9,
                    Machine.peakRssMb());
            int frames = (int) Math.round(seconds * cfg.frameRate());
            SplittableRandom rnd = new SplittableRandom(7);
            long[][][] codes = new long[1][4][frames];
            for (long[] row : codes[0]) {
                for (int t = 0; t < frames; t++) {
                    row[t] = rnd.nextInt(cfg.rvq().bins());
                }
            }
            // warm-up on 1 s
            long[][][] second = new long[1][4][];
            for (int q = 0; q < 4; q++) {
                second[0][q] = Arrays.copyOf(codes[0][q], 50);
            }
            model.decode(second);
            out.printf(
                    Locale.ROOT,
                    "threads: intra-op %s (ai.djl.pytorch.num_threads), load average %s%n",
                    System.getProperty("ai.djl.pytorch.num_threads", "default"),
                    Machine.loadavg());
            double[] dec = new double[reps];
            float[][][] audio = null;
            for (int i = 0; i < reps; i++) {
                long s = System.nanoTime();
                double c = Machine.cpuSeconds();
                audio = model.decode(codes);
                dec[i] = (System.nanoTime() - s) / 1e9;
                out.printf(
                        Locale.ROOT,
                        "decode %.0f s of codes: %.3f s (%.1fx real time), process CPU %.2f s," + " VmHWM %s MB%n",
                        seconds,
                        dec[i],
                        seconds / dec[i],
                        Machine.cpuSeconds() - c,
                        Machine.peakRssMb());
            }
            double[] enc = new double[reps];
            for (int i = 0; i < reps; i++) {
                long s = System.nanoTime();
                double c = Machine.cpuSeconds();
                model.encode(audio);
                enc[i] = (System.nanoTime() - s) / 1e9;
                out.printf(
                        Locale.ROOT,
                        "encode %.0f s of audio: %.3f s (%.1fx real time), process CPU %.2f s," + " VmHWM %s MB%n",
                        seconds,
                        enc[i],
                        seconds / enc[i],
                        Machine.cpuSeconds() - c,
                        Machine.peakRssMb());
            }
            double decode = Machine.median(dec);
            double encode = Machine.median(enc);
            out.printf(
                    Locale.ROOT,
                    "decode median %.3f s = %.1fx real time; encode median %.3f s = %.1fx real time;"
                            + " peak RSS (VmHWM) %s MB; cores %d%n",
                    decode,
                    seconds / decode,
                    encode,
                    seconds / encode,
                    Machine.peakRssMb(),
                    Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "load average at the end: %s%n", Machine.loadavg());
        }
        return 0;
    }
}
