package dev.musicgen.examples;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.ProgressListener;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Progress reporting, and cancelling a running generation from another thread. The first generation is cancelled
 * once it has made {@code cancelAfterSteps} decode steps; it stops within one step and frees its native memory. The
 * second runs to the end and is written to a file: a cancel leaves the generator ready for the next call.
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.ProgressAndCancel ["prompt"] [out.wav] [seconds] [cancelAfterSteps]
 * </pre>
 */
public final class ProgressAndCancel {
    private ProgressAndCancel() {}

    /** What happened: whether the first call was cancelled, and the second call's audio. */
    public record Outcome(boolean cancelled, GeneratedAudio audio) {}

    public static void main(String[] args) throws InterruptedException, ExecutionException {
        String prompt = ExampleModels.arg(args, 0, "chill bossa nova with nylon guitar");
        Path out = Path.of(ExampleModels.arg(args, 1, "progress.wav"));
        double seconds = Double.parseDouble(ExampleModels.arg(args, 2, "8"));
        int cancelAfterSteps = Integer.parseInt(ExampleModels.arg(args, 3, "50"));

        Outcome outcome = run(ExampleModels.builder(ModelVersion.SMALL), prompt, seconds, cancelAfterSteps, out);
        System.out.printf(
                "first call cancelled: %s; wrote %s (%.1f s)%n",
                outcome.cancelled(), out, outcome.audio().durationSeconds());
    }

    public static Outcome run(
            MusicGeneratorBuilder model, String prompt, double seconds, int cancelAfterSteps, Path out)
            throws InterruptedException, ExecutionException {
        CountDownLatch reached = new CountDownLatch(1);
        // Called on the generating thread: keep it quick, never block in it.
        ProgressListener listener = (phase, step, total) -> {
            if (phase == ProgressListener.Phase.GENERATING) {
                if (step >= cancelAfterSteps) {
                    reached.countDown();
                }
                if (total > 0 && step % Math.max(1, total / 4) == 0) {
                    System.out.printf("generating: step %d of %d%n", step, total);
                }
            } else {
                System.out.println(phase.name().toLowerCase(Locale.ROOT) + (total > 0 ? " " + step + "/" + total : ""));
            }
        };

        try (MusicGenerator generator = model.progressListener(listener).build()) {
            // 1. Start on a background thread, cancel from this one.
            CompletableFuture<GeneratedAudio> first = generator.generateAsync(request(prompt, seconds));
            first.whenComplete((audio, error) -> reached.countDown()); // a short piece may finish first
            reached.await();
            first.cancel(true); // or request.cancellation().cancel() when you use the blocking generate()
            boolean cancelled;
            try {
                first.get(1, TimeUnit.MINUTES);
                cancelled = false;
                System.out.println("finished before it could be cancelled");
            } catch (CancellationException e) {
                cancelled = true;
                System.out.println("cancelled");
            } catch (TimeoutException e) {
                throw new IllegalStateException("the first generation did not stop", e);
            }

            // 2. The generator is still usable: future.cancel() cancelled only that call, not the request or the model.
            GeneratedAudio audio = generator.generate(request(prompt, seconds));
            audio.writeTo(out);
            return new Outcome(cancelled, audio);
        }
    }

    private static GenerationRequest request(String prompt, double seconds) {
        return GenerationRequest.builder().prompt(prompt).duration(seconds).build();
    }
}
