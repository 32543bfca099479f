package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.diffusion.NoiseSource;
import dev.musicgen.internal.diffusion.RandomMbd;
import dev.musicgen.internal.nn.F;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * MultiBand Diffusion at the released model's shapes (hidden 48, depth 4, growth 4 → 48/192/768/3072 channels, a
 * 6-layer transformer bottleneck of width 3072, codec_dim 128) with random weights ({@link RandomMbd}); not a test.
 *
 * <p>Times one U-Net evaluation, the band processor and the final EQ match for {@code --seconds} of mono audio, and
 * estimates a full decode as 80 U-Net evaluations + 2 processors + EQ. With {@code --full} it also runs the whole
 * 4-band {@code generate} + {@code re_eq} (the 4 bands share one random U-Net to halve memory; the work is the same).
 * The EnCodec decode and latent are not included (see {@link EncodecBenchmark}).
 *
 * <pre>
 * java -Xmx3g -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.MbdBenchmark [--seconds 1] [--reps 3] [--full]
 * </pre>
 */
@Command(
        name = "MbdBenchmark",
        mixinStandardHelpOptions = true,
        description = "Times MultiBand Diffusion at the released shapes with random weights (no download).")
public final class MbdBenchmark implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "1", description = "seconds of audio (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--reps", defaultValue = "3", description = "timed runs of each part (default: ${DEFAULT-VALUE})")
    int reps;

    @Option(names = "--full", description = "also run the whole 4-band generate + re_eq")
    boolean full;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MbdBenchmark()).execute(args));
    }

    @Override
    public Integer call() {
        BenchOptions.requireSecondsAndReps(this, seconds, reps, 1);
        PrintStream out = System.out;
        int frames = (int) Math.round(seconds * RandomMbd.SAMPLE_RATE / RandomMbd.HOP_LENGTH);
        long len = (long) frames * RandomMbd.HOP_LENGTH;
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            long t0 = System.nanoTime();
            try (RandomMbd mbd = RandomMbd.create(root, 1)) {
                out.printf(
                        Locale.ROOT,
                        "MBD benchmark: %.2f s of audio (%d frames, %d samples), channels %s,"
                                + " libtorch threads %s, %d CPUs%n",
                        seconds,
                        frames,
                        len,
                        Arrays.toString(mbd.channels()),
                        System.getProperty("ai.djl.pytorch.num_threads", "default"),
                        Runtime.getRuntime().availableProcessors());
                out.printf(Locale.ROOT, "random weights built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                NoiseSource noise = NoiseSource.gaussian(1);
                float[] cond = noise.next(new long[] {1, mbd.codecDim(), frames});
                float[] x = noise.next(new long[] {1, 1, len});
                double unetS;
                double procS;
                double eqS;
                try (NDManager call = root.newSubManager()) {
                    NDArray c = call.create(cond, new Shape(1, mbd.codecDim(), frames));
                    NDArray xs = call.create(x, new Shape(1, 1, len));
                    unetS = median(out, () -> mbd.unet(xs, 500, c).toFloatArray());
                    procS = median(out, () -> mbd.processor(xs).toFloatArray());
                    eqS = median(out, () -> mbd.reEq(xs, xs.mul(0.5f)).toFloatArray());
                }
                int evals = RandomMbd.unetEvaluationsPerDecode();
                double total = evals * unetS + 2 * procS + eqS;
                out.printf(Locale.ROOT, "U-Net evaluation: %.3f s (median of %d)%n", unetS, reps);
                out.printf(Locale.ROOT, "MultiBandProcessor.return_sample: %.3f s%n", procS);
                out.printf(Locale.ROOT, "re_eq (32 bands): %.3f s%n", eqS);
                out.printf(
                        Locale.ROOT,
                        "estimated decode (%d U-Net evals + 2 processors + EQ): %.1f s"
                                + " = %.1f s per second of audio%n",
                        evals,
                        total,
                        total / seconds);
                if (full) {
                    full(out, mbd, root, cond, x, frames, len);
                }
            }
        }
        return 0;
    }

    private void full(PrintStream out, RandomMbd mbd, NDManager root, float[] cond, float[] x, int frames, long len) {
        try (NDManager call = root.newSubManager()) {
            NDArray c = call.create(cond, new Shape(1, mbd.codecDim(), frames));
            NDArray ref = call.create(x, new Shape(1, 1, len)).mul(0.1f);
            long f0 = System.nanoTime();
            double c0 = Machine.cpuSeconds();
            NDArray wav = mbd.generate(c, new Shape(1, 1, len), 2);
            float[] audio = mbd.reEq(wav, ref).toFloatArray();
            double fullS = (System.nanoTime() - f0) / 1e9;
            double cpuS = Machine.cpuSeconds() - c0;
            boolean finite = true;
            for (float v : audio) {
                finite &= Float.isFinite(v);
            }
            out.printf(
                    Locale.ROOT,
                    "full generate + re_eq: %.1f s = %.1f s per second of audio (process CPU %.1f s;"
                            + " finite: %b)%n",
                    fullS,
                    fullS / seconds,
                    cpuS,
                    finite);
        }
    }

    /** Median wall seconds of {@code reps} runs after one warm-up, each in its own scope; prints the CPU seconds. */
    private double median(PrintStream out, Runnable r) {
        Runnable scoped = () -> {
            try (NDScope s = new NDScope()) {
                r.run();
            }
        };
        scoped.run(); // warm-up
        double[] t = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            double c0 = Machine.cpuSeconds();
            long t0 = System.nanoTime();
            scoped.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = Machine.cpuSeconds() - c0;
        }
        double[] rounded = Arrays.stream(t)
                .sorted()
                .map(v -> Math.round(v * 1000) / 1000.0)
                .toArray();
        out.printf(
                Locale.ROOT,
                "  (wall %s s, process CPU median %.3f s)%n",
                Arrays.toString(rounded),
                Machine.median(cpu));
        return Machine.median(t);
    }
}
