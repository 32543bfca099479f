package dev.musicgen.cli;

import dev.musicgen.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** MultiBand Diffusion decoding: whether, and from where. */
final class MbdOptions {
    @Option(names = "--multi-band-diffusion", description = "Decode with MultiBand Diffusion instead of EnCodec.")
    boolean enabled;

    @Option(
            names = "--mbd-model",
            description =
                    "Directory or repo id holding mbd_musicgen_32khz.th " + "(default facebook/multiband-diffusion).")
    String model;

    /** An existing path is a directory, anything else a repo id; null for the default. */
    ModelSource source() {
        if (model == null) {
            return null;
        }
        return Files.exists(Path.of(model)) ? ModelSource.directory(Path.of(model)) : ModelSource.repo(model);
    }
}
