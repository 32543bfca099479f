package dev.musicgen.internal.codec.bench;

import ai.djl.Device;
import dev.musicgen.internal.codec.EncodecConfig;
import dev.musicgen.internal.codec.EncodecModel;
import dev.musicgen.internal.codec.RandomEncodecWeights;
import dev.musicgen.internal.codec.SEANetConfig;
import dev.musicgen.internal.weights.WeightStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Decode (and encode) benchmark of EnCodec with the real MusicGen 32 kHz shapes (n_filters 64, dimension 128, ratios
 * [8,5,4,4], 1 residual layer, 2-layer LSTM, n_q 4, 2048 codewords) and random weights. Not a test: run it as
 * {@code java ... dev.musicgen.internal.codec.bench.EncodecBenchmark [seconds] [repeats]} (see docs/PERFORMANCE.md).
 */
public final class EncodecBenchmark {
    private EncodecBenchmark() {}

    public static EncodecConfig musicgenShapes() {
        SEANetConfig s = new SEANetConfig(1, 128, 64, 1, List.of(8, 5, 4, 4), "ELU", Map.of("alpha", 1.0), null,
                Map.of(), "weight_norm", 7, 7, 3, 2, false, "constant", true, 2, 2, 0, 1.0);
        return new EncodecConfig(32000, 1, 50, s, s, new EncodecConfig.RvqConfig(128, 4, 2048));
    }

    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 30;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        EncodecConfig cfg = musicgenShapes();
        long t0 = System.nanoTime();
        EncodecModel model = EncodecModel.fromWeights(cfg, WeightStore.of("random", RandomEncodecWeights.of(cfg, 42)),
                Device.cpu());
        System.out.printf("load (random weights): %.2f s, VmHWM %s%n", (System.nanoTime() - t0) / 1e9, hwm());

        int frames = (int) Math.round(seconds * cfg.frameRate());
        SplittableRandom rnd = new SplittableRandom(7);
        long[][][] codes = new long[1][4][frames];
        for (long[] row : codes[0]) {
            for (int t = 0; t < frames; t++) {
                row[t] = rnd.nextInt(cfg.rvq().bins());
            }
        }
        // warm-up on 1 s
        model.decode(new long[][][] {{Arrays.copyOf(codes[0][0], 50), Arrays.copyOf(codes[0][1], 50),
            Arrays.copyOf(codes[0][2], 50), Arrays.copyOf(codes[0][3], 50)}});
        System.out.printf("threads: intra-op %s (ai.djl.pytorch.num_threads), load average %s%n",
                System.getProperty("ai.djl.pytorch.num_threads", "default"), loadavg());
        double[] dec = new double[repeats];
        float[][][] audio = null;
        for (int i = 0; i < repeats; i++) {
            long s = System.nanoTime();
            long c = cpu();
            audio = model.decode(codes);
            dec[i] = (System.nanoTime() - s) / 1e9;
            System.out.printf("decode %.0f s of codes: %.3f s (%.1fx real time), process CPU %.2f s, VmHWM %s%n",
                    seconds, dec[i], seconds / dec[i], (cpu() - c) / 1e9, hwm());
        }
        double[] enc = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long s = System.nanoTime();
            long c = cpu();
            model.encode(audio);
            enc[i] = (System.nanoTime() - s) / 1e9;
            System.out.printf("encode %.0f s of audio: %.3f s (%.1fx real time), process CPU %.2f s, VmHWM %s%n",
                    seconds, enc[i], seconds / enc[i], (cpu() - c) / 1e9, hwm());
        }
        Arrays.sort(dec);
        Arrays.sort(enc);
        System.out.printf("RESULT decode median %.3f s = %.1fx real time; encode median %.3f s = %.1fx real time;"
                + " peak RSS (VmHWM) %s; cores %d%n", dec[repeats / 2], seconds / dec[repeats / 2], enc[repeats / 2],
                seconds / enc[repeats / 2], hwm(), Runtime.getRuntime().availableProcessors());
        System.out.printf("load average at the end: %s%n", loadavg());
        model.close();
    }

    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String loadavg() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    static String hwm() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return line.substring(6).trim();
            }
        }
        return "n/a";
    }
}
