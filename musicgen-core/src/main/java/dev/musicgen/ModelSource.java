package dev.musicgen;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a model comes from: one of the {@linkplain ModelVersion released versions}, a Hugging Face Hub repository in
 * audiocraft's layout, or a local directory. Versions and repositories are downloaded into the Hugging Face cache (or
 * found there offline) when a {@link MusicGenerator} is built; a directory is read as it is.
 *
 * <pre>{@code
 * ModelSource.of(ModelVersion.SMALL)                 // facebook/musicgen-small
 * ModelSource.repo("facebook/musicgen-melody")       // any repo with state_dict.bin + compression_state_dict.bin
 * ModelSource.directory(Path.of("models/small"))     // audiocraft or HF transformers layout
 * ModelSource.parse(args[0])                         // any of the three, from a command line or a config file
 * }</pre>
 */
public sealed interface ModelSource permits ModelSource.Version, ModelSource.Repo, ModelSource.Directory {

    /** How messages and {@link MusicGenerator#modelName()} name the model: version name, repo id or path. */
    String name();

    /** A released version, e.g. {@code small}; downloaded from {@link ModelVersion#repoId()}. */
    record Version(ModelVersion version) implements ModelSource {
        public Version {
            Objects.requireNonNull(version, "model");
        }

        @Override
        public String name() {
            return version.versionName();
        }
    }

    /**
     * A Hub repository holding audiocraft's {@code state_dict.bin} and {@code compression_state_dict.bin}.
     *
     * @param repoId {@code owner/name} or {@code name}: letters, digits, '-', '_', '.'; no '--' or '..'; at most 96
     *     characters
     */
    record Repo(String repoId) implements ModelSource {
        public Repo {
            if (!isRepoId(repoId)) {
                throw new IllegalArgumentException("model repo id must be 'owner/name' (letters, digits, '-', '_', "
                        + "'.'; no '--' or '..'; at most 96 characters), e.g. facebook/musicgen-small, but is: "
                        + (repoId == null ? "null" : "'" + repoId + "'"));
            }
        }

        @Override
        public String name() {
            return repoId;
        }
    }

    /**
     * A local model: a directory with {@code state_dict.bin} + {@code compression_state_dict.bin} (audiocraft layout)
     * or {@code config.json} + {@code model.safetensors} (HF transformers layout), or such a {@code state_dict.bin}
     * itself. Its contents are checked when the model is loaded.
     */
    record Directory(Path path) implements ModelSource {
        public Directory {
            Objects.requireNonNull(path, "model");
        }

        @Override
        public String name() {
            return path.toString();
        }
    }

    /** A released version. */
    static ModelSource of(ModelVersion version) {
        return new Version(version);
    }

    /**
     * A Hub repository id.
     *
     * @throws IllegalArgumentException if {@code repoId} is not a valid repo id
     */
    static ModelSource repo(String repoId) {
        return new Repo(repoId);
    }

    /** A local directory (or its {@code state_dict.bin}). */
    static ModelSource directory(Path dir) {
        return new Directory(dir);
    }

    /**
     * Reads a model as a command line or a config file gives it: an existing local path is a {@linkplain #directory
     * directory}; else {@code owner/name} is a {@linkplain #repo repo id}; else a version name ({@code small},
     * {@code musicgen-small}, see {@link ModelVersion#fromName}).
     *
     * @throws IllegalArgumentException when none fits; the message says why each was ruled out
     */
    static ModelSource parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("model must be a version name (e.g. small), a Hub repo id (e.g. "
                    + "facebook/musicgen-small) or a local directory, but is: "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        String s = value.trim();
        Path path = null;
        try {
            path = Path.of(s);
        } catch (InvalidPathException e) {
            // not a path on this file system: one of the other two, or the message below
        }
        if (path != null && Files.exists(path)) {
            return directory(path);
        }
        boolean pathLike = s.startsWith("/") || s.startsWith(".") || s.startsWith("~") || s.contains("\\");
        if (!pathLike && s.contains("/") && isRepoId(s)) {
            return repo(s);
        }
        String notVersion = "it looks like a path";
        if (!pathLike) {
            try {
                return of(ModelVersion.fromName(s));
            } catch (IllegalArgumentException e) {
                notVersion = e.getMessage();
            }
        }
        String notRepo = pathLike
                ? "it looks like a path"
                : !s.contains("/")
                        ? "a repo id is owner/name, e.g. facebook/musicgen-small"
                        : "a repo id is owner/name of letters, digits, '-', '_' and '.' (no '--' or '..', at most 96 "
                                + "characters)";
        throw new IllegalArgumentException("model must be a released version, a Hub repo id or a local directory, but "
                + "is: '" + s + "'. Tried: a version (" + notVersion + "); a local directory (" + s + " does not "
                + "exist); a Hub repo id (" + notRepo + ")");
    }

    /** Whether {@code s} is a Hub repo id as the Hub accepts it ({@code name} or {@code owner/name}). */
    private static boolean isRepoId(String s) {
        return s != null
                && s.length() <= 96
                && !s.contains("--")
                && !s.contains("..")
                && !s.endsWith(".git")
                && Pattern.matches("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?", s);
    }
}
