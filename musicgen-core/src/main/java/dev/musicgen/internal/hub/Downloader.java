package dev.musicgen.internal.hub;

import dev.musicgen.HubException;
import dev.musicgen.HubException.Reason;
import dev.musicgen.internal.hub.HttpTransport.NetworkFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves bytes: a file into {@code <target>.incomplete} (resumed with {@code Range}, retried with backoff, watched for
 * stalls and drips, stopped at the declared size, sha256-checked) and then atomically to its target; or a small body
 * into memory, bounded in size and time. One instance serves one {@link HubClient}.
 *
 * <p>Within one call a transfer that breaks, stalls, times out or gets HTTP 429/5xx is tried again from where it
 * stopped, up to {@link HubSettings#maxRetries} times, pausing {@link HubSettings#backoff(int)} in between; then the
 * call fails and the partial file stays for the next call. A partial file that can never complete (larger than the
 * declared size, wrong content, the server no longer has the file, more bytes than allowed without a declared size)
 * is deleted.
 */
final class Downloader {
    private static final Logger log = LoggerFactory.getLogger(Downloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int BUFFER_SIZE = 1 << 16;
    private static final long PROGRESS_BYTES = 1L << 20;
    private static final long PROGRESS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final HubSettings settings;
    private final HttpTransport http;

    Downloader(HubSettings settings, HttpTransport http) {
        this.settings = settings;
        this.http = http;
    }

    /** Where progress of one file goes. */
    interface Progress {
        void bytes(long done, long total);

        void retry(int attempt, int maxRetries, String cause);
    }

    /**
     * One file to download.
     *
     * @param url where to GET it (redirects are followed)
     * @param size the declared size, or -1 when unknown (then bounded by {@link HubSettings#maxUnsizedBytes})
     * @param sha256 the expected sha256 in hex, or its first digits, or null for no check
     * @param label what the messages call it, e.g. {@code facebook/musicgen-small/state_dict.bin}
     * @param repoId with {@code filename}: a Hub file (the token may be sent, errors read as the Hub's); null otherwise
     */
    record FileRequest(
            URI url, long size, String sha256, String label, String repoId, String filename, Progress progress) {}

    /** Downloads {@code req} through {@code part} into {@code target}; the caller holds the lock on them. */
    void download(FileRequest req, Path part, Path target) throws IOException {
        Files.createDirectories(part.getParent());
        MessageDigest sha = req.sha256 == null ? null : newSha256();
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (req.size >= 0 && have > req.size) {
            log.warn("{} is larger than {} ({} > {} bytes); starting over", part, req.label, have, req.size);
            Files.delete(part);
            have = 0;
        }
        if (sha != null && have > 0) {
            hashPrefix(part, sha);
        }
        if (have > 0) {
            log.info("resuming {} at {}", req.label, DownloadListener.formatBytes(have));
        }
        for (int attempt = 1; req.size < 0 || have < req.size; attempt++) {
            try {
                have = transfer(req, part, have, sha);
                break;
            } catch (Retry r) {
                have = r.have;
                if (attempt > settings.maxRetries) {
                    throw new HubException(
                            Reason.NETWORK,
                            "Download of " + req.label + " failed after " + attempt
                                    + " attempts: " + r.getMessage() + "."
                                    + (have > 0
                                            ? " " + part + " is kept (" + have
                                                    + (req.size >= 0 ? " of " + req.size : "")
                                                    + " bytes) and the next attempt resumes from it."
                                            : " Check the network (or the proxy settings) and try again."));
                }
                log.warn(
                        "download of {} interrupted ({}); retry {} of {} from byte {}",
                        req.label,
                        r.getMessage(),
                        attempt,
                        settings.maxRetries,
                        have);
                req.progress.retry(attempt, settings.maxRetries, r.getMessage());
                pause(settings.backoff(attempt));
            }
        }
        if (sha != null) {
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.startsWith(req.sha256)) {
                Files.deleteIfExists(part);
                throw new HubException(
                        Reason.INTEGRITY,
                        "sha256 mismatch for " + req.label + ": expected "
                                + (req.sha256.length() < 64 ? "a sha256 starting with " : "") + req.sha256 + ", got "
                                + actual
                                + " over " + have + " bytes from " + req.url.getHost()
                                + ". The partial download was deleted "
                                + "and nothing was added to the cache; try again.");
            }
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One GET into {@code part} from byte {@code have}; returns the bytes on disk when the body is complete. */
    private long transfer(FileRequest req, Path part, long have, MessageDigest sha) throws IOException {
        boolean restarted = false;
        while (true) {
            HttpResponse<InputStream> r;
            try {
                r = http.get(req.url, have, req.repoId != null);
            } catch (NetworkFailure f) {
                if (f.kind == NetworkFailure.Kind.UNKNOWN_HOST) {
                    throw new HubException(
                            Reason.NETWORK,
                            "Cannot download " + req.label + ": " + f.getMessage()
                                    + ". Check the network (or the proxy settings).",
                            f);
                }
                throw new Retry(f.getMessage(), have);
            }
            int s = r.statusCode();
            long total = req.size;
            boolean restart = false;
            if (s == 416 && have > 0) {
                restart = true; // the partial file does not fit the remote one
            } else if (s == 206) {
                Matcher m = CONTENT_RANGE.matcher(
                        r.headers().firstValue("Content-Range").orElse("").trim());
                restart = !m.matches() || Long.parseLong(m.group(1)) != have;
                if (!restart && total < 0 && !m.group(3).equals("*")) {
                    total = Long.parseLong(m.group(3));
                }
            } else if (s == 200) {
                if (have > 0) {
                    log.info(
                            "{} ignored the Range request; downloading {} from the start",
                            r.uri().getHost(),
                            req.label);
                    have = startOver(part, sha);
                }
                if (total < 0) {
                    total = r.headers()
                            .firstValue("Content-Length")
                            .map(HttpTransport::parseSize)
                            .orElse(-1L);
                }
            } else {
                HttpTransport.close(r.body());
                throw statusFailure(req, part, s, r, have);
            }
            if (restart) {
                HttpTransport.close(r.body());
                if (restarted) {
                    throw new HubException(
                            Reason.PROTOCOL,
                            "Cannot download " + req.label + ": " + r.uri().getHost()
                                    + " answers the Range request for byte " + have + " with HTTP " + s + " twice");
                }
                restarted = true;
                have = startOver(part, sha);
                continue;
            }
            return copyBody(r.body(), req, part, have, sha, total);
        }
    }

    private RuntimeException statusFailure(FileRequest req, Path part, int s, HttpResponse<?> r, long have)
            throws IOException {
        if (s == 429 || s >= 500) {
            return new Retry("HTTP " + s + " from " + r.uri().getHost(), have);
        }
        if (s == 404 || s == 410) {
            Files.deleteIfExists(part); // the server no longer has it: the partial file can never complete
        }
        if (req.repoId != null) {
            return http.hubError(s, r.headers(), r.uri(), req.repoId, req.filename, null);
        }
        return new HubException(
                s == 404 || s == 410 ? Reason.ENTRY_NOT_FOUND : Reason.PROTOCOL,
                "Cannot download " + req.label + ": HTTP " + s + " from "
                        + r.uri().getHost());
    }

    private long copyBody(InputStream body, FileRequest req, Path part, long have, MessageDigest sha, long total)
            throws IOException {
        long limit = total >= 0 ? total : settings.maxUnsizedBytes;
        long done = have;
        TransferWatchdog watchdog =
                TransferWatchdog.watch(body, settings.readTimeout, settings.minBytesPerSecond, null);
        try (InputStream in = body;
                OutputStream out = Files.newOutputStream(
                        part,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        have > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            req.progress.bytes(done, total);
            byte[] buf = new byte[BUFFER_SIZE];
            long reportedBytes = done;
            long reportedAt = System.nanoTime();
            while (true) {
                // stop at the declared size; without one, read one byte past the bound to see it was passed
                int want = (int) Math.min(buf.length, limit - done + (total >= 0 ? 0 : 1));
                int n = want == 0 ? -1 : in.read(buf, 0, want);
                if (n < 0) {
                    break;
                }
                watchdog.arrived(n);
                out.write(buf, 0, n);
                if (sha != null) {
                    sha.update(buf, 0, n);
                }
                done += n;
                if (total < 0 && done > limit) {
                    out.close();
                    Files.deleteIfExists(part);
                    throw new HubException(
                            Reason.PROTOCOL,
                            "Cannot download " + req.label + ": "
                                    + req.url.getHost() + " declared no size and sent more than " + limit
                                    + " bytes; the "
                                    + "partial file was deleted");
                }
                long now = System.nanoTime();
                if (done - reportedBytes >= PROGRESS_BYTES || now - reportedAt >= PROGRESS_NANOS) {
                    req.progress.bytes(done, total);
                    reportedBytes = done;
                    reportedAt = now;
                }
            }
            if (watchdog.tripped() != null) {
                throw new IOException("closed by the watchdog");
            }
            req.progress.bytes(done, total);
        } catch (IOException e) {
            String why = watchdog.tripped() != null ? watchdog.tripped() : HttpTransport.describe(e);
            throw new Retry(
                    "transfer broke off at " + done + (total >= 0 ? " of " + total : "") + " bytes (" + why + ")",
                    done);
        } finally {
            watchdog.close();
        }
        if (total >= 0 && done < total) {
            throw new Retry("the server ended the body at " + done + " of " + total + " bytes", done);
        }
        return done;
    }

    /**
     * GETs a whole body into memory: {@code http(s):} input audio. No token is sent. Bounded by {@code maxBytes} (an
     * {@link IllegalArgumentException} when over), by {@link HubSettings#fetchDeadline} and the stall rules per
     * attempt; a broken, stalled or timed-out transfer is retried, an HTTP error answer is not. A 4xx answer (other
     * than 408/429) is an {@link IllegalArgumentException}: the URL is wrong. The rest is a {@link HubException}.
     */
    byte[] fetch(URI url, String label, long maxBytes) {
        http.requireAllowedFor(url, label);
        for (int attempt = 1; ; attempt++) {
            try {
                return fetchOnce(url, label, maxBytes);
            } catch (Retry r) {
                if (attempt > settings.maxRetries) {
                    throw new HubException(
                            Reason.NETWORK,
                            "cannot download " + label + ": " + r.getMessage() + " (gave up after " + attempt
                                    + " attempts)");
                }
                log.warn(
                        "download of {} interrupted ({}); retry {} of {}",
                        label,
                        r.getMessage(),
                        attempt,
                        settings.maxRetries);
                pause(settings.backoff(attempt));
            }
        }
    }

    private byte[] fetchOnce(URI url, String label, long maxBytes) {
        HttpResponse<InputStream> r;
        try {
            r = http.get(url, 0, false);
        } catch (NetworkFailure f) {
            if (f.kind == NetworkFailure.Kind.TIMEOUT || f.kind == NetworkFailure.Kind.BROKEN) {
                throw new Retry(f.getMessage(), 0);
            }
            throw new HubException(Reason.NETWORK, "cannot download " + label + ": " + f.getMessage(), f);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + " is not a URL that can be fetched: " + e.getMessage(), e);
        }
        int s = r.statusCode();
        if (s != 200) {
            HttpTransport.close(r.body());
            String m = "cannot download " + label + ": HTTP " + s + " from "
                    + r.uri().getHost();
            if (s >= 400 && s < 500 && s != 408 && s != 429) {
                throw new IllegalArgumentException(m); // the URL is wrong, like a missing file
            }
            throw new HubException(Reason.NETWORK, m);
        }
        long declared = r.headers()
                .firstValue("Content-Length")
                .map(HttpTransport::parseSize)
                .orElse(-1L);
        if (declared > maxBytes) {
            HttpTransport.close(r.body());
            throw new IllegalArgumentException(
                    label + " is " + declared + " bytes, over the download limit of " + maxBytes + " bytes");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TransferWatchdog watchdog = TransferWatchdog.watch(
                r.body(), settings.readTimeout, settings.minBytesPerSecond, settings.fetchDeadline);
        try (InputStream in = r.body()) {
            byte[] buf = new byte[BUFFER_SIZE];
            int n;
            while ((n = in.read(buf, 0, (int) Math.min(buf.length, maxBytes + 1 - bytes.size()))) > 0) {
                watchdog.arrived(n);
                bytes.write(buf, 0, n);
                if (bytes.size() > maxBytes) {
                    throw new IllegalArgumentException(
                            label + " is larger than the download limit of " + maxBytes + " bytes");
                }
            }
            if (watchdog.tripped() != null) {
                throw new IOException("closed by the watchdog");
            }
        } catch (IOException e) {
            String why = watchdog.tripped() != null ? watchdog.tripped() : HttpTransport.describe(e);
            if (watchdog.deadlineTripped()) {
                throw new HubException(Reason.NETWORK, "cannot download " + label + ": " + why, e);
            }
            throw new Retry("transfer broke off after " + bytes.size() + " bytes (" + why + ")", 0);
        } finally {
            watchdog.close();
        }
        if (declared >= 0 && bytes.size() < declared) {
            throw new Retry("the server ended the body at " + bytes.size() + " of " + declared + " bytes", 0);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------- helpers

    /** A failure worth another attempt; {@code have} is what is on disk now. */
    private static final class Retry extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long have;

        Retry(String cause, long have) {
            super(cause, null, false, false);
            this.have = have;
        }
    }

    private static long startOver(Path part, MessageDigest sha) throws IOException {
        if (Files.exists(part)) {
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
        }
        if (sha != null) {
            sha.reset();
        }
        return 0;
    }

    private static void pause(java.time.Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Reason.NETWORK, "Interrupted while waiting to retry a download", e);
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

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
