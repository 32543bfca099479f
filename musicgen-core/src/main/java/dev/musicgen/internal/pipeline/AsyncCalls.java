package dev.musicgen.internal.pipeline;

import dev.musicgen.CancellationToken;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Background calls whose futures cancel them: {@code future.cancel(true)} cancels the token handed to that call, so
 * the call stops within one decode step and frees its native memory, and no other token is touched. Threads are
 * daemons, started on the first call.
 */
public final class AsyncCalls {
    private final String threadName;
    private ExecutorService executor;

    /** @param threadName the name of the worker threads */
    public AsyncCalls(String threadName) {
        this.threadName = threadName;
    }

    /** Runs {@code call} on a worker thread with a token of its own, which the returned future's cancel cancels. */
    public synchronized <T> CompletableFuture<T> submit(Function<CancellationToken, T> call) {
        if (executor == null) {
            executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
        }
        CancellationToken token = new CancellationToken();
        CompletableFuture<T> f = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                token.cancel();
                return super.cancel(mayInterruptIfRunning);
            }
        };
        executor.submit(() -> {
            try {
                f.complete(call.apply(token));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Interrupts running calls and refuses new ones. */
    public synchronized void shutdown() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
