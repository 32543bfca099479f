package dev.musicgen.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback stand-in for the Hugging Face Hub and its LFS CDN, two servers on 127.0.0.1 (different
 * ports, so different origins). It answers {@code /{repo}/resolve/{revision}/{file}} like the Hub:
 * LFS files get a 302 to the CDN with {@code X-Linked-Etag} (the sha256) and {@code X-Linked-Size};
 * regular files get a 200 with a weak git-sha1 {@code ETag}. The CDN also serves plain files
 * ({@link #addRaw}, e.g. a demucs checkpoint) at {@code /raw/<name>}. Both honour {@code Range}, and
 * misbehave on request ({@link Mode}) when sending bodies.
 */
public final class FakeHub implements AutoCloseable {
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    public static final String TOKEN = "hf_test_secret";

    /** How bodies misbehave for one test (HEAD answers and errors are never affected). */
    public enum Mode {
        NORMAL,
        /** The CDN flips a byte in the middle. */
        CORRUPT,
        /** Every CDN transfer sends half of what it promised, then closes the connection. */
        BREAK_HALFWAY,
        /** The first transfer of every file (CDN, raw and regular Hub files alike) breaks halfway; later ones work. */
        BREAK_FIRST,
        /** Every CDN transfer sends half, then sends nothing for 3 s before closing. */
        STALL_HALFWAY,
        /** Every CDN transfer sends half, then one byte every 50 ms (never idle, far too slow). */
        DRIP,
        /** The CDN answers a Range request with the whole file (200). */
        IGNORE_RANGE,
        /** The CDN sends 10 chunks 120 ms apart. */
        SLOW,
        /** The CDN sends 1000 bytes more than the file (and than X-Linked-Size), with a Content-Length to match. */
        OVERSIZE,
        /** The CDN sends endless bytes with no length (chunked). */
        UNSIZED_ENDLESS,
        /** The first GET of every file gets HTTP 503; later ones work. */
        ERROR_FIRST
    }

    public record Request(String server, String method, String path, String range, String authorization) {}

    private record RepoFile(byte[] content, boolean lfs) {}

    private static final Pattern RESOLVE = Pattern.compile("/(.+?/[^/]+)/resolve/([^/]+)/(.+)");

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-hub");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Map<String, RepoFile>> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
    private final Map<String, Boolean> gated = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.NORMAL;

    public FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.setExecutor(pool);
        cdn.setExecutor(pool);
        hub.start();
        cdn.start();
    }

    /** The Hub's base URL, for {@code HF_ENDPOINT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    /** The base URL of the plain files added with {@link #addRaw}. */
    public String rawBase() {
        return "http://127.0.0.1:" + cdn.getAddress().getPort() + "/raw";
    }

    public int cdnPort() {
        return cdn.getAddress().getPort();
    }

    public FakeHub mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    public FakeHub addFile(String repo, String filename, byte[] content, boolean lfs) {
        repos.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(filename, new RepoFile(content, lfs));
        if (lfs) {
            cdnBlobs.put(sha256(content), content);
        }
        return this;
    }

    /** A plain file at {@code rawBase() + "/" + name}. */
    public FakeHub addRaw(String name, byte[] content) {
        cdnBlobs.put("raw/" + name, content);
        return this;
    }

    public FakeHub gate(String repo) {
        gated.put(repo, true);
        return this;
    }

    public List<Request> requests(String server, String method) {
        return requests.stream()
                .filter(r -> r.server.equals(server) && r.method.equals(method))
                .toList();
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String gitSha1(byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(String server, HttpExchange ex) {
        requests.add(new Request(
                server,
                ex.getRequestMethod(),
                ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Range"),
                ex.getRequestHeaders().getFirst("Authorization")));
    }

    private void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            record("hub", ex);
            Matcher m = RESOLVE.matcher(ex.getRequestURI().getPath());
            if (!m.matches()) {
                error(ex, 404, null, "not a resolve URL");
                return;
            }
            String repo = m.group(1);
            String filename = m.group(3);
            Map<String, RepoFile> files = repos.get(repo);
            if (files == null) {
                error(ex, 404, "RepoNotFound", "Repository not found");
                return;
            }
            if (gated.containsKey(repo)
                    && !("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                error(ex, 401, null, "Access to model " + repo + " is restricted.");
                return;
            }
            if (!m.group(2).equals("main") && !m.group(2).equals(COMMIT)) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id: " + m.group(2));
                return;
            }
            RepoFile f = files.get(filename);
            if (f == null) {
                error(ex, 404, "EntryNotFound", filename + " does not exist on \"main\"");
                return;
            }
            var h = ex.getResponseHeaders();
            h.set("X-Repo-Commit", COMMIT);
            if (f.lfs) {
                String sha = sha256(f.content);
                h.set("X-Linked-Etag", "\"" + sha + "\"");
                h.set("X-Linked-Size", Long.toString(f.content.length));
                h.set("ETag", "\"" + gitSha1(("pointer " + sha).getBytes(StandardCharsets.UTF_8)) + "\"");
                h.set("Location", "http://127.0.0.1:" + cdnPort() + "/cdn/" + sha + "?X-Amz-Signature=abc");
                ex.sendResponseHeaders(302, -1);
                return;
            }
            h.set("ETag", "W/\"" + gitSha1(f.content) + "\"");
            serve(ex, f.content, false);
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            record("cdn", ex);
            String path = ex.getRequestURI().getPath();
            byte[] content = path.startsWith("/cdn/")
                    ? cdnBlobs.get(path.substring(5))
                    : path.startsWith("/raw/") ? cdnBlobs.get(path.substring(1)) : null;
            if (content == null) {
                error(ex, 404, null, "no such blob");
                return;
            }
            if (mode == Mode.CORRUPT) {
                content = content.clone();
                content[content.length / 2] ^= 0x5A;
            }
            ex.getResponseHeaders().set("ETag", "\"s3-multipart-etag-1\"");
            serve(ex, content, true);
        }
    }

    /** A body, honouring Range (unless told not to), misbehaving as {@link #mode} says. */
    private void serve(HttpExchange ex, byte[] content, boolean isCdn) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        Mode m = mode;
        int nth = head
                ? 0
                : gets.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicInteger())
                        .incrementAndGet();
        if (m == Mode.ERROR_FIRST && nth == 1) {
            error(ex, 503, null, "try again");
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        int status = 200;
        if (range != null && !(isCdn && m == Mode.IGNORE_RANGE)) {
            Matcher r = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!r.matches()) {
                error(ex, 400, null, "bad range");
                return;
            }
            from = Integer.parseInt(r.group(1));
            if (from >= content.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders()
                    .set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            status = 206;
        }
        int to = content.length;
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(to - from));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        if (isCdn && m == Mode.UNSIZED_ENDLESS) {
            ex.sendResponseHeaders(status, 0);
            OutputStream out = ex.getResponseBody();
            byte[] junk = new byte[8192];
            while (true) {
                out.write(junk); // until the client hangs up, which makes this throw
            }
        }
        boolean oversize = isCdn && m == Mode.OVERSIZE;
        ex.sendResponseHeaders(status, to - from + (oversize ? 1000 : 0));
        OutputStream out = ex.getResponseBody();
        boolean cut = isCdn && (m == Mode.BREAK_HALFWAY || m == Mode.STALL_HALFWAY || m == Mode.DRIP)
                || m == Mode.BREAK_FIRST && nth == 1;
        if (cut) {
            int half = from + (to - from) / 2;
            out.write(content, from, half - from);
            out.flush();
            if (m == Mode.STALL_HALFWAY) {
                sleep(3_000);
            }
            if (m == Mode.DRIP) {
                for (int i = half; i < to && sleep(50); i++) {
                    out.write(content[i]);
                    out.flush();
                }
            }
            // closing the exchange before all promised bytes are sent breaks the connection
            return;
        }
        if (isCdn && m == Mode.SLOW) {
            int chunk = Math.max(1, (to - from) / 10);
            for (int i = from; i < to; i += chunk) {
                out.write(content, i, Math.min(chunk, to - i));
                out.flush();
                sleep(120);
            }
            return;
        }
        out.write(content, from, to - from);
        if (oversize) {
            out.write(new byte[1000]);
        }
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        ex.sendResponseHeaders(status, -1);
    }

    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        pool.shutdownNow();
    }

    /** The first byte a {@code Range: bytes=N-} header asks for, or -1 when there is none. */
    public static long rangeStart(String range) {
        if (range == null || !range.startsWith("bytes=") || !range.endsWith("-")) {
            return -1;
        }
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }
}
