package dev.musicgen.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.musicgen.internal.Providers;
import java.util.Map;

/**
 * Chooses the device a model runs on. Strategies are plain objects so applications can pass their own
 * (a lambda is enough), and the built-in ones are reachable by name for configuration files and the
 * {@value #ENV_VAR} variable:
 *
 * <pre>
 * DeviceSelector.auto()            first GPU the engine reports, else the CPU
 * DeviceSelector.cpu()             the CPU
 * DeviceSelector.gpu(1)            CUDA device 1, or DeviceUnavailableException
 * DeviceSelector.named("cuda:1")   the same, by name: auto | cpu | gpu | gpuN | gpu:N | cuda | cuda:N
 * DeviceSelector.fromEnvironment() {@value #ENV_VAR}, default auto
 * </pre>
 *
 * A selector must throw {@link DeviceUnavailableException} rather than return a device the inventory
 * lacks; none of the built-in ones ever falls back to the CPU.
 */
@FunctionalInterface
public interface DeviceSelector {

    /** The DJL engine every model of this SDK runs on (named, never the global default). */
    String ENGINE = "PyTorch";

    /** The environment variable read by {@link #fromEnvironment()}. */
    String ENV_VAR = "MUSICGEN_DEVICE";

    /**
     * @return a device of {@code inventory}
     * @throws DeviceUnavailableException if the wanted device is not there
     */
    Device select(DeviceInventory inventory);

    /** Selects among what {@code engine} reports. */
    default Device select(Engine engine) {
        return select(DeviceInventory.of(engine));
    }

    /** Selects among what the {@value #ENGINE} engine reports (starting it if needed). */
    default Device select() {
        return select(DeviceInventory.pytorch());
    }

    /** The first GPU if the engine reports one ({@code getGpuCount() > 0}), else the CPU. */
    static DeviceSelector auto() {
        return BuiltinSelectors.AUTO;
    }

    /** Always the CPU. */
    static DeviceSelector cpu() {
        return BuiltinSelectors.CPU;
    }

    /**
     * CUDA device {@code index}; selection fails with {@link DeviceUnavailableException} if the engine does not see it.
     *
     * @throws IllegalArgumentException if {@code index < 0}
     */
    static DeviceSelector gpu(int index) {
        return BuiltinSelectors.gpu(index);
    }

    /**
     * A selector by name (case-insensitive): {@code auto}, {@code cpu}, {@code gpu} or {@code cuda} (= GPU 0),
     * {@code gpuN}, {@code gpu:N}, {@code cuda:N} (also DJL's {@code gpu(N)} and {@code cpu()}), or the name of a
     * {@link DeviceSelectorProvider} on the class path (found through the context class loader, then this library's).
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    static DeviceSelector named(String name) {
        // looked up only when the name is none of the built-in ones
        return BuiltinSelectors.named(
                name, () -> Providers.all(DeviceSelectorProvider.class).iterator());
    }

    /** {@link #named(String)} of {@value #ENV_VAR}, or {@link #auto()} if it is unset or blank. */
    static DeviceSelector fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** As {@link #fromEnvironment()}, reading {@code env} instead of the process environment. */
    static DeviceSelector fromEnvironment(Map<String, String> env) {
        String value = env.get(ENV_VAR);
        if (value == null || value.isBlank()) {
            return auto();
        }
        try {
            return named(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENV_VAR + ": " + e.getMessage(), e);
        }
    }
}
