package dev.musicgen.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the {@code *IT} tier finds the released models: the directory named by the environment variable
 * {@value #ENV} (or the system property {@value #PROPERTY}). It may be
 *
 * <ul>
 *   <li>a Hugging Face hub cache ({@code ~/.cache/huggingface/hub}, or a copy of it), holding
 *       {@code models--facebook--musicgen-small/snapshots/...}; its parent ({@code HF_HOME}) works too;
 *   <li>or a directory of model folders named by repo id, e.g. {@code facebook/musicgen-small/} and
 *       {@code google-t5/t5-base/}.
 * </ul>
 *
 * Fill a cache with {@code java -jar musicgen-examples/target/musicgen.jar download --model small --cache-dir DIR}.
 * The tests never download: they run offline against what is there, and are skipped (with the reason) when it is not.
 */
public final class RealModels {
    public static final String ENV = "MUSICGEN_REAL_MODELS";
    public static final String PROPERTY = "musicgen.realModels";

    private RealModels() {}

    /** The configured directory, when {@value #PROPERTY} or {@value #ENV} is set. */
    public static Optional<Path> root() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(ENV);
        }
        return p == null || p.isBlank()
                ? Optional.empty()
                : Optional.of(Path.of(p).toAbsolutePath());
    }

    /** The hub cache in the configured directory: the directory itself, or its {@code hub/} folder. */
    public static Optional<Path> hubCache() {
        return root().flatMap(r -> Stream.of(r, r.resolve("hub"))
                .filter(RealModels::holdsCachedRepos)
                .findFirst());
    }

    /** The folder of {@code repoId} in a directory of model folders ({@code <root>/<org>/<name>}). */
    public static Optional<Path> localDir(String repoId) {
        return root().map(r -> r.resolve(repoId)).filter(Files::isDirectory);
    }

    /** Whether the hub cache has a snapshot of {@code repoId}. */
    public static boolean inCache(String repoId) {
        return hubCache()
                .map(c -> c.resolve("models--" + repoId.replace("/", "--")).resolve("snapshots"))
                .filter(RealModels::nonEmptyDirectory)
                .isPresent();
    }

    /** Whether {@code repoId} is there, in the cache or as a folder. */
    public static boolean has(String repoId) {
        return inCache(repoId) || localDir(repoId).isPresent();
    }

    /** Why tests that need {@code repoIds} cannot run here; empty when they can. */
    public static Optional<String> whyUnavailable(String... repoIds) {
        Optional<Path> root = root();
        if (root.isEmpty()) {
            return Optional.of(ENV + " is not set: set it to a Hugging Face hub cache or a directory of model folders"
                    + " that holds " + String.join(", ", repoIds) + " to run the real-model tests");
        }
        if (!Files.isDirectory(root.get())) {
            return Optional.of(ENV + "=" + root.get() + " is not a directory");
        }
        List<String> missing = new ArrayList<>();
        for (String id : repoIds) {
            if (!has(id)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            return Optional.of(ENV + "=" + root.get() + " has no " + String.join(", ", missing)
                    + " (neither a cached snapshot models--org--name/snapshots/ nor a folder org/name/)");
        }
        return Optional.empty();
    }

    private static boolean holdsCachedRepos(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("models--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean nonEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
