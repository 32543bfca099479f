package dev.musicgen.internal.hub;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback stand-in for the Hugging Face Hub and its LFS CDN, two servers on 127.0.0.1 (different
 * ports, so different origins). It answers {@code /{repo}/resolve/{revision}/{file}} like the Hub:
 * LFS files get a 302 to the CDN with {@code X-Linked-Etag} (the sha256) and {@code X-Linked-Size};
 * regular files get a 200 with a weak git-sha1 {@code ETag}. The CDN honours {@code Range}.
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String TOKEN = "hf_test_secret";

    /** How the CDN misbehaves for one test. */
    enum CdnMode { NORMAL, CORRUPT, BREAK_HALFWAY, STALL_HALFWAY, IGNORE_RANGE, SLOW }

    record Request(String server, String method, String path, String range, String authorization) {
    }

    private record RepoFile(byte[] content, boolean lfs) {
    }

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
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile CdnMode cdnMode = CdnMode.NORMAL;

    FakeHub() throws IOException {
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

    String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    int cdnPort() {
        return cdn.getAddress().getPort();
    }

    FakeHub addFile(String repo, String filename, byte[] content, boolean lfs) {
        repos.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(filename, new RepoFile(content, lfs));
        if (lfs) {
            cdnBlobs.put(sha256(content), content);
        }
        return this;
    }

    FakeHub gate(String repo) {
        gated.put(repo, true);
        return this;
    }

    List<Request> requests(String server, String method) {
        return requests.stream().filter(r -> r.server.equals(server) && r.method.equals(method)).toList();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String gitSha1(byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(String server, HttpExchange ex) {
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization")));
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
            if (gated.containsKey(repo) && !("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
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
            sendBody(ex, f.content, 0, f.content.length, 200, f.content.length);
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            record("cdn", ex);
            String path = ex.getRequestURI().getPath();
            byte[] content = path.startsWith("/cdn/") ? cdnBlobs.get(path.substring(5)) : null;
            if (content == null) {
                error(ex, 404, null, "no such blob");
                return;
            }
            if (cdnMode == CdnMode.CORRUPT) {
                content = content.clone();
                content[content.length / 2] ^= 0x5A;
            }
            ex.getResponseHeaders().set("ETag", "\"s3-multipart-etag-1\"");
            String range = ex.getRequestHeaders().getFirst("Range");
            int start = 0;
            if (range != null && cdnMode != CdnMode.IGNORE_RANGE) {
                Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
                if (!m.matches()) {
                    error(ex, 400, null, "bad range");
                    return;
                }
                start = Integer.parseInt(m.group(1));
                if (start >= content.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range",
                        "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
                sendBody(ex, content, start, content.length, 206, content.length);
                return;
            }
            sendBody(ex, content, 0, content.length, 200, content.length);
        }
    }

    private void sendBody(HttpExchange ex, byte[] content, int from, int to, int status, int total) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(to - from));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, to - from);
        OutputStream out = ex.getResponseBody();
        boolean cdnCut = ex.getLocalAddress().getPort() == cdnPort()
                && (cdnMode == CdnMode.BREAK_HALFWAY || cdnMode == CdnMode.STALL_HALFWAY);
        if (cdnCut) {
            int half = from + (to - from) / 2;
            out.write(content, from, half - from);
            out.flush();
            if (cdnMode == CdnMode.STALL_HALFWAY) {
                sleep(3_000);
            }
            // closing the exchange before all promised bytes are sent breaks the connection
            return;
        }
        if (ex.getLocalAddress().getPort() == cdnPort() && cdnMode == CdnMode.SLOW) {
            int chunk = Math.max(1, (to - from) / 10);
            for (int i = from; i < to; i += chunk) {
                out.write(content, i, Math.min(chunk, to - i));
                out.flush();
                sleep(120);
            }
            return;
        }
        out.write(content, from, to - from);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        ex.sendResponseHeaders(status, -1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        pool.shutdownNow();
    }
}
