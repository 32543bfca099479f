package dev.musicgen.internal.generation;

import dev.musicgen.AudioChunk;
import dev.musicgen.CancellationToken;
import dev.musicgen.GenerationCancelledException;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.StreamDecoder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generation published as audio while it runs: a cold {@link Flow.Publisher} of {@link AudioChunk}s, each
 * subscription running its own generation.
 *
 * <p>Per subscription, two daemon threads: the <em>generation</em> thread runs the {@link Job} (the LM; the facade's job
 * hands it to the generator's engine thread and waits), whose frames are fed to the codec's {@link StreamDecoder} and
 * cut into chunks of the requested size (the last one holds the rest) on the thread that reports them; the
 * <em>delivery</em> thread hands the chunks to the subscriber as it requests them.
 * Between the two sits a buffer of at most {@link #bufferedChunks} chunks: when it is full (the subscriber has not
 * asked for more), the generation thread waits inside the LM loop, between two steps, with only the model's state
 * alive. So memory is bounded whatever the subscriber does, and a subscriber that plays the audio (blocking in
 * {@code onNext} for the chunk's duration) lets the generation run ahead by up to the buffer.
 *
 * <p>Cancelling the subscription stops the generation within one LM step (at once when it is waiting for demand) and
 * frees its native memory; no signal follows. The subscription also implements {@link AutoCloseable}: {@code close()}
 * cancels and waits until the generation thread has stopped and freed everything ({@link dev.musicgen.AudioStream}
 * uses it). A failure of the generation is signalled with {@code onError} at once (chunks still buffered are
 * dropped); completion comes after the last chunk.
 */
public final class StreamingGeneration implements Flow.Publisher<AudioChunk> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingGeneration.class);

    /** Chunk length when the caller names none: latency to the first audio against per-chunk overhead. */
    public static final double DEFAULT_CHUNK_SECONDS = 0.5;
    /** Seconds of audio the generation may run ahead of the subscriber's demand. */
    static final double AHEAD_SECONDS = 2.0;

    /** Runs one generation on the calling thread, reporting its tokens to the sink. */
    @FunctionalInterface
    public interface Job {
        /**
         * @param frames receives the tokens as they are generated ({@link MusicGenLM#generate(ConditionSource,
         *     long[][][], GenerationParams, dev.musicgen.ProgressListener, CancellationToken, MusicGenLM.FrameSink)})
         * @param cancel cancelled when the subscriber cancels; the job checks it at least once per LM step
         */
        void run(MusicGenLM.FrameSink frames, CancellationToken cancel);
    }

    private final AudioCodec codec;
    private final int hopLength;
    private final int chunkSamples;
    private final int bufferedChunks;
    private final Job job;

    /**
     * @param codec decodes the tokens ({@link AudioCodec#streamDecoder(int)} of one item)
     * @param chunkSeconds seconds of audio per chunk (see {@link #checkChunkSeconds})
     * @param job runs the generation of one subscription
     */
    public StreamingGeneration(AudioCodec codec, double chunkSeconds, Job job) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.job = Objects.requireNonNull(job, "job");
        checkChunkSeconds(chunkSeconds, codec.frameRate());
        this.chunkSamples = (int) Math.round(chunkSeconds * codec.sampleRate());
        this.hopLength = (int) Math.round(codec.sampleRate() / codec.frameRate());
        this.bufferedChunks = Math.max(2, (int) Math.ceil(AHEAD_SECONDS / chunkSeconds));
    }

    /**
     * Refuses a chunk length that is not a finite number of at least one codec frame, or longer than an hour.
     *
     * @return {@code chunkSeconds}
     */
    public static double checkChunkSeconds(double chunkSeconds, double frameRate) {
        if (!(chunkSeconds >= 1 / frameRate) || !(chunkSeconds <= 3600)) {
            throw new IllegalArgumentException("chunkSeconds must be between one codec frame (" + 1 / frameRate
                    + " s) and 3600 s, but is: " + chunkSeconds);
        }
        return chunkSeconds;
    }

    /**
     * Refuses what cannot be streamed: MultiBand Diffusion.
     *
     * @param multiBandDiffusion the request's {@code multiBandDiffusion()}
     */
    public static void checkStreamable(boolean multiBandDiffusion) {
        if (multiBandDiffusion) {
            throw new IllegalArgumentException("multiBandDiffusion cannot be streamed: MultiBand Diffusion decodes the"
                    + " whole token sequence at once (its noise is drawn for the whole clip, its U-Nets see the whole"
                    + " clip and its EQ is matched over the whole clip), so no sample is final before the last token"
                    + " exists. Stream with multiBandDiffusion(false) (EnCodec), or use generate() for MultiBand"
                    + " Diffusion");
        }
    }

    /** Samples per channel in every chunk but the last. */
    public int chunkSamples() {
        return chunkSamples;
    }

    /** Chunks the generation may produce ahead of demand before it waits. */
    public int bufferedChunks() {
        return bufferedChunks;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super AudioChunk> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Run run = new Run(subscriber);
        subscriber.onSubscribe(run);
        run.start();
    }

    /** Frames {@code [B, K, n]} of several pieces, in order, as one. */
    static long[][][] concat(List<long[][][]> parts) {
        int b = parts.get(0).length;
        int k = parts.get(0)[0].length;
        int n = 0;
        for (long[][][] p : parts) {
            n += p[0][0].length;
        }
        long[][][] out = new long[b][k][n];
        int at = 0;
        for (long[][][] p : parts) {
            for (int i = 0; i < b; i++) {
                for (int q = 0; q < k; q++) {
                    System.arraycopy(p[i][q], 0, out[i][q], at, p[i][q].length);
                }
            }
            at += p[0][0].length;
        }
        return out;
    }

    /** One subscription: its generation, its buffer, its delivery. */
    private final class Run implements Flow.Subscription, AutoCloseable, MusicGenLM.FrameSink {
        private final Flow.Subscriber<? super AudioChunk> subscriber;
        private final CancellationToken token = new CancellationToken();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<AudioChunk> buffer = new ArrayDeque<>();
        private final CountDownLatch generationDone = new CountDownLatch(1);
        private long demand;
        private boolean cancelled; // by the subscriber (or a broken onNext): no signal any more
        private boolean produced; // the last chunk is in the buffer
        private Throwable error; // to signal at once
        private Thread generation;
        private Thread delivery;
        // the job's thread only (the one that calls the sink)
        private StreamDecoder decoder;
        private long seed = -1;
        private final List<long[][][]> codes = new ArrayList<>(); // frames received, not decoded yet
        private long received; // frames received
        private long decoded; // frames whose samples the decoder has returned
        private float[][] pending;
        private int pendingLength;
        private long emitted;
        private boolean ended;

        Run(Flow.Subscriber<? super AudioChunk> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            lock.lock();
            try {
                if (cancelled) { // cancelled in onSubscribe: nothing to run
                    generationDone.countDown();
                    return;
                }
            } finally {
                lock.unlock();
            }
            generation = new Thread(this::generate, "musicgen-stream");
            delivery = new Thread(this::deliver, "musicgen-stream-delivery");
            generation.setDaemon(true);
            delivery.setDaemon(true);
            generation.start();
            delivery.start();
        }

        // ------------------------------------------------------------------ Subscription

        @Override
        public void request(long n) {
            lock.lock();
            try {
                if (cancelled) {
                    return;
                }
                if (n <= 0) {
                    // reactive-streams rule 3.9
                    error = new IllegalArgumentException(
                            "request(n) needs n > 0 (reactive-streams rule 3.9), but n" + " is: " + n);
                    token.cancel();
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                cancelled = true;
                token.cancel();
                buffer.clear();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Cancels and waits until the generation has stopped and freed its native memory. */
        @Override
        public void close() {
            cancel();
            if (Thread.currentThread() == generation || Thread.currentThread() == delivery) {
                return; // from inside onNext: the threads end once this call returns
            }
            boolean interrupted = false;
            while (true) {
                try {
                    generationDone.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        // ------------------------------------------------------------------ generation thread

        private void generate() {
            Throwable failure = null;
            try {
                job.run(this, token);
                if (!ended) {
                    throw new IllegalStateException("the generation ended without reporting its end");
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (decoder != null) {
                    decoder.close();
                }
                lock.lock();
                try {
                    if (failure != null && !cancelled) {
                        error = error != null ? error : failure;
                    }
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                generationDone.countDown();
            }
            if (failure != null && !(failure instanceof GenerationCancelledException)) {
                LOG.debug("streamed generation failed", failure);
            }
        }

        @Override
        public void start(long s) {
            seed = s;
            decoder = codec.streamDecoder(1);
        }

        /**
         * Frames are decoded in pieces, not one by one: each decode recomputes a few frames of context, and a piece
         * that completes about one chunk keeps that overhead small. A piece is decoded as soon as it completes a
         * chunk, so batching costs no latency.
         */
        @Override
        public void onFrames(long[][][] frames) {
            token.throwIfCancelled();
            codes.add(frames);
            received += frames[0][0].length;
            long finalFrames = Math.max(0, received - decoder.lookAheadFrames());
            if (pendingLength + (finalFrames - decoded) * hopLength >= chunkSamples) {
                decodeCodes();
                while (pendingLength >= chunkSamples) {
                    emit(chunkSamples, false);
                }
            }
        }

        private void decodeCodes() {
            if (codes.isEmpty()) {
                return;
            }
            long[][][] piece = codes.size() == 1 ? codes.get(0) : concat(codes);
            codes.clear();
            float[][] samples = decoder.decode(piece)[0];
            decoded += samples[0].length / hopLength;
            append(samples);
        }

        @Override
        public void end() {
            decodeCodes();
            append(decoder.finish()[0]);
            while (pendingLength > chunkSamples) {
                emit(chunkSamples, false);
            }
            emit(pendingLength, true);
            ended = true;
        }

        private void append(float[][] samples) {
            int n = samples[0].length;
            if (pending == null) {
                pending = new float[samples.length][Math.max(2 * chunkSamples, n)];
            }
            if (pendingLength + n > pending[0].length) {
                for (int c = 0; c < pending.length; c++) {
                    pending[c] = Arrays.copyOf(pending[c], Math.max(2 * pending[c].length, pendingLength + n));
                }
            }
            for (int c = 0; c < pending.length; c++) {
                System.arraycopy(samples[c], 0, pending[c], pendingLength, n);
            }
            pendingLength += n;
        }

        /** Cuts {@code n} samples off the front of {@code pending} and queues them, waiting while the buffer is full. */
        private void emit(int n, boolean last) {
            float[][] out = new float[pending.length][];
            for (int c = 0; c < pending.length; c++) {
                out[c] = Arrays.copyOf(pending[c], n);
                System.arraycopy(pending[c], n, pending[c], 0, pendingLength - n);
            }
            pendingLength -= n;
            AudioChunk chunk = new AudioChunk(out, codec.sampleRate(), emitted, last, seed);
            emitted += n;
            lock.lock();
            try {
                while (!cancelled && error == null && buffer.size() >= bufferedChunks) {
                    changed.await();
                }
                if (cancelled || error != null) {
                    throw new GenerationCancelledException("the stream was cancelled after " + emitted + " samples");
                }
                buffer.add(chunk);
                produced = last;
                changed.signalAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenerationCancelledException("the stream's generation thread was interrupted");
            } finally {
                lock.unlock();
            }
        }

        // ------------------------------------------------------------------ delivery thread

        private void deliver() {
            while (true) {
                AudioChunk next = null;
                Throwable failure = null;
                lock.lock();
                try {
                    while (!cancelled
                            && error == null
                            && !(demand > 0 && !buffer.isEmpty())
                            && !(produced && buffer.isEmpty())) {
                        changed.awaitUninterruptibly();
                    }
                    if (cancelled) {
                        return;
                    }
                    if (error != null) {
                        failure = error;
                        cancelled = true; // terminal
                        buffer.clear();
                        token.cancel();
                        changed.signalAll();
                    } else if (demand > 0 && !buffer.isEmpty()) {
                        next = buffer.poll();
                        demand--;
                        changed.signalAll();
                    } else {
                        cancelled = true; // terminal: completed
                    }
                } finally {
                    lock.unlock();
                }
                try {
                    if (next != null) {
                        subscriber.onNext(next);
                    } else if (failure != null) {
                        subscriber.onError(failure);
                        return;
                    } else {
                        subscriber.onComplete();
                        return;
                    }
                } catch (Throwable t) {
                    // reactive-streams rule 2.13: a subscriber that throws is cancelled
                    LOG.warn("the stream's subscriber threw; cancelling its generation", t);
                    cancel();
                    return;
                }
            }
        }
    }
}
