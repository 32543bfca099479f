package dev.musicgen.internal.hub;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Progress of downloads (Hub files and the HTDemucs checkpoint), one file at a time. Called on the downloading
 * thread; keep it cheap.
 *
 * <p>{@link #onProgress} is called once when a transfer starts (with the bytes already present
 * from a resumed {@code .incomplete} file), then at most every 1 MiB or 250 ms, and once more when
 * the last byte arrived. {@code bytesTotal} is {@code -1} when the server did not say. For a file that is not on the
 * Hub, {@code repoId} is the host it comes from (e.g. {@code dl.fbaipublicfiles.com}).
 */
@FunctionalInterface
public interface DownloadListener {

    /** Does nothing. */
    DownloadListener NONE = (repoId, filename, bytesDone, bytesTotal) -> {};

    /**
     * @param repoId the repository, e.g. {@code facebook/musicgen-small}
     * @param filename the file inside the repository, e.g. {@code state_dict.bin}
     * @param bytesDone bytes on disk so far, resumed bytes included
     * @param bytesTotal the file size, or {@code -1} if unknown
     */
    void onProgress(String repoId, String filename, long bytesDone, long bytesTotal);

    /** The file was already in the cache (or a local directory) and nothing was downloaded. */
    default void onCached(String repoId, String filename, Path path) {}

    /** The file is complete, verified and linked into its snapshot. */
    default void onDone(String repoId, String filename, Path path) {}

    /**
     * A transfer broke off (or stalled, or got HTTP 429/5xx) and is tried again, resuming where it stopped.
     *
     * @param attempt the retry about to start, from 1
     * @param maxRetries how many retries the call makes at most before it fails
     * @param cause what happened, one line
     */
    default void onRetry(String repoId, String filename, int attempt, int maxRetries, String cause) {}

    /** A size for people: {@code 300 B}, {@code 1.2 MB}, {@code 3.45 GB}, or "size unknown" for a negative size. */
    static String formatBytes(long bytes) {
        if (bytes < 0) {
            return "size unknown";
        }
        if (bytes < 1024 * 1024) {
            return bytes + " B";
        }
        if (bytes < 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
