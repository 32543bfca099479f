package dev.musicgen.spi;

import java.nio.file.Path;

/**
 * Turns a Hugging Face repo id (e.g. {@code facebook/encodec_32khz}, named by a pointer
 * {@code compression_state_dict.bin}) into a local directory holding that repo's files, downloading into the HF cache
 * when online, or from a user-given map / the cache when offline.
 */
@FunctionalInterface
public interface RepoResolver {
    /**
     * @param repoId the repo id as written in the checkpoint
     * @param filenames the files needed from it (resolvers that download fetch only these)
     * @return a directory containing those files
     */
    Path resolve(String repoId, String... filenames);

    /** A resolver that knows no repos: every lookup fails with a message naming the id. */
    static RepoResolver none() {
        return (id, files) -> {
            throw new IllegalArgumentException(
                    "no local directory is known for repo '" + id + "' and downloads are not enabled");
        };
    }
}
