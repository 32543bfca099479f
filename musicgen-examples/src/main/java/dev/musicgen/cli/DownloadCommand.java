package dev.musicgen.cli;

import dev.musicgen.ModelVersion;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.hub.HubClient;
import dev.musicgen.internal.hub.HubRepos;
import dev.musicgen.internal.weights.TorchCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code musicgen download}: fills the Hugging Face cache with everything a model needs. */
@Command(name = "download", description = "Download a model (its audiocraft checkpoints, the T5 text encoder it names, "
        + "the EnCodec a pointer names, optionally MultiBand Diffusion) into the Hugging Face cache.")
final class DownloadCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model version (small, melody-large, ...) or repo id.")
    String model;

    @Option(names = "--with-mbd", description = "Also download MultiBand Diffusion (facebook/multiband-diffusion) and "
            + "musicgen-small's EnCodec it conditions on.")
    boolean withMbd;

    @Option(names = "--cache-dir", description = "Hugging Face hub cache (default: HF_HUB_CACHE, $HF_HOME/hub, ...).")
    Path cacheDir;

    @Spec
    CommandSpec spec;

    static final List<String> T5_FILES = List.of("config.json", "tokenizer.json", "model.safetensors");
    static final List<String> ENCODEC_FILES = List.of("config.json", "model.safetensors");

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HubClient.Builder b = HubClient.builder().listener(new dev.musicgen.internal.hub.DownloadListener() {
            @Override
            public void onProgress(String repoId, String filename, long done, long total) {
                // the CLI prints one line per file when done
            }
        });
        if (cacheDir != null) {
            b.cacheDir(cacheDir);
        }
        HubClient hub = b.build();
        String repo = model.contains("/") ? model : ModelVersion.fromName(model).repoId();
        List<Path> files = hub.downloadModel(repo, HubRepos.AUDIOCRAFT_FILES);
        files.forEach(f -> out.println(f));
        try (TorchCheckpoint lm = TorchCheckpoint.open(files.get(0))) {
            XpConfig cfg = XpConfig.parse((String) lm.rootMap().get("xp.cfg"));
            String t5 = HubRepos.t5Repo(cfg.getString("conditioners.description.t5.name", "t5-base"));
            hub.downloadModel(t5, T5_FILES).forEach(f -> out.println(f));
        }
        pointer(hub, files.get(1), out);
        if (withMbd) {
            out.println(hub.resolve(HubRepos.MBD, HubRepos.MBD_MUSICGEN_FILE));
            List<Path> small = hub.downloadModel(ModelVersion.SMALL.repoId(), List.of(HubRepos.COMPRESSION_FILE));
            small.forEach(f -> out.println(f));
            pointer(hub, small.get(0), out);
        }
        out.flush();
        return 0;
    }

    private static void pointer(HubClient hub, Path compression, PrintWriter out) {
        try (TorchCheckpoint c = TorchCheckpoint.open(compression)) {
            Map<String, Object> root = c.rootMap();
            if (root.get("pretrained") instanceof String) {
                hub.downloadModel((String) root.get("pretrained"), ENCODEC_FILES).forEach(f -> out.println(f));
            }
        }
    }
}
