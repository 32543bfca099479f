package dev.musicgen.internal.loading;

import ai.djl.Device;
import dev.musicgen.internal.conditioners.StemSeparator;
import dev.musicgen.internal.demucs.HTDemucsSeparator;
import dev.musicgen.internal.demucs.HTDemucsWeights;
import dev.musicgen.internal.hub.HubClient;
import java.nio.file.Path;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * HTDemucs stem separation (vocals + other) for melody inputs, as audiocraft's ChromaStemConditioner runs it. The
 * 80 MB checkpoint is fetched and loaded only when a melody is first separated (text-only generation never needs it),
 * and the random shift of {@code apply_model} is drawn from the current request's seeded generator.
 */
public final class LazyStemSeparator implements StemSeparator, AutoCloseable {
    private final Path checkpoint;
    private final Device device;
    private final HubClient hub;
    private HTDemucsSeparator model;
    private RandomGenerator shifts = new Random();

    /** @param hub downloads the checkpoint (its cache, offline rule and mirror settings) when none is given */
    public LazyStemSeparator(Path checkpoint, Device device, HubClient hub) {
        this.checkpoint = checkpoint;
        this.device = device;
        this.hub = hub;
    }

    /** Binds the shift generator for the next generation (calls are serialized on the generator's engine thread). */
    public void bind(RandomGenerator rng) {
        this.shifts = rng;
    }

    /**
     * Loads the model; must run outside any {@code NDScope} (the conditioners call {@link #separate} inside one, which
     * would capture and free the weights when it closes).
     */
    public void ensureLoaded() {
        if (model == null) {
            Path file = checkpoint != null
                    ? HTDemucsWeights.verify(checkpoint)
                    : HTDemucsWeights.builder().hub(hub).build().resolve();
            model = HTDemucsSeparator.load(file, device);
        }
    }

    @Override
    public float[][] separate(float[][] wav, int sampleRate) {
        if (model == null) {
            throw new IllegalStateException("HTDemucs was not loaded before separating");
        }
        return model.withShiftRandom(shifts).separate(wav, sampleRate);
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
