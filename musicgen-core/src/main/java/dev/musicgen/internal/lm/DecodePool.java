package dev.musicgen.internal.lm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads for the Java decode step: {@link #run} hands out the indices {@code [0, n)} of one
 * parallel phase one at a time (dynamic, so a thread the OS has descheduled holds back at most the task in its hands)
 * to the calling thread and the workers, and returns when all are done.
 *
 * <p>Idle threads park; a waiting thread spins ({@code onSpinWait}) for at most {@code spinNanos} first, so the next
 * phase of a step, which usually comes within microseconds, does not pay a wake-up (~25 µs per phase measured here,
 * and a step has six phases per layer), and a process competing for a core still gets it after that short bound.
 * Tasks are handed out one at a time, so when the OS deschedules one thread the others take its share of the phase
 * instead of waiting for it (OpenMP's static schedule, as libtorch uses it, waits). One pool per model; the
 * calling thread is one of the {@code threads}. Not reentrant: one {@code run} at a time (generations on a model are
 * serialized by the caller, each step runs its phases one after the other).
 */
final class DecodePool implements AutoCloseable {
    /** One task of a phase: {@code index} in {@code [0, n)}, run on thread {@code thread} in {@code [0, threads)}. */
    @FunctionalInterface
    interface Task {
        void run(int index, int thread);
    }

    private static final class Job {
        final Task task;
        final int n;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(Task task, int n, Thread caller) {
            this.task = task;
            this.n = n;
            this.caller = caller;
        }

        /** Takes tasks until none is left. */
        void work(int thread) {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                try {
                    if (error == null) {
                        task.run(i, thread);
                    }
                } catch (Throwable t) {
                    error = t;
                } finally {
                    if (done.incrementAndGet() == n) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    private final Thread[] workers;
    private final long spinNanos;
    private volatile Job current;
    private volatile boolean closed;

    /**
     * {@code threads} in all (the caller included, so {@code threads - 1} are started, as daemons);
     * {@code spinNanos}: how long a waiting thread spins before it parks.
     */
    DecodePool(int threads, long spinNanos, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, but is: " + threads);
        }
        this.spinNanos = Math.max(0, spinNanos);
        this.workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int id = w + 1;
            Thread t = new Thread(() -> loop(id), name + "-" + id);
            t.setDaemon(true);
            workers[w] = t;
        }
        for (Thread t : workers) {
            t.start();
        }
    }

    /** Threads taking part in a phase, the caller included. */
    int threads() {
        return workers.length + 1;
    }

    /** Runs {@code task} for every index in {@code [0, n)} and returns when all have run; rethrows a task's failure. */
    void run(int n, Task task) {
        if (n <= 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("the decode threads are closed");
        }
        if (workers.length == 0 || n == 1) {
            for (int i = 0; i < n; i++) {
                task.run(i, 0);
            }
            return;
        }
        Job job = new Job(task, n, Thread.currentThread());
        current = job;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        job.work(0);
        long spinUntil = spinNanos == 0 ? 0 : System.nanoTime() + spinNanos;
        while (job.done.get() < n) {
            if (spinUntil != 0 && System.nanoTime() - spinUntil < 0) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        Throwable error = job.error;
        if (error instanceof RuntimeException) {
            throw (RuntimeException) error;
        }
        if (error instanceof Error) {
            throw (Error) error;
        }
        if (error != null) {
            throw new IllegalStateException(error);
        }
    }

    private void loop(int id) {
        Job seen = null;
        while (!closed) {
            Job job = current;
            if (job != seen && job != null) {
                seen = job;
                job.work(id);
                continue;
            }
            long spinUntil = spinNanos == 0 ? 0 : System.nanoTime() + spinNanos;
            while (current == seen && !closed) {
                if (spinUntil != 0 && System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }
}
