package dev.musicgen.device;

import ai.djl.Device;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The selectors behind {@link DeviceSelector}'s factories; each prints as the name that selects it. */
final class BuiltinSelectors {
    private static final Logger log = LoggerFactory.getLogger(BuiltinSelectors.class);

    static final String ALLOWED = "auto, cpu, gpu, gpu<N>, gpu:<N>, cuda, cuda:<N> (e.g. gpu1, cuda:1)";
    private static final Pattern GPU = Pattern.compile("(?:gpu|cuda)(?::?(\\d{1,4})|\\((\\d{1,4})\\))?");

    static final DeviceSelector AUTO = new Named("auto", inv -> {
        Device d = inv.gpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        log.debug("auto device: {} ({})", d, inv.describe());
        return d;
    });
    static final DeviceSelector CPU = new Named("cpu", inv -> Device.cpu());

    private BuiltinSelectors() {}

    static DeviceSelector gpu(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("gpu index must be >= 0, but is: " + index);
        }
        return new Named("gpu" + index, inv -> {
            if (inv.hasGpu(index)) {
                return Device.gpu(index);
            }
            throw unavailable(index, inv);
        });
    }

    static DeviceSelector named(String name, Iterable<DeviceSelectorProvider> providers) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("device name must be one of " + ALLOWED + ", but is: "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("auto")) {
            return AUTO;
        }
        if (n.equals("cpu") || n.equals("cpu()")) {
            return CPU;
        }
        Matcher m = GPU.matcher(n);
        if (m.matches()) {
            String idx = m.group(1) != null ? m.group(1) : m.group(2);
            return gpu(idx == null ? 0 : Integer.parseInt(idx));
        }
        StringBuilder extra = new StringBuilder();
        for (DeviceSelectorProvider p : providers) {
            if (p.name().trim().equalsIgnoreCase(n)) {
                return p.create();
            }
            extra.append(", ").append(p.name());
        }
        throw new IllegalArgumentException(
                "device name must be one of " + ALLOWED + extra + ", but is: '" + name + "'");
    }

    private static DeviceUnavailableException unavailable(int index, DeviceInventory inv) {
        Device wanted = Device.gpu(index);
        StringBuilder msg =
                new StringBuilder("requested ").append(wanted).append(" but ").append(inv.describe());
        if (inv.gpuCount() == 0) {
            msg.append(
                    inv.cudaBuild()
                            ? "; the native library has CUDA but no GPU is visible (driver missing, or CUDA_VISIBLE_DEVICES"
                                    + " hides it)"
                            : "; the CPU-only libtorch (pytorch-native-cpu) is loaded, see docs/DEVICES.md to use a CUDA"
                                    + " libtorch");
            msg.append(". Set ").append(DeviceSelector.ENV_VAR).append("=cpu (or auto) to run on the CPU");
        } else {
            msg.append("; set ").append(DeviceSelector.ENV_VAR).append("=");
            for (int i = 0; i < inv.gpuCount(); i++) {
                msg.append("gpu").append(i).append(i + 1 < inv.gpuCount() ? ", " : "");
            }
            msg.append(" or cpu");
        }
        return new DeviceUnavailableException(wanted, inv, msg.toString());
    }

    /** A selector with a readable name for logs ("selector=gpu1"). */
    private record Named(String name, Function<DeviceInventory, Device> choice) implements DeviceSelector {
        @Override
        public Device select(DeviceInventory inventory) {
            return choice.apply(inventory);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
