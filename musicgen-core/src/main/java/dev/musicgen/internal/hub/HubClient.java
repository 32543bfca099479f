package dev.musicgen.internal.hub;

import dev.musicgen.internal.hub.HubException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads files from the Hugging Face Hub into the cache that Python's {@code huggingface_hub} uses,
 * so one cache serves both (see {@link HubCacheLayout} and {@code docs/HUB.md}).
 *
 * <p>It follows {@code hf_hub_download}: a HEAD on {@code /{repo}/resolve/{revision}/{filename}} gives
 * the commit ({@code X-Repo-Commit}), the blob name ({@code X-Linked-Etag} or {@code ETag}) and the size
 * ({@code X-Linked-Size}); LFS files answer with a redirect to a CDN, whose URL is then downloaded
 * without the token. Downloads go to {@code blobs/<etag>.incomplete}, resume with a {@code Range}
 * request, are checked against the sha256 when the ETag is one, and are moved into place atomically
 * before the snapshot link appears, so a snapshot entry always points to a complete file.
 *
 * <p>In offline mode ({@code HF_HUB_OFFLINE=1} or {@link Builder#offline(boolean)}) no request is made.
 * A repository id mapped with {@link Builder#localRepo(String, Path)}, or one that names an existing
 * directory, is read from that directory. Thread-safe; one instance can serve a whole application.
 */
public final class HubClient {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    public static final String DEFAULT_REVISION = "main";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(HubClient.class);
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Set<String> TRUE_VALUES = Set.of("1", "on", "yes", "true");
    private static final int MAX_REDIRECTS = 10;
    private static final int BUFFER_SIZE = 1 << 16;
    private static final long PROGRESS_BYTES = 1L << 20;
    private static final long PROGRESS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** One lock per blob inside this JVM; FileChannel locks alone throw when the same JVM asks twice. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final AtomicBoolean WARNED_NO_SYMLINKS = new AtomicBoolean();

    private final URI endpoint;
    private final HubCacheLayout cache;
    private final boolean offline;
    private final String offlineSource;
    private final String token;
    private final String tokenSource;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final DownloadListener listener;
    private final Map<String, Path> localRepos;
    private final String userAgent;
    private volatile HttpClient http; // created on first online request; never in offline mode

    private HubClient(Builder b, URI endpoint, Path cacheDir, boolean offline, String offlineSource,
                      String token, String tokenSource) {
        this.endpoint = endpoint;
        this.cache = new HubCacheLayout(cacheDir);
        this.offline = offline;
        this.offlineSource = offlineSource;
        this.token = token;
        this.tokenSource = tokenSource;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.listener = b.listener;
        this.localRepos = Map.copyOf(b.localRepos);
        this.userAgent = b.userAgent != null ? b.userAgent : defaultUserAgent();
    }

    /** A client configured from the process environment ({@code HF_*} variables) and defaults. */
    public static HubClient fromEnvironment() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server, e.g. {@code https://huggingface.co} (no trailing slash). */
    public String endpoint() {
        return endpoint.toString();
    }

    /** The hub cache directory ({@code .../huggingface/hub}), absolute. */
    public Path cacheDir() {
        return cache.cacheDir();
    }

    public boolean isOffline() {
        return offline;
    }

    /** Whether a token will be sent to the endpoint (never to other hosts). */
    public boolean hasToken() {
        return token != null;
    }

    /** The cache folder of one repository ({@code <cache>/models--owner--name}); it need not exist. */
    public Path repoCacheDir(String repoId) {
        validateRepoId(repoId);
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
        requireText(repoId, "repoId", "a Hub repository id like facebook/musicgen-small, or a local directory");
        validateFilename(filename);
        String rev = revision == null ? DEFAULT_REVISION : revision;
        validateRevision(rev);
        Path local = localDirectory(repoId);
        if (local != null) {
            return resolveLocal(repoId, local, filename);
        }
        validateRepoId(repoId);
        return offline ? resolveOffline(repoId, filename, rev) : resolveOnline(repoId, filename, rev);
    }

    /**
     * This client as a {@link dev.musicgen.spi.RepoResolver}: the files named are resolved (downloaded when needed) and
     * the directory holding them (a snapshot directory, or the local directory) is returned.
     */
    public dev.musicgen.spi.RepoResolver asRepoResolver() {
        return (repoId, filenames) -> {
            if (filenames.length == 0) {
                throw new IllegalArgumentException("no files of " + repoId + " were named");
            }
            Path dir = null;
            for (String f : filenames) {
                Path p = resolve(repoId, f);
                Path d = p;
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
        validateRepoId(repoId);
        validateFilename(filename);
        String rev = revision == null ? DEFAULT_REVISION : revision;
        validateRevision(rev);
        try {
            return cache.cachedFile(repoId, filename, rev);
        } catch (IOException e) {
            throw new HubException(Reason.IO, "cannot read the cache entry of " + repoId + "/" + filename
                    + " in " + cache.cacheDir() + ": " + e.getMessage(), e);
        }
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
            throw new IllegalArgumentException("filename must be a relative path inside the repository, but is: " + filename);
        }
        if (!Files.isRegularFile(file)) {
            throw new HubException(Reason.ENTRY_NOT_FOUND, "File '" + filename + "' not found in local directory "
                    + dir + (repoId.equals(dir.toString()) ? "" : " (standing in for repository " + repoId + ")"));
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
        throw new HubException(Reason.OFFLINE_NOT_CACHED, "Offline mode is on (" + offlineSource + "), and file '"
                + filename + "' of repository " + repoId + " at revision '" + revision + "' is not in the cache "
                + cache.cacheDir() + " (looked for " + cache.repoDir(repoId).resolve("refs").resolve(revision)
                + " and snapshots/<commit>/" + filename + "). Download it once with network access "
                + "(e.g. musicgen download), or map the repository to a local directory.");
    }

    // ---------------------------------------------------------------- online

    private Path resolveOnline(String repoId, String filename, String revision) {
        Metadata meta;
        try {
            meta = fetchMetadata(repoId, filename, revision);
        } catch (NetworkFailure e) {
            // Like huggingface_hub: an unreachable server is not fatal when the cache already has the file.
            Optional<Path> hit = cached(repoId, filename, revision);
            if (hit.isPresent()) {
                log.warn("{} is unreachable ({}); using the cached {}/{} at revision {}", endpoint,
                        e.getMessage(), repoId, filename, revision);
                listener.onCached(repoId, filename, hit.get());
                return hit.get();
            }
            throw new HubException(Reason.NETWORK, "Cannot reach " + endpoint + " to download '" + filename
                    + "' of " + repoId + " (" + e.getMessage() + "), and it is not in the cache " + cache.cacheDir()
                    + ". Check the network or HF_ENDPOINT; set HF_HUB_OFFLINE=1 to use only the cache.", e.getCause());
        }
        try {
            Path snapshot = cache.snapshotFile(repoId, meta.commit, filename);
            if (Files.isRegularFile(snapshot)) {
                writeRef(repoId, revision, meta.commit);
                log.debug("{}/{}@{} already cached at {}", repoId, filename, meta.commit, snapshot);
                listener.onCached(repoId, filename, snapshot);
                return snapshot;
            }
            Path blob = cache.blob(repoId, meta.etag);
            withBlobLock(cache.lock(repoId, meta.etag), () -> {
                if (Files.isRegularFile(snapshot)) {
                    return; // another thread or process finished it while we waited
                }
                if (!Files.isRegularFile(blob)) {
                    download(repoId, filename, meta, blob);
                }
                link(blob, snapshot);
            });
            writeRef(repoId, revision, meta.commit);
            listener.onDone(repoId, filename, snapshot);
            return snapshot;
        } catch (IOException e) {
            throw new HubException(Reason.IO, "Cannot write " + repoId + "/" + filename + " into the cache "
                    + cache.cacheDir() + ": " + e, e);
        }
    }

    /** What the HEAD request says about a file. {@code size} is -1 when unknown. */
    private record Metadata(String commit, String etag, long size, URI location) {
    }

    private Metadata fetchMetadata(String repoId, String filename, String revision) {
        URI url = URI.create(endpoint + "/" + repoId + "/resolve/" + encodeSegment(revision) + "/" + encodePath(filename));
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest req = request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            HttpResponse<Void> r = send(req, HttpResponse.BodyHandlers.discarding());
            int s = r.statusCode();
            if (isRedirect(s)) {
                String loc = r.headers().firstValue("Location").orElseThrow(() -> new HubException(Reason.PROTOCOL,
                        "HTTP " + s + " without a Location header from " + req.uri()));
                URI target = url.resolve(loc);
                // Follow renames on the Hub itself; stop at the CDN: its own ETag is not the blob name.
                boolean relative = URI.create(loc).getHost() == null;
                if (relative || (sameOrigin(target, url) && r.headers().firstValue("X-Repo-Commit").isEmpty())) {
                    url = target;
                    continue;
                }
                return metadata(r.headers(), target, repoId, filename);
            }
            if (s >= 200 && s < 300) {
                return metadata(r.headers(), url, repoId, filename);
            }
            throw httpError(s, r.headers(), url, repoId, filename, revision);
        }
        throw new HubException(Reason.PROTOCOL, "More than " + MAX_REDIRECTS + " redirects for " + repoId + "/" + filename);
    }

    private Metadata metadata(HttpHeaders h, URI location, String repoId, String filename) {
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(HubClient::normalizeEtag).orElse(null);
        if (commit == null || etag == null) {
            throw new HubException(Reason.PROTOCOL, "The server at " + endpoint + " sent no " + (commit == null
                    ? "X-Repo-Commit" : "ETag") + " header for " + repoId + "/" + filename
                    + "; is HF_ENDPOINT a Hugging Face Hub (or a mirror that forwards its headers)?");
        }
        if (!HubCacheLayout.isSafeSegment(commit) || !HubCacheLayout.isSafeSegment(etag)) {
            throw new HubException(Reason.PROTOCOL, "Refusing unsafe cache names from " + endpoint + " for " + repoId
                    + "/" + filename + ": commit '" + commit + "', etag '" + etag + "'");
        }
        long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length"))
                .map(HubClient::parseSize).orElse(-1L);
        return new Metadata(commit, etag, size, location);
    }

    private void download(String repoId, String filename, Metadata meta, Path blob) throws IOException {
        Files.createDirectories(blob.getParent());
        Path part = HubCacheLayout.incomplete(blob);
        MessageDigest sha = HubCacheLayout.SHA256.matcher(meta.etag).matches() ? newSha256() : null;
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (meta.size >= 0 && have > meta.size) {
            log.warn("{} is larger than {}/{} ({} > {} bytes); starting over", part, repoId, filename, have, meta.size);
            Files.delete(part);
            have = 0;
        }
        if (sha != null && have > 0) {
            hashPrefix(part, sha);
        }
        if (meta.size < 0 || have < meta.size) {
            log.info("downloading {}/{} ({}){} from {}", repoId, filename, humanSize(meta.size),
                    have > 0 ? " resuming at " + humanSize(have) : "", meta.location.getHost());
            have = transfer(repoId, filename, meta, part, have, sha);
        }
        if (meta.size >= 0 && have != meta.size) {
            throw new HubException(Reason.NETWORK, "Download of " + repoId + "/" + filename + " ended at " + have
                    + " of " + meta.size + " bytes; " + part + " is kept and the next attempt resumes from it.");
        }
        if (sha != null) {
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(meta.etag)) {
                Files.deleteIfExists(part);
                throw new HubException(Reason.INTEGRITY, "sha256 mismatch for " + repoId + "/" + filename
                        + ": expected " + meta.etag + " (the Hub's ETag), got " + actual + " over " + have
                        + " bytes from " + meta.location.getHost() + ". The partial download was deleted and "
                        + "nothing was added to the cache; try again.");
            }
        }
        try {
            Files.move(part, blob, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** GETs the file into {@code part} from byte {@code have}; returns the bytes now on disk. */
    private long transfer(String repoId, String filename, Metadata meta, Path part, long have, MessageDigest sha)
            throws IOException {
        URI url = meta.location;
        boolean retriedWithoutRange = false;
        int hops = 0;
        while (true) {
            HttpRequest.Builder rb = request(url).GET();
            if (have > 0) {
                rb.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<InputStream> r = send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            int s = r.statusCode();
            if (isRedirect(s)) {
                r.body().close();
                String loc = r.headers().firstValue("Location").orElseThrow(() -> new HubException(Reason.PROTOCOL,
                        "HTTP " + s + " without a Location header from " + r.uri()));
                if (++hops > MAX_REDIRECTS) {
                    throw new HubException(Reason.PROTOCOL, "More than " + MAX_REDIRECTS + " redirects for " + url);
                }
                url = url.resolve(loc);
                continue;
            }
            boolean restart = false;
            if (s == 416 && have > 0 && !retriedWithoutRange) {
                restart = true; // the partial file does not fit the remote one: start over
            } else if (s == 206) {
                long start = r.headers().firstValue("Content-Range").map(HubClient::rangeStart).orElse(-1L);
                restart = start != have;
            } else if (s == 200) {
                if (have > 0) {
                    log.info("{} ignored the Range request; downloading {}/{} from the start", url.getHost(), repoId, filename);
                    truncate(part);
                    have = 0;
                    if (sha != null) {
                        sha.reset();
                    }
                }
            } else {
                r.body().close();
                throw httpError(s, r.headers(), url, repoId, filename, null);
            }
            if (restart) {
                r.body().close();
                Files.deleteIfExists(part);
                have = 0;
                if (sha != null) {
                    sha.reset();
                }
                retriedWithoutRange = true;
                continue;
            }
            return copyBody(r.body(), part, have, sha, repoId, filename, meta.size);
        }
    }

    private long copyBody(InputStream body, Path part, long have, MessageDigest sha, String repoId, String filename,
                          long total) throws IOException {
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledFuture<?> watchdog = Watchdog.watch(body, lastData, stalled, readTimeout);
        long done = have;
        try (InputStream in = body;
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     have > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            listener.onProgress(repoId, filename, done, total);
            byte[] buf = new byte[BUFFER_SIZE];
            long reportedBytes = done;
            long reportedAt = System.nanoTime();
            int n;
            while ((n = in.read(buf)) >= 0) {
                lastData.set(System.nanoTime());
                out.write(buf, 0, n);
                if (sha != null) {
                    sha.update(buf, 0, n);
                }
                done += n;
                long now = System.nanoTime();
                if (done - reportedBytes >= PROGRESS_BYTES || now - reportedAt >= PROGRESS_NANOS) {
                    listener.onProgress(repoId, filename, done, total);
                    reportedBytes = done;
                    reportedAt = now;
                }
            }
            if (stalled.get()) {
                throw new IOException("stream closed by the read-timeout watchdog");
            }
            listener.onProgress(repoId, filename, done, total);
            return done;
        } catch (IOException e) {
            String why = stalled.get() ? "no data for " + readTimeout.toSeconds() + " s" : e.toString();
            throw new HubException(Reason.NETWORK, "Download of " + repoId + "/" + filename + " broke off at "
                    + done + (total >= 0 ? " of " + total : "") + " bytes (" + why + "); " + part
                    + " is kept and the next attempt resumes from it.", e);
        } finally {
            watchdog.cancel(false);
        }
    }

    private void link(Path blob, Path snapshot) throws IOException {
        Files.createDirectories(snapshot.getParent());
        Files.deleteIfExists(snapshot); // a dangling link from a deleted blob
        Path relative = snapshot.getParent().relativize(blob); // ../../blobs/<etag>, like huggingface_hub
        try {
            Files.createSymbolicLink(snapshot, relative);
        } catch (FileAlreadyExistsException e) {
            // another process linked it meanwhile
        } catch (UnsupportedOperationException | IOException e) {
            if (WARNED_NO_SYMLINKS.compareAndSet(false, true)) {
                log.warn("cannot create symlinks in {} ({}); copying files into snapshots/ instead, "
                        + "which uses more disk space", cache.cacheDir(), e.toString());
            }
            Path tmp = snapshot.resolveSibling(snapshot.getFileName() + ".copying");
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, snapshot, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void writeRef(String repoId, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = cache.ref(repoId, revision);
        Optional<String> current = cache.commitFor(repoId, revision);
        if (current.isPresent() && current.get().equals(commit)) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    /** Serialises work on one blob across threads of this JVM and across Java processes. */
    private static void withBlobLock(Path lockFile, IoAction action) throws IOException {
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        jvmLock.lock();
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                action.run();
            }
        } finally {
            jvmLock.unlock();
        }
    }

    // ---------------------------------------------------------------- HTTP

    private HttpRequest.Builder request(URI url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(readTimeout)
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "identity");
        // The token is for the Hub only: never send it to a CDN or any other origin.
        if (token != null && sameOrigin(url, endpoint)) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return httpClient().send(req, handler);
        } catch (HttpTimeoutException e) {
            throw new NetworkFailure("timed out after " + readTimeout.toSeconds() + " s waiting for " + req.uri(), e);
        } catch (ConnectException e) {
            throw new NetworkFailure("cannot connect to " + req.uri().getHost() + ":" + port(req.uri()), e);
        } catch (IOException e) {
            throw new NetworkFailure(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Reason.NETWORK, "Interrupted while requesting " + req.uri(), e);
        }
    }

    private HttpClient httpClient() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                c = http;
                if (c == null) {
                    // Redirects by hand: the Authorization header must not follow a redirect to another host.
                    c = HttpClient.newBuilder().connectTimeout(connectTimeout)
                            .followRedirects(HttpClient.Redirect.NEVER).build();
                    http = c;
                }
            }
        }
        return c;
    }

    private HubException httpError(int status, HttpHeaders h, URI url, String repoId, String filename, String revision) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String hubSays = h.firstValue("X-Error-Message").map(m -> " The Hub says: " + m).orElse("");
        String rev = revision == null ? "" : " at revision '" + revision + "'";
        String tokenHint = token == null
                ? "No token was sent: set HF_TOKEN (or HF_TOKEN_PATH, or log in with `huggingface-cli login`)"
                : "The token from " + tokenSource + " was sent but refused: check that it is valid and has access";
        if ("RepoNotFound".equals(code)) {
            return new HubException(Reason.REPO_NOT_FOUND, "Repository not found: " + repoId + " on " + endpoint
                    + " (HTTP " + status + ", while looking for '" + filename + "'). Check the id (e.g. "
                    + "facebook/musicgen-small); if the repository is private or gated, a token is required. "
                    + tokenHint + "." + hubSays);
        }
        if ("RevisionNotFound".equals(code)) {
            return new HubException(Reason.REVISION_NOT_FOUND, "Revision not found" + rev + " in repository "
                    + repoId + " (HTTP " + status + ", file '" + filename + "')." + hubSays);
        }
        if (status == 401 || status == 403 || "GatedRepo".equals(code)) {
            return new HubException(Reason.AUTH_REQUIRED, "Access to repository " + repoId + " (file '" + filename
                    + "') was refused with HTTP " + status + ": it is gated or private, so a Hugging Face token is "
                    + "required. " + tokenHint + ", and accept the model's terms on " + endpoint + "/" + repoId
                    + "." + hubSays);
        }
        if (status == 404) {
            return new HubException(Reason.ENTRY_NOT_FOUND, "File '" + filename + "' not found in repository "
                    + repoId + rev + " (HTTP 404 from " + url.getHost() + ")." + hubSays);
        }
        return new HubException(status >= 500 ? Reason.NETWORK : Reason.PROTOCOL, "Unexpected HTTP " + status
                + " for file '" + filename + "' of repository " + repoId + rev + " from " + url + "." + hubSays);
    }

    /** A failure to talk to the server at all (as opposed to an HTTP error answer). */
    private static final class NetworkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NetworkFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Closes a stalled body stream, which makes the blocked read fail; HttpClient has no body read timeout. */
    private static final class Watchdog {
        private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "musicgen-hub-watchdog");
            t.setDaemon(true);
            return t;
        });

        static ScheduledFuture<?> watch(InputStream body, AtomicLong lastData, AtomicBoolean stalled, Duration timeout) {
            long limit = timeout.toNanos();
            long period = Math.max(10, timeout.toMillis() / 4);
            return TIMER.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastData.get() > limit && stalled.compareAndSet(false, true)) {
                    try {
                        body.close();
                    } catch (IOException e) {
                        // nothing more to do: the reader sees the closed stream either way
                    }
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    // ---------------------------------------------------------------- helpers

    static String normalizeEtag(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static long parseSize(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long rangeStart(String contentRange) {
        Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void truncate(Path part) throws IOException {
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
    }

    private static void hashPrefix(Path part, MessageDigest sha) throws IOException {
        byte[] buf = new byte[BUFFER_SIZE];
        try (InputStream in = Files.newInputStream(part)) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
            }
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static String encodeSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String filename) {
        StringBuilder sb = new StringBuilder();
        for (String seg : filename.split("/", -1)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(encodeSegment(seg));
        }
        return sb.toString();
    }

    static String humanSize(long bytes) {
        if (bytes < 0) {
            return "size unknown";
        }
        if (bytes < 1024 * 1024) {
            return bytes + " B";
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static void requireText(String value, String name, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required (" + what + "), but is: "
                    + (value == null ? "null" : "'" + value + "'"));
        }
    }

    private static void validateRepoId(String repoId) {
        requireText(repoId, "repoId", "a Hub repository id like facebook/musicgen-small");
        if (!REPO_ID.matcher(repoId).matches() || repoId.contains("--") || repoId.contains("..")
                || repoId.length() > 96 || repoId.endsWith(".git")) {
            throw new IllegalArgumentException("repoId must be 'name' or 'owner/name' (letters, digits, '-', '_', '.';"
                    + " no '--' or '..'; at most 96 characters) or an existing local directory, but is: '" + repoId + "'");
        }
    }

    private static void validateFilename(String filename) {
        requireText(filename, "filename", "a file inside the repository, e.g. state_dict.bin");
        boolean bad = filename.startsWith("/") || filename.contains("\\") || filename.indexOf('\0') >= 0;
        for (String seg : filename.split("/", -1)) {
            bad |= seg.isEmpty() || seg.equals(".") || seg.equals("..");
        }
        if (bad) {
            throw new IllegalArgumentException("filename must be a relative path inside the repository with '/' "
                    + "separators and no '.', '..' or empty parts, but is: '" + filename + "'");
        }
    }

    private static void validateRevision(String revision) {
        boolean bad = revision.isBlank() || revision.startsWith("/") || revision.contains("\\")
                || revision.indexOf('\0') >= 0;
        for (String seg : revision.split("/", -1)) {
            bad |= seg.isEmpty() || seg.equals(".") || seg.equals("..");
        }
        if (bad) {
            throw new IllegalArgumentException("revision must be a branch, tag or commit hash (e.g. main), but is: '"
                    + revision + "'");
        }
    }

    private static String defaultUserAgent() {
        String v = HubClient.class.getPackage().getImplementationVersion();
        return "musicgen-java/" + (v == null ? "dev" : v) + "; java/" + System.getProperty("java.version");
    }

    /**
     * Configuration, read from the environment like {@code huggingface_hub} unless set here.
     * Anything set on the builder wins over the environment.
     */
    public static final class Builder {
        private Map<String, String> env = System.getenv();
        private String endpoint;
        private Path cacheDir;
        private Boolean offline;
        private String token;
        private boolean tokenSet;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private DownloadListener listener = DownloadListener.NONE;
        private final Map<String, Path> localRepos = new LinkedHashMap<>();
        private String userAgent;

        private Builder() {
        }

        /** The variables to read instead of {@link System#getenv()} (for tests and embedding). */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        /** Server base URL; default {@code HF_ENDPOINT}, else {@value #DEFAULT_ENDPOINT}. */
        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** The hub cache directory; default {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        /** Never touch the network; default {@code HF_HUB_OFFLINE} (1/true/yes/on). */
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

        /** How long to wait for response headers, and for the next bytes of a download. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        public Builder listener(DownloadListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Serve {@code repoId} from {@code directory} (which holds the repository's files) instead of the Hub. */
        public Builder localRepo(String repoId, Path directory) {
            requireText(repoId, "repoId", "the repository id the directory stands in for");
            this.localRepos.put(repoId, Objects.requireNonNull(directory, "directory of " + repoId));
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        public HubClient build() {
            URI ep = parseEndpoint(endpoint != null ? endpoint : nonBlank(env.get("HF_ENDPOINT")));
            Path hfHome = hfHome();
            Path dir = cacheDir;
            if (dir == null) {
                String c = nonBlank(env.get("HF_HUB_CACHE"));
                c = c != null ? c : nonBlank(env.get("HUGGINGFACE_HUB_CACHE"));
                dir = c != null ? expandHome(c) : hfHome.resolve("hub");
            }
            boolean off;
            String offSource;
            if (offline != null) {
                off = offline;
                offSource = "HubClient.builder().offline(true)";
            } else {
                String v = nonBlank(env.get("HF_HUB_OFFLINE"));
                off = v != null && TRUE_VALUES.contains(v.trim().toLowerCase(Locale.ROOT));
                offSource = "HF_HUB_OFFLINE=" + v;
            }
            String tok;
            String tokSource;
            if (tokenSet) {
                tok = nonBlank(token);
                tokSource = "HubClient.builder().token(...)";
            } else {
                String[] found = tokenFromEnvironment(hfHome);
                tok = found[0];
                tokSource = found[1];
            }
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(readTimeout, "readTimeout");
            for (Map.Entry<String, Path> e : localRepos.entrySet()) {
                if (!Files.isDirectory(e.getValue())) {
                    throw new IllegalArgumentException("localRepo directory for " + e.getKey()
                            + " must be an existing directory, but is: " + e.getValue());
                }
                e.setValue(e.getValue().toAbsolutePath().normalize());
            }
            return new HubClient(this, ep, dir, off, offSource, tok == null ? null : tok.trim(), tokSource);
        }

        private Path hfHome() {
            String home = nonBlank(env.get("HF_HOME"));
            if (home != null) {
                return expandHome(home);
            }
            String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
            Path base = xdg != null ? expandHome(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("huggingface");
        }

        private String[] tokenFromEnvironment(Path hfHome) {
            for (String name : List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")) {
                String t = nonBlank(env.get(name));
                if (t != null) {
                    return new String[] {t, name};
                }
            }
            String tp = nonBlank(env.get("HF_TOKEN_PATH"));
            Path file = tp != null ? expandHome(tp) : hfHome.resolve("token");
            if (Files.isRegularFile(file)) {
                try {
                    String t = nonBlank(Files.readString(file, StandardCharsets.UTF_8).trim());
                    if (t != null) {
                        return new String[] {t, "the token file " + file};
                    }
                } catch (IOException e) {
                    log.warn("cannot read the Hugging Face token file {}: {}", file, e.toString());
                }
            }
            return new String[] {null, null};
        }

        private static URI parseEndpoint(String value) {
            String v = value == null ? DEFAULT_ENDPOINT : value.trim();
            while (v.endsWith("/")) {
                v = v.substring(0, v.length() - 1);
            }
            URI u;
            try {
                u = URI.create(v);
            } catch (IllegalArgumentException e) {
                u = null;
            }
            if (u == null || u.getHost() == null || u.getQuery() != null || u.getFragment() != null
                    || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
                throw new IllegalArgumentException("endpoint (HF_ENDPOINT) must be an http(s) URL like "
                        + DEFAULT_ENDPOINT + ", but is: '" + value + "'");
            }
            return u;
        }

        private static void requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, but is: " + d);
            }
        }

        private static String nonBlank(String s) {
            return s == null || s.isBlank() ? null : s;
        }

        private static Path expandHome(String p) {
            if (p.equals("~") || p.startsWith("~/")) {
                return Path.of(System.getProperty("user.home") + p.substring(1));
            }
            return Path.of(p);
        }
    }
}
