package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One generator shared by 4 threads: every call returns the tokens the same request gives single-threaded, exactly,
 * and the same audio (the facade serializes generations on one lock, so calls never interleave on the model's native
 * state).
 */
class ConcurrentGenerationTest {
    @TempDir
    static Path tmp;

    static MusicGenerator gen;
    static final AtomicInteger running = new AtomicInteger();
    static final AtomicInteger maxRunning = new AtomicInteger();

    @BeforeAll
    static void setUp() {
        // conditioning starts a call, decoding ends it: count the calls inside the model at once
        gen = FixtureModels.builder("musicgen_mono", tmp)
                .progressListener((phase, step, total) -> {
                    if (phase == ProgressListener.Phase.CONDITIONING && step == 0) {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    } else if (phase == ProgressListener.Phase.DECODING && step == total) {
                        running.decrementAndGet();
                    }
                })
                .build();
    }

    @AfterAll
    static void tearDown() {
        gen.close();
    }

    static GenerationRequest request(String prompt, long seed) {
        return GenerationRequest.builder()
                .prompt(prompt)
                .duration(0.3)
                .seed(seed)
                .temperature(1.0)
                .topK(250)
                .normalizationStrategy(NormalizationStrategy.PEAK)
                .build();
    }

    @Test
    void four_threads_get_the_single_threaded_tokens() throws Exception {
        GenerationRequest same = request("busy jazz drums", 42);
        GenerationRequest[] own = {
            request("a cello", 1), request("synth pads", 2), request("banjo", 3), request("steel drums", 4)
        };
        GeneratedAudio reference = gen.generate(same);
        List<GeneratedAudio> ownReference = new ArrayList<>();
        for (GenerationRequest r : own) {
            ownReference.add(gen.generate(r));
        }

        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<GeneratedAudio>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<GeneratedAudio> got = new ArrayList<>();
                    for (int round = 0; round < 3; round++) {
                        got.add(gen.generate(same));
                        got.add(gen.generate(own[thread]));
                    }
                    // the async path shares the same lock
                    got.add(gen.generateAsync(same).get(120, TimeUnit.SECONDS));
                    return got;
                }));
            }
            start.countDown();
            for (int t = 0; t < 4; t++) {
                List<GeneratedAudio> got = futures.get(t).get(300, TimeUnit.SECONDS);
                for (int i = 0; i < got.size(); i++) {
                    GeneratedAudio expected = i % 2 == 0 || i == got.size() - 1 ? reference : ownReference.get(t);
                    assertThat(got.get(i).seed()).isEqualTo(expected.seed());
                    assertThat(got.get(i).tokens())
                            .as("thread %d call %d tokens", t, i)
                            .isEqualTo(expected.tokens());
                    assertSameAudio("thread " + t + " call " + i, got.get(i).samples(), expected.samples());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxRunning.get())
                .as("calls inside the model at the same time")
                .isEqualTo(1);
    }

    /**
     * Bit for bit: torch's grad mode is per thread, and before the facade turned it off for every call, the EnCodec
     * decoder's output differed in the last bit on threads other than the one that loaded the engine.
     */
    static void assertSameAudio(String what, float[][] got, float[][] expected) {
        assertThat(got).as(what).isEqualTo(expected);
    }

    @Test
    void batched_and_async_calls_from_several_threads_match_single_calls() throws Exception {
        GenerationRequest a = request("rain on a tin roof", 7);
        GenerationRequest b = request("rain on a tin roof", 7).toBuilder()
                .prompt("a marching band")
                .build();
        List<GeneratedAudio> batch = gen.generate(List.of(a, b));
        List<CompletableFuture<List<GeneratedAudio>>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            fs.add(CompletableFuture.supplyAsync(() -> gen.generate(List.of(a, b))));
        }
        for (CompletableFuture<List<GeneratedAudio>> f : fs) {
            List<GeneratedAudio> got = f.get(300, TimeUnit.SECONDS);
            for (int i = 0; i < 2; i++) {
                assertThat(got.get(i).tokens()).isEqualTo(batch.get(i).tokens());
                assertSameAudio(
                        "batch item " + i, got.get(i).samples(), batch.get(i).samples());
            }
        }
    }
}
