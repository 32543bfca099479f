package dev.musicgen.internal;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Outputs written whole or not at all: into a temp file beside the target, synced, then moved over it. A temp file
 * still in progress when the JVM shuts down (Ctrl-C, SIGTERM) is deleted by a shutdown hook, so an interrupted run
 * leaves no {@code .part} file behind. A target that exists and is not a regular file (a device such as
 * {@code /dev/null}, a FIFO) is written directly: renaming over it would replace the device with a file.
 */
public final class TempFiles {
    private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteInProgress, "musicgen-temp-cleanup"));
    }

    /** The shutdown hook: deletes every temp file still being written. */
    static void deleteInProgress() {
        for (Path p : IN_PROGRESS) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort at shutdown
            }
        }
    }

    /** Writes the content of one output to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private TempFiles() {}

    /**
     * Writes {@code target} through a temp file and an atomic move. Fails before writing anything when the directory
     * is missing or not writable, the target is a directory, or the target is a read-only file (it is never replaced
     * silently).
     *
     * @throws IOException naming the path and the problem; the target is then unchanged and no temp file remains
     */
    public static void writeAtomically(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null) {
            throw new FileSystemException(target.toString(), null, "not a file path");
        }
        if (Files.exists(absolute) && !Files.isRegularFile(absolute) && !Files.isDirectory(absolute)) {
            // a device or FIFO: write into it as a shell redirection would
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(absolute), 1 << 16)) {
                content.writeTo(out);
            }
            return;
        }
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "output directory does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir + ": output directory is not a directory");
        }
        if (Files.isDirectory(absolute)) {
            throw new FileSystemException(absolute.toString(), null, "output path is a directory");
        }
        if (Files.isRegularFile(absolute, LinkOption.NOFOLLOW_LINKS) && !isOwnerWritable(absolute)) {
            throw new AccessDeniedException(absolute.toString(), null, "output file is read-only; it is not replaced");
        }
        if (!Files.isWritable(dir)) {
            throw new AccessDeniedException(dir.toString(), null, "output directory is not writable");
        }
        Path temp;
        try {
            temp = createSibling(dir, "." + absolute.getFileName() + ".", ".part");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(dir.toString(), null, "output directory is not writable");
        }
        IN_PROGRESS.add(temp);
        try {
            try (FileOutputStream file = new FileOutputStream(temp.toFile());
                    OutputStream out = new BufferedOutputStream(file, 1 << 16)) {
                content.writeTo(out);
                out.flush();
                file.getFD().sync(); // the bytes are on disk before the name points at them
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            IN_PROGRESS.remove(temp);
        }
    }

    /** Whether the file's own permission bits allow writing (root may write anything; read-only still means no). */
    private static boolean isOwnerWritable(Path file) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.getPosixFilePermissions(file)
                    .contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        }
        return Files.isWritable(file);
    }

    /**
     * A temp file in {@code dir}, 0644 on POSIX: {@code Files.createTempFile} makes them 0600, which the final file
     * would keep after the atomic move; outputs should be readable like any file the user writes.
     */
    public static Path createSibling(Path dir, String prefix, String suffix) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(
                    dir,
                    prefix,
                    suffix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        }
        return Files.createTempFile(dir, prefix, suffix);
    }
}
