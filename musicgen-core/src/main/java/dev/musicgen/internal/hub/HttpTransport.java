package dev.musicgen.internal.hub;

import dev.musicgen.HubException;
import dev.musicgen.HubException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * HTTP for the whole network layer: one {@link HttpClient} (the JVM's default proxy selector, {@link
 * HubSettings#connectTimeout}, redirects followed here so that the token never follows one to another host), the
 * offline rule, and failures turned into a cause a person can act on (connection refused, unknown host, timeout, HTTP
 * status), never a bare exception name or "null".
 *
 * <p>Offline rule: in offline mode no request leaves the machine; a request to a non-loopback host fails with
 * {@link Reason#OFFLINE_NOT_CACHED} before any connection (or DNS lookup) is made. The Hub is not even asked then
 * ({@link HubClient} reads only its cache), so only a caller's own loopback URL can still be fetched.
 */
final class HttpTransport {
    static final int MAX_REDIRECTS = 10;
    /** Literal loopback addresses only: a host name is never resolved to decide (that would be a DNS request). */
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final HubSettings settings;
    private volatile HttpClient http; // created on first request; never in offline mode unless a loopback URL asks

    HttpTransport(HubSettings settings) {
        this.settings = settings;
    }

    /** A request to {@code url} with the header timeout; the token only when asked for and {@code url} is the Hub's. */
    HttpRequest.Builder request(URI url, boolean authorize) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(settings.readTimeout)
                .header("User-Agent", settings.userAgent)
                .header("Accept-Encoding", "identity");
        if (authorize && settings.token() != null && sameOrigin(url, settings.endpoint)) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        return b;
    }

    /**
     * Sends one request (no redirects followed).
     *
     * @throws NetworkFailure when no answer came (refused, unknown host, timeout, broken connection)
     * @throws HubException {@link Reason#OFFLINE_NOT_CACHED} for a non-loopback host in offline mode
     */
    <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        requireAllowed(req.uri());
        try {
            return client().send(req, handler);
        } catch (IOException e) {
            throw NetworkFailure.of(e, req.uri(), settings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Reason.NETWORK, "Interrupted while requesting " + req.uri(), e);
        }
    }

    /**
     * GETs {@code url} from byte {@code from} ({@code Range: bytes=from-} when positive), following up to
     * {@value #MAX_REDIRECTS} redirects (never from https to http); the answer that is not a redirect is returned
     * with its body open.
     */
    HttpResponse<InputStream> get(URI url, long from, boolean authorize) {
        URI u = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder rb = request(u, authorize).GET();
            if (from > 0) {
                rb.header("Range", "bytes=" + from + "-");
            }
            HttpResponse<InputStream> r = send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (!isRedirect(r.statusCode())) {
                return r;
            }
            close(r.body());
            String loc = r.headers().firstValue("Location").orElse(null);
            if (loc == null) {
                throw new HubException(
                        Reason.PROTOCOL, "HTTP " + r.statusCode() + " without a Location header from " + u);
            }
            URI next = resolve(u, loc);
            if ("https".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                throw new HubException(
                        Reason.PROTOCOL,
                        u.getHost() + " redirects " + url + " from https to " + next.getScheme()
                                + ", which is not followed");
            }
            u = next;
        }
        throw new HubException(Reason.PROTOCOL, "More than " + MAX_REDIRECTS + " redirects from " + url);
    }

    /** What the Hub's HEAD says about a file. {@code size} is -1 when unknown; {@code location} is what to GET. */
    record Metadata(String commit, String etag, long size, URI location) {}

    /** {@code HEAD /{repo}/resolve/{revision}/{file}}, following the Hub's own redirects (renames), not the CDN's. */
    Metadata headMetadata(String repoId, String filename, String revision) {
        URI url = URI.create(settings.endpoint + "/" + repoId + "/resolve/" + Names.encodeSegment(revision) + "/"
                + Names.encodePath(filename));
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest req = request(url, true)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build();
            HttpResponse<Void> r = send(req, HttpResponse.BodyHandlers.discarding());
            int s = r.statusCode();
            if (isRedirect(s)) {
                String loc = r.headers()
                        .firstValue("Location")
                        .orElseThrow(() -> new HubException(
                                Reason.PROTOCOL, "HTTP " + s + " without a Location header from " + req.uri()));
                URI target = resolve(url, loc);
                // Follow renames on the Hub itself; stop at the CDN: its own ETag is not the blob name.
                boolean relative = URI.create(loc).getHost() == null;
                if (relative
                        || (sameOrigin(target, url)
                                && r.headers().firstValue("X-Repo-Commit").isEmpty())) {
                    url = target;
                    continue;
                }
                return metadata(r.headers(), target, repoId, filename);
            }
            if (s >= 200 && s < 300) {
                return metadata(r.headers(), url, repoId, filename);
            }
            throw hubError(s, r.headers(), url, repoId, filename, revision);
        }
        throw new HubException(
                Reason.PROTOCOL, "More than " + MAX_REDIRECTS + " redirects for " + repoId + "/" + filename);
    }

    private Metadata metadata(HttpHeaders h, URI location, String repoId, String filename) {
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        String etag = h.firstValue("X-Linked-Etag")
                .or(() -> h.firstValue("ETag"))
                .map(Names::normalizeEtag)
                .orElse(null);
        if (commit == null || etag == null) {
            throw new HubException(
                    Reason.PROTOCOL,
                    "The server at " + settings.endpoint + " sent no "
                            + (commit == null ? "X-Repo-Commit" : "ETag") + " header for " + repoId + "/" + filename
                            + "; is HF_ENDPOINT a Hugging Face Hub (or a mirror that forwards its headers)?");
        }
        if (!HubCacheLayout.isSafeSegment(commit) || !HubCacheLayout.isSafeSegment(etag)) {
            throw new HubException(
                    Reason.PROTOCOL,
                    "Refusing unsafe cache names from " + settings.endpoint + " for " + repoId + "/" + filename
                            + ": commit '" + commit + "', etag '" + etag + "'");
        }
        long size = h.firstValue("X-Linked-Size")
                .or(() -> h.firstValue("Content-Length"))
                .map(HttpTransport::parseSize)
                .orElse(-1L);
        return new Metadata(commit, etag, size, location);
    }

    /** An HTTP error answer of the Hub, as the {@link Reason} it means and a message that says what to do. */
    HubException hubError(int status, HttpHeaders h, URI url, String repoId, String filename, String revision) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String hubSays =
                h.firstValue("X-Error-Message").map(m -> " The Hub says: " + m).orElse("");
        String rev = revision == null ? "" : " at revision '" + revision + "'";
        String tokenHint = settings.token() != null
                ? "The token from " + settings.tokenSource + " was sent but refused: check that it is valid and has "
                        + "access"
                : settings.tokenProblem != null
                        ? "No token was sent: " + settings.tokenProblem
                        : "No token was sent: set HF_TOKEN (or HF_TOKEN_PATH, or log in with `huggingface-cli login`)";
        if ("RepoNotFound".equals(code)) {
            return new HubException(
                    Reason.REPO_NOT_FOUND,
                    "Repository not found: " + repoId + " on "
                            + settings.endpoint + " (HTTP " + status + ", while looking for '" + filename
                            + "'). Check the id "
                            + "(e.g. facebook/musicgen-small); if the repository is private or gated, a token is required. "
                            + tokenHint + "." + hubSays);
        }
        if ("RevisionNotFound".equals(code)) {
            return new HubException(
                    Reason.REVISION_NOT_FOUND,
                    "Revision not found" + rev + " in repository " + repoId + " (HTTP " + status + ", file '" + filename
                            + "')." + hubSays);
        }
        if (status == 401 || status == 403 || "GatedRepo".equals(code)) {
            return new HubException(
                    Reason.AUTH_REQUIRED,
                    "Access to repository " + repoId + " (file '" + filename
                            + "') was refused with HTTP " + status
                            + ": it is gated or private, so a Hugging Face token is "
                            + "required. " + tokenHint + ", and accept the model's terms on " + settings.endpoint + "/"
                            + repoId + "." + hubSays);
        }
        if (status == 404) {
            return new HubException(
                    Reason.ENTRY_NOT_FOUND,
                    "File '" + filename + "' not found in repository " + repoId + rev + " (HTTP 404 from "
                            + url.getHost() + ")." + hubSays);
        }
        return new HubException(
                status >= 500 ? Reason.NETWORK : Reason.PROTOCOL,
                "Unexpected HTTP " + status + " for file '" + filename + "' of repository " + repoId + rev + " from "
                        + url + "." + hubSays);
    }

    /** Offline mode lets only loopback URLs through (and never the Hub, which {@link HubClient} does not ask). */
    void requireAllowed(URI url) {
        requireAllowedFor(url, url.toString());
    }

    /** {@link #requireAllowed(URI)}, the message naming {@code label} (what the URL is for). */
    void requireAllowedFor(URI url, String label) {
        if (settings.offline && !isLoopback(url.getHost())) {
            throw new HubException(
                    Reason.OFFLINE_NOT_CACHED,
                    "cannot download " + label + ": offline mode is on ("
                            + settings.offlineSource + "), so nothing is fetched from " + url.getHost()
                            + " (only loopback "
                            + "addresses of this machine are). Fetch it where there is network and use the local file.");
        }
    }

    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                c = http;
                if (c == null) {
                    // Redirects by hand: the Authorization header must not follow a redirect to another host.
                    c = HttpClient.newBuilder()
                            .connectTimeout(settings.connectTimeout)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    http = c;
                }
            }
        }
        return c;
    }

    // ---------------------------------------------------------------- helpers

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null
                && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    static String hostPort(URI u) {
        return u.getHost() + ":" + port(u);
    }

    /** {@code localhost}, 127.0.0.0/8 or ::1, decided from the text alone (no DNS). */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (IPV4.matcher(h).matches()) {
            String[] octets = h.split("\\.");
            for (String o : octets) {
                if (Integer.parseInt(o) > 255) {
                    return false;
                }
            }
            return octets[0].equals("127");
        }
        if (h.contains(":")) {
            try {
                return InetAddress.getByName(h).isLoopbackAddress(); // an IPv6 literal: parsed, never looked up
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    private static URI resolve(URI base, String location) {
        try {
            return base.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new HubException(
                    Reason.PROTOCOL, "Unusable redirect Location from " + base.getHost() + ": " + e.getMessage());
        }
    }

    static long parseSize(String s) {
        try {
            long n = Long.parseLong(s.trim());
            return n >= 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void close(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // nothing to do: the connection is dropped either way
        }
    }

    /** A failure to talk to the server at all (as opposed to an HTTP error answer); the message is the cause. */
    static final class NetworkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** What happened, for the retry decision. */
        enum Kind {
            REFUSED,
            UNKNOWN_HOST,
            TIMEOUT,
            BROKEN,
            OTHER
        }

        final Kind kind;

        NetworkFailure(Kind kind, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
        }

        static NetworkFailure of(IOException e, URI uri, HubSettings s) {
            String where = hostPort(uri);
            if (has(e, UnresolvedAddressException.class) || has(e, UnknownHostException.class)) {
                return new NetworkFailure(
                        Kind.UNKNOWN_HOST, "unknown host " + uri.getHost() + " (its name could not be resolved)", e);
            }
            if (e instanceof HttpConnectTimeoutException) {
                return new NetworkFailure(
                        Kind.TIMEOUT, "connection to " + where + " timed out after " + seconds(s.connectTimeout), e);
            }
            if (e instanceof HttpTimeoutException) {
                return new NetworkFailure(
                        Kind.TIMEOUT, "no answer from " + where + " within " + seconds(s.readTimeout), e);
            }
            if (e instanceof ConnectException || has(e, ConnectException.class)) {
                String detail = detail(e);
                boolean refused =
                        detail == null || detail.toLowerCase(Locale.ROOT).contains("refused");
                return new NetworkFailure(
                        Kind.REFUSED,
                        refused ? "connection refused by " + where : "cannot connect to " + where + " (" + detail + ")",
                        e);
            }
            if (has(e, SSLException.class)) {
                return new NetworkFailure(Kind.OTHER, "TLS failure with " + where + " (" + describe(e) + ")", e);
            }
            if (e instanceof EOFException || has(e, EOFException.class)) {
                return new NetworkFailure(Kind.BROKEN, "connection closed by " + where + " before the answer", e);
            }
            return new NetworkFailure(Kind.BROKEN, "connection to " + where + " failed (" + describe(e) + ")", e);
        }
    }

    /** One line naming an exception: its class and the first message down its cause chain (never "null"). */
    static String describe(Throwable e) {
        String d = detail(e);
        return e.getClass().getSimpleName() + (d == null ? "" : ": " + d);
    }

    private static String detail(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return null;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static String seconds(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
