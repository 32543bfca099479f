package dev.musicgen.internal.pipeline;

import ai.djl.ndarray.NDManager;
import dev.musicgen.CancellationToken;
import dev.musicgen.ModelSource;
import dev.musicgen.ProgressListener;
import dev.musicgen.internal.generation.ConditionProviderSource;
import dev.musicgen.internal.generation.GenerationParams;
import dev.musicgen.internal.generation.GenerationResult;
import dev.musicgen.internal.generation.MusicGenLM;
import dev.musicgen.internal.loading.LoadedModel;
import dev.musicgen.internal.loading.ModelLoader;
import dev.musicgen.spi.TokenDecoder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One batch from prompts to audio, as audiocraft's {@code MusicGen.generate} runs it: input audio prepared,
 * conditions computed, tokens generated (one LM pass or the extension loop), then decoded by EnCodec or MultiBand
 * Diffusion (loaded on first use). Not thread-safe: the facade runs one batch at a time.
 */
public final class GenerationPipeline implements AutoCloseable {
    private static final SecureRandom SEEDS = new SecureRandom();

    private final LoadedModel model;
    private final MusicGenLM generator;
    private final ModelLoader loader;
    private final ModelSource mbdSource;
    private final ProgressListener progress;
    private TokenDecoder mbd;

    /**
     * @param model the model (owned by the caller)
     * @param loader loads MultiBand Diffusion when a request first asks for it
     * @param mbdSource where MultiBand Diffusion comes from, or null for the default repo
     * @param progress told about every phase
     */
    public GenerationPipeline(LoadedModel model, ModelLoader loader, ModelSource mbdSource, ProgressListener progress) {
        this.model = model;
        this.generator = new MusicGenLM(model.lm(), model.codec().frameRate());
        this.loader = loader;
        this.mbdSource = mbdSource;
        this.progress = progress;
    }

    /**
     * One batch.
     *
     * @param prompts one per row; null for no text
     * @param input the input audio of the batch (a batch with input audio has one row), or null
     * @param params the shared sampling parameters; a random seed is drawn when they hold none
     * @param multiBandDiffusion decode with MultiBand Diffusion instead of EnCodec
     * @param cancel checked between phases and once per decode step
     * @param frames when not null (streaming), each completed frame goes there while it is generated and nothing is
     *     decoded: the output then has no audio
     */
    public record Job(
            List<String> prompts,
            InputPreparation.Clip input,
            GenerationParams params,
            boolean multiBandDiffusion,
            CancellationToken cancel,
            MusicGenLM.FrameSink frames) {}

    /**
     * @param audio {@code [row][channel][sample]}, not normalized
     * @param seed the seed used
     * @param tokens {@code [row][codebook][frame]}
     * @param timings wall time of conditioning, generating, decoding and in total
     */
    public record Output(float[][][] audio, long seed, long[][][] tokens, Map<String, Duration> timings) {}

    /** Seconds one LM pass generates. */
    /** The listener every phase is reported to. */
    public ProgressListener progress() {
        return progress;
    }

    /** The generator's network layer (input audio URLs go through it, with the generator's offline setting). */
    public dev.musicgen.internal.hub.HubClient hub() {
        return loader.hub();
    }

    public double maxDuration() {
        return generator.maxDuration();
    }

    /** Runs one batch; the caller has checked the model-dependent rules. */
    public Output run(Job job) {
        job.cancel().throwIfCancelled();
        Map<String, Duration> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        progress.onProgress(ProgressListener.Phase.CONDITIONING, 0, 1);
        InputPreparation.Prepared in = InputPreparation.prepare(
                job.input(),
                job.params().duration(),
                generator.maxDuration(),
                model.codec(),
                model.conditions().sampleRate());
        job.cancel().throwIfCancelled();
        // the seed is fixed here so that every random draw of the call (sampling, demucs' shift) derives from it
        long seed = job.params().seed() != null ? job.params().seed() : SEEDS.nextLong() & 0xFFFF_FFFFL;
        if (model.stems() != null && in.melodies() != null) {
            progress.onProgress(ProgressListener.Phase.LOADING, 0, -1);
            model.stems().ensureLoaded();
            model.stems().bind(new Random(seed ^ 0x5DEECE66DL));
        }
        GenerationParams params =
                job.params().toBuilder().seed(Long.valueOf(seed)).build();
        progress.onProgress(ProgressListener.Phase.CONDITIONING, 1, 1);
        GenerationResult result;
        try (NDManager call = model.root().newSubManager()) {
            ConditionProviderSource source =
                    new ConditionProviderSource(model.conditions(), job.prompts(), in.melodies(), call);
            long tg = System.nanoTime();
            timings.put("conditioning", Duration.ofNanos(tg - t0));
            result = generator.generate(source, in.promptTokens(), params, progress, job.cancel(), job.frames());
            timings.put("generating", Duration.ofNanos(System.nanoTime() - tg));
        }
        job.cancel().throwIfCancelled();
        if (job.frames() != null) {
            return new Output(null, result.seed(), result.tokens(), timings);
        }
        long td = System.nanoTime();
        progress.onProgress(ProgressListener.Phase.DECODING, 0, 1);
        float[][][] wav = job.multiBandDiffusion()
                ? mbd().decode(result.tokens(), result.seed(), progress)
                : model.codec().decode(result.tokens());
        progress.onProgress(ProgressListener.Phase.DECODING, 1, 1);
        timings.put("decoding", Duration.ofNanos(System.nanoTime() - td));
        timings.put("total", Duration.ofNanos(System.nanoTime() - t0));
        return new Output(wav, result.seed(), result.tokens(), timings);
    }

    private TokenDecoder mbd() {
        if (mbd == null) {
            mbd = loader.loadMultiBandDiffusion(mbdSource, model.codec(), model.device(), progress);
        }
        return mbd;
    }

    /** Frees MultiBand Diffusion when it was loaded (the model belongs to the caller). */
    @Override
    public void close() {
        if (mbd != null) {
            mbd.close();
        }
    }
}
