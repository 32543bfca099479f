package dev.musicgen.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.musicgen.HubException;
import dev.musicgen.HubException.Reason;
import dev.musicgen.testing.FakeHub;
import dev.musicgen.testing.FakeHub.Mode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network layer against a misbehaving loopback Hub: retries within one call, stalls and drips, bodies longer than
 * declared or without a size, the offline rule and its precedence, tokens that must not leak, causes in messages.
 */
class NetworkFailuresTest {
    private static final String REPO = "tiny/musicgen-test";
    private static final String LFS = "state_dict.bin";
    private static final String CONFIG = "config.json";
    private static final String NESTED = "text_encoder/config.json";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private byte[] weights;
    private byte[] config;
    private byte[] nested;
    private Path cache;

    @BeforeEach
    void startHub() throws IOException {
        weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        config = "{\"model_type\": \"musicgen\", \"padding\": \"................................\"}"
                .getBytes(StandardCharsets.UTF_8);
        nested = "{\"model_type\": \"t5\", \"d_model\": 8, \"padding\": \"...............................\"}"
                .getBytes(StandardCharsets.UTF_8);
        hub = new FakeHub()
                .addFile(REPO, LFS, weights, true)
                .addFile(REPO, CONFIG, config, false)
                .addFile(REPO, NESTED, nested, false)
                .addRaw("clip.wav", weights);
        cache = tmp.resolve("hub-cache");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    /** Test settings: an explicit env (surefire sets HF_HUB_OFFLINE=1), short pauses and windows. */
    private HubClient.Builder client() {
        return HubClient.builder()
                .env(Map.of())
                .endpoint(hub.endpoint())
                .cacheDir(cache)
                .assetsDir(tmp.resolve("assets"))
                .readTimeout(Duration.ofSeconds(5))
                .retries(5, Duration.ofMillis(10));
    }

    private static List<Path> incompleteUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".incomplete"))
                    .toList();
        }
    }

    // ------------------------------------------------------------------ retries within one call

    @Test
    void one_call_completes_every_file_when_the_first_transfer_of_each_breaks_halfway() throws IOException {
        hub.mode(Mode.BREAK_FIRST);
        List<String> retries = new ArrayList<>();
        HubClient c = client().listener(new DownloadListener() {
                    @Override
                    public void onProgress(String repoId, String filename, long done, long total) {}

                    @Override
                    public void onRetry(String repoId, String filename, int attempt, int maxRetries, String cause) {
                        retries.add(filename + " " + attempt + "/" + maxRetries);
                    }
                })
                .build();

        List<Path> files = c.downloadModel(REPO, List.of(LFS, CONFIG, NESTED));

        assertThat(Files.readAllBytes(files.get(0))).isEqualTo(weights);
        assertThat(Files.readAllBytes(files.get(1))).isEqualTo(config);
        assertThat(Files.readAllBytes(files.get(2))).isEqualTo(nested);
        assertThat(retries).containsExactly(LFS + " 1/5", CONFIG + " 1/5", NESTED + " 1/5");
        List<FakeHub.Request> cdn = hub.requests("cdn", "GET");
        assertThat(cdn).hasSize(2);
        // resumed, not restarted (a broken-off connection may lose the last bytes in flight of the half sent)
        assertThat(FakeHub.rangeStart(cdn.get(1).range())).isBetween(1L, (long) weights.length / 2);
        assertThat(incompleteUnder(cache)).isEmpty();
    }

    @Test
    void http_503_is_retried_within_the_call() throws IOException {
        hub.mode(Mode.ERROR_FIRST);

        Path p = client().build().resolve(REPO, LFS);

        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
        assertThat(hub.requests("cdn", "GET")).hasSize(2);
    }

    @Test
    void a_server_that_stalls_every_transfer_fails_within_the_documented_bound() {
        hub.mode(Mode.STALL_HALFWAY);
        Duration window = Duration.ofMillis(300);
        HubClient c =
                client().readTimeout(window).retries(2, Duration.ofMillis(10)).build();
        long t0 = System.nanoTime();

        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThatThrownBy(() -> c.resolve(REPO, LFS))
                        .isInstanceOfSatisfying(
                                HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK))
                        .hasMessageContaining("failed after 3 attempts")
                        .hasMessageContaining("no data for 0.3 s"));

        // docs/HUB.md: at most (retries + 1) x (read timeout + watchdog tick) + pauses, here 3 x 0.375 s + 0.03 s
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void a_server_that_drips_a_byte_at_a_time_trips_the_minimum_throughput() {
        hub.mode(Mode.DRIP); // one byte every 50 ms: never idle for 400 ms, but 8 bytes per window of 400 ms
        HubClient c = client().readTimeout(Duration.ofMillis(400))
                .minBytesPerSecond(1000)
                .retries(1, Duration.ofMillis(10))
                .build();

        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThatThrownBy(() -> c.resolve(REPO, LFS))
                        .isInstanceOfSatisfying(
                                HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK))
                        .hasMessageContaining("below the minimum of 1000 bytes/s"));
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void a_body_longer_than_declared_is_stopped_at_the_declared_size() throws IOException {
        hub.mode(Mode.OVERSIZE); // 1000 bytes more than X-Linked-Size

        Path p = client().build().resolve(REPO, LFS);

        assertThat(Files.size(p)).isEqualTo(weights.length);
        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
    }

    @Test
    void a_body_without_size_is_bounded_and_its_partial_file_deleted() throws IOException {
        hub.mode(Mode.UNSIZED_ENDLESS);
        HubClient c = client().maxUnsizedBytes(100_000).build();
        Path target = tmp.resolve("assets").resolve("clip.wav");

        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThatThrownBy(() ->
                                c.downloadFile(URI.create(hub.rawBase() + "/clip.wav"), target, null, "a test file"))
                        .isInstanceOfSatisfying(
                                HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
                        .hasMessageContaining("declared no size and sent more than 100000 bytes"));
        assertThat(target).doesNotExist();
        assertThat(incompleteUnder(tmp.resolve("assets"))).isEmpty();
    }

    @Test
    void a_partial_file_of_a_file_the_server_no_longer_has_is_deleted() throws IOException {
        Path target = tmp.resolve("assets").resolve("gone.wav");
        Path part = target.resolveSibling("gone.wav.incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(weights, 1000));

        assertThatThrownBy(() -> client().build()
                        .downloadFile(URI.create(hub.rawBase() + "/gone.wav"), target, null, "a test file"))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ENTRY_NOT_FOUND))
                .hasMessageContaining("HTTP 404");
        assertThat(part).doesNotExist();
    }

    @Test
    void a_file_off_the_hub_resumes_checks_its_sha256_prefix_and_never_gets_the_token() throws IOException {
        hub.mode(Mode.BREAK_FIRST);
        HubClient c = client().token(FakeHub.TOKEN).build();
        Path target = tmp.resolve("assets").resolve("clip.wav");

        Path p = c.downloadFile(
                URI.create(hub.rawBase() + "/clip.wav"),
                target,
                FakeHub.sha256(weights).substring(0, 8),
                "a test file");

        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
        assertThat(hub.requests("cdn", "GET")).hasSize(2).allMatch(r -> r.authorization() == null);
        Path other = tmp.resolve("assets").resolve("other.wav");
        assertThatThrownBy(() -> c.downloadFile(URI.create(hub.rawBase() + "/clip.wav"), other, "00000000", "x"))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
                .hasMessageContaining("expected a sha256 starting with 00000000");
        assertThat(other).doesNotExist();
        assertThat(incompleteUnder(tmp.resolve("assets"))).isEmpty();
    }

    // ------------------------------------------------------------------ fetch (input audio)

    @Test
    void fetch_reads_a_body_and_bounds_size_time_and_throughput() {
        HubClient c = client().readTimeout(Duration.ofMillis(400))
                .minBytesPerSecond(1000)
                .retries(1, Duration.ofMillis(10))
                .build();
        String url = hub.rawBase() + "/clip.wav";

        assertThat(c.fetch(URI.create(url), "inputAudio clip", 1 << 20)).isEqualTo(weights);
        assertThatThrownBy(() -> c.fetch(URI.create(url), "inputAudio clip", 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over the download limit of 1000");
        assertThatThrownBy(() -> c.fetch(URI.create(hub.rawBase() + "/missing.wav"), "inputAudio missing", 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HTTP 404");

        hub.mode(Mode.DRIP);
        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThatThrownBy(() -> c.fetch(URI.create(url), "inputAudio clip", 1 << 20))
                        .isInstanceOf(HubException.class)
                        .hasMessageContaining("inputAudio clip")
                        .hasMessageContaining("below the minimum"));

        hub.mode(Mode.SLOW); // 10 chunks 120 ms apart: steady, but over the whole-body limit
        HubClient impatient = client().fetchDeadline(Duration.ofMillis(500)).build();
        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThatThrownBy(() -> impatient.fetch(URI.create(url), "inputAudio clip", 1 << 20))
                        .isInstanceOf(HubException.class)
                        .hasMessageContaining("not complete after 0.5 s"));
    }

    // ------------------------------------------------------------------ offline

    @Test
    void offline_from_the_environment_wins_over_an_explicit_offline_false() {
        HubClient c = client().env(Map.of("HF_HUB_OFFLINE", "1")).offline(false).build();

        assertThat(c.isOffline()).isTrue();
        assertThatThrownBy(() -> c.resolve(REPO, LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OFFLINE_NOT_CACHED))
                .hasMessageContaining("HF_HUB_OFFLINE=1");
        assertThat(hub.requests).isEmpty();
        assertThat(client().offline(true).build().offlineSource()).contains("--offline");
        assertThat(client().offline(false).build().isOffline()).isFalse();
    }

    @Test
    void offline_fetches_only_loopback_urls() {
        HubClient c = client().offline(true).build();

        assertThat(c.fetch(URI.create(hub.rawBase() + "/clip.wav"), "inputAudio clip", 1 << 20))
                .isEqualTo(weights);
        // refused before any DNS lookup or connection
        assertThatThrownBy(() -> c.fetch(URI.create("https://example.com/a.wav"), "inputAudio a.wav", 1000))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OFFLINE_NOT_CACHED))
                .hasMessageContaining("inputAudio a.wav")
                .hasMessageContaining("offline mode is on");
        assertThatThrownBy(
                        () -> c.downloadFile(URI.create("https://example.com/x-0000.th"), tmp.resolve("x"), null, "x"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("offline");
        assertThat(HttpTransport.isLoopback("127.0.0.1")).isTrue();
        assertThat(HttpTransport.isLoopback("[::1]")).isTrue();
        assertThat(HttpTransport.isLoopback("localhost")).isTrue();
        assertThat(HttpTransport.isLoopback("127.0.0.256")).isFalse();
        assertThat(HttpTransport.isLoopback("10.0.0.1")).isFalse();
        assertThat(HttpTransport.isLoopback("127.0.0.1.example.com")).isFalse();
    }

    // ------------------------------------------------------------------ tokens and messages

    @Test
    void a_two_line_token_file_is_not_used_and_never_printed() throws IOException {
        hub.gate(REPO);
        Path tokenFile = Files.writeString(tmp.resolve("token"), "hf_secret_first_line\nhf_secret_second_line\n");
        HubClient c =
                client().env(Map.of("HF_TOKEN_PATH", tokenFile.toString())).build();

        assertThat(c.hasToken()).isFalse();
        assertThatThrownBy(() -> c.resolve(REPO, LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH_REQUIRED))
                .hasMessageContaining(tokenFile.toString())
                .hasMessageContaining("holds 2 lines")
                .hasMessageNotContaining("hf_secret");
        assertThatThrownBy(() -> client().token("hf_secret_a\nhf_secret_b").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token")
                .hasMessageNotContaining("hf_secret");
        assertThat(client().token(FakeHub.TOKEN).build().toString()).doesNotContain(FakeHub.TOKEN);
    }

    @Test
    void settings_come_from_the_environment() {
        Path home = tmp.resolve("hf-home");
        HubClient c = HubClient.builder()
                .env(Map.of("HF_HOME", home.toString(), "MUSICGEN_DEMUCS_URL", hub.rawBase() + "/"))
                .build();
        assertThat(c.assetsDir()).isEqualTo(home.resolve("assets").toAbsolutePath());
        assertThat(c.demucsUrl()).hasToString(hub.rawBase());

        HubClient d = HubClient.builder()
                .env(Map.of("HF_ASSETS_CACHE", tmp.resolve("a").toString()))
                .build();
        assertThat(d.assetsDir()).isEqualTo(tmp.resolve("a").toAbsolutePath());
        assertThat(d.demucsUrl()).hasToString("https://dl.fbaipublicfiles.com/demucs/hybrid_transformer");
        assertThatThrownBy(() -> HubClient.builder()
                        .env(Map.of("MUSICGEN_DEMUCS_URL", "ftp://x"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MUSICGEN_DEMUCS_URL");
        assertThatThrownBy(() -> client().retries(-1, Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRetries");
    }
}
