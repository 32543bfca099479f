package dev.musicgen.internal.demucs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.musicgen.CheckpointException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checksum rule of demucs checkpoints and the cache/download logic, against local files and a loopback server. */
class HTDemucsWeightsTest {
    @TempDir
    Path tmp;

    @Test
    void local_file_passes_when_sha256_starts_with_its_name_suffix() {
        assertThat(HTDemucsWeights.verify(HTDemucsTest.CHECKPOINT)).isEqualTo(HTDemucsTest.CHECKPOINT);
        assertThat(HTDemucsWeights.sha256(HTDemucsTest.CHECKPOINT))
                .isEqualTo("6015d9186c62b24e73b779164376e9a4665c14f8948e7741ccefb2bf293d1f36");
    }

    @Test
    void wrong_or_missing_checksum_is_refused() throws Exception {
        Path bad = Files.copy(HTDemucsTest.CHECKPOINT, tmp.resolve("7e57de30-6015d919.th"));
        assertThatThrownBy(() -> HTDemucsWeights.verify(bad)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("expected 6015d919 but got 6015d918");
        Path unnamed = Files.copy(HTDemucsTest.CHECKPOINT, tmp.resolve("htdemucs.th"));
        assertThatThrownBy(() -> HTDemucsWeights.verify(unnamed)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("<signature>-<sha256 prefix>.th");
    }

    @Test
    void downloads_once_into_the_cache_and_reuses_it() throws Exception {
        byte[] body = Files.readAllBytes(HTDemucsTest.CHECKPOINT);
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/demucs/", ex -> {
            hits.incrementAndGet();
            byte[] b = ex.getRequestURI().getPath().contains("6015d919") ? new byte[] {1, 2, 3} : body;
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/demucs/";
            Path cache = tmp.resolve("cache");
            HTDemucsWeights w = HTDemucsWeights.builder().url(base + "7e57de30-6015d918.th").cacheDir(cache)
                    .torchHubDir(null).build();
            Path p = w.resolve();
            assertThat(p).isEqualTo(cache.resolve("7e57de30-6015d918.th"));
            assertThat(Files.readAllBytes(p)).isEqualTo(body);
            assertThat(w.resolve()).isEqualTo(p);
            assertThat(hits.get()).isEqualTo(1);

            HTDemucsWeights corrupt = HTDemucsWeights.builder().url(base + "7e57de30-6015d919.th").cacheDir(cache)
                    .torchHubDir(null).build();
            assertThatThrownBy(corrupt::resolve).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("Invalid checksum");
            try (var files = Files.list(cache)) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactly("7e57de30-6015d918.th");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void torch_hub_copy_is_used_and_defaults_follow_the_environment() throws Exception {
        Path hub = tmp.resolve("torch").resolve("hub").resolve("checkpoints");
        Files.createDirectories(hub);
        Path copy = Files.copy(HTDemucsTest.CHECKPOINT, hub.resolve("7e57de30-6015d918.th"));
        HTDemucsWeights w = HTDemucsWeights.builder().url("https://example.invalid/x/7e57de30-6015d918.th")
                .env(Map.of("TORCH_HOME", tmp.resolve("torch").toString(), "HF_HOME", tmp.resolve("hf").toString()))
                .build();
        assertThat(w.cacheDir()).isEqualTo(tmp.resolve("hf").resolve("demucs").toAbsolutePath());
        assertThat(w.resolve()).isEqualTo(copy);
        assertThat(HTDemucsWeights.defaults().fileName()).isEqualTo("955717e8-8726e21a.th");
        assertThatThrownBy(() -> HTDemucsWeights.builder().url("ftp://x/y-12345678.th").build())
                .hasMessage("url must be an http(s) URL, but is: ftp://x/y-12345678.th");
    }
}
