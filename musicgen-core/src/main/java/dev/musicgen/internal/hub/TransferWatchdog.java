package dev.musicgen.internal.hub;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ends a response body that stalls, drips or takes too long by closing it, which makes the blocked read fail
 * ({@link java.net.http.HttpClient} has no body read timeout: its request timeout covers the headers only).
 *
 * <p>Three rules, checked a few times per window: no byte for {@code idle}; fewer than {@code minBytesPerSecond}
 * times {@code idle} bytes over the last {@code idle} (a server sending a byte every 20 s never goes idle, but trips
 * this); and, when given, the whole body not done by {@code deadline}. {@link #tripped()} says which one fired.
 */
final class TransferWatchdog implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "musicgen-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final InputStream body;
    private final long idleNanos;
    private final long minBytesPerWindow;
    private final long deadlineNanos;
    private final Duration idle;
    private final long minBytesPerSecond;
    private final Duration deadline;
    private final long start = System.nanoTime();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lastData = new AtomicLong(start);
    /** (time, bytes) samples, oldest first, only touched by the timer thread. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    private volatile String tripped;
    private volatile boolean deadlineHit;
    private final ScheduledFuture<?> task;

    private TransferWatchdog(InputStream body, Duration idle, long minBytesPerSecond, Duration deadline) {
        this.body = body;
        this.idle = idle;
        this.idleNanos = idle.toNanos();
        this.minBytesPerSecond = minBytesPerSecond;
        this.minBytesPerWindow = (long) Math.ceil(minBytesPerSecond * (idle.toNanos() / 1e9));
        this.deadline = deadline;
        this.deadlineNanos = deadline == null ? Long.MAX_VALUE : deadline.toNanos();
        samples.add(new long[] {start, 0});
        long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
        this.task = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts watching {@code body}.
     *
     * @param minBytesPerSecond 0 for no throughput rule
     * @param deadline the longest the whole body may take, or null for no limit
     */
    static TransferWatchdog watch(InputStream body, Duration idle, long minBytesPerSecond, Duration deadline) {
        return new TransferWatchdog(body, idle, minBytesPerSecond, deadline);
    }

    /** Counts bytes that arrived. */
    void arrived(int n) {
        if (n > 0) {
            bytes.addAndGet(n);
            lastData.set(System.nanoTime());
        }
    }

    /** Why the body was closed, e.g. "no data for 60 s", or null while it was not. */
    String tripped() {
        return tripped;
    }

    /** Whether it was the deadline for the whole body (a slow but steady server; another try will not help). */
    boolean deadlineTripped() {
        return deadlineHit;
    }

    private void check() {
        if (tripped != null) {
            return;
        }
        long now = System.nanoTime();
        long total = bytes.get();
        String why = null;
        if (now - lastData.get() > idleNanos) {
            why = "no data for " + HttpTransport.seconds(idle);
        } else if (now - start > deadlineNanos) {
            why = "not complete after " + HttpTransport.seconds(deadline) + ", the limit for a whole download";
            deadlineHit = true;
        } else if (minBytesPerWindow > 0) {
            samples.addLast(new long[] {now, total});
            while (samples.size() >= 2 && now - secondOldest()[0] >= idleNanos) {
                samples.pollFirst();
            }
            long[] oldest = samples.peekFirst();
            if (now - oldest[0] >= idleNanos && total - oldest[1] < minBytesPerWindow) {
                why = String.format(
                        Locale.ROOT,
                        "only %d bytes in the last %s, below the minimum of %d bytes/s",
                        total - oldest[1],
                        HttpTransport.seconds(idle),
                        minBytesPerSecond);
            }
        }
        if (why != null) {
            tripped = why;
            try {
                body.close();
            } catch (IOException e) {
                // nothing more to do: the reader sees the closed stream either way
            }
        }
    }

    private long[] secondOldest() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
