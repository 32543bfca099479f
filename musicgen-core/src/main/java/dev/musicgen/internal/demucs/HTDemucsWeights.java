package dev.musicgen.internal.demucs;

import dev.musicgen.CheckpointException;
import dev.musicgen.HubException;
import dev.musicgen.internal.hub.HubClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the htdemucs checkpoint comes from, as demucs gets it ({@code demucs/repo.py} {@code RemoteRepo} through
 * {@code torch.hub.load_state_dict_from_url(check_hash=True)}): {@value #HTDEMUCS_URL}, cached on disk, and accepted
 * only if the sha256 of the file starts with the hex digits after the dash in its name ({@code 8726e21a}). A local
 * file may be given instead (same check). It is downloaded through the network layer ({@link HubClient}: its
 * timeouts, retries, resume, proxy and offline rule) into {@code <name>.incomplete} and moved into place once
 * verified, so a cache never holds a partial or corrupt checkpoint.
 *
 * <p>Cache: {@value #ASSETS_FOLDER} under the Hugging Face assets cache ({@code HF_ASSETS_CACHE}, default
 * {@code $HF_HOME/assets}, i.e. {@code ~/.cache/huggingface/assets}), where {@code huggingface_hub}'s
 * {@code cached_assets_path("musicgen", "default", "demucs")} points. A copy already in the torch hub cache
 * ({@code $TORCH_HOME/hub/checkpoints}, default {@code ~/.cache/torch/hub/checkpoints}, where demucs and Replicate's
 * predictor keep it), or in the folder earlier versions used ({@code $HF_HOME/demucs}, else
 * {@code ~/.cache/musicgen/demucs}), is used as it is. The server is {@code MUSICGEN_DEMUCS_URL} when set (a mirror's
 * base URL, or the checkpoint's own URL on a mirror or a test server), else Meta's.
 */
public final class HTDemucsWeights {
    /** The released htdemucs checkpoint (demucs 4.0.1 {@code remote/files.txt}, bag {@code htdemucs.yaml}). */
    public static final String FILE_NAME = "955717e8-8726e21a.th";

    /** Its URL on Meta's server (the default {@code MUSICGEN_DEMUCS_URL} + "/" + {@link #FILE_NAME}). */
    public static final String HTDEMUCS_URL = "https://dl.fbaipublicfiles.com/demucs/hybrid_transformer/" + FILE_NAME;

    /** The checkpoint's folder inside the assets cache. */
    public static final String ASSETS_FOLDER = "musicgen/default/demucs";

    /** torch.hub's {@code HASH_REGEX}: the checksum prefix is what follows the last dash, before the extension. */
    private static final Pattern HASH = Pattern.compile("-([a-f0-9]*)\\.");
    /** A URL that ends in a checkpoint name rather than a folder. */
    private static final Pattern HASH_NAME = Pattern.compile("/[^/]*-[a-f0-9]+\\.th$");

    private final Path cacheDir;
    private final List<Path> otherDirs;
    private final URI url;
    private final HubClient hub;

    private HTDemucsWeights(Path cacheDir, List<Path> otherDirs, URI url, HubClient hub) {
        this.cacheDir = cacheDir;
        this.otherDirs = otherDirs;
        this.url = url;
        this.hub = hub;
    }

    /** The default source: {@value #HTDEMUCS_URL} (or the mirror), caches and offline mode from the environment. */
    public static HTDemucsWeights defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where a download is kept. */
    public Path cacheDir() {
        return cacheDir;
    }

    /** Where the checkpoint is downloaded from. */
    public URI url() {
        return url;
    }

    /** The file name the checkpoint is cached under, e.g. {@code 955717e8-8726e21a.th}. */
    public String fileName() {
        String p = url.getPath();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** The verified checkpoint if a cache already has it (no network). */
    public Optional<Path> cached() {
        String name = fileName();
        if (Files.isRegularFile(cacheDir.resolve(name))) {
            return Optional.of(verify(cacheDir.resolve(name)));
        }
        for (Path dir : otherDirs) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return Optional.of(verify(dir.resolve(name)));
            }
        }
        return Optional.empty();
    }

    /**
     * The verified checkpoint: from a cache if present, else downloaded into {@link #cacheDir()}.
     *
     * @throws CheckpointException if a cached file's checksum does not match its name
     * @throws HubException if it must be downloaded and cannot be: offline mode (the message says how to get it), a
     *     network failure (naming the cause), or a download whose checksum does not match
     */
    public Path resolve() {
        Optional<Path> hit = cached();
        if (hit.isPresent()) {
            return hit.get();
        }
        String name = fileName();
        if (hub.isOffline()) {
            throw new HubException(
                    HubException.Reason.OFFLINE_NOT_CACHED,
                    "Offline mode is on ("
                            + hub.offlineSource() + "), and the HTDemucs checkpoint " + name
                            + " that separates melody stems "
                            + "is not in " + cacheDir
                            + otherDirs.stream().map(Path::toString).reduce("", (a, d) -> a + ", " + d)
                            + ". Get it on a machine with network with `musicgen "
                            + "download --model <melody model>` and copy " + cacheDir
                            + " (with the hub cache) here, or give "
                            + "a local copy (--demucs-checkpoint, MusicGeneratorBuilder.demucsCheckpoint), or turn stem "
                            + "separation off (--no-stem-separation).");
        }
        return hub.downloadFile(url, cacheDir.resolve(name), expectedPrefix(name), "the HTDemucs checkpoint " + name);
    }
    /**
     * Checks a local checkpoint named {@code <sig>-<sha256 prefix>.th} (demucs' naming): its sha256 must start with
     * that prefix. Returns the file.
     *
     * @throws CheckpointException if the name carries no checksum or the content does not match it
     */
    public static Path verify(Path file) {
        Objects.requireNonNull(file, "file");
        String name = file.getFileName().toString();
        String expected;
        try {
            expected = expectedPrefix(name);
        } catch (CheckpointException e) {
            throw new CheckpointException("cannot verify demucs checkpoint " + file + ": its name must be"
                    + " <signature>-<sha256 prefix>.th (e.g. 955717e8-8726e21a.th)");
        }
        String actual = sha256(file);
        if (!actual.startsWith(expected)) {
            throw new CheckpointException("Invalid checksum for file " + file + ", expected " + expected
                    + " but got " + actual.substring(0, expected.length())
                    + " (corrupt or truncated: delete it and download again)");
        }
        return file;
    }

    private static String expectedPrefix(String name) {
        Matcher m = HASH.matcher(name);
        String expected = null;
        while (m.find()) {
            expected = m.group(1);
        }
        if (expected == null || expected.isEmpty()) {
            throw new CheckpointException("the checkpoint name " + name + " carries no checksum prefix");
        }
        return expected;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Settings; every one has a default. */
    public static final class Builder {
        private Path cacheDir;
        private Path torchHubDir;
        private boolean torchHubSet;
        private String url;
        private HubClient hub;
        private Map<String, String> env;

        private Builder() {}

        /** Where downloads are kept (default {@value HTDemucsWeights#ASSETS_FOLDER} under the hub's assets cache). */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** A torch hub checkpoint directory to reuse, or null for none (default: from {@code TORCH_HOME}). */
        public Builder torchHubDir(Path dir) {
            this.torchHubDir = dir;
            this.torchHubSet = true;
            return this;
        }

        /** The checkpoint URL; its file name must carry the checksum prefix (default: the hub client's base URL). */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** The network layer (offline mode, timeouts, mirror, assets cache); default one from the environment. */
        public Builder hub(HubClient hub) {
            this.hub = hub;
            return this;
        }

        /** The environment the default directories and the default hub client are read from (tests). */
        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        public HTDemucsWeights build() {
            Map<String, String> e = env == null ? System.getenv() : env;
            HubClient h =
                    hub != null ? hub : env != null ? HubClient.builder().env(e).build() : HubClient.shared();
            URI u;
            try {
                String base = h.demucsUrl().toString();
                u = URI.create(url != null ? url : HASH_NAME.matcher(base).find() ? base : base + "/" + FILE_NAME);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("url must be an http(s) URL, but is: " + url, ex);
            }
            if (u.getScheme() == null
                    || !(u.getScheme().equals("https") || u.getScheme().equals("http"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException("url must be an http(s) URL, but is: " + u);
            }
            String path = u.getPath() == null ? "" : u.getPath();
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (!HASH.matcher(name).find()) {
                throw new IllegalArgumentException("url must name a file <signature>-<sha256 prefix>.th, but is: " + u);
            }
            Path home = Path.of(System.getProperty("user.home"));
            Path cache = cacheDir != null ? cacheDir : h.assetsDir().resolve(ASSETS_FOLDER);
            List<Path> others = new ArrayList<>();
            Path torch = torchHubDir;
            if (!torchHubSet) {
                String th = e.get("TORCH_HOME");
                torch = (th != null && !th.isBlank()
                                ? Path.of(th)
                                : home.resolve(".cache").resolve("torch"))
                        .resolve("hub")
                        .resolve("checkpoints");
            }
            if (torch != null) {
                others.add(torch.toAbsolutePath());
            }
            if (cacheDir == null) { // the folder earlier versions downloaded into: read, never written
                String hf = e.get("HF_HOME");
                others.add((hf != null && !hf.isBlank()
                                ? Path.of(hf).resolve("demucs")
                                : home.resolve(".cache").resolve("musicgen").resolve("demucs"))
                        .toAbsolutePath());
            }
            return new HTDemucsWeights(cache.toAbsolutePath(), List.copyOf(others), u, h);
        }
    }
}
