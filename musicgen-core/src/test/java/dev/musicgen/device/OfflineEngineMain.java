package dev.musicgen.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Started in a fresh JVM by {@link OfflineEngineTest}: loads PyTorch and computes one sum. */
public final class OfflineEngineMain {
    private OfflineEngineMain() {}

    public static void main(String[] args) {
        Engine engine = Engine.getEngine(DeviceSelector.ENGINE);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), DeviceSelector.ENGINE)) {
            NDArray x = m.arange(1f, 5f); // [4]: 1 2 3 4
            float sum = x.sum().getFloat();
            if (sum != 10f) {
                throw new AssertionError("expected 10, got " + sum);
            }
            System.out.println(
                    "OK engine=" + engine.getEngineName() + " version=" + engine.getVersion() + " sum=" + sum);
        }
    }
}
