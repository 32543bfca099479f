package dev.musicgen.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFilesTest {
    @TempDir
    Path tmp;

    @Test
    void a_device_target_is_written_into_never_replaced() throws IOException {
        Path devNull = Path.of("/dev/null");
        TempFiles.writeAtomically(devNull, out -> out.write("discarded".getBytes(StandardCharsets.US_ASCII)));
        // still the character device (run as root, a rename over it would have replaced it with a regular file)
        assertThat(Files.isRegularFile(devNull)).isFalse();
        assertThat(Files.exists(devNull)).isTrue();
    }

    @Test
    void a_read_only_output_is_refused_and_kept() throws IOException {
        Path ro = tmp.resolve("keep.wav");
        Files.writeString(ro, "original");
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r--r--r--"));
        assertThatThrownBy(() -> TempFiles.writeAtomically(ro, out -> out.write(1)))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(ro.toString())
                .hasMessageContaining("read-only");
        assertThat(Files.readString(ro)).isEqualTo("original");
        assertThat(parts()).isEmpty();
    }

    @Test
    void a_failed_write_leaves_the_target_unchanged_and_no_temp_file() throws IOException {
        Path t = tmp.resolve("out.wav");
        Files.writeString(t, "before");
        assertThatThrownBy(() -> TempFiles.writeAtomically(t, out -> {
                    out.write(1);
                    throw new IOException("disk on fire");
                }))
                .hasMessageContaining("disk on fire");
        assertThat(Files.readString(t)).isEqualTo("before");
        assertThat(parts()).isEmpty();
    }

    @Test
    void the_shutdown_hook_deletes_a_temp_file_being_written() throws Exception {
        Path t = tmp.resolve("interrupted.wav");
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
            try {
                TempFiles.writeAtomically(t, out -> {
                    out.write(new byte[1 << 17]);
                    writing.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("killed");
                });
            } catch (IOException e) {
                // expected: the write is abandoned
            }
        });
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(parts()).hasSize(1);
        TempFiles.deleteInProgress(); // what SIGTERM's shutdown hook runs
        assertThat(parts()).isEmpty();
        release.countDown();
        f.get(10, TimeUnit.SECONDS);
        assertThat(t).doesNotExist();
    }

    private Stream<Path> partsStream() throws IOException {
        return Files.list(tmp).filter(p -> p.getFileName().toString().endsWith(".part"));
    }

    private java.util.List<Path> parts() throws IOException {
        try (Stream<Path> s = partsStream()) {
            return s.toList();
        }
    }
}
