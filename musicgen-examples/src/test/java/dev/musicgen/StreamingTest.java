package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MusicGenerator#stream}: for every generation fixture the streamed chunks, concatenated, are the one-shot raw
 * samples of the same request and seed; demand is respected (a subscriber that waits pauses the generation with
 * bounded memory); cancelling stops the generation within one step and frees all native memory.
 */
class StreamingTest {
    static final double TOLERANCE = 1e-5;

    @TempDir
    static Path tmp;

    static MusicGenerator mono;
    static NDManager system;
    static volatile ProgressListener hook = ProgressListener.none();

    @BeforeAll
    static void load() {
        mono = FixtureModels.builder("musicgen_mono", tmp)
                .progressListener((phase, step, total) -> hook.onProgress(phase, step, total))
                .build();
        try (NDManager probe = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            system = probe.getParentManager();
        }
    }

    @AfterAll
    static void close() {
        mono.close();
    }

    static int liveArrays() {
        return system.getManagedArrays().size();
    }

    // ---------------------------------------------------------------------------------------------- the fixtures

    /** The request of a generation fixture, as {@link MusicGeneratorFixturesTest} builds it. */
    static GenerationRequest.Builder fixture(String caseName) {
        return MusicGeneratorFixturesTest.request(caseName).prompt(MusicGeneratorFixturesTest.text(caseName, 0));
    }

    static GenerationRequest continuation() {
        JsonObject p = Fixtures.caseJson("continuation").getAsJsonObject("params");
        float[] in = Fixtures.tensors("continuation", "inputs.safetensors")
                .get("input_audio")
                .toFloatArray();
        return fixture("continuation")
                .inputAudio(InputAudio.of(new float[][] {in}, 32000))
                .continuation(true)
                .continuationStart(p.get("start").getAsDouble())
                .continuationEnd(p.get("end").getAsDouble())
                .build();
    }

    static GenerationRequest melody() {
        float[] melody = Fixtures.tensors("melody", "inputs.safetensors")
                .get("melody_wav")
                .toFloatArray();
        return fixture("melody")
                .inputAudio(InputAudio.of(new float[][] {melody}, 32000))
                .build();
    }

    static GenerationRequest longGeneration() {
        JsonObject p = Fixtures.caseJson("long_generation").getAsJsonObject("params");
        return fixture("long_generation")
                .extendStride(p.get("extend_stride").getAsDouble())
                .build();
    }

    /** Concatenates the chunks, checking that they tile the clip: contiguous offsets, one seed, the last one last. */
    static float[][] concat(List<AudioChunk> chunks, long seed) {
        assertThat(chunks).isNotEmpty();
        int channels = chunks.get(0).channels();
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            AudioChunk c = chunks.get(i);
            assertThat(c.offset()).as("offset of chunk " + i).isEqualTo(total);
            assertThat(c.last()).as("last flag of chunk " + i).isEqualTo(i == chunks.size() - 1);
            assertThat(c.seed()).isEqualTo(seed);
            assertThat(c.channels()).isEqualTo(channels);
            assertThat(c.sampleRate()).isEqualTo(32000);
            total += c.frames();
        }
        float[][] out = new float[channels][(int) total];
        for (AudioChunk c : chunks) {
            float[][] s = c.samples();
            for (int ch = 0; ch < channels; ch++) {
                System.arraycopy(s[ch], 0, out[ch], (int) c.offset(), s[ch].length);
            }
        }
        return out;
    }

    static double maxDiff(float[][] a, float[][] b) {
        assertThat(a.length).isEqualTo(b.length);
        double m = 0;
        for (int c = 0; c < a.length; c++) {
            assertThat(a[c]).as("channel " + c + " length").hasSameSizeAs(b[c]);
            for (int t = 0; t < a[c].length; t++) {
                m = Math.max(m, Math.abs(a[c][t] - b[c][t]));
            }
        }
        return m;
    }

    static List<AudioChunk> collect(Flow.Publisher<AudioChunk> publisher) {
        List<AudioChunk> chunks = new ArrayList<>();
        try (AudioStream s = AudioStream.of(publisher)) {
            while (s.hasNext()) {
                chunks.add(s.next());
            }
        }
        return chunks;
    }

    /** Streams {@code r} in chunks of {@code chunkSeconds} and compares with the one-shot raw samples. */
    static double streamEqualsOneShot(String what, MusicGenerator g, GenerationRequest r, double chunkSeconds) {
        GeneratedAudio whole = g.generate(r);
        List<AudioChunk> chunks = collect(g.stream(r, chunkSeconds));
        double diff = maxDiff(concat(chunks, whole.seed()), whole.samples());
        double peak = 0;
        for (float[] ch : whole.samples()) {
            for (float v : ch) {
                peak = Math.max(peak, Math.abs(v));
            }
        }
        System.out.printf(
                "stream %s (%d chunks of %.2f s): max abs diff vs one-shot %.3g (peak |sample| %.3g)%n",
                what, chunks.size(), chunkSeconds, diff, peak);
        assertThat(diff).as(what + ": max abs diff of the streamed samples").isLessThanOrEqualTo(TOLERANCE);
        return diff;
    }

    @Test
    void text_cases_stream_the_one_shot_samples() {
        streamEqualsOneShot("generate_text", mono, fixture("generate_text").build(), 0.1);
        streamEqualsOneShot(
                "generate_text (default 0.5 s chunks)",
                mono,
                fixture("generate_text").build(),
                0.5);
        streamEqualsOneShot(
                "generate_text_cfg1", mono, fixture("generate_text_cfg1").build(), 0.07);
    }

    @Test
    void stereo_streams_both_channels() {
        try (MusicGenerator g = FixtureModels.builder("musicgen_stereo", tmp).build()) {
            streamEqualsOneShot(
                    "generate_text_stereo", g, fixture("generate_text_stereo").build(), 0.1);
        }
    }

    @Test
    void continuation_streams_the_prompt_first() {
        GenerationRequest r = continuation();
        streamEqualsOneShot("continuation", mono, r, 0.1);
        // the prompt's frames are known before the first LM step: the first chunk comes while step 1 is held
        CountDownLatch firstChunk = new CountDownLatch(1);
        AtomicReference<Boolean> arrivedDuringStep1 = new AtomicReference<>();
        hook = (phase, s, total) -> {
            if (phase == ProgressListener.Phase.GENERATING && s == 1) {
                try {
                    arrivedDuringStep1.set(firstChunk.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (AudioStream s = AudioStream.of(mono.stream(r, 0.1))) {
            assertThat(s.hasNext()).isTrue();
            firstChunk.countDown();
            assertThat(s.next().offset()).isZero();
        } finally {
            hook = ProgressListener.none();
        }
        // step 1 waits for the first chunk (null: the stream was closed before step 1 began; false: it timed out)
        assertThat(arrivedDuringStep1.get())
                .as("first chunk of a continuation before the LM's first step is over")
                .isNotEqualTo(Boolean.FALSE);
    }

    @Test
    void melody_streams() {
        try (MusicGenerator g = FixtureModels.builder("musicgen_melody", tmp).build()) {
            streamEqualsOneShot("melody", g, melody(), 0.1);
        }
    }

    @Test
    void the_extension_loop_streams_across_windows() {
        try (MusicGenerator g = FixtureModels.builder("musicgen_long", tmp).build()) {
            streamEqualsOneShot("long_generation", g, longGeneration(), 0.3);
        }
    }

    // ---------------------------------------------------------------------------------------------- Flow API

    /** Records the signals of a subscriber that asks for {@code batch} chunks at a time. */
    static class Recorder implements Flow.Subscriber<AudioChunk> {
        final int batch;
        final List<AudioChunk> chunks = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile Flow.Subscription subscription;
        volatile int completions;
        int outstanding;

        Recorder(int batch) {
            this.batch = batch;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            outstanding = batch;
            if (batch > 0) {
                s.request(batch);
            }
        }

        @Override
        public void onNext(AudioChunk item) {
            threads.add(Thread.currentThread().getName());
            chunks.add(item);
            if (--outstanding == 0 && batch > 0) {
                outstanding = batch;
                subscription.request(batch);
            }
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            done.countDown();
        }

        @Override
        public void onComplete() {
            completions++;
            done.countDown();
        }
    }

    @Test
    void a_flow_subscriber_gets_every_chunk_then_one_completion() throws Exception {
        GenerationRequest r = fixture("generate_text").duration(1.0).seed(11).build();
        GeneratedAudio whole = mono.generate(r);
        Recorder rec = new Recorder(3);
        mono.stream(r, 0.1).subscribe(rec);
        assertThat(rec.done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(rec.error.get()).isNull();
        assertThat(rec.completions).isEqualTo(1);
        assertThat(rec.chunks).hasSize(10);
        assertThat(maxDiff(concat(rec.chunks, 11), whole.samples())).isLessThanOrEqualTo(TOLERANCE);
        assertThat(rec.threads).containsOnly("musicgen-stream-delivery");
    }

    @Test
    void request_of_zero_is_an_error_signal() throws Exception {
        Recorder rec = new Recorder(0);
        mono.stream(fixture("generate_text").build()).subscribe(rec);
        rec.subscription.request(0);
        assertThat(rec.done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(rec.error.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule 3.9");
    }

    @Test
    void a_subscriber_that_waits_pauses_the_generation_with_bounded_memory() throws Exception {
        mono.generate(fixture("generate_text").build()); // warm
        int baseline = liveArrays();
        AtomicLong step = new AtomicLong();
        hook = (phase, s, total) -> {
            if (phase == ProgressListener.Phase.GENERATING) {
                step.set(s);
            }
        };
        GenerationRequest r = GenerationRequest.builder()
                .prompt("a long piece")
                .duration(20)
                .seed(5)
                .build();
        Recorder rec = new Recorder(0); // asks for one chunk, then nothing
        try {
            mono.stream(r, 0.1).subscribe(rec);
            rec.subscription.request(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rec.chunks.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(rec.chunks).hasSize(1);
            // wait until the generation has stopped moving
            long last = -1;
            while (step.get() != last) {
                last = step.get();
                Thread.sleep(300);
            }
            int arraysPaused = liveArrays();
            Thread.sleep(700);
            assertThat(step.get()).as("no LM step while nothing is asked for").isEqualTo(last);
            assertThat(liveArrays()).as("native memory while paused").isEqualTo(arraysPaused);
            // 0.1 s chunks are 5 frames; the buffer holds 2 s = 20 chunks; +3 steps of delay, +5 of look-ahead
            assertThat(last).as("steps done while paused (of 1003)").isLessThanOrEqualTo((1 + 20 + 1) * 5 + 3 + 5);
            assertThat(rec.chunks).hasSize(1);
            // more demand: it goes on from where it paused
            rec.subscription.request(3);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rec.chunks.size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(rec.chunks).hasSize(4);
            ((AutoCloseable) rec.subscription).close(); // cancel and wait until the generation is gone
        } finally {
            hook = ProgressListener.none();
        }
        assertThat(rec.completions).isZero();
        assertThat(rec.error.get()).isNull();
        assertThat(liveArrays()).as("live NDArrays after the cancelled stream").isEqualTo(baseline);
    }

    @Test
    void cancelling_stops_within_one_step_and_frees_all_native_memory() throws Exception {
        mono.generate(fixture("generate_text").build()); // warm
        int baseline = liveArrays();
        AtomicLong step = new AtomicLong();
        AtomicLong stepsAfterCancel = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        hook = (phase, s, total) -> {
            if (phase == ProgressListener.Phase.GENERATING) {
                if (cancelled.get()) {
                    stepsAfterCancel.incrementAndGet();
                }
                step.set(s);
            }
        };
        GenerationRequest r = GenerationRequest.builder()
                .prompt("a long piece")
                .duration(20)
                .seed(6)
                .build();
        long atCancel;
        try {
            AudioStream s = AudioStream.of(mono.stream(r, 0.1));
            for (int i = 0; i < 3; i++) {
                s.next();
            }
            cancelled.set(true);
            atCancel = step.get();
            s.close(); // returns once the generation has stopped and freed its memory
            assertThat(s.hasNext()).isFalse();
        } finally {
            hook = ProgressListener.none();
        }
        assertThat(stepsAfterCancel.get()).as("steps after the cancel").isLessThanOrEqualTo(1);
        assertThat(step.get()).isLessThanOrEqualTo(atCancel + 1).isLessThan(1000);
        assertThat(liveArrays()).as("live NDArrays after the cancelled stream").isEqualTo(baseline);

        // the same through the Flow API: cancel() from onNext, then wait for the engine thread via generate()
        Recorder rec = new Recorder(1) {
            @Override
            public void onNext(AudioChunk item) {
                super.onNext(item);
                if (chunks.size() == 2) {
                    subscription.cancel();
                }
            }
        };
        mono.stream(r, 0.1).subscribe(rec);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (rec.chunks.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        // generate() queues behind the stream on the engine thread: when it returns, the stream's call is over
        assertThat(mono.generate(fixture("generate_text").build()).samples()[0]).isNotEmpty();
        Thread.sleep(200);
        assertThat(rec.chunks).hasSize(2);
        assertThat(rec.completions).isZero();
        assertThat(liveArrays()).isEqualTo(baseline);
    }

    @Test
    void a_cancelled_request_token_is_an_error_signal() {
        CancellationToken token = new CancellationToken();
        GenerationRequest r = GenerationRequest.builder()
                .prompt("x")
                .duration(20)
                .seed(1)
                .cancellation(token)
                .build();
        try (AudioStream s = AudioStream.of(mono.stream(r, 0.1))) {
            s.next();
            token.cancel();
            assertThatThrownBy(() -> {
                        while (s.hasNext()) {
                            s.next();
                        }
                    })
                    .isInstanceOf(GenerationCancelledException.class);
        }
    }

    @Test
    void refuses_multi_band_diffusion_and_bad_chunk_sizes() {
        GenerationRequest mbd =
                fixture("generate_text").multiBandDiffusion(true).build();
        assertThatThrownBy(() -> mono.stream(mbd))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiBandDiffusion cannot be streamed")
                .hasMessageContaining("decodes the whole token sequence at once");
        GenerationRequest r = fixture("generate_text").build();
        assertThatThrownBy(() -> mono.stream(r, 0.01))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("chunkSeconds must be between one codec frame (0.02 s) and 3600 s, but is: 0.01");
        assertThatThrownBy(() -> mono.stream(r, Double.NaN)).hasMessageContaining("but is: NaN");
        assertThatThrownBy(() -> mono.stream(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> mono.stream(r).subscribe(null)).isInstanceOf(NullPointerException.class);
    }
}
