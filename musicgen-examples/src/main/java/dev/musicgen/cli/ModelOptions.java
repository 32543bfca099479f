package dev.musicgen.cli;

import dev.musicgen.ModelSource;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model's codec: where it comes from, the Hub cache, the device. */
final class ModelOptions {
    @Option(
            names = "--model",
            required = true,
            description = "Model version (small, melody, stereo-large, ...), " + "Hub repo id, or local directory.")
    String model;

    @Mixin
    HubOptions hub;

    @Mixin
    DeviceOptions device;

    ModelSource source() {
        return ModelSource.parse(model);
    }
}
