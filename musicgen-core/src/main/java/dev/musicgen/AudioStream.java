package dev.musicgen;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A streamed generation for plain blocking code: the chunks of a {@link Flow.Publisher} (such as {@link
 * MusicGenerator#stream(GenerationRequest)}) as an {@link Iterator} to use in try-with-resources.
 *
 * <pre>{@code
 * try (AudioStream chunks = AudioStream.of(generator.stream(request))) {
 *     while (chunks.hasNext()) {
 *         AudioChunk chunk = chunks.next(); // blocks until the next chunk is generated
 *         play(chunk.samples());
 *     }
 * }
 * }</pre>
 *
 * <p>It subscribes at once (the generation starts) and asks for one chunk at a time: while the caller does not call
 * {@link #next()}, the generation runs ahead by a bounded buffer and then waits. {@link #hasNext()} blocks until a
 * chunk arrives or the stream ends; a failed generation throws its exception from {@code hasNext()} (a {@link
 * RuntimeException} as is, anything else wrapped in a {@link MusicGenException}). {@link #close()} stops a generation
 * that has not finished and, for the generator's own publisher, returns once its native memory is freed; closing
 * before the end is how to cancel. A stream that waits for its consumer holds the generator as a running generation
 * does ({@link MusicGenerator#close()} waits for it): close the stream before the generator. Not thread-safe: one
 * consumer thread.
 */
public final class AudioStream implements Iterator<AudioChunk>, AutoCloseable {
    private static final Object COMPLETE = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private Object head;
    private boolean done;

    private AudioStream() {}

    /** Subscribes to {@code publisher} (starting its generation) and returns the blocking view of its chunks. */
    public static AudioStream of(Flow.Publisher<AudioChunk> publisher) {
        Objects.requireNonNull(publisher, "publisher");
        AudioStream s = new AudioStream();
        publisher.subscribe(s.new Receiver());
        return s;
    }

    /** Blocks until the next chunk is there (true) or the stream has ended (false). */
    @Override
    public boolean hasNext() {
        if (head == null && !done) {
            try {
                head = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new GenerationCancelledException(
                        "interrupted while waiting for the next chunk; the stream is" + " closed");
            }
        }
        if (head == COMPLETE) {
            head = null;
            done = true;
        } else if (head instanceof Throwable) {
            Throwable t = (Throwable) head;
            head = null;
            done = true;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw new MusicGenException("the streamed generation failed: " + t, t);
        }
        return !done;
    }

    /** The next chunk (blocking until it is generated). */
    @Override
    public AudioChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream has ended");
        }
        AudioChunk chunk = (AudioChunk) head;
        head = null;
        if (!chunk.last()) {
            subscription.request(1);
        }
        return chunk;
    }

    /**
     * Cancels the generation when it has not finished, and waits until it has stopped and freed its native memory
     * (for publishers whose subscription is {@link AutoCloseable}, as the generator's is). Idempotent.
     */
    @Override
    public void close() {
        done = true;
        head = null;
        Flow.Subscription s = subscription;
        if (s instanceof AutoCloseable) {
            try {
                ((AutoCloseable) s).close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new MusicGenException("cannot close the stream: " + e.getMessage(), e);
            }
        } else if (s != null) {
            s.cancel();
        }
    }

    private final class Receiver implements Flow.Subscriber<AudioChunk> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(AudioChunk item) {
            queue.add(item);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onComplete() {
            queue.add(COMPLETE);
        }
    }
}
