package dev.musicgen.internal.hub;

import java.nio.file.Path;

/**
 * Progress of Hub downloads, one file at a time. Called on the downloading thread; keep it cheap.
 *
 * <p>{@link #onProgress} is called once when a transfer starts (with the bytes already present
 * from a resumed {@code .incomplete} file), then at most every 1 MiB or 250 ms, and once more when
 * the last byte arrived. {@code bytesTotal} is {@code -1} when the server did not say.
 */
@FunctionalInterface
public interface DownloadListener {

    /** Does nothing. */
    DownloadListener NONE = (repoId, filename, bytesDone, bytesTotal) -> { };

    /**
     * @param repoId the repository, e.g. {@code facebook/musicgen-small}
     * @param filename the file inside the repository, e.g. {@code state_dict.bin}
     * @param bytesDone bytes on disk so far, resumed bytes included
     * @param bytesTotal the file size, or {@code -1} if unknown
     */
    void onProgress(String repoId, String filename, long bytesDone, long bytesTotal);

    /** The file was already in the cache (or a local directory) and nothing was downloaded. */
    default void onCached(String repoId, String filename, Path path) {
    }

    /** The file is complete, verified and linked into its snapshot. */
    default void onDone(String repoId, String filename, Path path) {
    }
}
