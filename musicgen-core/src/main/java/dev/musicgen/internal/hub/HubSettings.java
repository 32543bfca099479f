package dev.musicgen.internal.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the network layer runs with, resolved once from a {@link HubClient.Builder} and the environment (the
 * {@code HF_*} variables {@code huggingface_hub} reads, plus {@code MUSICGEN_DEMUCS_URL}). Immutable; the token
 * never appears in {@link #toString()} or in any message, only where it came from.
 */
final class HubSettings {
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    /** A body slower than this over a whole read-timeout window counts as stalled (a drip). */
    static final long DEFAULT_MIN_BYTES_PER_SECOND = 1024;
    /** Retries of one file's transfer within one call, as {@code huggingface_hub}'s {@code http_get}. */
    static final int DEFAULT_MAX_RETRIES = 5;
    /** The first pause before a retry; it doubles up to {@link #MAX_RETRY_BACKOFF}. */
    static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);

    static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(8);
    /** The longest a whole body fetched into memory ({@code http(s):} input audio) may take. */
    static final Duration DEFAULT_FETCH_DEADLINE = Duration.ofMinutes(10);
    /** The most a body of unknown size may have before it is refused. */
    static final long DEFAULT_MAX_UNSIZED_BYTES = 1L << 30;
    /** Where the HTDemucs checkpoint is: a base URL its file name is appended to, or the file's own URL. */
    static final String DEFAULT_DEMUCS_URL = "https://dl.fbaipublicfiles.com/demucs/hybrid_transformer";

    static final String DEMUCS_URL_VARIABLE = "MUSICGEN_DEMUCS_URL";

    private static final Logger log = LoggerFactory.getLogger(HubSettings.class);
    private static final Set<String> TRUE_VALUES = Set.of("1", "on", "yes", "true");
    /** A token file is one short line; anything bigger is not a token file (and is never read whole). */
    private static final long MAX_TOKEN_FILE_BYTES = 4096;

    final URI endpoint;
    final Path cacheDir;
    final Path assetsDir;
    final boolean offline;
    /** Why offline mode is on, for messages; null when it is off. */
    final String offlineSource;

    private final String token;
    /** Where the token came from ({@code HF_TOKEN}, a file), for messages; null without a token. */
    final String tokenSource;
    /** Why a configured token was not used (a token file of two lines, ...), for messages; usually null. */
    final String tokenProblem;

    final Duration connectTimeout;
    final Duration readTimeout;
    final long minBytesPerSecond;
    final int maxRetries;
    final Duration retryBackoff;
    final Duration fetchDeadline;
    final long maxUnsizedBytes;
    final URI demucsUrl;
    final String userAgent;

    private HubSettings(HubClient.Builder b) {
        Map<String, String> env = b.env;
        Path hfHome = hfHome(env);
        this.endpoint = httpUrl(
                b.endpoint != null ? b.endpoint : nonBlank(env.get("HF_ENDPOINT")),
                DEFAULT_ENDPOINT,
                "endpoint (HF_ENDPOINT)");
        Path dir = b.cacheDir;
        if (dir == null) {
            String c = nonBlank(env.get("HF_HUB_CACHE"));
            c = c != null ? c : nonBlank(env.get("HUGGINGFACE_HUB_CACHE"));
            dir = c != null ? expandHome(c) : hfHome.resolve("hub");
        }
        this.cacheDir = dir.toAbsolutePath().normalize();
        Path assets = b.assetsDir;
        if (assets == null) {
            String a = nonBlank(env.get("HF_ASSETS_CACHE"));
            assets = a != null ? expandHome(a) : hfHome.resolve("assets");
        }
        this.assetsDir = assets.toAbsolutePath().normalize();
        // Offline from any source wins: an explicit offline(false) never overrides HF_HUB_OFFLINE=1.
        String envOffline = nonBlank(env.get("HF_HUB_OFFLINE"));
        boolean fromEnv =
                envOffline != null && TRUE_VALUES.contains(envOffline.trim().toLowerCase(Locale.ROOT));
        boolean fromBuilder = Boolean.TRUE.equals(b.offline);
        this.offline = fromEnv || fromBuilder;
        String builderSource = "offline mode was requested (--offline, or offline(true) on the builder)";
        this.offlineSource = !offline
                ? null
                : fromBuilder && fromEnv
                        ? builderSource + " and HF_HUB_OFFLINE=" + envOffline
                        : fromBuilder ? builderSource : "HF_HUB_OFFLINE=" + envOffline;
        String[] tok = b.tokenSet ? explicitToken(b.token) : tokenFromEnvironment(env, hfHome);
        this.token = tok[0];
        this.tokenSource = tok[1];
        this.tokenProblem = tok[2];
        this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
        this.readTimeout = positive(b.readTimeout, "readTimeout");
        if (b.minBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "minBytesPerSecond must be >= 0 (0 turns the check off), but is: " + b.minBytesPerSecond);
        }
        this.minBytesPerSecond = b.minBytesPerSecond;
        if (b.maxRetries < 0 || b.maxRetries > 100) {
            throw new IllegalArgumentException("maxRetries must be in [0, 100], but is: " + b.maxRetries);
        }
        this.maxRetries = b.maxRetries;
        if (b.retryBackoff == null || b.retryBackoff.isNegative()) {
            throw new IllegalArgumentException("retryBackoff must be zero or positive, but is: " + b.retryBackoff);
        }
        this.retryBackoff = b.retryBackoff;
        this.fetchDeadline = positive(b.fetchDeadline, "fetchDeadline");
        if (b.maxUnsizedBytes < 1) {
            throw new IllegalArgumentException("maxUnsizedBytes must be positive, but is: " + b.maxUnsizedBytes);
        }
        this.maxUnsizedBytes = b.maxUnsizedBytes;
        this.demucsUrl = httpUrl(
                b.demucsUrl != null ? b.demucsUrl : nonBlank(env.get(DEMUCS_URL_VARIABLE)),
                DEFAULT_DEMUCS_URL,
                "demucsUrl (" + DEMUCS_URL_VARIABLE + ")");
        this.userAgent = b.userAgent != null ? b.userAgent : defaultUserAgent();
    }

    static HubSettings resolve(HubClient.Builder b) {
        return new HubSettings(b);
    }

    /** The token, for the {@code Authorization} header of requests to {@link #endpoint} only; null when none. */
    String token() {
        return token;
    }

    /** The pause before retry {@code attempt} (1-based): {@link #retryBackoff}, doubling each time, at most 8 s. */
    Duration backoff(int attempt) {
        long ms = retryBackoff.toMillis();
        long cap = Math.max(ms, MAX_RETRY_BACKOFF.toMillis());
        for (int i = 1; i < attempt && ms < cap; i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, cap));
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", assetsDir=" + assetsDir
                + ", offline=" + offline + ", token=" + (token == null ? "none" : "from " + tokenSource)
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", minBytesPerSecond="
                + minBytesPerSecond + ", maxRetries=" + maxRetries + "]";
    }

    // ---------------------------------------------------------------- token

    /** A token set on the builder: blank means none; one that cannot be a header value is refused (not shown). */
    private static String[] explicitToken(String value) {
        String t = nonBlank(value);
        if (t == null) {
            return new String[] {null, null, null};
        }
        String problem = tokenProblem(t.trim());
        if (problem != null) {
            throw new IllegalArgumentException("token must be one Hugging Face access token (hf_...), but it " + problem
                    + " (its value is not shown)");
        }
        return new String[] {t.trim(), "the token set on the builder", null};
    }

    /** {@code HF_TOKEN}, else the file {@code HF_TOKEN_PATH}, else {@code $HF_HOME/token}; a malformed one is skipped. */
    private static String[] tokenFromEnvironment(Map<String, String> env, Path hfHome) {
        for (String name : List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")) {
            String t = nonBlank(env.get(name));
            if (t != null) {
                return checked(t.trim(), name);
            }
        }
        String tp = nonBlank(env.get("HF_TOKEN_PATH"));
        Path file = tp != null ? expandHome(tp) : hfHome.resolve("token");
        if (!Files.exists(file)) {
            return new String[] {null, null, null};
        }
        String source = "the token file " + file;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_TOKEN_FILE_BYTES) {
                return skipped(source, "is not a small regular file");
            }
            String t = nonBlank(Files.readString(file, StandardCharsets.UTF_8).strip());
            return t == null ? new String[] {null, null, null} : checked(t, source);
        } catch (IOException | RuntimeException e) {
            return skipped(source, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String[] checked(String token, String source) {
        String problem = tokenProblem(token);
        return problem == null ? new String[] {token, source, null} : skipped(source, problem);
    }

    private static String[] skipped(String source, String problem) {
        String why = source + " was not used: it " + problem + "; it must hold only the token, one line (hf_...)";
        log.warn("Hugging Face token: {}", why);
        return new String[] {null, null, why};
    }

    /** Why a value cannot be a token (it must be one header value), or null. Never includes the value. */
    private static String tokenProblem(String t) {
        long lines = t.lines().filter(l -> !l.isBlank()).count();
        if (lines > 1) {
            return "holds " + lines + " lines";
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "holds a character a token cannot have (a space, a control or a non-ASCII character)";
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers

    private static Path hfHome(Map<String, String> env) {
        String home = nonBlank(env.get("HF_HOME"));
        if (home != null) {
            return expandHome(home);
        }
        String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
        Path base = xdg != null ? expandHome(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("huggingface");
    }

    private static URI httpUrl(String value, String dflt, String name) {
        String v = value == null ? dflt : value.trim();
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        URI u;
        try {
            u = URI.create(v);
        } catch (IllegalArgumentException e) {
            u = null;
        }
        if (u == null
                || u.getHost() == null
                || u.getQuery() != null
                || u.getFragment() != null
                || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
            throw new IllegalArgumentException(
                    name + " must be an http(s) URL like " + dflt + ", but is: '" + value + "'");
        }
        return u;
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, but is: " + d);
        }
        return d;
    }

    static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static Path expandHome(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + p.substring(1));
        }
        return Path.of(p);
    }

    private static String defaultUserAgent() {
        String v = HubSettings.class.getPackage().getImplementationVersion();
        return "musicgen-java/" + (v == null ? "dev" : v) + "; java/" + System.getProperty("java.version");
    }
}
