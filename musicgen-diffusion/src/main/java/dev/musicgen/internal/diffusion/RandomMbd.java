package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.KeyMapping;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;

/**
 * MultiBand Diffusion at the released model's shapes with seeded random weights, for the benchmark
 * {@code dev.musicgen.bench.MbdBenchmark} (musicgen-examples; no download). Holds one band's U-Net (the band cfg of
 * {@code RandomMbdWeights.realConfig()}), its noise schedule, a {@code MultiBandProcessor} (8 bands, 32 kHz), an MBD
 * without bands for the final EQ match and, on first use of {@link #generate}, a 4-band MBD whose bands share the one
 * U-Net (half the memory; the same work). Generation never uses this class.
 */
public final class RandomMbd implements AutoCloseable {
    public static final int SAMPLE_RATE = 32000;
    /** Audio samples per latent frame (32 kHz at 50 frames/s). */
    public static final int HOP_LENGTH = 640;

    private static final int PROCESSOR_BANDS = 8;
    private static final int BANDS = 4;

    private final NDManager manager;
    private final DiffusionUnetConfig unetConfig;
    private final DiffusionUnet unet;
    private final NoiseSchedule schedule;
    private final MultiBandProcessor processor;
    private final MultiBandDiffusion eqOnly;
    private MultiBandDiffusion bands; // created by the first generate

    private RandomMbd(
            NDManager manager,
            DiffusionUnetConfig unetConfig,
            DiffusionUnet unet,
            NoiseSchedule schedule,
            MultiBandProcessor processor,
            MultiBandDiffusion eqOnly) {
        this.manager = manager;
        this.unetConfig = unetConfig;
        this.unet = unet;
        this.schedule = schedule;
        this.processor = processor;
        this.eqOnly = eqOnly;
    }

    /** Builds the parts on a sub-manager of {@code parent} (closed by {@link #close}). */
    public static RandomMbd create(NDManager parent, long seed) {
        NDManager m = parent.newSubManager();
        try {
            XpConfig cfg = RandomMbdWeights.realConfig();
            DiffusionUnetConfig uc = DiffusionUnetConfig.of(cfg);
            DiffusionUnet unet = new DiffusionUnet(
                    m, WeightStore.of("random", RandomMbdWeights.unetState(uc, seed), KeyMapping.identity()), uc);
            NoiseSchedule schedule = new NoiseSchedule(m, NoiseSchedule.Params.of(cfg.child("schedule")));
            float[] cut = SplitBands.normalizedCutoffs(SAMPLE_RATE, PROCESSOR_BANDS);
            int taps = 2 * LowPassFilters.halfSize(cut, SplitBands.ZEROS) + 1;
            float[] filters;
            try (LowPassFilters lp = LowPassFilters.create(m, cut, SplitBands.ZEROS, null)) {
                filters = lp.filters().toFloatArray();
            }
            MultiBandProcessor proc = new MultiBandProcessor(
                    m,
                    WeightStore.of(
                            "random",
                            RandomMbdWeights.processorState(SAMPLE_RATE, PROCESSOR_BANDS, filters, taps),
                            KeyMapping.identity()),
                    SAMPLE_RATE,
                    PROCESSOR_BANDS,
                    0.4f);
            MultiBandDiffusion eq = MultiBandDiffusion.of(m.newSubManager(), SAMPLE_RATE, List.of(), null);
            return new RandomMbd(m, uc, unet, schedule, proc, eq);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Channels of the U-Net levels. */
    public int[] channels() {
        return unetConfig.channels().clone();
    }

    /** Channels of the codec latent that conditions the U-Net. */
    public int codecDim() {
        return unetConfig.codecDim();
    }

    /** U-Net evaluations of one decode: every band's sampler steps. */
    public static int unetEvaluationsPerDecode() {
        return BANDS * (NoiseSchedule.defaultStepList(1000).size() - 1);
    }

    /** One U-Net evaluation: x {@code [1, 1, L]}, condition {@code [1, codecDim, L / HOP_LENGTH]}. */
    public NDArray unet(NDArray x, int step, NDArray condition) {
        return unet.forward(x, step, condition);
    }

    /** {@code MultiBandProcessor.return_sample} of x {@code [1, 1, L]}. */
    public NDArray processor(NDArray x) {
        return processor.returnSample(x);
    }

    /** The final 32-band EQ match of {@code wav} to {@code ref}. */
    public NDArray reEq(NDArray wav, NDArray ref) {
        return eqOnly.reEq(wav, ref, null);
    }

    /** The whole 4-band {@code generate} (bands 0 and 1 without the processor, as released). */
    public NDArray generate(NDArray condition, Shape size, long noiseSeed) {
        if (bands == null) {
            List<DiffusionProcess> dps = new ArrayList<>();
            for (int b = 0; b < BANDS; b++) {
                dps.add(new DiffusionProcess(b, unet, schedule, b < 2 ? SampleProcessor.IDENTITY : processor));
            }
            bands = MultiBandDiffusion.of(manager.newSubManager(), SAMPLE_RATE, dps, null);
        }
        return bands.generate(condition, size, NoiseSource.gaussian(noiseSeed), null);
    }

    @Override
    public void close() {
        if (bands != null) {
            bands.close(); // its processes close the shared U-Net and the processor
        } else {
            unet.close();
            processor.close();
        }
        eqOnly.close();
        manager.close();
    }
}
