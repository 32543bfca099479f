package dev.musicgen.cli;

import ai.djl.Device;
import dev.musicgen.ModelVersion;
import dev.musicgen.device.DeviceSelector;
import dev.musicgen.internal.hub.HubClient;
import dev.musicgen.internal.hub.HubRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model: where it comes from, the Hub cache, the device. */
final class ModelOptions {
    @Option(names = "--model", required = true, description = "Model version (small, melody, stereo-large, ...), "
            + "Hub repo id, or local directory.")
    String model;

    @Option(names = "--local-repo", description = "Serve a repo id from a directory: ID=DIR (repeatable).")
    Map<String, Path> localRepos = new LinkedHashMap<>();

    @Option(names = "--offline", description = "Never use the network (also HF_HUB_OFFLINE=1).")
    boolean offline;

    @Option(names = "--cache-dir", description = "Hugging Face hub cache (default: HF_HUB_CACHE, $HF_HOME/hub, "
            + "~/.cache/huggingface/hub).")
    Path cacheDir;

    @Option(names = "--device", description = "cpu, gpu, gpuN or auto (default: MUSICGEN_DEVICE, else auto).")
    String device;

    HubClient hub() {
        HubClient.Builder b = HubClient.builder();
        if (offline) {
            b.offline(true);
        }
        if (cacheDir != null) {
            b.cacheDir(cacheDir);
        }
        localRepos.forEach(b::localRepo);
        return b.build();
    }

    Device device() {
        return (device == null ? DeviceSelector.fromEnvironment() : DeviceSelector.named(device)).select();
    }

    /** The model as a local directory (downloading the audiocraft checkpoint files of a version or repo id). */
    Path modelDir(HubClient hub) {
        Path p = Path.of(model);
        if (Files.exists(p)) {
            return p;
        }
        String repo = model.contains("/") ? model : ModelVersion.fromName(model).repoId();
        List<Path> files = hub.downloadModel(repo, HubRepos.AUDIOCRAFT_FILES);
        return files.get(0).getParent();
    }
}
