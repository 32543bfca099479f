package dev.musicgen.examples;

import ai.djl.Device;
import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.device.DeviceSelector;
import dev.musicgen.device.DeviceUnavailableException;
import java.nio.file.Path;

/**
 * Your own device strategy as a lambda: "the GPU whose index is in {@code -Dmusicgen.gpu}, else the CPU". Asking for
 * a GPU that the engine does not see fails with {@link DeviceUnavailableException}; it never falls back to the CPU
 * silently (a misconfigured GPU server should fail loudly, not run 50 times slower).
 *
 * <pre>
 * java -Dmusicgen.gpu=1 -cp musicgen.jar dev.musicgen.examples.CustomDeviceSelector ["prompt"] [out.wav]
 * </pre>
 *
 * The default build has CPU-only natives, where every GPU request fails: see docs/DEVICES.md for a CUDA libtorch.
 * Built-in selectors: {@code DeviceSelector.auto()}, {@code cpu()}, {@code gpu(n)}, {@code named("cuda:1")}.
 */
public final class CustomDeviceSelector {
    private CustomDeviceSelector() {}

    public static void main(String[] args) {
        String prompt = ExampleModels.arg(args, 0, "funky disco groove with slap bass");
        Path out = Path.of(ExampleModels.arg(args, 1, "custom-device.wav"));

        DeviceSelector selector = gpuFromPropertyElseCpu("musicgen.gpu");
        GeneratedAudio audio = run(ExampleModels.builder(ModelVersion.SMALL), selector, prompt, 8, out);
        System.out.printf("wrote %s (%.1f s)%n", out, audio.durationSeconds());
    }

    /** The GPU numbered by system property {@code property}; the CPU when it is not set. */
    public static DeviceSelector gpuFromPropertyElseCpu(String property) {
        return inventory -> {
            String value = System.getProperty(property);
            if (value == null || value.isBlank()) {
                return Device.cpu(); // no GPU asked for: the CPU, by choice
            }
            int index;
            try {
                index = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        property + " must be a GPU index (0, 1, ...), but is: '" + value + "'", e);
            }
            if (!inventory.hasGpu(index)) {
                throw new DeviceUnavailableException(
                        Device.gpu(index),
                        inventory,
                        property + "=" + index + " asks for " + Device.gpu(index) + " but " + inventory.describe()
                                + "; unset " + property + " to run on the CPU");
            }
            return Device.gpu(index);
        };
    }

    public static GeneratedAudio run(
            MusicGeneratorBuilder model, DeviceSelector selector, String prompt, double seconds, Path out) {
        try (MusicGenerator generator = model.device(selector).build()) { // the selector runs in build()
            System.out.println("running on " + generator.device());
            GenerationRequest request =
                    GenerationRequest.builder().prompt(prompt).duration(seconds).build();
            GeneratedAudio audio = generator.generate(request);
            audio.writeTo(out);
            return audio;
        }
    }
}
