package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.codec.EncodecConfig;
import dev.musicgen.internal.codec.EncodecModel;
import dev.musicgen.internal.codec.RandomEncodecWeights;
import dev.musicgen.internal.codec.SEANetConfig;
import dev.musicgen.internal.generation.ConditionSource;
import dev.musicgen.internal.generation.GenerationParams;
import dev.musicgen.internal.generation.GenerationResult;
import dev.musicgen.internal.generation.MusicGenLM;
import dev.musicgen.internal.lm.ConditionFuser;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.t5.T5Config;
import dev.musicgen.internal.t5.T5EncoderModel;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.WeightStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Benchmarks of the MusicGen LM on the shapes of musicgen-small/-medium/-large with random weights (no download).
 * Not a test: a plain main with warm-up and medians. Each measurement runs in a fresh child JVM (so peak RSS and JIT
 * state belong to that measurement alone); the parent prints a Markdown summary.
 *
 * <pre>
 * java -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.LmBenchmark --model small
 *   [--compute fp32,f16] [--kv 0,250,500,1000,1500] [--durations 8,30] [--phases steps,gen,load,floor]
 *   [--reps 15] [--gen-reps 1]
 *   [--out summary.md] [--wait-load 1.0 --wait-minutes 20]
 * </pre>
 *
 * Phases:
 * <ul>
 *   <li>{@code steps} (default): the decode loop (LM step at batch 2 for CFG, the CFG combine, top-k 250 sampling in
 *       the engine); each KV length is reached on a fresh state by prefilling the cache in one call, as a
 *       continuation prompt does, then blocks of timed steps alternate with
 *       blocks of the same step's <em>GEMM floor</em>: {@link LMModel#stepProducts}, every matrix product of the step
 *       (projections in the form the model uses, attention products against the cache at that length, heads) on the
 *       model's own weights, with nothing around them. Both see the same machine load.</li>
 *   <li>{@code floor} (optional): a synthetic floor, the same products on separately allocated random weights, with
 *       the streaming bandwidth and the weight-bytes floor it implies, and the fp32 {@code linear} form for
 *       comparison.</li>
 *   <li>{@code gen}: end to end for each duration: T5-base encode of a 12-token prompt (and the null row), then
 *       {@link MusicGenLM#generate} with top-k 250 and CFG 3, then the EnCodec 32 kHz decode of the tokens; the time
 *       of every LM step is recorded, and the median around each KV length is reported; peak RSS (VmHWM) of the
 *       process, and VmRSS every 250 steps and after the decode. {@code --gen-reps N} runs each duration N times in
 *       the same process, which shows whether memory grows from one generation to the next.</li>
 *   <li>{@code load}: writes a random fp16 safetensors checkpoint of the LM's size to the temp dir, then times
 *       opening it with {@link SafeTensorsFile} and {@link LMModel#load} (warm page cache), and deletes it; one child
 *       JVM per compute type.</li>
 * </ul>
 * Threads: libtorch's defaults (intra-op = cores) unless {@code -Dai.djl.pytorch.num_threads=N} is given; it is
 * passed on to the children.
 */
public final class LmBenchmark {
    private static final PrintStream OUT = System.out;

    /** The LM shapes of the released checkpoints. */
    enum Size {
        SMALL(1024, 16, 24, 4096), MEDIUM(1536, 24, 48, 6144), LARGE(2048, 32, 48, 8192);

        final int dim;
        final int heads;
        final int layers;
        final int ffn;

        Size(int dim, int heads, int layers, int ffn) {
            this.dim = dim;
            this.heads = heads;
            this.layers = layers;
            this.ffn = ffn;
        }

        LMConfig config() {
            return new LMConfig(dim, heads, layers, ffn, 4, 2048, false, false, false, 10_000, 1.0,
                    List.of(0, 1, 2, 3), new ConditionFuser(List.of(), List.of("description"), false, 1.0), 30,
                    3.0, 1, false, 32000);
        }

        String label() {
            return "musicgen-" + name().toLowerCase(Locale.ROOT);
        }
    }

    /** T5-base, the text encoder of every MusicGen. */
    static final T5Config T5_BASE = new T5Config(32128, 768, 64, 3072, 12, 12, 32, 128, 1e-6, "relu");
    /** EnCodec 32 kHz as MusicGen uses it (n_filters 64, dimension 128, ratios 8·5·4·4, LSTM 2, 4 × 2048). */
    static final EncodecConfig ENCODEC_32K = new EncodecConfig(32000, 1, 50,
            new SEANetConfig(1, 128, 64, 1, List.of(8, 5, 4, 4), "ELU", Map.of("alpha", 1.0), null, Map.of(),
                    "weight_norm", 7, 7, 3, 2, false, "constant", true, 2, 2, 0, 1.0),
            new SEANetConfig(1, 128, 64, 1, List.of(8, 5, 4, 4), "ELU", Map.of("alpha", 1.0), null, Map.of(),
                    "weight_norm", 7, 7, 3, 2, false, "constant", true, 2, 2, 0, 1.0),
            new EncodecConfig.RvqConfig(128, 4, 2048));
    static final int PROMPT_TOKENS = 12;
    static final int BATCH = 2; // one prompt, CFG: conditioned and null rows

    private LmBenchmark() {}

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        if (a.phase != null) {
            switch (a.phase) {
                case "steps": steps(a); break;
                case "floor": floor(a); break;
                case "gen": gen(a); break;
                case "load": load(a); break;
                default: throw new IllegalArgumentException("--phase must be steps, floor, gen or load, but is: "
                        + a.phase);
            }
            return;
        }
        orchestrate(a);
    }

    // ---------------------------------------------------------------- orchestration

    private static void orchestrate(Args a) throws Exception {
        List<String> results = new ArrayList<>();
        OUT.println("# LmBenchmark " + a.size.label() + ", compute " + a.computes + ", phases " + a.phases);
        OUT.println(machine());
        for (ComputeType c : a.computes) {
            if (a.phases.contains("steps")) {
                results.addAll(child(a, "steps", c));
            }
            if (a.phases.contains("floor")) {
                results.addAll(child(a, "floor", c));
            }
            if (a.phases.contains("gen")) {
                results.addAll(child(a, "gen", c));
            }
        }
        if (a.phases.contains("load")) {
            for (ComputeType c : a.computes) { // one JVM each: VmHWM is per process and mappings outlive a close
                results.addAll(child(a, "load", c));
            }
        }
        String summary = summary(a, results);
        OUT.println();
        OUT.println(summary);
        if (a.out != null) {
            Files.writeString(a.out, summary, StandardCharsets.UTF_8);
            OUT.println("summary written to " + a.out);
        }
    }

    private static List<String> child(Args a, String phase, ComputeType c) throws IOException, InterruptedException {
        waitForQuiet(a);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx3g");
        cmd.add("-XX:MaxDirectMemorySize=64g");
        cmd.add("-Dai.djl.offline=true");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Dai.djl.") || arg.startsWith("-Dorg.slf4j.")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LmBenchmark.class.getName());
        cmd.addAll(List.of("--phase", phase, "--model", a.size.name().toLowerCase(Locale.ROOT), "--compute",
                c == ComputeType.FLOAT32 ? "fp32" : "f16", "--kv", join(a.kvs), "--durations", join(a.durations),
                "--reps", Integer.toString(a.reps), "--gen-reps", Integer.toString(a.genReps)));
        OUT.println("## " + phase + " " + a.size.label() + " " + c + " (child JVM)");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> results = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains("CudaUtils") || line.contains("AutoNonVariableTypeMode")) {
                    continue; // libtorch/DJL start-up noise on a CPU-only machine
                }
                OUT.println("  " + line);
                if (line.startsWith("RESULT ")) {
                    results.add(line.substring(7));
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            OUT.println("  (child exited with " + rc + ")");
            results.add("failed phase=" + phase + " compute=" + c + " rc=" + rc);
        }
        return results;
    }

    /** On a shared machine: waits (at most {@code --wait-minutes}) until the 1-minute load average is below X. */
    private static void waitForQuiet(Args a) throws InterruptedException {
        if (a.waitLoad <= 0) {
            return;
        }
        long deadline = System.nanoTime() + (long) (a.waitMinutes * 60e9);
        while (System.nanoTime() < deadline) {
            double load1 = Double.parseDouble(loadavg().split(",")[0]);
            if (load1 < a.waitLoad) {
                return;
            }
            OUT.println("  waiting for load < " + a.waitLoad + " (now " + loadavg() + ")");
            Thread.sleep(15_000);
        }
        OUT.println("  load stayed at " + loadavg() + "; measuring anyway");
    }

    // ---------------------------------------------------------------- phase: decode steps against their floor

    /**
     * The decode loop of {@code LMGenerator} (one step, CFG combine, top-k 250 sampling in the engine) driven directly
     * for {@code max(kv) + blocks} steps; at each KV length, {@code reps} consecutive steps are timed, then the same
     * step's matrix products alone ({@link LMModel#stepProducts}: the model's own weights, the state's cache at that
     * length) {@code reps} times, alternating in blocks so both see the same machine load.
     */
    private static void steps(Args a) {
        ComputeType c = a.computes.get(0);
        Size s = a.size;
        LMConfig cfg = s.config();
        int k = cfg.nQ();
        int card = cfg.card();
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            long t0 = System.nanoTime();
            List<RandomWeights.Spec> specs = RandomWeights.lm(cfg);
            LMModel lm = LMModel.load(cfg, WeightStore.of("random " + s.label(), RandomWeights.tensors(specs, 7)),
                    root, c);
            System.gc();
            double weightMb = (c == ComputeType.FLOAT32 ? 2 : 1) * RandomWeights.bytes(specs) / 1e6;
            OUT.printf(Locale.ROOT, "built %s LM (%s, %.0f MB) from random weights in %.1f s%n", s.label(), c, weightMb,
                    (System.nanoTime() - t0) / 1e9);
            float[] src = new float[BATCH * PROMPT_TOKENS * cfg.dim()];
            java.util.Random r = new java.util.Random(3);
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) (0.1 * r.nextGaussian());
            }
            LMConditions cond = LMConditions.of(new LMConditions.Tensor("description", src, BATCH, PROMPT_TOKENS,
                    cfg.dim()));
            int blocks = Math.max(3, a.reps / 5);
            int per = 5; // steps (and floor runs) per block
            int last = Arrays.stream(a.kvs).max().orElse(0) + blocks * per + 1;
            dev.musicgen.internal.generation.Sampler sampler = new dev.musicgen.internal.generation.Sampler(true, 1.0, 250, 0);
            java.util.Random rng = new java.util.Random(0);
            long[][][] seq = new long[BATCH][k][last + 1];
            for (long[][] row : seq) {
                for (long[] q : row) {
                    q[0] = cfg.specialToken();
                }
            }
            try (NDManager m = lm.newManager(); LMState state = lm.newState(m, cond, BATCH, 21)) {
                for (int step = 0; step < 20; step++) { // warm-up, also JIT
                    decodeStep(lm, state, seq, step, sampler, rng, card);
                }
            }
            for (int kv : a.kvs) {
                try (NDManager m = lm.newManager();
                        LMState state = lm.newState(m, cond, BATCH, kv + blocks * per + 1)) {
                    // reach KV length kv by prefilling the cache in one call from position 0 (what a continuation
                    // prompt does; audiocraft allows a multi-position input only on an empty cache): a decode step's
                    // cost depends on the cache length, not on how the cache was filled, and the large model would
                    // otherwise spend many minutes decoding its way there
                    int step = 0;
                    if (kv > 0) {
                        long p0 = System.nanoTime();
                        try (NDScope scope = new NDScope()) {
                            lm.step(state, seq, 0, kv);
                        }
                        step = kv;
                        OUT.printf(Locale.ROOT, "prefilled %d positions in %.1f s%n", kv, (System.nanoTime() - p0) / 1e9);
                    }
                    double[] st = new double[blocks * per];
                    double[] fl = new double[blocks * per];
                    int count = 0;
                    for (int b = 0; b < blocks; b++) {
                        for (int i = 0; i < per; i++) {
                            long s0 = System.nanoTime();
                            decodeStep(lm, state, seq, step++, sampler, rng, card);
                            st[b * per + i] = (System.nanoTime() - s0) / 1e6;
                        }
                        try (LMModel.StepProducts products = lm.stepProducts(state)) {
                            count = products.count();
                            products.run(); // operands warm, like the step's
                            for (int i = 0; i < per; i++) {
                                long s0 = System.nanoTime();
                                products.run();
                                fl[b * per + i] = (System.nanoTime() - s0) / 1e6;
                            }
                        }
                    }
                    OUT.printf(Locale.ROOT, "RESULT steps model=%s compute=%s kv=%d stepms=%.2f stepmin=%.2f floorms=%.2f"
                            + " floormin=%.2f ratio=%.2f products=%d load=%s%n", s.label(), c, kv, median(st), min(st),
                            median(fl), min(fl), median(st) / median(fl), count, loadavg());
                }
            }
            OUT.printf(Locale.ROOT, "RESULT stepsrss model=%s compute=%s hwmMB=%s weightsMB=%.0f%n", s.label(), c,
                    rssMb("VmHWM"), weightMb);
            lm.close();
        }
    }

    /** What {@code LMGenerator} does per step: the LM step, the CFG combine, sampling; the tokens go back in. */
    private static void decodeStep(LMModel lm, LMState state, long[][][] seq, int offset,
            dev.musicgen.internal.generation.Sampler sampler, java.util.Random rng, int card) {
        int k = seq[0].length;
        long[] next;
        try (NDScope scope = new NDScope()) {
            NDArray logits = lm.step(state, seq, offset, offset + 1); // [2, K, card]
            NDArray cond = F.narrow(logits, 0, 0, 1);
            NDArray uncond = F.narrow(logits, 0, 1, 2);
            next = sampler.sample(uncond.add(cond.sub(uncond).mul(3.0)).reshape(k, card), rng);
        }
        for (long[] row : new long[][] {next}) {
            for (int q = 0; q < k; q++) {
                seq[0][q][offset + 1] = row[q];
                seq[1][q][offset + 1] = row[q];
            }
        }
    }

    // ---------------------------------------------------------------- phase: GEMM floor (synthetic)

    private static void floor(Args a) {
        ComputeType c = a.computes.get(0);
        Size s = a.size;
        boolean half = c == ComputeType.FLOAT16_WEIGHTS;
        DataType wt = half ? DataType.FLOAT16 : DataType.FLOAT32;
        int n = BATCH;
        int d = s.dim;
        int h = s.heads;
        int dh = d / h;
        int crossLen = PROMPT_TOKENS;
        int maxKv = Arrays.stream(a.kvs).max().orElse(0) + 1;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            m.getEngine().setRandomSeed(1);
            long t0 = System.nanoTime();
            List<NDArray[]> layers = new ArrayList<>();
            long weightBytes = 0;
            for (int i = 0; i < s.layers; i++) {
                long[][] shapes = {{3L * d, d}, {d, d}, {d, d}, {d, d}, {s.ffn, d}, {d, s.ffn}};
                NDArray[] w = new NDArray[shapes.length + 4];
                for (int j = 0; j < shapes.length; j++) {
                    w[j] = random(m, new Shape(shapes[j]), wt);
                    weightBytes += w[j].size() * (half ? 2 : 4);
                }
                // this layer's KV cache (fp32, as the model keeps it) and cross-attention keys/values
                w[6] = m.randomNormal(new Shape(n, h, maxKv, dh));
                w[7] = m.randomNormal(new Shape(n, h, maxKv, dh));
                w[8] = m.randomNormal(new Shape(n, h, dh, crossLen));
                w[9] = m.randomNormal(new Shape(n, h, crossLen, dh));
                layers.add(w);
            }
            NDArray heads = random(m, new Shape(4 * 2048, d), wt);
            weightBytes += heads.size() * (half ? 2 : 4);
            OUT.printf(Locale.ROOT, "floor: %d layers of random %s weights (%.0f MB) built in %.1f s%n", s.layers, wt,
                    weightBytes / 1e6, (System.nanoTime() - t0) / 1e9);
            NDArray x = m.randomNormal(new Shape(n, d));
            NDArray xh = m.randomNormal(new Shape(n, s.ffn));
            NDArray xIn = half ? x.toType(DataType.FLOAT16, false) : x.transpose(1, 0); // what the product reads
            NDArray xhIn = half ? xh.toType(DataType.FLOAT16, false) : xh.transpose(1, 0);
            NDArray q = m.randomNormal(new Shape(n, h, 1, dh));
            NDArray pc = m.randomNormal(new Shape(n, h, 1, crossLen));
            double gbps = streamBandwidth(m);
            OUT.printf(Locale.ROOT, "stream bandwidth (sum of 1 GiB fp32): %.1f GB/s%n", gbps);
            for (int kv : a.kvs) {
                int len = kv + 1; // the step attends to the cache plus its own position
                NDArray p = m.randomNormal(new Shape(n, h, 1, len));
                double[] times = new double[a.reps];
                for (int r = -3; r < a.reps; r++) {
                    long start = System.nanoTime();
                    try (NDScope scope = new NDScope()) {
                        for (NDArray[] w : layers) {
                            product(w[0], xIn, half);
                            q.matMul(F.narrow(w[6], 2, 0, len).transpose(0, 1, 3, 2));
                            p.matMul(F.narrow(w[7], 2, 0, len));
                            product(w[1], xIn, half);
                            product(w[2], xIn, half);
                            q.matMul(w[8]);
                            pc.matMul(w[9]);
                            product(w[3], xIn, half);
                            product(w[4], xIn, half);
                            product(w[5], xhIn, half);
                        }
                        product(heads, xIn, half);
                    }
                    if (r >= 0) {
                        times[r] = (System.nanoTime() - start) / 1e6;
                    }
                }
                p.close();
                double kvBytes = 2.0 * s.layers * n * h * len * dh * 4;
                double bwFloor = (weightBytes + kvBytes) / (gbps * 1e9) * 1e3;
                OUT.printf(Locale.ROOT, "RESULT floor model=%s compute=%s kv=%d ms=%.2f min=%.2f bwfloor=%.2f"
                        + " weightsMB=%.0f kvMB=%.0f gbps=%.1f load=%s%n", s.label(), c, kv, median(times),
                        min(times), bwFloor, weightBytes / 1e6, kvBytes / 1e6, gbps, loadavg());
            }
            if (!half) {
                // the other fp32 form, for reference: linear(x, W) reads W as [out, in] too
                double[] times = new double[Math.max(3, a.reps / 3)];
                for (int r = -1; r < times.length; r++) {
                    long start = System.nanoTime();
                    try (NDScope scope = new NDScope()) {
                        for (NDArray[] w : layers) {
                            F.linear(x, w[0], null);
                            F.linear(x, w[1], null);
                            F.linear(x, w[2], null);
                            F.linear(x, w[3], null);
                            F.linear(x, w[4], null);
                            F.linear(xh, w[5], null);
                        }
                        F.linear(x, heads, null);
                    }
                    if (r >= 0) {
                        times[r] = (System.nanoTime() - start) / 1e6;
                    }
                }
                OUT.printf(Locale.ROOT, "RESULT floor-linear model=%s compute=%s ms=%.2f (projections only, linear"
                        + " form)%n", s.label(), c, median(times));
            }
        }
    }

    private static NDArray random(NDManager m, Shape shape, DataType dtype) {
        NDArray f = m.randomUniform(-0.03f, 0.03f, shape);
        if (dtype == DataType.FLOAT32) {
            return f;
        }
        NDArray h = f.toType(dtype, false);
        f.close();
        return h;
    }

    private static NDArray product(NDArray w, NDArray xIn, boolean half) {
        return half ? F.linear(xIn, w, null) : w.matMul(xIn);
    }

    private static double streamBandwidth(NDManager m) {
        try (NDManager s = m.newSubManager()) {
            NDArray big = s.ones(new Shape(256L << 20)); // 1 GiB fp32
            double[] t = new double[7];
            for (int r = -2; r < t.length; r++) {
                long start = System.nanoTime();
                try (NDScope scope = new NDScope()) {
                    big.sum().toFloatArray();
                }
                if (r >= 0) {
                    t[r] = (System.nanoTime() - start) / 1e9;
                }
            }
            return (1L << 30) / median(t) / 1e9;
        }
    }

    // ---------------------------------------------------------------- phase: generation (T5 + LM)

    private static void gen(Args a) {
        ComputeType c = a.computes.get(0);
        Size s = a.size;
        LMConfig cfg = s.config();
        long t0 = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            List<RandomWeights.Spec> t5Specs = RandomWeights.t5(T5_BASE);
            List<RandomWeights.Spec> lmSpecs = RandomWeights.lm(cfg);
            WeightStore t5Store = WeightStore.of("random t5-base", RandomWeights.tensors(t5Specs, 11));
            T5EncoderModel t5 = T5EncoderModel.load(T5_BASE, t5Store, root);
            NDArray projW = root.randomUniform(-0.03f, 0.03f, new Shape(s.dim, T5_BASE.dModel()));
            NDArray projB = root.zeros(new Shape(s.dim));
            LMModel lm = LMModel.load(cfg, WeightStore.of("random " + s.label(), RandomWeights.tensors(lmSpecs, 7)),
                    root, c);
            EncodecModel codec = EncodecModel.fromWeights(ENCODEC_32K,
                    WeightStore.of("random encodec", RandomEncodecWeights.of(ENCODEC_32K, 5)), Device.cpu());
            System.gc(); // the generated fp16 buffers of widened weights are garbage now
            double lmMb = c == ComputeType.FLOAT32 ? 2 * RandomWeights.bytes(lmSpecs) / 1e6
                    : RandomWeights.bytes(lmSpecs) / 1e6;
            double t5Mb = 2 * RandomWeights.bytes(t5Specs) / 1e6;
            double codecMb = 59e6 * 4 / 1e6;
            OUT.printf(Locale.ROOT, "built T5-base (fp32, %.0f MB), %s LM (%s, %.0f MB) and EnCodec 32 kHz (fp32, ~%.0f"
                    + " MB) from random weights in %.1f s; RSS %s MB%n", t5Mb, s.label(), c, lmMb, codecMb,
                    (System.nanoTime() - t0) / 1e9, rssMb("VmRSS"));
            MusicGenLM gen = new MusicGenLM(lm, 50);

            // warm-up: T5 twice, a 1 s generation
            for (int i = 0; i < 2; i++) {
                encode(t5, projW, projB, root);
            }
            GenerationResult warm = gen.generate(ConditionSource.fixed(encode(t5, projW, projB, root)), null,
                    GenerationParams.builder().duration(1.0).seed(1L).build(), null, null);
            codec.decode(warm.tokens());
            double[] t5Times = new double[a.reps];
            for (int r = 0; r < a.reps; r++) {
                long st = System.nanoTime();
                encode(t5, projW, projB, root);
                t5Times[r] = (System.nanoTime() - st) / 1e6;
            }
            OUT.printf(Locale.ROOT, "RESULT t5 model=%s compute=%s ms=%.1f min=%.1f load=%s%n", s.label(), c,
                    median(t5Times), min(t5Times), loadavg());

            for (int rep = 0; rep < a.genReps * a.durations.length; rep++) {
                double duration = a.durations[rep / a.genReps];
                String loadBefore = loadavg();
                long start = System.nanoTime();
                LMConditions cond = encode(t5, projW, projB, root);
                long afterT5 = System.nanoTime();
                List<Long> stamps = new ArrayList<>();
                Map<Integer, String> rss = new TreeMap<>();
                GenerationResult result = gen.generate(ConditionSource.fixed(cond), null,
                        GenerationParams.builder().duration(duration).seed(0L).build(), (phase, step, total) -> {
                            stamps.add(System.nanoTime());
                            if (step % 250 == 0 || step == total) {
                                rss.put((int) step, rssMb("VmRSS"));
                            }
                        }, null);
                long afterLm = System.nanoTime();
                float[][][] audio = codec.decode(result.tokens());
                long end = System.nanoTime();
                if (audio[0][0].length != (int) Math.round(duration * ENCODEC_32K.sampleRate())) {
                    throw new IllegalStateException("decoded " + audio[0][0].length + " samples for " + duration + " s");
                }
                double[] steps = new double[stamps.size()];
                long prev = afterT5;
                for (int i = 0; i < steps.length; i++) {
                    steps[i] = (stamps.get(i) - prev) / 1e6;
                    prev = stamps.get(i);
                }
                rss.put(-1, rssMb("VmRSS")); // -1: after the EnCodec decode, the generation's state closed
                // self-attention cache bytes written by the end: layers x (k, v) x batch x positions x dim x fp32
                double kvMb = 2.0 * cfg.numLayers() * BATCH * steps.length * cfg.dim() * 4 / 1e6;
                OUT.printf(Locale.ROOT, "RESULT gen model=%s compute=%s duration=%.0f rep=%d steps=%d t5ms=%.1f"
                        + " lms=%.2f codecs=%.2f totals=%.2f medianstepms=%.2f hwmMB=%s rssMB=%s kvMB=%.0f"
                        + " weightsMB=%.0f load=%s/%s%n", s.label(), c, duration, rep % a.genReps + 1, steps.length,
                        (afterT5 - start) / 1e6, (afterLm - afterT5) / 1e9, (end - afterLm) / 1e9,
                        (end - start) / 1e9, median(steps), rssMb("VmHWM"), String.valueOf(rss).replace(" ", ""),
                        kvMb, lmMb + t5Mb + codecMb, loadBefore, loadavg());
                for (int kv : a.kvs) {
                    if (kv >= steps.length) {
                        continue;
                    }
                    int from = Math.max(1, kv - 10); // step 0 also computes the cross-attention keys/values
                    int to = Math.min(steps.length, Math.max(kv + 11, from + 10));
                    OUT.printf(Locale.ROOT, "RESULT step model=%s compute=%s duration=%.0f kv=%d ms=%.2f min=%.2f%n",
                            s.label(), c, duration, kv, median(Arrays.copyOfRange(steps, from, to)),
                            min(Arrays.copyOfRange(steps, from, to)));
                }
            }
            lm.close();
            t5.close();
            codec.close();
        }
    }

    /** T5 over the prompt and the null row, the output projection and mask: the LM's cross-attention source. */
    private static LMConditions encode(T5EncoderModel t5, NDArray projW, NDArray projB, NDManager root) {
        try (NDManager m = root.newSubManager()) {
            long[] ids = new long[BATCH * PROMPT_TOKENS];
            long[] mask = new long[ids.length];
            for (int i = 0; i < PROMPT_TOKENS; i++) {
                ids[i] = 100 + 37 * i; // the prompt row
                mask[i] = 1;
            }
            ids[PROMPT_TOKENS] = 1; // the null row: "" is just </s>
            mask[PROMPT_TOKENS] = 1;
            NDArray idArr = m.create(ids, new Shape(BATCH, PROMPT_TOKENS));
            NDArray maskArr = m.create(mask, new Shape(BATCH, PROMPT_TOKENS));
            NDArray h = t5.forward(idArr, maskArr); // [2, L, 768]
            NDArray out = F.linear(h, projW, projB).mul(maskArr.toType(DataType.FLOAT32, false)
                    .reshape(BATCH, PROMPT_TOKENS, 1));
            int dim = (int) projW.getShape().get(0);
            return LMConditions.of(new LMConditions.Tensor("description", out.toFloatArray(), BATCH, PROMPT_TOKENS,
                    dim));
        }
    }

    // ---------------------------------------------------------------- phase: checkpoint load

    private static void load(Args a) throws IOException {
        Size s = a.size;
        LMConfig cfg = s.config();
        List<RandomWeights.Spec> specs = RandomWeights.lm(cfg);
        Path file = Files.createTempFile("musicgen-bench-" + s.name().toLowerCase(Locale.ROOT), ".safetensors");
        try {
            long t0 = System.nanoTime();
            RandomWeights.writeSafetensors(file, specs, 3);
            double writeS = (System.nanoTime() - t0) / 1e9;
            double gb = Files.size(file) / 1e9;
            OUT.printf(Locale.ROOT, "wrote %s (%.2f GB, fp16) in %.1f s%n", file, gb, writeS);
            for (ComputeType c : List.of(a.computes.get(0))) {
                try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
                    long start = System.nanoTime();
                    double openMs;
                    double loadMs;
                    double stepMs;
                    try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
                        openMs = (System.nanoTime() - start) / 1e6;
                        WeightStore store = WeightStore.of(file.toString(), st.tensors());
                        long l0 = System.nanoTime();
                        try (LMModel lm = LMModel.load(cfg, store, root, c)) {
                            loadMs = (System.nanoTime() - l0) / 1e6;
                            store.checkAllUsed();
                            // the first step touches every weight page (zero-copy fp16 weights are mapped lazily)
                            long s0 = System.nanoTime();
                            firstStep(lm, root);
                            stepMs = (System.nanoTime() - s0) / 1e6;
                        }
                    }
                    OUT.printf(Locale.ROOT, "RESULT load model=%s compute=%s fileGB=%.2f openms=%.1f loadms=%.1f"
                            + " firststepms=%.1f hwmMB=%s load=%s%n", s.label(), c, gb, openMs, loadMs, stepMs,
                            rssMb("VmHWM"), loadavg());
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void firstStep(LMModel lm, NDManager root) {
        LMConfig cfg = lm.config();
        float[] src = new float[BATCH * PROMPT_TOKENS * cfg.dim()];
        LMConditions cond = LMConditions.of(new LMConditions.Tensor("description", src, BATCH, PROMPT_TOKENS,
                cfg.dim()));
        long[][][] seq = new long[BATCH][cfg.nQ()][1];
        for (long[][] row : seq) {
            for (long[] q : row) {
                q[0] = cfg.specialToken();
            }
        }
        try (NDManager m = lm.newManager(); LMState state = lm.newState(m, cond, BATCH, 4);
                NDScope scope = new NDScope()) {
            lm.step(state, seq, 0, 1).toFloatArray();
        }
    }

    // ---------------------------------------------------------------- summary

    private static String summary(Args a, List<String> results) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String r : results) {
            rows.add(parse(r));
        }
        StringBuilder b = new StringBuilder();
        Size s = a.size;
        b.append("### ").append(s.label()).append(" (dim ").append(s.dim).append(", ").append(s.heads)
                .append(" heads, ").append(s.layers).append(" layers, ffn ").append(s.ffn)
                .append(", 4 codebooks × 2048), batch 2 (CFG)\n\n");
        b.append(machine()).append("\n\n");
        b.append("Command: `java -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.LmBenchmark --model ")
                .append(s.name().toLowerCase(Locale.ROOT)).append("`\n\n");
        b.append("Decode step at batch 2 (CFG): LM step + CFG + top-k sampling (median ms) against its GEMM floor, the"
                + " same step's matrix products alone on the model's own weights (median ms), measured in alternating"
                + " blocks at each KV length:\n\n");
        b.append("| compute | | ");
        for (int kv : a.kvs) {
            b.append("KV ").append(kv).append(" | ");
        }
        b.append("\n|---|---|");
        b.append("---|".repeat(a.kvs.length)).append('\n');
        for (ComputeType c : a.computes) {
            String cs = c.toString();
            StringBuilder step = new StringBuilder("| " + cs + " | step | ");
            StringBuilder floor = new StringBuilder("| | GEMM floor | ");
            StringBuilder ratio = new StringBuilder("| | step / floor | ");
            StringBuilder gen = new StringBuilder("| | in the 30 s generation | ");
            StringBuilder synth = new StringBuilder("| | synthetic floor, bytes / bandwidth | ");
            boolean anySynth = false;
            double longest = rows.stream().filter(r -> "gen".equals(r.get("#")) && cs.equals(r.get("compute")))
                    .mapToDouble(r -> Double.parseDouble(r.get("duration"))).max().orElse(-1);
            for (int kv : a.kvs) {
                step.append(find(rows, "steps", cs, "kv", kv, null, 0, "stepms")).append(" | ");
                floor.append(find(rows, "steps", cs, "kv", kv, null, 0, "floorms")).append(" | ");
                ratio.append(find(rows, "steps", cs, "kv", kv, null, 0, "ratio")).append(" | ");
                gen.append(find(rows, "step", cs, "kv", kv, "duration", longest, "ms")).append(" | ");
                String fl = find(rows, "floor", cs, "kv", kv, null, 0, "ms");
                anySynth |= !fl.equals("–");
                synth.append(fl).append(", ").append(find(rows, "floor", cs, "kv", kv, null, 0, "bwfloor"))
                        .append(" | ");
            }
            b.append(step).append('\n').append(floor).append('\n').append(ratio).append('\n').append(gen)
                    .append('\n');
            if (anySynth) {
                b.append(synth).append('\n');
            }
        }
        for (Map<String, String> r : rows) {
            if ("floor-linear".equals(r.get("#"))) {
                b.append("\nfp32 projections in the `linear(x, W)` form instead of `W·xᵀ`: ").append(r.get("ms"))
                        .append(" ms per step (projections only).\n");
            }
        }
        b.append("\nEnd to end (T5-base encode of a 12-token prompt + null row, LM steps with top-k 250 and CFG 3,"
                + " EnCodec decode of the tokens):\n\n");
        b.append("| compute | audio | run | LM steps | T5 (ms) | LM (s) | EnCodec (s) | total (s) | median step (ms) |"
                + " peak RSS (MB) | weights (MB) | load avg before/after |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, String> r : rows) {
            if ("gen".equals(r.get("#"))) {
                b.append("| ").append(r.get("compute")).append(" | ").append(r.get("duration")).append(" s | ")
                        .append(r.get("rep")).append(" | ")
                        .append(r.get("steps")).append(" | ").append(r.get("t5ms")).append(" | ")
                        .append(r.get("lms")).append(" | ").append(r.get("codecs")).append(" | ")
                        .append(r.get("totals")).append(" | ")
                        .append(r.get("medianstepms")).append(" | ").append(r.get("hwmMB")).append(" | ")
                        .append(r.get("weightsMB")).append(" | ").append(r.get("load")).append(" |\n");
            }
        }
        b.append("\nMemory during each generation (VmRSS in MB at LM step N; \"after\" = after the EnCodec decode, the"
                + " generation's state closed; KV = self-attention cache bytes written by the last step, which RSS"
                + " grows by because untouched cache pages cost nothing):\n\n| compute | audio | run | RSS by step |"
                + " after | KV written (MB) |\n|---|---|---|---|---|---|\n");
        for (Map<String, String> r : rows) {
            if ("gen".equals(r.get("#"))) {
                String rss = r.getOrDefault("rssMB", "{}");
                String after = "–";
                java.util.regex.Matcher mm = java.util.regex.Pattern.compile("-1=([0-9n/a]+)").matcher(rss);
                if (mm.find()) {
                    after = mm.group(1);
                }
                b.append("| ").append(r.get("compute")).append(" | ").append(r.get("duration")).append(" s | ")
                        .append(r.get("rep")).append(" | ")
                        .append(rss.replaceAll("-1=[0-9n/a]+,?", "").replace("{", "").replace("}", "")
                                .replace(",", ", "))
                        .append(" | ").append(after).append(" | ").append(r.get("kvMB")).append(" |\n");
            }
        }
        for (Map<String, String> r : rows) {
            if ("t5".equals(r.get("#"))) {
                b.append("\nT5-base encode (2 × 12 tokens, fp32, ").append(r.get("compute")).append(" run): ")
                        .append(r.get("ms")).append(" ms median.\n");
            }
        }
        boolean anyLoad = false;
        for (Map<String, String> r : rows) {
            if ("load".equals(r.get("#"))) {
                if (!anyLoad) {
                    b.append("\nCheckpoint load (random fp16 safetensors of the LM, warm page cache):\n\n| compute |"
                            + " file (GB) | open (ms) | LMModel.load (ms) | first step (ms) | peak RSS (MB) |\n"
                            + "|---|---|---|---|---|---|\n");
                    anyLoad = true;
                }
                b.append("| ").append(r.get("compute")).append(" | ").append(r.get("fileGB")).append(" | ")
                        .append(r.get("openms")).append(" | ").append(r.get("loadms")).append(" | ")
                        .append(r.get("firststepms")).append(" | ").append(r.get("hwmMB")).append(" |\n");
            }
        }
        for (Map<String, String> r : rows) {
            if ("failed".equals(r.get("#"))) {
                b.append("\nFAILED: ").append(r).append('\n');
            }
        }
        return b.toString();
    }

    private static String find(List<Map<String, String>> rows, String kind, String compute, String key, int value,
            String key2, double value2, String field) {
        for (Map<String, String> r : rows) {
            if (kind.equals(r.get("#")) && compute.equals(r.get("compute")) && String.valueOf(value).equals(r.get(key))
                    && (key2 == null || Double.parseDouble(r.get(key2)) == value2)) {
                return r.get(field);
            }
        }
        return "–";
    }

    private static Map<String, String> parse(String result) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] parts = result.split(" ");
        m.put("#", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                m.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
        }
        return m;
    }

    // ---------------------------------------------------------------- helpers

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        return String.format(Locale.ROOT, "Machine: %s, %d cores visible to the JVM, %s, libtorch intra-op threads: %s;"
                + " load average now %s", cpu, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("ai.djl.pytorch.num_threads", "default (= cores)"), loadavg());
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + "," + f[1] + "," + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** A line of /proc/self/status (VmHWM, VmRSS) in MB, or "n/a". */
    static String rssMb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return Long.toString(kb / 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "n/a";
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static String join(int[] v) {
        return String.join(",", Arrays.stream(v).mapToObj(Integer::toString).toArray(String[]::new));
    }

    private static String join(double[] v) {
        return String.join(",", Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.0f", x))
                .toArray(String[]::new));
    }

    /** Command-line options. */
    static final class Args {
        Size size = Size.SMALL;
        List<ComputeType> computes = List.of(ComputeType.FLOAT32, ComputeType.FLOAT16_WEIGHTS);
        int[] kvs = {0, 250, 500, 1000, 1500};
        double[] durations = {8, 30};
        List<String> phases = List.of("steps", "gen", "load");
        int reps = 15;
        int genReps = 1;
        String phase;
        Path out;
        double waitLoad;
        double waitMinutes = 20;

        static Args parse(String[] args) {
            Args a = new Args();
            boolean durationsGiven = false;
            for (int i = 0; i < args.length; i++) {
                String k = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + k + " needs a value");
                }
                String v = args[++i];
                switch (k) {
                    case "--model":
                        a.size = Size.valueOf(v.toUpperCase(Locale.ROOT));
                        break;
                    case "--compute":
                        List<ComputeType> cs = new ArrayList<>();
                        for (String c : v.split(",")) {
                            switch (c.trim()) {
                                case "fp32": cs.add(ComputeType.FLOAT32); break;
                                case "f16": cs.add(ComputeType.FLOAT16_WEIGHTS); break;
                                default: throw new IllegalArgumentException("--compute takes fp32 and/or f16, but"
                                        + " got: " + c);
                            }
                        }
                        a.computes = cs;
                        break;
                    case "--kv":
                        a.kvs = Arrays.stream(v.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
                        break;
                    case "--durations":
                        a.durations = Arrays.stream(v.split(",")).mapToDouble(x -> Double.parseDouble(x.trim()))
                                .toArray();
                        durationsGiven = true;
                        break;
                    case "--phases":
                        a.phases = List.of(v.split(","));
                        break;
                    case "--reps":
                        a.reps = Integer.parseInt(v);
                        break;
                    case "--gen-reps":
                        a.genReps = Integer.parseInt(v);
                        if (a.genReps < 1) {
                            throw new IllegalArgumentException("--gen-reps must be at least 1, but is: " + v);
                        }
                        break;
                    case "--phase":
                        a.phase = v;
                        break;
                    case "--out":
                        a.out = Path.of(v);
                        break;
                    case "--wait-load":
                        a.waitLoad = Double.parseDouble(v);
                        break;
                    case "--wait-minutes":
                        a.waitMinutes = Double.parseDouble(v);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + k + " (see the class documentation)");
                }
            }
            if (!durationsGiven && a.size != Size.SMALL) {
                a.durations = new double[] {30}; // the end-to-end targets are for small; larger sizes: the step curve
            }
            return a;
        }
    }
}
