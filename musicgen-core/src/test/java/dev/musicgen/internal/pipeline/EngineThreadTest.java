package dev.musicgen.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.CancellationToken;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The generator's one thread: every task on it, interrupts of a waiting caller, cancellation, shutdown. */
class EngineThreadTest {
    private final EngineThread engine = new EngineThread();

    @AfterEach
    void shutDown() {
        engine.shutdown();
    }

    @Test
    void every_task_runs_on_the_one_engine_thread_and_a_nested_call_runs_inline() throws Exception {
        Thread first = engine.call(Thread::currentThread, () -> {});
        assertThat(first).isNotSameAs(Thread.currentThread());
        assertThat(first.getName()).startsWith("musicgen-engine-");
        assertThat(engine.submit(token -> Thread.currentThread()).get(10, TimeUnit.SECONDS))
                .isSameAs(first);
        // a listener on the engine thread that calls again must not wait for itself
        assertThat(engine.call(() -> engine.call(Thread::currentThread, () -> {}), () -> {}))
                .isSameAs(first);
    }

    @Test
    void a_task_failure_is_rethrown_to_the_caller_as_it_is() {
        assertThatThrownBy(() -> engine.call(
                        () -> {
                            throw new IllegalArgumentException("bad value");
                        },
                        () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad value");
    }

    @Test
    void an_interrupted_caller_stops_the_task_waits_for_it_and_keeps_its_flag() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean taskEnded = new AtomicBoolean();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagKept = new AtomicBoolean();
        AtomicBoolean endedBeforeReturn = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                engine.call(
                        () -> {
                            started.countDown();
                            try {
                                Thread.sleep(60_000); // a download: stops when its thread is interrupted
                                return null;
                            } catch (InterruptedException e) {
                                throw new IllegalStateException("download interrupted");
                            } finally {
                                taskEnded.set(true);
                            }
                        },
                        engine::interrupt);
            } catch (Throwable t) {
                thrown.set(t);
            }
            endedBeforeReturn.set(taskEnded.get());
            flagKept.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(10_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).hasMessage("download interrupted");
        assertThat(endedBeforeReturn).isTrue();
        assertThat(flagKept).isTrue();
        // the engine thread is clean for the next task
        assertThat(engine.call(() -> Thread.currentThread().isInterrupted(), () -> {}))
                .isFalse();
    }

    @Test
    void cancelling_a_future_cancels_its_token_and_a_queued_task_never_runs() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        AtomicReference<CancellationToken> running = new AtomicReference<>();
        CompletableFuture<Object> first = engine.submit(token -> {
            running.set(token);
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return token.isCancelled();
        });
        AtomicBoolean queuedRan = new AtomicBoolean();
        CompletableFuture<Object> queued = engine.submit(token -> {
            queuedRan.set(true);
            return null;
        });
        queued.cancel(true);
        while (running.get() == null) {
            Thread.onSpinWait();
        }
        assertThat(running.get().isCancelled()).isFalse();
        hold.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(false);
        engine.call(() -> null, () -> {}); // after the queued task's turn
        assertThat(queuedRan).isFalse();
        assertThat(queued).isCancelled();
    }

    @Test
    void after_shutdown_new_tasks_are_refused_as_closed() {
        engine.shutdown();
        assertThatThrownBy(() -> engine.call(() -> 1, () -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> engine.submit(token -> 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
