package dev.musicgen;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.nn.F;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The body of {@link GenerationResourcesTest#two_hundred_generations_keep_rss_flat_in_one_jvm}, run in a JVM of its
 * own: generations on the tiny mono model, printing {@code key value} lines (RSS in kB, live NDArray counts) for the
 * test to check. Arguments: warm-up generations, measured generations.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        int warmUp = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        Path tmp = Files.createTempDirectory("musicgen-probe");
        CountDownLatch atStep5 = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicLong cancelStep = new AtomicLong(-1);
        AtomicBoolean watch = new AtomicBoolean(); // the generation to cancel: every call runs on the engine thread
        CancellationToken token = new CancellationToken();
        try (NDManager probe = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                MusicGenerator gen = FixtureModels.builder("musicgen_mono", tmp)
                        .progressListener((p, step, total) -> {
                            if (p == ProgressListener.Phase.GENERATING && watch.get()) {
                                cancelStep.set(step);
                                if (step == 5) {
                                    atStep5.countDown();
                                    await(cancelled);
                                }
                            }
                        })
                        .build()) {
            NDManager system = probe.getParentManager(); // the engine's root: every live array is under it
            for (int i = 1; i <= warmUp; i++) {
                gen.generate(GenerationResourcesTest.request(i).build()).toBytes(OutputFormat.WAV);
            }
            print("warm.rss", settledRss());
            print("warm.arrays", system.getManagedArrays().size());
            long peak = 0;
            for (int i = 1; i <= runs; i++) {
                GeneratedAudio a =
                        gen.generate(GenerationResourcesTest.request(1000 + i).build());
                if (a.samples()[0].length != 6400) {
                    throw new IllegalStateException("generation " + i + " has " + a.samples()[0].length + " samples");
                }
                a.toBytes(OutputFormat.WAV);
                peak = Math.max(peak, rss());
                if (i % 50 == 0) {
                    print("arrays." + i, system.getManagedArrays().size());
                    print("rss." + i, settledRss());
                }
            }
            print("peak.rss", peak);

            // a generation cancelled from another thread at step 5
            Thread worker = new Thread(
                    () -> {
                        try {
                            gen.generate(GenerationResourcesTest.request(7)
                                    .duration(20)
                                    .cancellation(token)
                                    .build());
                            print("cancel.thrown", "nothing");
                        } catch (Throwable t) {
                            print("cancel.thrown", t.getClass().getSimpleName());
                        }
                    },
                    "cancel-me");
            watch.set(true);
            worker.start();
            if (!atStep5.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the generation to cancel never reached step 5");
            }
            token.cancel();
            cancelled.countDown();
            worker.join(120_000);
            print("cancel.lastStep", cancelStep.get());
            print("cancel.arrays", system.getManagedArrays().size());
            print("cancel.rss", settledRss());
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized void print(String key, Object value) {
        System.out.println("probe " + key + " " + value);
        System.out.flush();
    }

    static long settledRss() {
        System.gc();
        return rss();
    }

    /** VmRSS in kB. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
