package dev.musicgen.internal.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.KeyMapping;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * MultiBand Diffusion at the released model's shapes (hidden 48, depth 4, growth 4 → 48/192/768/3072 channels, a 6-layer
 * transformer bottleneck of width 3072, codec_dim 128) with random weights; not a test.
 *
 * <p>Times one U-Net evaluation, the band processor and the final EQ match for {@code --seconds} of mono audio, and
 * estimates a full decode as 80 U-Net evaluations + 2 processors + EQ. With {@code --full} it also runs the whole
 * 4-band {@code generate} + {@code re_eq} (the 4 bands share one random U-Net to halve memory; the work is the same).
 * The EnCodec decode and latent are not included (see the codec's benchmark).
 *
 * <pre>
 * java -cp ... dev.musicgen.internal.diffusion.MbdBenchmark [--seconds 1] [--reps 3] [--full]
 * </pre>
 */
public final class MbdBenchmark {
    private MbdBenchmark() {}

    public static void main(String[] args) {
        double seconds = 1.0;
        int reps = 3;
        boolean full = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--reps": reps = Integer.parseInt(args[++i]); break;
                case "--full": full = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--seconds S] [--reps N] [--full]");
            }
        }
        int sr = 32000;
        int hop = 640;
        int frames = (int) Math.round(seconds * sr / hop);
        long len = (long) frames * hop;
        XpConfig cfg = RandomMbdWeights.realConfig();
        DiffusionUnetConfig uc = DiffusionUnetConfig.of(cfg);
        System.out.printf(Locale.ROOT, "MBD benchmark: %.2f s of audio (%d frames, %d samples), channels %s,"
                + " libtorch threads %s, %d CPUs%n", seconds, frames, len, Arrays.toString(uc.channels()),
                System.getProperty("ai.djl.pytorch.num_threads", "default"), Runtime.getRuntime().availableProcessors());
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            long t0 = System.nanoTime();
            DiffusionUnet unet = new DiffusionUnet(root, WeightStore.of("random", RandomMbdWeights.unetState(uc, 1),
                    KeyMapping.identity()), uc);
            NoiseSchedule schedule = new NoiseSchedule(root, NoiseSchedule.Params.of(cfg.child("schedule")));
            int nb = 8;
            float[] cut = SplitBands.normalizedCutoffs(sr, nb);
            int taps = 2 * LowPassFilters.halfSize(cut, SplitBands.ZEROS) + 1;
            float[] filters;
            try (LowPassFilters lp = LowPassFilters.create(root, cut, SplitBands.ZEROS, null)) {
                filters = lp.filters().toFloatArray();
            }
            MultiBandProcessor proc = new MultiBandProcessor(root, WeightStore.of("random",
                    RandomMbdWeights.processorState(sr, nb, filters, taps), KeyMapping.identity()), sr, nb, 0.4f);
            System.out.printf(Locale.ROOT, "random weights built in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            NoiseSource noise = NoiseSource.gaussian(1);
            float[] cond = noise.next(new long[] {1, uc.codecDim(), frames});
            float[] x = noise.next(new long[] {1, 1, len});
            double unetS;
            double procS;
            double eqS;
            try (NDManager call = root.newSubManager()) {
                NDArray c = call.create(cond, new Shape(1, uc.codecDim(), frames));
                NDArray xs = call.create(x, new Shape(1, 1, len));
                unetS = median(reps, () -> {
                    try (NDScope s = new NDScope()) {
                        unet.forward(xs, 500, c).toFloatArray();
                    }
                });
                procS = median(reps, () -> {
                    try (NDScope s = new NDScope()) {
                        proc.returnSample(xs).toFloatArray();
                    }
                });
                try (MultiBandDiffusion eqOnly = MultiBandDiffusion.of(root.newSubManager(), sr, List.of(), null)) {
                    eqS = median(reps, () -> {
                        try (NDScope s = new NDScope()) {
                            eqOnly.reEq(xs, xs.mul(0.5f), null).toFloatArray();
                        }
                    });
                }
            }
            int evals = 4 * (NoiseSchedule.defaultStepList(1000).size() - 1);
            double total = evals * unetS + 2 * procS + eqS;
            System.out.printf(Locale.ROOT, "U-Net evaluation: %.3f s (median of %d)%n", unetS, reps);
            System.out.printf(Locale.ROOT, "MultiBandProcessor.return_sample: %.3f s%n", procS);
            System.out.printf(Locale.ROOT, "re_eq (32 bands): %.3f s%n", eqS);
            System.out.printf(Locale.ROOT, "estimated decode (%d U-Net evals + 2 processors + EQ): %.1f s"
                    + " = %.1f s per second of audio%n", evals, total, total / seconds);

            if (full) {
                List<DiffusionProcess> dps = new ArrayList<>();
                for (int b = 0; b < 4; b++) {
                    dps.add(new DiffusionProcess(b, unet, schedule, b < 2 ? SampleProcessor.IDENTITY : proc));
                }
                try (MultiBandDiffusion mbd = MultiBandDiffusion.of(root.newSubManager(), sr, dps, null);
                        NDManager call = root.newSubManager()) {
                    NDArray c = call.create(cond, new Shape(1, uc.codecDim(), frames));
                    NDArray ref = call.create(x, new Shape(1, 1, len)).mul(0.1f);
                    long f0 = System.nanoTime();
                    long c0 = cpuNanos();
                    NDArray wav = mbd.generate(c, new Shape(1, 1, len), NoiseSource.gaussian(2), null);
                    float[] out = mbd.reEq(wav, ref, null).toFloatArray();
                    double fullS = (System.nanoTime() - f0) / 1e9;
                    double cpuS = (cpuNanos() - c0) / 1e9;
                    System.out.printf(Locale.ROOT, "full generate + re_eq: %.1f s = %.1f s per second of audio"
                            + " (process CPU %.1f s; finite: %b)%n", fullS, fullS / seconds, cpuS, allFinite(out));
                }
            }
        }
    }

    private static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Median wall seconds of {@code reps} runs after one warm-up; prints the process CPU seconds per run too. */
    private static double median(int reps, Runnable r) {
        r.run(); // warm-up
        double[] t = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = (cpuNanos() - c0) / 1e9;
        }
        Arrays.sort(t);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "  (wall %s s, process CPU median %.3f s)%n", Arrays.toString(round(t)),
                cpu[reps / 2]);
        return t[reps / 2];
    }

    /** CPU time of the whole process, libtorch's native threads included. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static double[] round(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.round(a[i] * 1000) / 1000.0;
        }
        return r;
    }
}
