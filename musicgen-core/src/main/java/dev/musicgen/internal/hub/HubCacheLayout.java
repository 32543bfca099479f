package dev.musicgen.internal.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk layout of the huggingface_hub cache (shared with Python):
 * <pre>
 * &lt;cache&gt;/models--owner--name/
 *     blobs/&lt;etag&gt;                     file contents, named by ETag (sha256 for LFS files)
 *     blobs/&lt;etag&gt;.incomplete          a download in progress
 *     snapshots/&lt;commit&gt;/&lt;filename&gt;    relative symlink ../../blobs/&lt;etag&gt; (or a copy)
 *     refs/&lt;revision&gt;                  the commit hash a branch or tag pointed to
 * &lt;cache&gt;/.locks/models--owner--name/&lt;etag&gt;.lock
 * </pre>
 * Every path built here is checked to stay inside its folder, because the names come from the
 * network (ETag, commit) or from the caller (filename, revision). Writes are ordered so that a snapshot entry
 * always points at a complete blob: blob (atomic move), then link, then ref.
 */
final class HubCacheLayout {
    private static final Logger log = LoggerFactory.getLogger(HubCacheLayout.class);
    /** One lock per file inside this JVM; FileChannel locks alone throw when the same JVM asks twice. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private static final AtomicBoolean WARNED_NO_SYMLINKS = new AtomicBoolean();

    static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** What may be used as one path segment when it comes from a server header. */
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    private final Path cacheDir;

    HubCacheLayout(Path cacheDir) {
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
    }

    Path cacheDir() {
        return cacheDir;
    }

    static String folderName(String repoId) {
        return "models--" + repoId.replace("/", "--");
    }

    Path repoDir(String repoId) {
        return cacheDir.resolve(folderName(repoId));
    }

    Path blob(String repoId, String etag) {
        return repoDir(repoId).resolve("blobs").resolve(etag);
    }

    static Path incomplete(Path blob) {
        return blob.resolveSibling(blob.getFileName() + ".incomplete");
    }

    Path snapshotDir(String repoId, String commit) {
        return repoDir(repoId).resolve("snapshots").resolve(commit);
    }

    Path snapshotFile(String repoId, String commit, String filename) {
        Path dir = snapshotDir(repoId, commit);
        Path file = dir.resolve(filename).normalize();
        if (!file.startsWith(dir) || file.equals(dir)) {
            throw new IllegalArgumentException(
                    "filename must be a relative path inside the repository, but is: " + filename);
        }
        return file;
    }

    Path ref(String repoId, String revision) {
        Path refs = repoDir(repoId).resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs) || ref.equals(refs)) {
            throw new IllegalArgumentException("revision must be a branch, tag or commit name, but is: " + revision);
        }
        return ref;
    }

    Path lock(String repoId, String etag) {
        return cacheDir.resolve(".locks").resolve(folderName(repoId)).resolve(etag + ".lock");
    }

    /** The commit a revision points to in the cache: the revision itself if it is a hash, else {@code refs/<revision>}. */
    Optional<String> commitFor(String repoId, String revision) throws IOException {
        if (COMMIT_HASH.matcher(revision).matches()) {
            return Optional.of(revision);
        }
        Path ref = ref(repoId, revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
        return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
    }

    /** The cached file for a revision, if its snapshot entry exists and (for a symlink) its blob too. */
    Optional<Path> cachedFile(String repoId, String filename, String revision) throws IOException {
        Optional<String> commit = commitFor(repoId, revision);
        if (commit.isEmpty() || !isSafeSegment(commit.get())) {
            return Optional.empty();
        }
        Path file = snapshotFile(repoId, commit.get(), filename);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty(); // follows the link
    }

    static boolean isSafeSegment(String s) {
        return s != null && SAFE_SEGMENT.matcher(s).matches() && !s.contains("..");
    }

    /** Links {@code snapshot} to {@code blob} (relative, as huggingface_hub does), or copies it where links fail. */
    void link(Path blob, Path snapshot) throws IOException {
        Files.createDirectories(snapshot.getParent());
        Files.deleteIfExists(snapshot); // a dangling link from a deleted blob
        Path relative = snapshot.getParent().relativize(blob); // ../../blobs/<etag>
        try {
            Files.createSymbolicLink(snapshot, relative);
        } catch (FileAlreadyExistsException e) {
            // another process linked it meanwhile
        } catch (UnsupportedOperationException | IOException e) {
            if (WARNED_NO_SYMLINKS.compareAndSet(false, true)) {
                log.warn(
                        "cannot create symlinks in {} ({}); copying files into snapshots/ instead, "
                                + "which uses more disk space",
                        cacheDir,
                        e.toString());
            }
            Path tmp = snapshot.resolveSibling(snapshot.getFileName() + ".copying");
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, snapshot, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Records that {@code revision} points to {@code commit} ({@code refs/<revision>}), atomically. */
    void writeRef(String repoId, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = ref(repoId, revision);
        Optional<String> current = commitFor(repoId, revision);
        if (current.isPresent() && current.get().equals(commit)) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Work on the cache that may throw an IOException. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    /** Serialises work on one file across threads of this JVM and across processes (a file lock on {@code lockFile}). */
    static void withLock(Path lockFile, IoAction action) throws IOException {
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        jvmLock.lock();
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                action.run();
            }
        } finally {
            jvmLock.unlock();
        }
    }
}
