package dev.musicgen.device;

import ai.djl.Device;
import dev.musicgen.MusicGenException;

/**
 * A requested device does not exist for the engine. Thrown instead of falling back to the CPU, so a
 * misconfigured GPU machine fails loudly rather than running 50 times slower.
 */
public class DeviceUnavailableException extends MusicGenException {
    private static final long serialVersionUID = 1L;

    private final transient Device requested;
    private final transient DeviceInventory inventory;

    public DeviceUnavailableException(Device requested, DeviceInventory inventory, String message) {
        super(message);
        this.requested = requested;
        this.inventory = inventory;
    }

    /** The device that was asked for. */
    public Device requested() {
        return requested;
    }

    /** What the engine offered instead. */
    public DeviceInventory inventory() {
        return inventory;
    }
}
