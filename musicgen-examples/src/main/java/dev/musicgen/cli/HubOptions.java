package dev.musicgen.cli;

import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.internal.loading.HubChoices;
import dev.musicgen.internal.loading.ModelLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where models are found: the Hub cache, offline mode, repo ids served from local directories. */
final class HubOptions {
    @Option(names = "--local-repo", description = "Serve a repo id from a directory: ID=DIR (repeatable).")
    Map<String, Path> localRepos = new LinkedHashMap<>();

    @Option(names = "--offline", description = "Never use the network (also HF_HUB_OFFLINE=1).")
    boolean offline;

    @Option(
            names = "--cache-dir",
            description =
                    "Hugging Face hub cache (default: HF_HUB_CACHE, $HF_HOME/hub, " + "~/.cache/huggingface/hub).")
    Path cacheDir;

    /** The settings; offline only when asked for, so that HF_HUB_OFFLINE=1 applies otherwise. */
    HubChoices settings() {
        return new HubChoices(cacheDir, offline ? Boolean.TRUE : null, localRepos);
    }

    ModelLoader loader() {
        return new ModelLoader(settings());
    }

    /** The same settings on a generator builder. */
    MusicGeneratorBuilder applyTo(MusicGeneratorBuilder builder) {
        if (offline) {
            builder.offline(true);
        }
        if (cacheDir != null) {
            builder.cacheDir(cacheDir);
        }
        localRepos.forEach(builder::localRepo);
        return builder;
    }
}
