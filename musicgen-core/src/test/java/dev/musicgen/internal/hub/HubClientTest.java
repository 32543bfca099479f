package dev.musicgen.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.HubException;
import dev.musicgen.HubException.Reason;
import dev.musicgen.testing.FakeHub;
import dev.musicgen.testing.FakeHub.Mode;
import dev.musicgen.testing.Slow;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubClientTest {
    private static final String REPO = "tiny/musicgen-test";
    private static final String LFS = "state_dict.bin";
    private static final String CONFIG = "config.json";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private byte[] weights;
    private byte[] config;
    private Path cache;

    @BeforeEach
    void startHub() throws IOException {
        weights = new byte[300_000];
        new Random(42).nextBytes(weights);
        config = "{\"model_type\": \"musicgen\"}".getBytes(StandardCharsets.UTF_8);
        hub = new FakeHub()
                .addFile(REPO, LFS, weights, true)
                .addFile(REPO, CONFIG, config, false)
                .addFile(REPO, "text_encoder/config.json", config, false);
        cache = tmp.resolve("hub-cache");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HubClient.Builder client() {
        // an explicit env map: surefire sets HF_HUB_OFFLINE=1 for the real environment
        return HubClient.builder()
                .env(Map.of())
                .endpoint(hub.endpoint())
                .cacheDir(cache)
                .readTimeout(Duration.ofSeconds(10))
                .retries(5, Duration.ofMillis(10));
    }

    private Path repoDir() {
        return cache.resolve("models--tiny--musicgen-test");
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !Files.isDirectory(p)).toList();
        }
    }

    // ------------------------------------------------------------------ good downloads

    @Test
    void should_download_lfs_file_into_shared_cache_layout() throws IOException {
        HubClient c = client().build();

        Path p = c.resolve(REPO, LFS);

        String sha = FakeHub.sha256(weights);
        assertThat(p)
                .isEqualTo(
                        repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).resolve(LFS));
        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
        assertThat(Files.isSymbolicLink(p)).isTrue();
        assertThat(Files.readSymbolicLink(p)).isEqualTo(Path.of("..", "..", "blobs", sha));
        assertThat(Files.readAllBytes(repoDir().resolve("blobs").resolve(sha))).isEqualTo(weights);
        assertThat(Files.readString(repoDir().resolve("refs").resolve("main"))).isEqualTo(FakeHub.COMMIT);
        assertThat(filesUnder(repoDir())).noneMatch(f -> f.toString().endsWith(".incomplete"));
        assertThat(hub.requests("hub", "HEAD")).hasSize(1);
        assertThat(hub.requests("cdn", "GET")).hasSize(1);
        assertThat(hub.requests("cdn", "GET").get(0).range()).isNull();
    }

    @Test
    void should_name_blob_by_git_etag_for_regular_files_and_link_nested_paths() throws IOException {
        HubClient c = client().build();

        Path flat = c.resolve(REPO, CONFIG);
        Path nested = c.resolve(REPO, "text_encoder/config.json");

        String blob = FakeHub.gitSha1(config); // the weak ETag W/"..." is normalised
        assertThat(Files.readAllBytes(flat)).isEqualTo(config);
        assertThat(Files.readSymbolicLink(flat)).isEqualTo(Path.of("..", "..", "blobs", blob));
        assertThat(Files.readSymbolicLink(nested)).isEqualTo(Path.of("..", "..", "..", "blobs", blob));
        assertThat(Files.readAllBytes(nested)).isEqualTo(config);
        assertThat(hub.requests("cdn", "GET")).isEmpty();
    }

    @Test
    void should_not_download_again_when_cached_but_still_check_commit() throws IOException {
        HubClient c = client().build();
        Path first = c.resolve(REPO, LFS);

        Path second = c.resolve(REPO, LFS);

        assertThat(second).isEqualTo(first);
        assertThat(hub.requests("hub", "HEAD")).hasSize(2);
        assertThat(hub.requests("cdn", "GET")).hasSize(1);
    }

    @Test
    void should_resolve_by_commit_hash_without_writing_a_ref() throws IOException {
        Path p = client().build().resolve(REPO, CONFIG, FakeHub.COMMIT);

        assertThat(Files.readAllBytes(p)).isEqualTo(config);
        assertThat(repoDir().resolve("refs")).doesNotExist();
    }

    @Test
    void should_download_several_files_for_a_model() throws IOException {
        List<Path> paths = client().build().downloadModel(REPO, List.of(CONFIG, LFS));

        assertThat(paths).hasSize(2);
        assertThat(Files.readAllBytes(paths.get(0))).isEqualTo(config);
        assertThat(Files.readAllBytes(paths.get(1))).isEqualTo(weights);
    }

    @Slow
    @Test
    void should_download_once_when_threads_ask_for_the_same_file() throws Exception {
        hub.mode(Mode.SLOW);
        HubClient c = client().build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> c.resolve(REPO, LFS)));
            }
            for (Future<Path> f : results) {
                assertThat(Files.readAllBytes(f.get(30, TimeUnit.SECONDS))).isEqualTo(weights);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(hub.requests("cdn", "GET")).hasSize(1);
    }

    // ------------------------------------------------------------------ resume, corruption, broken transfers

    @Test
    void should_resume_from_partial_incomplete_file_with_range_request() throws IOException {
        String sha = FakeHub.sha256(weights);
        Path part = repoDir().resolve("blobs").resolve(sha + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(weights, 123_456));

        Path p = client().build().resolve(REPO, LFS);

        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
        assertThat(hub.requests("cdn", "GET"))
                .singleElement()
                .extracting(FakeHub.Request::range)
                .isEqualTo("bytes=123456-");
        assertThat(part).doesNotExist();
    }

    @Test
    void should_restart_when_server_ignores_range() throws IOException {
        hub.mode(Mode.IGNORE_RANGE);
        Path part = repoDir().resolve("blobs").resolve(FakeHub.sha256(weights) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(weights, 1000));

        Path p = client().build().resolve(REPO, LFS);

        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
    }

    @Test
    void should_fail_on_sha256_mismatch_and_leave_nothing_in_snapshots() throws IOException {
        hub.mode(Mode.CORRUPT);
        HubClient c = client().build();

        assertThatThrownBy(() -> c.resolve(REPO, LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining(REPO + "/" + LFS)
                .hasMessageContaining(FakeHub.sha256(weights));

        assertThat(filesUnder(repoDir().resolve("snapshots"))).isEmpty();
        assertThat(filesUnder(repoDir().resolve("blobs"))).isEmpty(); // neither blob nor .incomplete
        assertThat(repoDir().resolve("refs").resolve("main")).doesNotExist();
    }

    @Test
    void should_reject_corrupt_partial_prefix_on_resume_and_delete_it() throws IOException {
        String sha = FakeHub.sha256(weights);
        Path part = repoDir().resolve("blobs").resolve(sha + ".incomplete");
        Files.createDirectories(part.getParent());
        byte[] bad = Arrays.copyOf(weights, 5000);
        bad[10] ^= 1;
        Files.write(part, bad);
        HubClient c = client().build();

        assertThatThrownBy(() -> c.resolve(REPO, LFS))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("sha256 mismatch");
        assertThat(part).doesNotExist();

        assertThat(Files.readAllBytes(c.resolve(REPO, LFS))).isEqualTo(weights); // the next try starts clean
    }

    @Test
    void should_retry_within_the_call_then_keep_the_partial_file_for_the_next_call() throws IOException {
        hub.mode(Mode.BREAK_HALFWAY); // every transfer breaks: 1 + 5 retries, each resuming where the last stopped
        HubClient c = client().build();
        Path part = repoDir().resolve("blobs").resolve(FakeHub.sha256(weights) + ".incomplete");

        assertThatThrownBy(() -> c.resolve(REPO, LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK))
                .hasMessageContaining("failed after 6 attempts")
                .hasMessageContaining("resumes");
        List<FakeHub.Request> gets = hub.requests("cdn", "GET");
        assertThat(gets).hasSize(6);
        assertThat(gets.get(0).range()).isNull();
        assertThat(gets.subList(1, 6))
                .allMatch(r -> r.range() != null && r.range().startsWith("bytes="));
        assertThat(part).exists();
        long kept = Files.size(part);
        assertThat(kept).isPositive().isLessThan(weights.length);
        assertThat(filesUnder(repoDir().resolve("snapshots"))).isEmpty();

        hub.mode(Mode.NORMAL);
        Path p = c.resolve(REPO, LFS);

        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
        assertThat(hub.requests("cdn", "GET").get(6).range()).isEqualTo("bytes=" + kept + "-");
    }

    @Test
    void should_fail_when_download_stalls_longer_than_read_timeout() {
        hub.mode(Mode.STALL_HALFWAY);
        HubClient c = client().readTimeout(Duration.ofMillis(400))
                .retries(0, Duration.ZERO)
                .build();

        assertThatThrownBy(() -> c.resolve(REPO, LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK))
                .hasMessageContaining("no data for 0.4 s");
    }

    @Slow
    @Test
    void should_allow_transfers_longer_than_read_timeout_while_data_flows() throws IOException {
        hub.mode(Mode.SLOW); // 10 chunks, 120 ms apart: about 1.2 s in all
        HubClient c = client().readTimeout(Duration.ofMillis(500)).build();

        assertThat(Files.readAllBytes(c.resolve(REPO, LFS))).isEqualTo(weights);
    }

    // ------------------------------------------------------------------ auth and errors

    @Test
    void should_require_token_for_gated_repo_naming_hf_token_and_repo() {
        hub.gate(REPO);
        HubClient c = client().build();

        assertThatThrownBy(() -> c.resolve(REPO, LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH_REQUIRED))
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("HF_TOKEN")
                .hasMessageContaining(REPO)
                .hasMessageContaining("token is required");
    }

    @Test
    void should_download_gated_repo_with_token_and_never_send_it_to_the_cdn() throws IOException {
        hub.gate(REPO);
        HubClient c = client().token(FakeHub.TOKEN).build();

        Path p = c.resolve(REPO, LFS);

        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
        assertThat(hub.requests("hub", "HEAD")).allMatch(r -> ("Bearer " + FakeHub.TOKEN).equals(r.authorization()));
        assertThat(hub.requests("cdn", "GET")).hasSize(1).allMatch(r -> r.authorization() == null);
    }

    @Test
    void should_read_token_from_env_and_say_when_it_is_refused() throws IOException {
        hub.gate(REPO);
        HubClient good = client().env(Map.of("HF_TOKEN", FakeHub.TOKEN)).build();
        assertThat(Files.readAllBytes(good.resolve(REPO, CONFIG))).isEqualTo(config);

        HubClient bad = client().env(Map.of("HF_TOKEN", "hf_wrong")).build();
        assertThatThrownBy(() -> bad.resolve(REPO, LFS))
                .hasMessageContaining("The token from HF_TOKEN was sent but refused");
    }

    @Test
    void should_name_repo_and_file_when_file_is_missing() throws IOException {
        HubClient c = client().build();

        assertThatThrownBy(() -> c.resolve(REPO, "missing.safetensors"))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ENTRY_NOT_FOUND))
                .hasMessageContaining("File 'missing.safetensors' not found in repository " + REPO);
        assertThat(filesUnder(repoDir())).isEmpty();
    }

    @Test
    void should_say_repository_not_found_when_hub_says_so() {
        HubClient c = client().build();

        assertThatThrownBy(() -> c.resolve("tiny/nope", LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REPO_NOT_FOUND))
                .hasMessageContaining("Repository not found: tiny/nope")
                .hasMessageContaining("HF_TOKEN");
    }

    @Test
    void should_say_revision_not_found() {
        assertThatThrownBy(() -> client().build().resolve(REPO, LFS, "v9"))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVISION_NOT_FOUND))
                .hasMessageContaining("'v9'")
                .hasMessageContaining(REPO);
    }

    // ------------------------------------------------------------------ offline, unreachable

    @Test
    void should_serve_cached_file_offline_without_any_request() throws IOException {
        Path online = client().build().resolve(REPO, LFS);
        int before = hub.requests.size();

        HubClient offline = client().env(Map.of("HF_HUB_OFFLINE", "1")).build();
        Path p = offline.resolve(REPO, LFS);

        assertThat(offline.isOffline()).isTrue();
        assertThat(p).isEqualTo(online);
        assertThat(Files.readAllBytes(p)).isEqualTo(weights);
        assertThat(hub.requests).hasSize(before);
    }

    @Test
    void should_fail_offline_when_not_cached_naming_repo_file_and_cache() throws IOException {
        HubClient offline = client().offline(true).build();

        assertThatThrownBy(() -> offline.resolve(REPO, LFS))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OFFLINE_NOT_CACHED))
                .hasMessageContaining("Offline mode is on")
                .hasMessageContaining(REPO)
                .hasMessageContaining(LFS)
                .hasMessageContaining(offline.cacheDir().toString());
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void should_fall_back_to_cache_when_server_is_unreachable_and_fail_clearly_otherwise() throws IOException {
        Path online = client().build().resolve(REPO, LFS);
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        HubClient unreachable = client().endpoint("http://127.0.0.1:" + deadPort)
                .connectTimeout(Duration.ofSeconds(2))
                .build();

        assertThat(unreachable.resolve(REPO, LFS)).isEqualTo(online);
        assertThatThrownBy(() -> unreachable.resolve(REPO, "other.bin"))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK))
                .hasMessageContaining("Cannot reach")
                .hasMessageContaining("HF_HUB_OFFLINE=1")
                .hasMessageContaining("musicgen download")
                .hasMessageContaining("tiny offline test models")
                .hasMessageContaining("connection refused by 127.0.0.1:" + deadPort)
                .hasMessageNotContaining("null");
    }

    // ------------------------------------------------------------------ progress

    @Test
    void should_report_progress_per_file_up_to_the_total() {
        List<long[]> events = new ArrayList<>();
        List<String> done = new ArrayList<>();
        HubClient c = client().listener(new DownloadListener() {
                    @Override
                    public void onProgress(String repoId, String filename, long bytesDone, long bytesTotal) {
                        assertThat(repoId).isEqualTo(REPO);
                        assertThat(filename).isEqualTo(LFS);
                        events.add(new long[] {bytesDone, bytesTotal});
                    }

                    @Override
                    public void onDone(String repoId, String filename, Path path) {
                        done.add(filename);
                    }
                })
                .build();

        c.resolve(REPO, LFS);

        assertThat(events).hasSizeGreaterThanOrEqualTo(2);
        assertThat(events.get(0)).containsExactly(0, weights.length);
        assertThat(events.get(events.size() - 1)).containsExactly(weights.length, weights.length);
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i)[0]).isGreaterThanOrEqualTo(events.get(i - 1)[0]);
        }
        assertThat(done).containsExactly(LFS);
    }

    // ------------------------------------------------------------------ local directories

    @Test
    void should_read_mapped_local_directory_and_directory_paths_without_network() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("encodec"));
        Files.write(dir.resolve("config.json"), config);
        HubClient c =
                client().offline(true).localRepo("tiny/encodec_32khz-a", dir).build();

        assertThat(c.resolve("tiny/encodec_32khz-a", "config.json")).isEqualTo(dir.resolve("config.json"));
        assertThat(c.resolve(dir.toString(), "config.json")).isEqualTo(dir.resolve("config.json"));
        assertThatThrownBy(() -> c.resolve("tiny/encodec_32khz-a", "model.safetensors"))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ENTRY_NOT_FOUND))
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("tiny/encodec_32khz-a");
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void should_reject_missing_local_directory_at_build() {
        assertThatThrownBy(() -> client().localRepo("a/b", tmp.resolve("nope")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("localRepo directory for a/b must be an existing directory");
    }

    // ------------------------------------------------------------------ configuration and validation

    @Test
    void should_read_cache_endpoint_offline_and_token_file_from_environment() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("hf-home"));
        Files.writeString(home.resolve("token"), "hf_from_file\n");

        HubClient c = HubClient.builder()
                .env(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT", "http://127.0.0.1:9/", "HF_HUB_OFFLINE", "true"))
                .build();

        assertThat(c.cacheDir()).isEqualTo(home.resolve("hub").toAbsolutePath());
        assertThat(c.endpoint()).isEqualTo("http://127.0.0.1:9");
        assertThat(c.isOffline()).isTrue();
        assertThat(c.hasToken()).isTrue();

        HubClient d = HubClient.builder()
                .env(Map.of(
                        "HF_HUB_CACHE",
                        tmp.resolve("c").toString(),
                        "HF_HOME",
                        home.toString(),
                        "HF_TOKEN_PATH",
                        tmp.resolve("none").toString()))
                .build();
        assertThat(d.cacheDir()).isEqualTo(tmp.resolve("c").toAbsolutePath());
        assertThat(d.endpoint()).isEqualTo(HubClient.DEFAULT_ENDPOINT);
        assertThat(d.isOffline()).isFalse();
        assertThat(d.hasToken()).isFalse();
    }

    @Test
    void should_reject_bad_arguments_naming_them() {
        HubClient c = client().build();
        assertThatThrownBy(() -> c.resolve(REPO, "../escape.bin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filename")
                .hasMessageContaining("'../escape.bin'");
        assertThatThrownBy(() -> c.resolve("a--b/c", LFS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repoId")
                .hasMessageContaining("'a--b/c'");
        assertThatThrownBy(() -> c.resolve(REPO, LFS, "../x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("revision");
        assertThatThrownBy(() -> client().endpoint("ftp://x").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HF_ENDPOINT")
                .hasMessageContaining("ftp://x");
        assertThatThrownBy(() -> client().readTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readTimeout");
        assertThatThrownBy(() -> c.downloadModel(REPO, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filenames");
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void should_normalise_etags_like_huggingface_hub() {
        assertThat(Names.normalizeEtag("W/\"abc\"")).isEqualTo("abc");
        assertThat(Names.normalizeEtag("\"abc\"")).isEqualTo("abc");
        assertThat(Names.normalizeEtag("abc")).isEqualTo("abc");
    }

    @Test
    void names_inside_a_model_are_repo_ids_never_local_paths() throws IOException {
        Path secret = Files.createDirectories(tmp.resolve("secret"));
        Files.writeString(secret.resolve("config.json"), "{}");
        HubClient c = HubClient.builder()
                .env(Map.of())
                .cacheDir(cache)
                .offline(true)
                .localRepo("tiny/mapped", secret)
                .build();
        var resolver = c.asRepoResolver();
        for (String name : new String[] {secret.toString(), "../secret", "./secret", "~/x"}) {
            assertThatThrownBy(() -> resolver.resolve(name, "config.json"))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("repoId");
        }
        // an id that happens to name a directory under the working directory (the module's src/) is still an id:
        // offline and not cached, it is not found (it used to be read from that directory)
        assertThat(Path.of("src/main/java/dev/musicgen/MusicGenerator.java")).exists();
        assertThatThrownBy(() -> resolver.resolve("src", "main/java/dev/musicgen/MusicGenerator.java"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("offline");
        // a mapping the user made is honoured
        assertThat(resolver.resolve("tiny/mapped", "config.json")).isEqualTo(secret);
    }
}
