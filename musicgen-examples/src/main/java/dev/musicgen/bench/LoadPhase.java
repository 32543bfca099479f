package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.ComputeType;
import dev.musicgen.bench.Figures.Figure;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.WeightStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Phase {@code load}: writes a random fp16 safetensors checkpoint of the LM's size to the temp dir, then times opening
 * it with {@link SafeTensorsFile}, {@link LMModel#load} (warm page cache) and the first step (which touches every
 * weight page: zero-copy fp16 weights are mapped lazily), and deletes it. One child JVM per compute type: VmHWM is per
 * process and mappings outlive a close.
 */
final class LoadPhase implements LmRun.Phase {
    @Override
    public List<Figure> run(LmRun r) throws IOException {
        ComputeType c = r.compute().require();
        LMConfig cfg = r.size().config();
        List<RandomWeights.Spec> specs = RandomWeights.lm(cfg);
        Path file = Files.createTempFile("musicgen-bench-" + r.size().name().toLowerCase(Locale.ROOT), ".safetensors");
        try {
            long t0 = System.nanoTime();
            RandomWeights.writeSafetensors(file, specs, 3);
            double gb = Files.size(file) / 1e9;
            r.out()
                    .printf(
                            Locale.ROOT,
                            "wrote %s (%.2f GB, fp16) in %.1f s%n",
                            file,
                            gb,
                            (System.nanoTime() - t0) / 1e9);
            try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
                long start = System.nanoTime();
                double openMs;
                double loadMs;
                double stepMs;
                try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
                    openMs = Machine.msSince(start);
                    WeightStore store = WeightStore.of(file.toString(), st.tensors());
                    long l0 = System.nanoTime();
                    try (LMModel lm = LMModel.load(cfg, store, root, c)) {
                        loadMs = Machine.msSince(l0);
                        store.checkAllUsed();
                        long s0 = System.nanoTime();
                        firstStep(lm);
                        stepMs = Machine.msSince(s0);
                    }
                }
                return List.of(new Figures.Load(
                        r.model(),
                        r.compute().label(),
                        Figures.r2(gb),
                        Figures.r2(openMs),
                        Figures.r2(loadMs),
                        Figures.r2(stepMs),
                        Machine.peakRssMb(),
                        Machine.loadavg()));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void firstStep(LMModel lm) {
        LMConfig cfg = lm.config();
        float[] src = new float[LmRun.BATCH * LmRun.PROMPT_TOKENS * cfg.dim()];
        LMConditions cond = LMConditions.of(
                new LMConditions.Tensor("description", src, LmRun.BATCH, LmRun.PROMPT_TOKENS, cfg.dim()));
        long[][][] seq = new long[LmRun.BATCH][cfg.nQ()][1];
        for (long[][] row : seq) {
            for (long[] q : row) {
                q[0] = cfg.specialToken();
            }
        }
        try (NDManager m = lm.newManager();
                LMState state = lm.newState(m, cond, LmRun.BATCH, 4);
                NDScope scope = new NDScope()) {
            lm.step(state, seq, 0, 1).toFloatArray();
        }
    }
}
