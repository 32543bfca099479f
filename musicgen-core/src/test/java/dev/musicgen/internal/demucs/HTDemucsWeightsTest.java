package dev.musicgen.internal.demucs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.CheckpointException;
import dev.musicgen.HubException;
import dev.musicgen.HubException.Reason;
import dev.musicgen.internal.hub.HubClient;
import dev.musicgen.testing.FakeHub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checksum rule of demucs checkpoints and the cache/download logic, against local files and a loopback server. */
class HTDemucsWeightsTest {
    private static final String NAME = "7e57de30-6015d918.th";

    @TempDir
    Path tmp;

    /** The network layer with test settings (surefire sets HF_HUB_OFFLINE=1 for the real environment). */
    private static HubClient.Builder hub() {
        return HubClient.builder().env(Map.of()).retries(2, Duration.ofMillis(10));
    }

    @Test
    void local_file_passes_when_sha256_starts_with_its_name_suffix() {
        assertThat(HTDemucsWeights.verify(HTDemucsTest.CHECKPOINT)).isEqualTo(HTDemucsTest.CHECKPOINT);
        assertThat(HTDemucsWeights.sha256(HTDemucsTest.CHECKPOINT))
                .isEqualTo("6015d9186c62b24e73b779164376e9a4665c14f8948e7741ccefb2bf293d1f36");
    }

    @Test
    void wrong_or_missing_checksum_is_refused() throws Exception {
        Path bad = Files.copy(HTDemucsTest.CHECKPOINT, tmp.resolve("7e57de30-6015d919.th"));
        assertThatThrownBy(() -> HTDemucsWeights.verify(bad))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("expected 6015d919 but got 6015d918");
        Path unnamed = Files.copy(HTDemucsTest.CHECKPOINT, tmp.resolve("htdemucs.th"));
        assertThatThrownBy(() -> HTDemucsWeights.verify(unnamed))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("<signature>-<sha256 prefix>.th");
    }

    @Test
    void downloads_once_into_the_cache_resuming_a_broken_transfer_and_reuses_it() throws Exception {
        byte[] body = Files.readAllBytes(HTDemucsTest.CHECKPOINT);
        try (FakeHub server = new FakeHub()
                .addRaw(NAME, body)
                .addRaw("7e57de30-6015d919.th", new byte[] {1, 2, 3})
                .mode(FakeHub.Mode.BREAK_FIRST)) {
            Path cache = tmp.resolve("cache");
            HTDemucsWeights w = HTDemucsWeights.builder()
                    .url(server.rawBase() + "/" + NAME)
                    .cacheDir(cache)
                    .torchHubDir(null)
                    .hub(hub().build())
                    .build();

            Path p = w.resolve();

            assertThat(p).isEqualTo(cache.resolve(NAME));
            assertThat(Files.readAllBytes(p)).isEqualTo(body);
            assertThat(w.resolve()).isEqualTo(p);
            assertThat(server.requests("cdn", "GET")).hasSize(2); // the broken first transfer and its resume
            // resumed where the broken transfer ended: the server sent half, and a connection broken off may lose
            // the last bytes in flight, so the resume starts after some but at most half of the body
            assertThat(FakeHub.rangeStart(server.requests("cdn", "GET").get(1).range()))
                    .isBetween(1L, (long) body.length / 2);

            HTDemucsWeights corrupt = HTDemucsWeights.builder()
                    .url(server.rawBase() + "/7e57de30-6015d919.th")
                    .cacheDir(cache)
                    .torchHubDir(null)
                    .hub(hub().build())
                    .build();
            assertThatThrownBy(corrupt::resolve)
                    .isInstanceOfSatisfying(
                            HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
                    .hasMessageContaining("expected a sha256 starting with 6015d919");
            try (var files = Files.list(cache)) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(NAME, ".locks");
            }
        }
    }

    @Test
    void offline_mode_never_downloads_and_says_how_to_get_the_checkpoint() throws Exception {
        try (FakeHub server = new FakeHub().addRaw(NAME, Files.readAllBytes(HTDemucsTest.CHECKPOINT))) {
            HTDemucsWeights w = HTDemucsWeights.builder()
                    .url(server.rawBase() + "/" + NAME)
                    .cacheDir(tmp.resolve("cache"))
                    .torchHubDir(null)
                    .hub(hub().env(Map.of("HF_HUB_OFFLINE", "1")).build())
                    .build();

            assertThatThrownBy(w::resolve)
                    .isInstanceOfSatisfying(
                            HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OFFLINE_NOT_CACHED))
                    .hasMessageContaining("HF_HUB_OFFLINE=1")
                    .hasMessageContaining(NAME)
                    .hasMessageContaining("musicgen download --model")
                    .hasMessageContaining("--no-stem-separation")
                    .hasMessageContaining(tmp.resolve("cache").toString());
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void a_network_failure_names_its_cause() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        HTDemucsWeights w = HTDemucsWeights.builder()
                .url("http://127.0.0.1:" + closed + "/d/" + NAME)
                .cacheDir(tmp.resolve("cache"))
                .torchHubDir(null)
                .hub(hub().build())
                .build();

        assertThatThrownBy(w::resolve)
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK))
                .hasMessageContaining("connection refused by 127.0.0.1:" + closed)
                .hasMessageContaining(NAME)
                .hasMessageNotContaining(": null");
    }

    @Test
    void torch_hub_copy_is_used_and_defaults_follow_the_environment() throws Exception {
        Path hub = tmp.resolve("torch").resolve("hub").resolve("checkpoints");
        Files.createDirectories(hub);
        Path copy = Files.copy(HTDemucsTest.CHECKPOINT, hub.resolve(NAME));
        Map<String, String> env = Map.of(
                "TORCH_HOME",
                tmp.resolve("torch").toString(),
                "HF_HOME",
                tmp.resolve("hf").toString(),
                "MUSICGEN_DEMUCS_URL",
                "https://mirror.example/x/" + NAME);
        HTDemucsWeights w = HTDemucsWeights.builder().env(env).build();
        assertThat(w.cacheDir())
                .isEqualTo(tmp.resolve("hf")
                        .resolve("assets")
                        .resolve("musicgen")
                        .resolve("default")
                        .resolve("demucs")
                        .toAbsolutePath());
        assertThat(w.url()).hasToString("https://mirror.example/x/" + NAME);
        assertThat(w.resolve()).isEqualTo(copy);

        HTDemucsWeights base = HTDemucsWeights.builder()
                .env(Map.of("MUSICGEN_DEMUCS_URL", "https://mirror.example/demucs/"))
                .build();
        assertThat(base.url()).hasToString("https://mirror.example/demucs/" + HTDemucsWeights.FILE_NAME);
        assertThat(HTDemucsWeights.builder().env(Map.of()).build().url()).hasToString(HTDemucsWeights.HTDEMUCS_URL);
        assertThat(HTDemucsWeights.defaults().fileName()).isEqualTo("955717e8-8726e21a.th");
        assertThatThrownBy(() ->
                        HTDemucsWeights.builder().url("ftp://x/y-12345678.th").build())
                .hasMessage("url must be an http(s) URL, but is: ftp://x/y-12345678.th");
    }

    @Test
    void the_folder_of_earlier_versions_is_still_read() throws Exception {
        Path legacy = Files.createDirectories(tmp.resolve("hf").resolve("demucs"));
        Path copy = Files.copy(HTDemucsTest.CHECKPOINT, legacy.resolve(NAME));
        HTDemucsWeights w = HTDemucsWeights.builder()
                .url("https://example.invalid/x/" + NAME)
                .env(Map.of("HF_HOME", tmp.resolve("hf").toString(), "HF_HUB_OFFLINE", "1"))
                .torchHubDir(null)
                .build();

        assertThat(w.resolve()).isEqualTo(copy);
    }
}
