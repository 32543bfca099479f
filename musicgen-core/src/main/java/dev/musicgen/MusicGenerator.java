package dev.musicgen;

import dev.musicgen.internal.generation.MusicGenLM;
import dev.musicgen.internal.generation.StreamingGeneration;
import dev.musicgen.internal.loading.LoadedModel;
import dev.musicgen.internal.loading.ModelLoader;
import dev.musicgen.internal.pipeline.EngineThread;
import dev.musicgen.internal.pipeline.GenerationPipeline;
import dev.musicgen.internal.pipeline.GradMode;
import dev.musicgen.internal.pipeline.InputPreparation;
import dev.musicgen.internal.pipeline.RequestBatches;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text (and melody, or audio continuation) to music with Meta's MusicGen, as audiocraft v1.2.0 runs it for
 * Replicate's {@code meta/musicgen}. Build once (weights load in {@link MusicGeneratorBuilder#build()}), generate many times, close.
 *
 * <pre>{@code
 * try (MusicGenerator gen = MusicGenerator.builder().model(ModelVersion.SMALL).build()) {
 *     GeneratedAudio audio = gen.generate(GenerationRequest.builder().prompt("lo-fi beat").duration(8).build());
 *     audio.writeTo(Path.of("out.wav"));
 * }
 * }</pre>
 *
 * <p>Thread safety: one generator may be shared by many threads. All its native work (loading, every generation,
 * closing) runs on one engine thread of its own, in arrival order; a blocking call waits for it, and interrupting the
 * waiting thread cancels that call. One thread because libtorch's CPU kernels run slower for every thread as soon as
 * a second thread has used them (see docs/PERFORMANCE.md). A result does not depend on the calling thread: the same
 * request and seed give the same tokens and the same audio on any thread. Batch several prompts with
 * {@link #generate(List)} to run them in one forward instead of one after another.
 *
 * <p>Errors: a bad argument (an out-of-range parameter, a missing, unreadable, corrupt or unsupported input file, an
 * oversize download, melody input on a model without melody) is an {@link IllegalArgumentException} naming the
 * parameter and the value; every other failure is a {@link MusicGenException} (see the package documentation), and a
 * cancelled call throws {@link GenerationCancelledException}. A failed or cancelled call frees its native memory.
 */
public final class MusicGenerator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MusicGenerator.class);
    private static final Cleaner CLEANER = Cleaner.create();

    private final LoadedModel model;
    private final GenerationPipeline pipeline;
    private final EngineThread engine;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;

    MusicGenerator(EngineThread engine, LoadedModel model, GenerationPipeline pipeline) {
        this.engine = engine;
        this.model = model;
        this.pipeline = pipeline;
        CLEANER.register(this, engine::shutdown); // a generator dropped without close() does not keep its thread
    }

    /** A builder; its {@link MusicGeneratorBuilder#build()} validates, resolves (downloads) and loads the weights. */
    public static MusicGeneratorBuilder builder() {
        return new MusicGeneratorBuilder();
    }

    /** The model's name (version, repo id or directory). */
    public String modelName() {
        return model.name();
    }

    public int sampleRate() {
        return model.codec().sampleRate();
    }

    public int channels() {
        return model.codec().channels();
    }
    /** Whether the model takes a melody ({@code inputAudio} without continuation). */
    public boolean supportsMelody() {
        return model.conditions().supportsMelody();
    }
    /** Seconds one LM pass generates; longer durations use the extension loop. */
    public double maxDuration() {
        return pipeline.maxDuration();
    }

    public String device() {
        return model.device().toString();
    }

    /** Generates one piece. Thread-safe (serialized); interrupting the calling thread cancels it. */
    public GeneratedAudio generate(GenerationRequest request) {
        return generate(List.of(request)).get(0);
    }

    /**
     * Generates several pieces. Requests that share every sampling parameter and have no input audio run as one
     * batched forward (one seed for the batch); the others run one after another.
     */
    public List<GeneratedAudio> generate(List<GenerationRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests must hold at least one GenerationRequest, but is empty");
        }
        for (GenerationRequest r : requests) {
            checkSupported(Objects.requireNonNull(r, "requests must not contain null"));
        }
        ensureOpen();
        List<GenerationRequest> copy = List.copyOf(requests);
        return engine.call(call -> run(copy, call));
    }

    /**
     * Queues a generation on the engine thread; {@code future.cancel(true)} cancels it within one decode step and
     * frees its native memory (this call only: the request's own {@link CancellationToken} stays as it is). A request
     * this generator cannot run (melody input on a model without melody, MultiBand Diffusion not on the class path) is
     * refused at once with {@link IllegalArgumentException}, as {@link #generate(GenerationRequest)} refuses it.
     */
    public CompletableFuture<GeneratedAudio> generateAsync(GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        checkSupported(request);
        return engine.submit(call -> run(List.of(request), call).get(0));
    }

    /** On the engine thread; {@code call}: the token of this call (interrupt, future), also checked. */
    private List<GeneratedAudio> run(List<GenerationRequest> requests, CancellationToken call) {
        ensureOpen();
        return RequestBatches.run(requests, GenerationRequest::batchableWith, batch -> run(batch, call, null));
    }

    private void checkSupported(GenerationRequest r) {
        if (r.multiBandDiffusion() && !ModelLoader.multiBandDiffusionAvailable()) {
            throw new IllegalArgumentException("multiBandDiffusion is true but MultiBand Diffusion is not on the "
                    + "classpath: add the dev.musicgen:musicgen-diffusion dependency");
        }
        if (r.inputAudio().isPresent() && !r.continuation() && !supportsMelody()) {
            throw new IllegalArgumentException("model " + modelName() + " does not support melody input: inputAudio "
                    + "without continuation conditions on its melody, which only the melody models "
                    + "(melody, melody-large, stereo-melody, stereo-melody-large) support. Set continuation(true) "
                    + "to continue the audio instead, or use a melody model.");
        }
        if (r.duration() > maxDuration() && r.extendStride() >= maxDuration()) {
            throw new IllegalArgumentException("extendStride must be < the model's maximum duration (" + maxDuration()
                    + " s), but is: " + r.extendStride());
        }
    }

    /**
     * Streams one generation while it runs: raw audio in chunks of 0.5 s, each published as soon as its tokens exist
     * (see {@link AudioChunk}; {@link AudioStream} for blocking code). Every subscription runs its own generation;
     * cancelling stops it within one step. MultiBand Diffusion cannot stream and is refused.
     */
    public Flow.Publisher<AudioChunk> stream(GenerationRequest request) {
        return stream(request, StreamingGeneration.DEFAULT_CHUNK_SECONDS);
    }

    /** As {@link #stream(GenerationRequest)}, in chunks of {@code chunkSeconds} (the last one holds the rest). */
    public Flow.Publisher<AudioChunk> stream(GenerationRequest request, double chunkSeconds) {
        StreamingGeneration.checkStreamable(
                Objects.requireNonNull(request, "request").multiBandDiffusion());
        checkSupported(request);
        ensureOpen();
        // the stream's own thread waits while the engine thread generates and decodes into the stream
        return new StreamingGeneration(
                model.codec(),
                chunkSeconds,
                (frames, cancel) -> engine.call(
                        () -> {
                            ensureOpen();
                            return run(List.of(request), cancel, frames);
                        },
                        cancel::cancel));
    }

    /** One batch (every request shares the first's sampling parameters); {@code frames}: streaming, no decode. */
    private List<GeneratedAudio> run(List<GenerationRequest> rs, CancellationToken call, MusicGenLM.FrameSink frames) {
        List<CancellationToken> tokens = new ArrayList<>();
        rs.forEach(r -> tokens.add(r.cancellation()));
        tokens.add(call);
        GenerationRequest r0 = rs.get(0);
        InputPreparation.Clip clip = r0.inputAudio()
                .map(in -> new InputPreparation.Clip(
                        () -> InputAudioLoader.load(in, pipeline.hub()),
                        in.description(),
                        r0.continuation(),
                        r0.continuationStart(),
                        r0.continuationEnd().isPresent() ? r0.continuationEnd().getAsDouble() : null))
                .orElse(null);
        GenerationPipeline.Job job = new GenerationPipeline.Job(
                rs.stream()
                        .map(r -> r.prompt().filter(s -> !s.isBlank()).orElse(null))
                        .toList(),
                clip,
                r0.params(),
                r0.multiBandDiffusion(),
                tokens.size() == 1 ? tokens.get(0) : CancellationToken.anyOf(tokens),
                frames);
        try {
            GenerationPipeline.Output o = GradMode.off(() -> pipeline.run(job));
            if (frames != null) {
                return List.of();
            }
            List<GeneratedAudio> out = new ArrayList<>();
            ProgressListener p = pipeline.progress();
            for (int b = 0; b < rs.size(); b++) {
                p.onProgress(ProgressListener.Phase.POST_PROCESSING, b, rs.size()); // normalization, per clip
                out.add(new GeneratedAudio(
                        o.audio()[b],
                        sampleRate(),
                        o.seed(),
                        o.tokens()[b],
                        rs.get(b).normalizationStrategy(),
                        rs.get(b).outputFormat(),
                        o.timings()));
            }
            p.onProgress(ProgressListener.Phase.POST_PROCESSING, rs.size(), rs.size());
            LOG.debug(
                    "generated {} x {} s in {}",
                    rs.size(),
                    r0.duration(),
                    o.timings().get("total"));
            return out;
        } finally {
            rs.forEach(r -> r.cancellation().callEnded()); // a request's own token is ready for its next call
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this MusicGenerator is closed");
        }
    }

    /**
     * Frees the model's native memory, after the generations already waiting for the engine thread (the ones that
     * arrive later are refused), and ends that thread. Idempotent. Called from a progress listener (on the engine
     * thread) it returns at once and closes once the running call has ended.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        Supplier<Void> free = () -> {
            closed = true;
            pipeline.close();
            model.close();
            return null;
        };
        try {
            if (engine.isCurrent()) {
                engine.submit(token -> free.get()); // after the call this listener belongs to
            } else {
                engine.call(free, () -> {}); // native memory cannot be freed halfway: an interrupted close still waits
            }
        } finally {
            engine.shutdown();
        }
    }
}
