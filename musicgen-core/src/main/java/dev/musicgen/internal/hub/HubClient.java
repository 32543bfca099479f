package dev.musicgen.internal.hub;

import dev.musicgen.HubException;
import dev.musicgen.HubException.Reason;
import dev.musicgen.internal.hub.HttpTransport.Metadata;
import dev.musicgen.internal.hub.HttpTransport.NetworkFailure;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network layer's entry point: Hub files into the cache that Python's {@code huggingface_hub} uses (so one cache
 * serves both, see {@link HubCacheLayout} and {@code docs/HUB.md}), other files (the HTDemucs checkpoint) into the
 * assets cache beside it, and {@code http(s):} bodies (input audio) into memory, all with the same settings
 * ({@code HubSettings}: timeouts, retries, proxy, offline rule, token), HTTP ({@code HttpTransport}) and transfers
 * ({@code Downloader}).
 *
 * <p>A Hub file follows {@code hf_hub_download}: a HEAD on {@code /{repo}/resolve/{revision}/{filename}} gives
 * the commit ({@code X-Repo-Commit}), the blob name ({@code X-Linked-Etag} or {@code ETag}) and the size
 * ({@code X-Linked-Size}); LFS files answer with a redirect to a CDN, whose URL is then downloaded
 * without the token. Downloads go to {@code blobs/<etag>.incomplete}, resume with a {@code Range}
 * request, are checked against the sha256 when the ETag is one, and are moved into place atomically
 * before the snapshot link appears, so a snapshot entry always points to a complete file.
 *
 * <p>In offline mode ({@code HF_HUB_OFFLINE=1} or {@link Builder#offline(boolean)}; either one is enough) the Hub is
 * never asked and only loopback URLs are fetched. A repository id mapped with {@link Builder#localRepo(String, Path)},
 * or one that names an existing directory, is read from that directory. Thread-safe; one instance can serve a whole
 * application.
 */
public final class HubClient {
    public static final String DEFAULT_ENDPOINT = HubSettings.DEFAULT_ENDPOINT;
    public static final String DEFAULT_REVISION = "main";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = HubSettings.DEFAULT_CONNECT_TIMEOUT;
    public static final Duration DEFAULT_READ_TIMEOUT = HubSettings.DEFAULT_READ_TIMEOUT;
    public static final int DEFAULT_MAX_RETRIES = HubSettings.DEFAULT_MAX_RETRIES;

    private static final Logger log = LoggerFactory.getLogger(HubClient.class);
    private static volatile HubClient shared;

    private final HubSettings settings;
    private final HubCacheLayout cache;
    private final HttpTransport http;
    private final Downloader downloader;
    private final DownloadListener listener;
    private final Map<String, Path> localRepos;

    private HubClient(Builder b, HubSettings settings) {
        this.settings = settings;
        this.cache = new HubCacheLayout(settings.cacheDir);
        this.http = new HttpTransport(settings);
        this.downloader = new Downloader(settings, http);
        this.listener = b.listener;
        this.localRepos = Map.copyOf(b.localRepos);
    }

    /** A client configured from the process environment ({@code HF_*} variables) and defaults. */
    public static HubClient fromEnvironment() {
        return builder().build();
    }

    /** One client from the process environment, shared by the callers that have none of their own (input audio). */
    public static HubClient shared() {
        HubClient c = shared;
        if (c == null) {
            synchronized (HubClient.class) {
                c = shared;
                if (c == null) {
                    c = fromEnvironment();
                    shared = c;
                }
            }
        }
        return c;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server, e.g. {@code https://huggingface.co} (no trailing slash). */
    public String endpoint() {
        return settings.endpoint.toString();
    }

    /** The hub cache directory ({@code .../huggingface/hub}), absolute. */
    public Path cacheDir() {
        return cache.cacheDir();
    }

    /** The assets cache ({@code HF_ASSETS_CACHE}, default {@code $HF_HOME/assets}) for files not from the Hub. */
    public Path assetsDir() {
        return settings.assetsDir;
    }

    /**
     * Where the HTDemucs checkpoint is downloaded from ({@code MUSICGEN_DEMUCS_URL}, default Meta's server): a base
     * URL its file name is appended to, or, when it ends in a {@code <signature>-<sha256 prefix>.th} file name, the
     * checkpoint's own URL.
     */
    public URI demucsUrl() {
        return settings.demucsUrl;
    }

    public boolean isOffline() {
        return settings.offline;
    }

    /** Why offline mode is on (e.g. {@code HF_HUB_OFFLINE=1}), for messages; null when it is off. */
    public String offlineSource() {
        return settings.offlineSource;
    }

    /** Whether a token will be sent to the endpoint (never to other hosts). */
    public boolean hasToken() {
        return settings.token() != null;
    }

    /** The cache folder of one repository ({@code <cache>/models--owner--name}); it need not exist. */
    public Path repoCacheDir(String repoId) {
        Names.validateRepoId(repoId);
        return cache.repoDir(repoId);
    }

    /** {@link #resolve(String, String, String)} at revision {@code main}. */
    public Path resolve(String repoId, String filename) {
        return resolve(repoId, filename, DEFAULT_REVISION);
    }

    /**
     * Returns a local path to {@code filename} of {@code repoId} at {@code revision}, downloading it into
     * the cache first if needed. {@code repoId} may also be a key of {@link Builder#localRepo} or an
     * existing directory, which is then read directly.
     *
     * @param revision branch, tag or commit hash; {@code null} means {@code main}
     * @return {@code <cache>/models--owner--name/snapshots/<commit>/<filename>} (or the local file)
     * @throws HubException when the file cannot be provided; {@link HubException#reason()} says why
     */
    public Path resolve(String repoId, String filename, String revision) {
        Names.requireText(repoId, "repoId", "a Hub repository id like facebook/musicgen-small, or a local directory");
        Names.validateFilename(filename);
        String rev = revision == null ? DEFAULT_REVISION : revision;
        Names.validateRevision(rev);
        return resolve(repoId, filename, rev, localDirectory(repoId));
    }

    private Path resolve(String repoId, String filename, String rev, Path local) {
        if (local != null) {
            return resolveLocal(repoId, local, filename);
        }
        Names.validateRepoId(repoId);
        return settings.offline ? resolveOffline(repoId, filename, rev) : resolveOnline(repoId, filename, rev);
    }

    /**
     * This client as a {@link dev.musicgen.spi.RepoResolver}, for repo ids named inside a model: the files named are
     * resolved (downloaded when needed) and the directory holding them (a snapshot directory, or the directory a
     * {@link Builder#localRepo} mapping gives) is returned. Unlike {@link #resolve(String, String)}, an id is never
     * taken as a local path.
     */
    public dev.musicgen.spi.RepoResolver asRepoResolver() {
        return (repoId, filenames) -> {
            if (filenames.length == 0) {
                throw new IllegalArgumentException("no files of " + repoId + " were named");
            }
            // names come from inside a model (xp.cfg's T5, an EnCodec pointer): repo ids, never local paths, unless
            // the user mapped them with localRepo; a checkpoint must not pick a directory on this machine
            Names.requireText(repoId, "repoId", "a Hub repository id named by the model");
            Path mapped = localRepos.get(repoId);
            if (mapped == null) {
                Names.validateRepoId(repoId);
            }
            Path dir = null;
            for (String f : filenames) {
                Names.validateFilename(f);
                Path d = resolve(repoId, f, DEFAULT_REVISION, mapped);
                for (int i = 0; i < Path.of(f).getNameCount(); i++) {
                    d = d.getParent();
                }
                dir = dir == null ? d : dir;
            }
            return dir;
        };
    }

    /** Resolves several files of one repository at {@code main}, in order (what {@code musicgen download} needs). */
    public List<Path> downloadModel(String repoId, List<String> filenames) {
        return downloadModel(repoId, DEFAULT_REVISION, filenames);
    }

    /** Resolves several files of one repository at one revision, in order. Stops at the first failure. */
    public List<Path> downloadModel(String repoId, String revision, List<String> filenames) {
        Objects.requireNonNull(filenames, "filenames");
        if (filenames.isEmpty()) {
            throw new IllegalArgumentException("filenames must name at least one file of " + repoId + ", but is empty");
        }
        List<Path> paths = new ArrayList<>(filenames.size());
        for (String f : filenames) {
            paths.add(resolve(repoId, f, revision));
        }
        return List.copyOf(paths);
    }

    /**
     * The cached copy of a file, without any network access, if the cache has it for that revision
     * (through {@code refs/<revision>} unless the revision is a commit hash). Local directories are not consulted.
     */
    public Optional<Path> cached(String repoId, String filename, String revision) {
        Names.validateRepoId(repoId);
        Names.validateFilename(filename);
        String rev = revision == null ? DEFAULT_REVISION : revision;
        Names.validateRevision(rev);
        try {
            return cache.cachedFile(repoId, filename, rev);
        } catch (IOException e) {
            throw new HubException(
                    Reason.IO,
                    "cannot read the cache entry of " + repoId + "/" + filename + " in " + cache.cacheDir() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Downloads a file that is not on the Hub (no token is sent) to {@code target}, through
     * {@code <target>.incomplete} with the same resume, retries, stall rules and progress as Hub files, checking its
     * sha256 against {@code sha256} (the whole hex digest or its first digits). Callers check the offline mode
     * first to say how else to get the file; here a non-loopback URL in offline mode fails with
     * {@link Reason#OFFLINE_NOT_CACHED}.
     *
     * @throws HubException on a network failure (naming the cause), a bad status, or a checksum mismatch
     */
    public Path downloadFile(URI url, Path target, String sha256, String label) {
        http.requireAllowedFor(url, label);
        String file = target.getFileName().toString();
        Downloader.FileRequest req =
                new Downloader.FileRequest(url, -1, sha256, label, null, null, progress(url.getHost(), file));
        boolean[] downloaded = {false};
        try {
            HubCacheLayout.withLock(target.resolveSibling(".locks").resolve(file + ".lock"), () -> {
                if (!Files.isRegularFile(target)) { // else another thread or process finished it while we waited
                    log.info("downloading {} from {}", label, url);
                    downloader.download(req, target.resolveSibling(file + ".incomplete"), target);
                    downloaded[0] = true;
                }
            });
        } catch (IOException e) {
            throw new HubException(Reason.IO, "Cannot write " + label + " to " + target + ": " + e, e);
        }
        if (downloaded[0]) {
            listener.onDone(url.getHost(), file, target);
        } else {
            listener.onCached(url.getHost(), file, target);
        }
        return target;
    }

    /**
     * Fetches a whole body into memory (an {@code http(s):} input audio): at most {@code maxBytes}, within the
     * whole-body and stall limits, broken transfers retried. Offline mode allows loopback URLs only.
     *
     * @param label what the messages call it, e.g. {@code inputAudio https://example.com/a.wav}
     * @throws IllegalArgumentException when the URL is wrong (HTTP 4xx) or the body is over {@code maxBytes}
     * @throws HubException when the network fails (naming the cause), or offline mode forbids the URL
     */
    public byte[] fetch(URI url, String label, long maxBytes) {
        return downloader.fetch(url, label, maxBytes);
    }

    // ---------------------------------------------------------------- local, offline

    private Path localDirectory(String repoId) {
        Path mapped = localRepos.get(repoId);
        if (mapped != null) {
            return mapped;
        }
        try {
            Path p = Path.of(repoId);
            return Files.isDirectory(p) ? p.toAbsolutePath().normalize() : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private Path resolveLocal(String repoId, Path dir, String filename) {
        Path file = dir.resolve(filename).normalize();
        if (!file.startsWith(dir)) {
            throw new IllegalArgumentException(
                    "filename must be a relative path inside the repository, but is: " + filename);
        }
        if (!Files.isRegularFile(file)) {
            throw new HubException(
                    Reason.ENTRY_NOT_FOUND,
                    "File '" + filename + "' not found in local directory " + dir
                            + (repoId.equals(dir.toString()) ? "" : " (standing in for repository " + repoId + ")"));
        }
        listener.onCached(repoId, filename, file);
        return file;
    }

    private Path resolveOffline(String repoId, String filename, String revision) {
        Optional<Path> hit = cached(repoId, filename, revision);
        if (hit.isPresent()) {
            log.debug("offline: {}/{}@{} from cache {}", repoId, filename, revision, hit.get());
            listener.onCached(repoId, filename, hit.get());
            return hit.get();
        }
        throw new HubException(
                Reason.OFFLINE_NOT_CACHED,
                "Offline mode is on (" + settings.offlineSource
                        + "), and file '" + filename + "' of repository " + repoId + " at revision '" + revision
                        + "' is not"
                        + " in the cache " + cache.cacheDir() + " (looked for "
                        + cache.repoDir(repoId).resolve("refs").resolve(revision) + " and snapshots/<commit>/"
                        + filename + "). Download it once with network "
                        + "access (e.g. musicgen download), or map the repository to a local directory.");
    }

    // ---------------------------------------------------------------- online

    private Path resolveOnline(String repoId, String filename, String revision) {
        Metadata meta;
        try {
            meta = http.headMetadata(repoId, filename, revision);
        } catch (NetworkFailure e) {
            // Like huggingface_hub: an unreachable server is not fatal when the cache already has the file.
            Optional<Path> hit = cached(repoId, filename, revision);
            if (hit.isPresent()) {
                log.warn(
                        "{} is unreachable ({}); using the cached {}/{} at revision {}",
                        settings.endpoint,
                        e.getMessage(),
                        repoId,
                        filename,
                        revision);
                listener.onCached(repoId, filename, hit.get());
                return hit.get();
            }
            throw new HubException(
                    Reason.NETWORK,
                    "Cannot reach " + settings.endpoint + " to download '" + filename
                            + "' of " + repoId + " (" + e.getMessage() + "), and it is not in the cache "
                            + cache.cacheDir()
                            + ". Check the network or HF_ENDPOINT; set HF_HUB_OFFLINE=1 to use only the cache. Without network "
                            + "here: run 'musicgen download --model <version>' on a connected machine and copy the cache (see "
                            + "docs/HUB.md), or try the tiny offline test models in fixtures/models (README: 'Offline with the "
                            + "tiny test models').",
                    e);
        }
        try {
            Path snapshot = cache.snapshotFile(repoId, meta.commit(), filename);
            if (Files.isRegularFile(snapshot)) {
                cache.writeRef(repoId, revision, meta.commit());
                log.debug("{}/{}@{} already cached at {}", repoId, filename, meta.commit(), snapshot);
                listener.onCached(repoId, filename, snapshot);
                return snapshot;
            }
            Path blob = cache.blob(repoId, meta.etag());
            String sha = HubCacheLayout.SHA256.matcher(meta.etag()).matches() ? meta.etag() : null;
            Downloader.FileRequest req = new Downloader.FileRequest(
                    meta.location(),
                    meta.size(),
                    sha,
                    repoId + "/" + filename,
                    repoId,
                    filename,
                    progress(repoId, filename));
            HubCacheLayout.withLock(cache.lock(repoId, meta.etag()), () -> {
                if (Files.isRegularFile(snapshot)) {
                    return; // another thread or process finished it while we waited
                }
                if (!Files.isRegularFile(blob)) {
                    log.info(
                            "downloading {}/{} ({}) from {}",
                            repoId,
                            filename,
                            DownloadListener.formatBytes(meta.size()),
                            meta.location().getHost());
                    downloader.download(req, HubCacheLayout.incomplete(blob), blob);
                }
                cache.link(blob, snapshot);
            });
            cache.writeRef(repoId, revision, meta.commit());
            listener.onDone(repoId, filename, snapshot);
            return snapshot;
        } catch (IOException e) {
            throw new HubException(
                    Reason.IO,
                    "Cannot write " + repoId + "/" + filename + " into the cache " + cache.cacheDir() + ": " + e,
                    e);
        }
    }

    private Downloader.Progress progress(String repoId, String filename) {
        return new Downloader.Progress() {
            @Override
            public void bytes(long done, long total) {
                listener.onProgress(repoId, filename, done, total);
            }

            @Override
            public void retry(int attempt, int maxRetries, String cause) {
                listener.onRetry(repoId, filename, attempt, maxRetries, cause);
            }
        };
    }

    /**
     * Configuration, read from the environment like {@code huggingface_hub} unless set here. A setting made here
     * wins over the environment, except offline mode: offline from either source is offline.
     */
    public static final class Builder {
        Map<String, String> env = System.getenv();
        String endpoint;
        Path cacheDir;
        Path assetsDir;
        Boolean offline;
        String token;
        boolean tokenSet;
        Duration connectTimeout = HubSettings.DEFAULT_CONNECT_TIMEOUT;
        Duration readTimeout = HubSettings.DEFAULT_READ_TIMEOUT;
        long minBytesPerSecond = HubSettings.DEFAULT_MIN_BYTES_PER_SECOND;
        int maxRetries = HubSettings.DEFAULT_MAX_RETRIES;
        Duration retryBackoff = HubSettings.DEFAULT_RETRY_BACKOFF;
        Duration fetchDeadline = HubSettings.DEFAULT_FETCH_DEADLINE;
        long maxUnsizedBytes = HubSettings.DEFAULT_MAX_UNSIZED_BYTES;
        String demucsUrl;
        String userAgent;
        DownloadListener listener = DownloadListener.NONE;
        final Map<String, Path> localRepos = new LinkedHashMap<>();

        private Builder() {}

        /** The variables to read instead of {@link System#getenv()} (for tests and embedding). */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        /** Server base URL; default {@code HF_ENDPOINT}, else {@value HubClient#DEFAULT_ENDPOINT}. */
        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** The hub cache directory; default {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        /** The assets cache (files not from the Hub); default {@code HF_ASSETS_CACHE}, else {@code $HF_HOME/assets}. */
        public Builder assetsDir(Path assetsDir) {
            this.assetsDir = assetsDir;
            return this;
        }

        /**
         * {@code true}: never touch the network. {@code false} does not turn off an offline mode that
         * {@code HF_HUB_OFFLINE} (1/true/yes/on) asks for: offline from any source wins.
         */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /**
         * The access token; {@code null} or blank sends none. Default: {@code HF_TOKEN}, else the file
         * {@code HF_TOKEN_PATH}, else {@code $HF_HOME/token} (written by {@code huggingface-cli login}).
         */
        public Builder token(String token) {
            this.token = token;
            this.tokenSet = true;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long to wait for response headers, and the stall window of a body (default 60 s). */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        /** A body slower than this over a read-timeout window is a stall (default 1024 bytes/s; 0: no check). */
        public Builder minBytesPerSecond(long bytesPerSecond) {
            this.minBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** Retries of a broken transfer within one call (default 5), the first after {@code backoff} (1 s), doubling. */
        public Builder retries(int maxRetries, Duration backoff) {
            this.maxRetries = maxRetries;
            this.retryBackoff = backoff;
            return this;
        }

        /** The longest a whole body fetched into memory (input audio) may take (default 10 min). */
        public Builder fetchDeadline(Duration deadline) {
            this.fetchDeadline = deadline;
            return this;
        }

        /** The most bytes a body without a declared size may have (default 1 GiB). */
        public Builder maxUnsizedBytes(long bytes) {
            this.maxUnsizedBytes = bytes;
            return this;
        }

        /** Where the HTDemucs checkpoint comes from (see {@link HubClient#demucsUrl()}); default {@code MUSICGEN_DEMUCS_URL}. */
        public Builder demucsUrl(String url) {
            this.demucsUrl = url;
            return this;
        }

        public Builder listener(DownloadListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Serve {@code repoId} from {@code directory} (which holds the repository's files) instead of the Hub. */
        public Builder localRepo(String repoId, Path directory) {
            Names.requireText(repoId, "repoId", "the repository id the directory stands in for");
            this.localRepos.put(repoId, Objects.requireNonNull(directory, "directory of " + repoId));
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        public HubClient build() {
            HubSettings settings = HubSettings.resolve(this);
            for (Map.Entry<String, Path> e : localRepos.entrySet()) {
                if (!Files.isDirectory(e.getValue())) {
                    throw new IllegalArgumentException("localRepo directory for " + e.getKey()
                            + " must be an existing directory, but is: " + e.getValue());
                }
                e.setValue(e.getValue().toAbsolutePath().normalize());
            }
            return new HubClient(this, settings);
        }
    }
}
