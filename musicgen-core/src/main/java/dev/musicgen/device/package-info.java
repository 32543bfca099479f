/**
 * Device choice: a {@link dev.musicgen.device.DeviceSelector} picks the DJL {@code Device} a model runs on
 * from what the PyTorch engine reports ({@link dev.musicgen.device.DeviceInventory}). Asking for a GPU
 * that is not there throws {@link dev.musicgen.device.DeviceUnavailableException}; nothing falls back to
 * the CPU silently. See {@code docs/DEVICES.md}, also for running on a CUDA libtorch.
 */
package dev.musicgen.device;
