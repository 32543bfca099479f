package dev.musicgen.internal.pipeline;

import dev.musicgen.CancellationToken;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one thread that runs a generator's native work: loading, every generation (blocking, asynchronous or streamed)
 * and closing, in arrival order.
 *
 * <p>Why one thread: the CPU libtorch runs its parallel regions on libgomp, which keeps a thread pool per calling
 * thread. As soon as a second caller has a pool, libgomp manages more threads than there are cores and stops
 * spin-waiting at its barriers, so every one of a decode step's many small parallel regions sleeps and wakes: measured
 * here (musicgen-small, 2 cores) 1.42-1.47 cores busy instead of 1.99 and 1.4-1.7x the wall time, for every thread of
 * the process, the loading one included. Running all of it on one thread keeps one pool. Generations were serialized
 * anyway (one at a time on the model's memory), so no parallelism is lost. The other side, measured too: with a
 * competing busy process the spinning pool is the slower one for FLOAT16/FLOAT32 weights (INT8_WEIGHTS is not
 * affected); docs/PERFORMANCE.md, Streaming.
 */
public final class EngineThread {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final ExecutorService executor;
    private volatile Thread thread;

    public EngineThread() {
        String name = "musicgen-engine-" + COUNT.incrementAndGet();
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Whether the calling thread is this engine's. */
    public boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code task} on the engine thread (at once when called on it) and returns its result or throws what it
     * threw. A waiting caller that is interrupted cancels the task ({@code onInterrupt}, e.g. cancelling its token, or
     * interrupting a download), still waits until it has ended (so its native memory is freed when this returns), and
     * keeps its interrupt flag.
     */
    public <T> T call(Supplier<T> task, Runnable onInterrupt) {
        if (isCurrent()) {
            return task.get();
        }
        Future<T> f;
        try {
            f = executor.submit(task::get);
        } catch (RejectedExecutionException e) {
            throw closed();
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        interrupted = true;
                        onInterrupt.run();
                    }
                }
            }
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #call} whose interruption cancels a token of its own, handed to {@code task}. */
    public <T> T call(Function<CancellationToken, T> task) {
        CancellationToken token = new CancellationToken();
        return call(() -> task.apply(token), token::cancel);
    }

    /**
     * Starts {@code task} on the engine thread with a token of its own, which the returned future's {@code cancel}
     * cancels: the task stops within one decode step and frees its native memory; no other token is touched.
     */
    public <T> CompletableFuture<T> submit(Function<CancellationToken, T> task) {
        CancellationToken token = new CancellationToken();
        CompletableFuture<T> f = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                token.cancel();
                return super.cancel(mayInterruptIfRunning);
            }
        };
        try {
            executor.execute(() -> {
                if (f.isDone()) {
                    return; // cancelled while queued
                }
                try {
                    f.complete(task.apply(token));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            throw closed();
        }
        return f;
    }

    /** Interrupts the task running now (loading: a download stops), not a later one. */
    public void interrupt() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Lets the queued tasks run, then ends the thread; refuses new tasks. */
    public void shutdown() {
        executor.shutdown();
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static IllegalStateException closed() {
        return new IllegalStateException("this MusicGenerator is closed");
    }
}
