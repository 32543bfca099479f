package dev.musicgen.internal.demucs;

import dev.musicgen.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the htdemucs checkpoint comes from, as demucs gets it ({@code demucs/repo.py} {@code RemoteRepo} through
 * {@code torch.hub.load_state_dict_from_url(check_hash=True)}): {@value #HTDEMUCS_URL}, cached on disk, and accepted
 * only if the sha256 of the file starts with the hex digits after the dash in its name ({@code 8726e21a}). A local
 * file may be given instead (same check). Downloads go to a temporary file in the cache directory and are moved into
 * place atomically once verified, so a cache never holds a partial or corrupt checkpoint.
 *
 * <p>Cache directory: {@code $HF_HOME/demucs} when {@code HF_HOME} is set, else {@code ~/.cache/musicgen/demucs}.
 * A copy already in the torch hub cache ({@code $TORCH_HOME/hub/checkpoints}, default
 * {@code ~/.cache/torch/hub/checkpoints}, where demucs and Replicate's predictor keep it) is used as it is.
 */
public final class HTDemucsWeights {
    private static final Logger LOG = LoggerFactory.getLogger(HTDemucsWeights.class);

    /** The released htdemucs model (demucs 4.0.1 {@code remote/files.txt}, bag {@code htdemucs.yaml}). */
    public static final String HTDEMUCS_URL =
            "https://dl.fbaipublicfiles.com/demucs/hybrid_transformer/955717e8-8726e21a.th";

    /** torch.hub's {@code HASH_REGEX}: the checksum prefix is what follows the last dash, before the extension. */
    private static final Pattern HASH = Pattern.compile("-([a-f0-9]*)\\.");

    private final Path cacheDir;
    private final Path torchHubDir;
    private final URI url;
    private final HttpClient client;

    private HTDemucsWeights(Path cacheDir, Path torchHubDir, URI url, HttpClient client) {
        this.cacheDir = cacheDir;
        this.torchHubDir = torchHubDir;
        this.url = url;
        this.client = client;
    }

    /** The default source: {@value #HTDEMUCS_URL}, caches from the process environment. */
    public static HTDemucsWeights defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** The file name the checkpoint is cached under, e.g. {@code 955717e8-8726e21a.th}. */
    public String fileName() {
        String p = url.getPath();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /**
     * The verified checkpoint: from the cache or the torch hub cache if present, else downloaded into the cache.
     *
     * @throws CheckpointException if the download fails or the file's checksum does not match its name
     */
    public Path resolve() {
        String name = fileName();
        Path cached = cacheDir.resolve(name);
        if (Files.isRegularFile(cached)) {
            return verify(cached);
        }
        if (torchHubDir != null && Files.isRegularFile(torchHubDir.resolve(name))) {
            return verify(torchHubDir.resolve(name));
        }
        return download(cached);
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

    private Path download(Path target) {
        Path tmp = null;
        try {
            Files.createDirectories(cacheDir);
            tmp = Files.createTempFile(cacheDir, target.getFileName().toString(), ".part");
            LOG.info("downloading {} to {}", url, target);
            long t0 = System.nanoTime();
            HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET().build();
            HttpResponse<Path> res = client.send(req, HttpResponse.BodyHandlers.ofFile(tmp));
            if (res.statusCode() != 200) {
                throw new CheckpointException("cannot download " + url + ": HTTP " + res.statusCode());
            }
            String expected = expectedPrefix(target.getFileName().toString());
            String actual = sha256(tmp);
            if (!actual.startsWith(expected)) {
                throw new CheckpointException("Invalid checksum for download of " + url + ", expected " + expected
                        + " but got " + actual.substring(0, expected.length()));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            LOG.info("downloaded {} ({} bytes) in {} s", target.getFileName(), Files.size(target),
                    (System.nanoTime() - t0) / 1_000_000_000L);
            return target;
        } catch (IOException e) {
            throw new CheckpointException("cannot download " + url + " to " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("download of " + url + " interrupted", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stale .part file is harmless
                }
            }
        }
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
        private URI url = URI.create(HTDEMUCS_URL);
        private HttpClient client;
        private Map<String, String> env = System.getenv();

        private Builder() {}

        /** Where downloads are kept (default {@code $HF_HOME/demucs} or {@code ~/.cache/musicgen/demucs}). */
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

        /** The checkpoint URL; its file name must carry the checksum prefix. */
        public Builder url(String url) {
            this.url = url == null ? null : URI.create(url);
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.client = client;
            return this;
        }

        /** The environment the default directories are read from (tests). */
        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        public HTDemucsWeights build() {
            if (url == null || url.getScheme() == null
                    || !(url.getScheme().equals("https") || url.getScheme().equals("http"))) {
                throw new IllegalArgumentException("url must be an http(s) URL, but is: " + url);
            }
            String path = url.getPath() == null ? "" : url.getPath();
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (!HASH.matcher(name).find()) {
                throw new IllegalArgumentException("url must name a file <signature>-<sha256 prefix>.th, but is: "
                        + url);
            }
            Map<String, String> e = env == null ? Map.of() : env;
            Path home = Path.of(System.getProperty("user.home"));
            Path cache = cacheDir;
            if (cache == null) {
                String hf = e.get("HF_HOME");
                cache = hf != null && !hf.isBlank() ? Path.of(hf).resolve("demucs")
                        : home.resolve(".cache").resolve("musicgen").resolve("demucs");
            }
            Path hub = torchHubDir;
            if (!torchHubSet) {
                String th = e.get("TORCH_HOME");
                hub = (th != null && !th.isBlank() ? Path.of(th) : home.resolve(".cache").resolve("torch"))
                        .resolve("hub").resolve("checkpoints");
            }
            HttpClient c = client != null ? client : HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
            return new HTDemucsWeights(cache.toAbsolutePath(), hub, url, c);
        }
    }
}
