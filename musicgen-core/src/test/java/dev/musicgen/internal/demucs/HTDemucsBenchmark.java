package dev.musicgen.internal.demucs;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark (a main, not a test): HTDemucs at the released htdemucs shapes (955717e8: channels 48, bottom_channels
 * 512, t_layers 5, t_heads 8, dconv_mode 3, nfft 4096, depth 4, segment 39/5) with seeded random weights; times
 * audiocraft's stem path on 30 s of 32 kHz mono (resample, 1 shift, 7.8 s chunks with overlap 0.25, resample back).
 *
 * <pre>
 * mvn -o -q -pl musicgen-core dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -Dai.djl.offline=true -cp musicgen-core/target/classes:musicgen-core/target/test-classes:$(cat cp.txt) \
 *     dev.musicgen.internal.demucs.HTDemucsBenchmark [seconds=30] [repeats=2]
 * </pre>
 */
public final class HTDemucsBenchmark {
    private HTDemucsBenchmark() {}

    static HTDemucsConfig releasedConfig() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("sources", List.of("drums", "bass", "other", "vocals"));
        k.put("audio_channels", 2);
        k.put("samplerate", 44100);
        k.put("segment", new States.Fraction(39, 5));
        k.put("channels", 48);
        k.put("growth", 2);
        k.put("nfft", 4096);
        k.put("cac", true);
        k.put("depth", 4);
        k.put("rewrite", true);
        k.put("multi_freqs", List.of());
        k.put("freq_emb", 0.2);
        k.put("emb_scale", 10);
        k.put("kernel_size", 8);
        k.put("stride", 4);
        k.put("context", 1);
        k.put("context_enc", 0);
        k.put("norm_starts", 4);
        k.put("norm_groups", 4);
        k.put("dconv_mode", 3);
        k.put("dconv_depth", 2);
        k.put("dconv_comp", 8);
        k.put("bottom_channels", 512);
        k.put("t_layers", 5);
        k.put("t_hidden_scale", 4.0);
        k.put("t_heads", 8);
        k.put("t_layer_scale", true);
        k.put("t_gelu", true);
        k.put("t_emb", "sin");
        k.put("t_norm_in", true);
        k.put("t_norm_first", true);
        k.put("t_norm_out", true);
        return HTDemucsConfig.fromKwargs(k);
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static String peakRss() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM")).findFirst().orElse("?").replaceAll("\\s+", " ");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 30;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        HTDemucsConfig c = releasedConfig();
        int threads = Engine.getEngine("PyTorch").getGpuCount() >= 0 ? Runtime.getRuntime().availableProcessors() : 0;
        try (HTDemucs model = HTDemucs.random(c, Device.cpu(), 1234)) {
            System.out.printf("HTDemucs released shapes: %d parameters (%.1f M), segment %d samples, %d CPUs%n",
                    model.randomParameterCount(), model.randomParameterCount() / 1e6, c.trainingLength(), threads);
            Random r = new Random(42);
            float[] seg = new float[2 * c.trainingLength()];
            for (int i = 0; i < seg.length; i++) {
                seg[i] = (float) (0.1 * r.nextGaussian());
            }
            double[] fwd = new double[3];
            for (int i = 0; i < fwd.length; i++) {
                long t0 = System.nanoTime();
                double c0 = cpuSeconds();
                try (NDManager m = model.manager().newSubManager(); NDScope s = new NDScope()) {
                    NDArray in = m.create(seg, new Shape(1, 2, c.trainingLength()));
                    model.forward(in, null).toFloatArray();
                }
                fwd[i] = (System.nanoTime() - t0) / 1e9;
                System.out.printf("forward of one %.1f s segment: %.2f s wall, %.2f s CPU (load %s)%n",
                        c.segmentSeconds(), fwd[i], cpuSeconds() - c0, load());
            }
            int n = (int) Math.round(seconds * 32000);
            float[] melody = new float[n];
            for (int i = 0; i < n; i++) {
                double t = i / 32000.0;
                melody[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.05 * r.nextGaussian());
            }
            HTDemucsSeparator sep = HTDemucsSeparator.of(model);
            double[] times = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                double c0 = cpuSeconds();
                float[][] out = sep.separateVocalsOther(new float[][] {melody}, 32000, 11025);
                times[i] = (System.nanoTime() - t0) / 1e9;
                System.out.printf("separate %.0f s of 32 kHz mono: %.2f s wall, %.2f s CPU (%d samples out, load %s)%n",
                        seconds, times[i], cpuSeconds() - c0, out[0].length, load());
            }
            System.out.println("peak RSS " + peakRss());
            if (repeats > 0) {
                Arrays.sort(times);
                System.out.printf("best %.2f s, median %.2f s%n", times[0], times[times.length / 2]);
            }
        }
    }
}
