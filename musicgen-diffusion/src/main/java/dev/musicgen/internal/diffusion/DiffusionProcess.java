package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.KeyMapping;
import dev.musicgen.internal.weights.WeightStore;
import java.util.List;

/**
 * Port of audiocraft {@code DiffusionProcess} (models/multibanddiffusion.py @ 896ec7c): one band's U-Net, noise
 * schedule and sample processor, built from the band's checkpoint entry as {@code load_diffusion_models} and
 * {@code get_mbd_musicgen} do.
 */
final class DiffusionProcess implements AutoCloseable {
    private final int index;
    private final DiffusionUnet model;
    private final NoiseSchedule schedule;
    private final SampleProcessor processor;

    DiffusionProcess(NDManager manager, MbdCheckpoint.Band band, int sampleRate, String source) {
        this.index = band.index();
        XpConfig cfg = band.cfg();
        this.schedule = new NoiseSchedule(manager, NoiseSchedule.Params.of(cfg.child("schedule")));
        this.model = new DiffusionUnet(
                manager,
                WeightStore.of(source + " band " + index + " model_state", band.modelState(), KeyMapping.identity()),
                DiffusionUnetConfig.of(cfg));
        SampleProcessor p;
        try {
            p = processor(manager, cfg, band, sampleRate, source);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.processor = p;
    }

    /** From parts (benchmarks); the process owns and closes them. */
    DiffusionProcess(int index, DiffusionUnet model, NoiseSchedule schedule, SampleProcessor processor) {
        this.index = index;
        this.model = model;
        this.schedule = schedule;
        this.processor = processor;
    }

    /** {@code builders.get_processor(cfg.processor, sample_rate)} loaded with the band's {@code processor_state}. */
    private static SampleProcessor processor(
            NDManager manager, XpConfig cfg, MbdCheckpoint.Band band, int sampleRate, String source) {
        WeightStore state = WeightStore.of(
                source + " band " + band.index() + " processor_state", band.processorState(), KeyMapping.identity());
        boolean use = cfg.has("processor") && cfg.getBool("processor.use", false);
        if (!use || !"multi_band_processor".equals(cfg.getString("processor.name", ""))) {
            state.checkAllUsed(); // the identity processor has no buffers
            return SampleProcessor.IDENTITY;
        }
        int nBands = cfg.getInt("processor.n_bands", 8);
        Object power = cfg.get("processor.power_std");
        if (power instanceof List) {
            throw new IllegalArgumentException("band " + band.index() + ": processor.power_std as a per-band list is"
                    + " not supported (the released MBD uses one number), but is: " + power);
        }
        float powerStd = (float) cfg.getDouble("processor.power_std", 1.0);
        MultiBandProcessor p = new MultiBandProcessor(manager, state, sampleRate, nBands, powerStd);
        state.checkAllUsed();
        return p;
    }

    int index() {
        return index;
    }

    DiffusionUnet model() {
        return model;
    }

    NoiseSchedule schedule() {
        return schedule;
    }

    SampleProcessor processor() {
        return processor;
    }

    /** {@code generate(condition, initial_noise, step_list)}: in initial [B, 1, L], condition [B, D, T]. */
    NDArray generate(
            NDArray condition,
            NDArray initialNoise,
            List<Integer> stepList,
            NoiseSource noise,
            NoiseSchedule.Trace trace) {
        return schedule.generateSubsampled(model, initialNoise, stepList, condition, processor, noise, trace);
    }

    @Override
    public void close() {
        model.close();
        processor.close();
    }
}
