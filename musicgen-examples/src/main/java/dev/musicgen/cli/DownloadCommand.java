package dev.musicgen.cli;

import dev.musicgen.ModelVersion;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.demucs.HTDemucsWeights;
import dev.musicgen.internal.hub.DownloadListener;
import dev.musicgen.internal.hub.HubClient;
import dev.musicgen.internal.hub.HubRepos;
import dev.musicgen.internal.weights.TorchCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code musicgen download}: fills the caches with everything a model needs, showing progress on stderr. */
@Command(
        name = "download",
        description = "Download a model (its audiocraft checkpoints, the T5 text encoder it names, "
                + "the EnCodec a pointer names, the HTDemucs checkpoint of a melody model, optionally MultiBand Diffusion) "
                + "into the Hugging Face caches.")
final class DownloadCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model version (small, melody-large, ...) or repo id.")
    String model;

    @Option(
            names = "--with-mbd",
            description = "Also download MultiBand Diffusion (facebook/multiband-diffusion) and "
                    + "musicgen-small's EnCodec it conditions on.")
    boolean withMbd;

    @Option(names = "--cache-dir", description = "Hugging Face hub cache (default: HF_HUB_CACHE, $HF_HOME/hub, ...).")
    Path cacheDir;

    @Spec
    CommandSpec spec;

    static final List<String> T5_FILES = List.of("config.json", "tokenizer.json", "model.safetensors");
    static final List<String> ENCODEC_FILES = List.of("config.json", "model.safetensors");

    private final Map<String, String> env;

    DownloadCommand() {
        this(System.getenv());
    }

    /** With the environment to read instead of the process's (tests). */
    DownloadCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HubClient.Builder b = HubClient.builder().env(env).listener(new Progress(err, stderrIsTerminal(env)));
        if (cacheDir != null) {
            b.cacheDir(cacheDir);
        }
        HubClient hub = b.build();
        String repo = model.contains("/") ? model : ModelVersion.fromName(model).repoId();
        List<Path> files = hub.downloadModel(repo, HubRepos.AUDIOCRAFT_FILES);
        files.forEach(out::println);
        boolean melody;
        try (TorchCheckpoint lm = TorchCheckpoint.open(files.get(0))) {
            XpConfig cfg = XpConfig.parse((String) lm.rootMap().get("xp.cfg"));
            String t5 = HubRepos.t5Repo(cfg.getString("conditioners.description.t5.name", "t5-base"));
            hub.downloadModel(t5, T5_FILES).forEach(out::println);
            melody = "chroma_stem".equals(cfg.getString("conditioners.self_wav.model", null));
        }
        pointer(hub, files.get(1), out);
        if (melody) { // the stem separation a melody input goes through
            out.println(HTDemucsWeights.builder().hub(hub).env(env).build().resolve());
        }
        if (withMbd) {
            out.println(hub.resolve(HubRepos.MBD, HubRepos.MBD_MUSICGEN_FILE));
            List<Path> small = hub.downloadModel(ModelVersion.SMALL.repoId(), List.of(HubRepos.COMPRESSION_FILE));
            small.forEach(out::println);
            pointer(hub, small.get(0), out);
        }
        out.flush();
        return 0;
    }

    private static void pointer(HubClient hub, Path compression, PrintWriter out) {
        try (TorchCheckpoint c = TorchCheckpoint.open(compression)) {
            Map<String, Object> root = c.rootMap();
            if (root.get("pretrained") instanceof String) {
                hub.downloadModel((String) root.get("pretrained"), ENCODEC_FILES)
                        .forEach(out::println);
            }
        }
    }

    /**
     * Whether stderr is a terminal: on Linux, where {@code /proc/self/fd/2} points; elsewhere, whether the JVM has a
     * console. {@code TERM=dumb} is never one.
     */
    static boolean stderrIsTerminal(Map<String, String> env) {
        if ("dumb".equals(env.get("TERM"))) {
            return false;
        }
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd2)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /**
     * Bytes per file on stderr. On a terminal, one line per file redrawn in place at most 4 times a second; otherwise
     * (a log, a pipe) plain lines, no escape codes or carriage returns: when a file starts, every 10 s while it runs,
     * and when it is done. Files already in the cache print nothing here (their paths go to stdout).
     */
    static final class Progress implements DownloadListener {
        private static final long TERMINAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
        private static final long PLAIN_NANOS = TimeUnit.SECONDS.toNanos(10);

        private final PrintWriter err;
        private final boolean terminal;
        private String current;
        private long printedAt;
        private boolean lineOpen;

        Progress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public synchronized void onProgress(String repoId, String filename, long done, long total) {
            String name = repoId + "/" + filename;
            long now = System.nanoTime();
            boolean first = !name.equals(current);
            boolean last = total >= 0 && done >= total;
            if (!first && !last && now - printedAt < (terminal ? TERMINAL_NANOS : PLAIN_NANOS)) {
                return;
            }
            if (first) {
                endLine();
                current = name;
            }
            printedAt = now;
            String line = "downloading " + name + ": " + DownloadListener.formatBytes(done)
                    + (total > 0
                            ? " of " + DownloadListener.formatBytes(total)
                                    + String.format(Locale.ROOT, " (%d%%)", done * 100 / total)
                            : "");
            if (terminal) {
                err.print("\r" + line + "   ");
                lineOpen = true;
            } else {
                err.println(line);
            }
            err.flush();
        }

        @Override
        public synchronized void onRetry(String repoId, String filename, int attempt, int maxRetries, String cause) {
            endLine();
            err.println("retrying " + repoId + "/" + filename + " (" + attempt + " of " + maxRetries + "): " + cause);
            err.flush();
            current = null;
        }

        @Override
        public synchronized void onDone(String repoId, String filename, Path path) {
            endLine();
            current = null;
        }

        private void endLine() {
            if (lineOpen) {
                err.println();
                lineOpen = false;
            }
        }
    }
}
