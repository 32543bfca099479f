package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.ComputeType;
import dev.musicgen.bench.Figures.Figure;
import dev.musicgen.internal.generation.Sampler;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Phase {@code steps}: the decode loop of {@code LMGenerator} (one LM step at batch 2, the CFG combine, top-k 250
 * sampling in the engine) driven directly. Each KV length is reached on a fresh state by prefilling the cache in one
 * call, as a continuation prompt does (a step's cost depends on the cache length, not on how the cache was filled, and
 * the large model would otherwise spend many minutes decoding its way there). Then blocks of 5 timed steps alternate
 * with blocks of 5 runs of the same step's {@link StepFloor}, so both see the same machine load; after the blocks, the
 * streaming read bandwidth gives the step's bandwidth floor (its bytes over that bandwidth).
 */
final class StepPhase implements LmRun.Phase {
    private static final int PER_BLOCK = 5; // steps (and floor runs) per block
    private static final int WARM_UP_STEPS = 20;

    @Override
    public List<Figure> run(LmRun r) {
        ComputeType c = r.compute().require();
        LMConfig cfg = r.size().config();
        List<Figure> figures = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            long t0 = System.nanoTime();
            List<RandomWeights.Spec> specs = RandomWeights.lm(cfg);
            LMModel lm =
                    LMModel.load(cfg, WeightStore.of("random " + r.model(), RandomWeights.tensors(specs, 7)), root, c);
            System.gc(); // the generated fp16 buffers of converted weights are garbage now
            double weightMb = r.compute().widthOverF16() * RandomWeights.bytes(specs) / 1e6;
            r.out()
                    .printf(
                            Locale.ROOT,
                            "built %s LM (%s, %.0f MB) from random weights in %.1f s%n",
                            r.model(),
                            c,
                            weightMb,
                            (System.nanoTime() - t0) / 1e9);
            LMConditions cond = randomConditions(cfg);
            int blocks = Math.max(3, r.reps() / 5);
            int last = r.maxKv() + blocks * PER_BLOCK + 1;
            Sampler sampler = new Sampler(true, 1.0, 250, 0);
            Random rng = new Random(0);
            long[][][] seq = new long[LmRun.BATCH][cfg.nQ()][Math.max(last, WARM_UP_STEPS) + 1];
            for (long[][] row : seq) {
                for (long[] q : row) {
                    q[0] = cfg.specialToken();
                }
            }
            try (NDManager m = lm.newManager();
                    LMState state = lm.newState(m, cond, LmRun.BATCH, WARM_UP_STEPS + 1)) {
                for (int step = 0; step < WARM_UP_STEPS; step++) { // also JIT
                    decodeStep(lm, state, seq, step, sampler, rng, cfg.card());
                }
            }
            for (int kv : r.kvs()) {
                try (NDManager m = lm.newManager();
                        LMState state = lm.newState(m, cond, LmRun.BATCH, kv + blocks * PER_BLOCK + 1)) {
                    figures.add(atLength(r, lm, state, seq, kv, blocks, sampler, rng, root));
                }
            }
            figures.add(new Figures.StepsMemory(
                    r.model(), r.compute().label(), r.contended(), Machine.peakRssMb(), Math.round(weightMb)));
            lm.close();
        }
        return figures;
    }

    private static Figures.Step atLength(
            LmRun r,
            LMModel lm,
            LMState state,
            long[][][] seq,
            int kv,
            int blocks,
            Sampler sampler,
            Random rng,
            NDManager root) {
        int card = lm.config().card();
        int step = 0;
        if (kv > 0) {
            long p0 = System.nanoTime();
            try (NDScope scope = new NDScope()) {
                lm.step(state, seq, 0, kv);
            }
            step = kv;
            r.out().printf(Locale.ROOT, "prefilled %d positions in %.1f s%n", kv, (System.nanoTime() - p0) / 1e9);
        }
        double[] st = new double[blocks * PER_BLOCK];
        double[] fl = new double[blocks * PER_BLOCK];
        int count = 0;
        long bytes = 0;
        String noFloor = null;
        for (int b = 0; b < blocks; b++) {
            for (int i = 0; i < PER_BLOCK; i++) {
                long s0 = System.nanoTime();
                decodeStep(lm, state, seq, step++, sampler, rng, card);
                st[b * PER_BLOCK + i] = Machine.msSince(s0);
            }
            if (noFloor != null) {
                continue;
            }
            try (StepFloor floor = StepFloor.of(lm, state)) {
                count = floor.count();
                bytes = floor.bytesRead();
                floor.run(); // operands warm, like the step's
                for (int i = 0; i < PER_BLOCK; i++) {
                    long s0 = System.nanoTime();
                    floor.run();
                    fl[b * PER_BLOCK + i] = Machine.msSince(s0);
                }
            } catch (UnsupportedOperationException e) {
                noFloor = e.getMessage();
                r.out().println("no GEMM floor: " + noFloor);
            }
        }
        double stepMs = Machine.median(st);
        if (noFloor != null) {
            return new Figures.Step(
                    r.model(),
                    r.compute().label(),
                    kv,
                    r.contended(),
                    Figures.r2(stepMs),
                    Figures.r2(Machine.min(st)),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Machine.loadavg());
        }
        double floorMs = Machine.median(fl);
        double gbps = readBandwidthGbps(root);
        return new Figures.Step(
                r.model(),
                r.compute().label(),
                kv,
                r.contended(),
                Figures.r2(stepMs),
                Figures.r2(Machine.min(st)),
                Figures.r2(floorMs),
                Figures.r2(Machine.min(fl)),
                Figures.r2(stepMs / floorMs),
                count,
                Figures.r2(bytes / 1e6),
                Figures.r2(gbps),
                Figures.r2(bytes / (gbps * 1e9) * 1e3),
                Machine.loadavg());
    }

    /** The CFG conditions of one 12-token prompt (random values of T5's output scale) and its null row. */
    static LMConditions randomConditions(LMConfig cfg) {
        float[] src = new float[LmRun.BATCH * LmRun.PROMPT_TOKENS * cfg.dim()];
        Random r = new Random(3);
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) (0.1 * r.nextGaussian());
        }
        return LMConditions.of(
                new LMConditions.Tensor("description", src, LmRun.BATCH, LmRun.PROMPT_TOKENS, cfg.dim()));
    }

    /** What {@code LMGenerator} does per step: the LM step, the CFG combine, sampling; the tokens go back in. */
    static void decodeStep(
            LMModel lm, LMState state, long[][][] seq, int offset, Sampler sampler, Random rng, int card) {
        int k = seq[0].length;
        long[] next;
        try (NDScope scope = new NDScope()) {
            NDArray logits = lm.step(state, seq, offset, offset + 1); // [2, K, card]
            NDArray cond = F.narrow(logits, 0, 0, 1);
            NDArray uncond = F.narrow(logits, 0, 1, 2);
            next = sampler.sample(uncond.add(cond.sub(uncond).mul(3.0)).reshape(k, card), rng);
        }
        for (int q = 0; q < k; q++) {
            seq[0][q][offset + 1] = next[q];
            seq[1][q][offset + 1] = next[q];
        }
    }

    /** Streaming read bandwidth in GB/s: the median time to sum 1 GiB of fp32 (7 runs after 2 warm-ups). */
    static double readBandwidthGbps(NDManager m) {
        try (NDManager s = m.newSubManager()) {
            NDArray big = s.ones(new Shape(256L << 20));
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
            return (1L << 30) / Machine.median(t) / 1e9;
        }
    }
}
