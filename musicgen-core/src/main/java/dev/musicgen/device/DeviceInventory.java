package dev.musicgen.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an engine can run on: the facts a {@link DeviceSelector} chooses from. A plain value, so
 * selectors can be tested without a GPU (or without starting an engine at all).
 *
 * @param engineName the DJL engine, always {@value DeviceSelector#ENGINE} in this SDK
 * @param engineVersion the native library version, e.g. {@code 2.7.1}
 * @param gpuCount how many CUDA devices the engine sees ({@link Engine#getGpuCount()})
 * @param cudaBuild whether the loaded native library was built with CUDA
 */
public record DeviceInventory(String engineName, String engineVersion, int gpuCount, boolean cudaBuild) {

    public DeviceInventory {
        if (engineName == null || engineName.isBlank()) {
            throw new IllegalArgumentException("engineName is required (e.g. PyTorch), but is: " + engineName);
        }
        Objects.requireNonNull(engineVersion, "engineVersion");
        if (gpuCount < 0) {
            throw new IllegalArgumentException("gpuCount must be >= 0, but is: " + gpuCount);
        }
    }

    /** Reads the inventory from a started engine. */
    public static DeviceInventory of(Engine engine) {
        Objects.requireNonNull(engine, "engine");
        return new DeviceInventory(
                engine.getEngineName(),
                String.valueOf(engine.getVersion()),
                engine.getGpuCount(),
                engine.hasCapability(StandardCapabilities.CUDA));
    }

    /** Starts (or reuses) the {@value DeviceSelector#ENGINE} engine and reads its inventory. */
    public static DeviceInventory pytorch() {
        return of(dev.musicgen.internal.nn.Engines.pytorch()); // tracking off, first-run note, clear error if missing
    }

    /** {@code [cpu(), gpu(0), ...]}, in the order the engine numbers them. */
    public List<Device> devices() {
        List<Device> list = new ArrayList<>(gpuCount + 1);
        list.add(Device.cpu());
        for (int i = 0; i < gpuCount; i++) {
            list.add(Device.gpu(i));
        }
        return List.copyOf(list);
    }

    /** Whether {@code gpu(index)} exists. */
    public boolean hasGpu(int index) {
        return index >= 0 && index < gpuCount;
    }

    /** e.g. {@code PyTorch 2.7.1 (CPU-only build) sees [cpu()]}. */
    public String describe() {
        return engineName + " " + engineVersion + (cudaBuild ? "" : " (CPU-only build)") + " sees " + devices();
    }
}
