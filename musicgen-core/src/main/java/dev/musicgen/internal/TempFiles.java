package dev.musicgen.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Temp files for write-then-move outputs. {@code Files.createTempFile} makes them 0600, which the final file would
 * keep after the atomic move; outputs should be readable like any file the user writes (0644 on POSIX).
 */
public final class TempFiles {
    private TempFiles() {}

    public static Path createSibling(Path dir, String prefix, String suffix) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, suffix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        }
        return Files.createTempFile(dir, prefix, suffix);
    }
}
