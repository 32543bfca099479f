package dev.musicgen.cli;

import ai.djl.Device;
import dev.musicgen.device.DeviceSelector;
import picocli.CommandLine.Option;

/** Where a model runs. */
final class DeviceOptions {
    @Option(names = "--device", description = "cpu, gpu, gpuN or auto (default: MUSICGEN_DEVICE, else auto).")
    String device;

    DeviceSelector selector() {
        return device == null ? DeviceSelector.fromEnvironment() : DeviceSelector.named(device);
    }

    Device select() {
        return selector().select();
    }
}
