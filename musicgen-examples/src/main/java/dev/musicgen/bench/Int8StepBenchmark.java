package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.generation.LMGenerator;
import dev.musicgen.internal.generation.Sampler;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The LM decode step of one compute type (meant for {@link ComputeType#INT8_WEIGHTS}, whose step runs in Java) at the
 * real shapes of musicgen-small, -medium or -large with random weights (no download), against its bandwidth floor,
 * idle and with one competing busy process. A main, not a test:
 *
 * <pre>
 * mvn -B -q package -DskipTests
 * java --add-modules jdk.incubator.vector -cp musicgen-examples/target/musicgen.jar \
 *      dev.musicgen.bench.Int8StepBenchmark --model small --compute int8 --kv 0,500,1500 --reps 30 \
 *      [--compete] [--gen 8] [--json out.json]
 * # -Dmusicgen.int8.kv=f32|f16|i8, -Dmusicgen.int8.threads=N, -Dmusicgen.int8.spin=N tune the Java step
 * </pre>
 *
 * <p>Per KV length (reached by one engine prefill of that many positions on a fresh state): the median of
 * {@code reps} steps (LM step, CFG combine and top-k 250 sampling, as the generation loop does; after 150 warm-up steps), the bytes the step
 * reads ({@link LMModel#decodeBytes}), and the floor = those bytes / the copy bandwidth measured in the same run
 * ({@code System.arraycopy} of 256 MB blocks on as many threads as the step uses, bytes copied per second, taken as
 * the best of 5). With {@code --compete}, the same again while {@code sh -c 'while :; do :; done'} keeps one core
 * busy. {@code --gen S}: the LM part of an S-second generation (the generation loop with top-k 250 and CFG 3 over
 * S·50 frames; T5 and EnCodec are not included, see docs/PERFORMANCE.md for theirs). Also: load time and peak RSS
 * ({@code VmHWM}). {@code --json FILE} writes every figure as a list of flat
 * records.
 */
public final class Int8StepBenchmark {
    private static final PrintStream OUT = System.out;
    private static final int BATCH = 2;
    private static final int PROMPT_TOKENS = 12;

    private Int8StepBenchmark() {}

    static LMConfig config(String model) {
        int[] s;
        switch (model) {
            case "small":
                s = new int[] {1024, 16, 24, 4096};
                break;
            case "medium":
                s = new int[] {1536, 24, 48, 6144};
                break;
            case "large":
                s = new int[] {2048, 32, 48, 8192};
                break;
            default:
                throw new IllegalArgumentException("--model must be small, medium or large, but is: " + model);
        }
        return new LMConfig(
                s[0],
                s[1],
                s[2],
                s[3],
                4,
                2048,
                false,
                false,
                false,
                10_000,
                1.0,
                List.of(0, 1, 2, 3),
                new dev.musicgen.internal.lm.ConditionFuser(List.of(), List.of("description"), false, 1.0),
                30,
                3.0,
                1,
                false,
                32000);
    }

    public static void main(String[] args) throws Exception {
        String model = "small";
        ComputeType compute = ComputeType.INT8_WEIGHTS;
        int[] kvs = {0, 500, 1500};
        int reps = 30;
        boolean compete = false;
        Path json = null;
        double genSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model":
                    model = args[++i];
                    break;
                case "--compute":
                    String c = args[++i];
                    compute = c.equals("int8")
                            ? ComputeType.INT8_WEIGHTS
                            : c.equals("f16")
                                    ? ComputeType.FLOAT16_WEIGHTS
                                    : c.equals("fp32") ? ComputeType.FLOAT32 : ComputeType.valueOf(c);
                    break;
                case "--kv":
                    kvs = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                    break;
                case "--reps":
                    reps = Integer.parseInt(args[++i]);
                    break;
                case "--compete":
                    compete = true;
                    break;
                case "--json":
                    json = Path.of(args[++i]);
                    break;
                case "--gen":
                    genSeconds = Double.parseDouble(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        LMConfig cfg = config(model);
        List<String> records = new ArrayList<>();
        OUT.println(Machine.describe());
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            long t0 = System.nanoTime();
            List<RandomWeights.Spec> specs = RandomWeights.lm(cfg);
            LMModel lm = LMModel.load(
                    cfg, WeightStore.of("random musicgen-" + model, RandomWeights.tensors(specs, 7)), root, compute);
            double loadS = (System.nanoTime() - t0) / 1e9;
            System.gc();
            String rssLoad = String.valueOf(Machine.statusMb("VmRSS"));
            OUT.printf(
                    Locale.ROOT,
                    "loaded musicgen-%s (%s) from random fp16 weights in %.1f s (quantization included),"
                            + " VmRSS %s MB%n",
                    model,
                    compute,
                    loadS,
                    rssLoad);
            records.add(String.format(
                    Locale.ROOT,
                    "{\"model\":\"%s\",\"compute\":\"%s\",\"kind\":\"load\"," + "\"load_s\":%.2f,\"rss_mb\":%s}",
                    model,
                    compute,
                    loadS,
                    rssLoad));
            LMConditions cond = condition(cfg);
            int threads = Math.max(1, lm.decodeThreads());
            // warm-up (JIT) on a throwaway state
            int maxKv = Arrays.stream(kvs).max().orElse(0);
            int warm = 150;
            long[][][] seq = sequence(cfg, Math.max(maxKv + 2 * reps, warm) + 2);
            Sampler sampler = new Sampler(true, 1.0, 250, 0);
            Random rng = new Random(0);
            try (NDManager m = lm.newManager();
                    LMState st = lm.newState(m, cond, BATCH, warm + 1)) {
                for (int i = 0; i < warm; i++) {
                    step(lm, st, seq, i, sampler, rng, cfg);
                }
            }
            for (boolean busy : compete ? new boolean[] {false, true} : new boolean[] {false}) {
                Process competitor = busy ? new ProcessBuilder("sh", "-c", "while :; do :; done").start() : null;
                try {
                    if (busy) {
                        Thread.sleep(500);
                    }
                    for (int kv : kvs) {
                        double bw = copyBandwidth(threads);
                        try (NDManager m = lm.newManager();
                                LMState st = lm.newState(m, cond, BATCH, kv + reps + 1)) {
                            double prefillS = 0;
                            if (kv > 0) {
                                long p0 = System.nanoTime();
                                try (NDScope scope = new NDScope()) {
                                    lm.step(st, seq, 0, kv);
                                }
                                prefillS = (System.nanoTime() - p0) / 1e9;
                            }
                            long bytes = lm.decodeBytes(st);
                            double[] ms = new double[reps];
                            for (int i = 0; i < reps; i++) {
                                long s0 = System.nanoTime();
                                step(lm, st, seq, kv + i, sampler, rng, cfg);
                                ms[i] = (System.nanoTime() - s0) / 1e6;
                            }
                            double med = Machine.median(ms);
                            double floor = bytes / bw * 1e3;
                            String load = Machine.loadavg();
                            OUT.printf(
                                    Locale.ROOT,
                                    "RESULT model=%s compute=%s competing=%s kv=%d step_ms=%.2f"
                                            + " step_min_ms=%.2f floor_ms=%.2f ratio=%.2f bytes_mb=%.1f copy_gbs=%.1f"
                                            + " decode=\"%s\" prefill_s=%.1f load=%s%n",
                                    model,
                                    compute,
                                    busy,
                                    kv,
                                    med,
                                    Machine.min(ms),
                                    floor,
                                    med / floor,
                                    bytes / 1e6,
                                    bw / 1e9,
                                    lm.decodeDescription(st),
                                    prefillS,
                                    load);
                            records.add(String.format(
                                    Locale.ROOT,
                                    "{\"model\":\"%s\",\"compute\":\"%s\","
                                            + "\"kind\":\"step\",\"competing\":%s,\"kv\":%d,\"step_ms\":%.2f,"
                                            + "\"step_min_ms\":%.2f,\"floor_ms\":%.2f,\"ratio\":%.3f,\"bytes_mb\":%.1f,"
                                            + "\"copy_gbs\":%.2f,\"decode\":\"%s\",\"threads\":%d,\"loadavg\":\"%s\"}",
                                    model,
                                    compute,
                                    busy,
                                    kv,
                                    med,
                                    Machine.min(ms),
                                    floor,
                                    med / floor,
                                    bytes / 1e6,
                                    bw / 1e9,
                                    lm.decodeDescription(st),
                                    threads,
                                    load));
                        }
                    }
                } finally {
                    if (competitor != null) {
                        competitor.destroy();
                        competitor.waitFor();
                    }
                }
            }
            if (genSeconds > 0) {
                int frames = (int) Math.round(genSeconds * 50);
                try (NDManager m = lm.newManager()) {
                    long g0 = System.nanoTime();
                    LMGenerator.Output out =
                            LMGenerator.generate(lm, m, cond, null, 1, frames, sampler, 3.0, new Random(1), null, null);
                    double genS = (System.nanoTime() - g0) / 1e9;
                    int steps = out.sequence()[0][0].length;
                    String load = Machine.loadavg();
                    OUT.printf(
                            Locale.ROOT,
                            "RESULT model=%s compute=%s gen_audio_s=%.1f lm_steps=%d lm_s=%.2f"
                                    + " per_step_ms=%.2f load=%s%n",
                            model,
                            compute,
                            genSeconds,
                            steps,
                            genS,
                            genS * 1e3 / steps,
                            load);
                    records.add(String.format(
                            Locale.ROOT,
                            "{\"model\":\"%s\",\"compute\":\"%s\",\"kind\":\"gen\","
                                    + "\"audio_s\":%.1f,\"lm_steps\":%d,\"lm_s\":%.2f,\"loadavg\":\"%s\"}",
                            model,
                            compute,
                            genSeconds,
                            steps,
                            genS,
                            load));
                }
            }
            String hwm = String.valueOf(Machine.statusMb("VmHWM"));
            OUT.printf(Locale.ROOT, "RESULT model=%s compute=%s peak_rss_mb=%s%n", model, compute, hwm);
            records.add(String.format(
                    Locale.ROOT,
                    "{\"model\":\"%s\",\"compute\":\"%s\",\"kind\":\"rss\"," + "\"peak_rss_mb\":%s}",
                    model,
                    compute,
                    hwm));
            lm.close();
        }
        if (json != null) {
            Files.writeString(json, "[\n" + String.join(",\n", records) + "\n]\n");
        }
    }

    /** One generation-loop step: LM step, CFG combine (coefficient 3), top-k sampling; the tokens go back in. */
    private static void step(
            LMModel lm, LMState st, long[][][] seq, int offset, Sampler sampler, Random rng, LMConfig cfg) {
        int k = cfg.nQ();
        long[] next;
        try (NDScope scope = new NDScope()) {
            NDArray logits = lm.step(st, seq, offset, offset + 1);
            NDArray c = F.narrow(logits, 0, 0, 1);
            NDArray u = F.narrow(logits, 0, 1, 2);
            next = sampler.sample(u.add(c.sub(u).mul(3.0)).reshape(k, cfg.card()), rng);
        }
        for (int q = 0; q < k; q++) {
            seq[0][q][offset + 1] = next[q];
            seq[1][q][offset + 1] = next[q];
        }
    }

    private static LMConditions condition(LMConfig cfg) {
        float[] src = new float[BATCH * PROMPT_TOKENS * cfg.dim()];
        Random r = new Random(3);
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) (0.1 * r.nextGaussian());
        }
        return LMConditions.of(new LMConditions.Tensor("description", src, BATCH, PROMPT_TOKENS, cfg.dim()));
    }

    private static long[][][] sequence(LMConfig cfg, int length) {
        long[][][] seq = new long[BATCH][cfg.nQ()][length];
        Random r = new Random(5);
        for (long[][] row : seq) {
            for (long[] q : row) {
                for (int i = 0; i < length; i++) {
                    q[i] = i == 0 ? cfg.specialToken() : r.nextInt(cfg.card());
                }
            }
        }
        return seq;
    }

    private static byte[][] copySrc;
    private static byte[][] copyDst;

    /**
     * Bytes copied per second by {@code threads} threads, each {@code System.arraycopy}-ing its own 256 MB block (best
     * of 5 rounds): the memory bandwidth a streaming read-and-write gets right now.
     */
    static double copyBandwidth(int threads) throws InterruptedException {
        int size = 256 << 20;
        if (copySrc == null || copySrc.length != threads) {
            copySrc = new byte[threads][size / threads];
            copyDst = new byte[threads][size / threads];
            for (byte[] a : copySrc) {
                Arrays.fill(a, (byte) 1);
            }
        }
        byte[][] src = copySrc;
        byte[][] dst = copyDst;
        double best = 0;
        for (int round = 0; round < 5; round++) {
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> System.arraycopy(src[id], 0, dst[id], 0, src[id].length));
            }
            long s0 = System.nanoTime();
            for (Thread t : ts) {
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
            double s = (System.nanoTime() - s0) / 1e9;
            best = Math.max(best, (double) size / s);
        }
        return best;
    }
}
