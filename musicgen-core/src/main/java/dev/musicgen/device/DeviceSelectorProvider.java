package dev.musicgen.device;

/**
 * Adds a named device strategy to {@link DeviceSelector#named(String)} (and so to {@code MUSICGEN_DEVICE}),
 * found with {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.musicgen.device.DeviceSelectorProvider}. Built-in names
 * ({@code auto}, {@code cpu}, {@code gpu...}, {@code cuda...}) cannot be replaced.
 */
public interface DeviceSelectorProvider {

    /** The name users type, matched case-insensitively, e.g. {@code least-busy-gpu}. */
    String name();

    /** A new selector for that name. */
    DeviceSelector create();
}
