package dev.musicgen;

import dev.musicgen.device.DeviceSelector;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Path;

/** Builders for the tiny upstream fixture models, fully offline. */
public final class FixtureModels {
    private FixtureModels() {}

    /** A generator over {@code fixtures/models/<name>} (musicgen_mono, musicgen_stereo, musicgen_melody, musicgen_long). */
    public static MusicGeneratorBuilder builder(String name, Path cacheDir) {
        return MusicGenerator.builder()
                .model(Fixtures.path("models", name))
                .localRepo("tiny/t5-a", Fixtures.path("models", "t5"))
                .localRepo("tiny/encodec_32khz-a", Fixtures.path("encodec_hf", "model"))
                .multiBandDiffusionModel(Fixtures.path("mbd", "model"))
                .cacheDir(cacheDir)
                .offline(true)
                // the fixtures were made with demucs bypassed (see fixtures/MANIFEST.json)
                .stemSeparation(false)
                .device(DeviceSelector.cpu());
    }
}
