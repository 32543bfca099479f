package dev.musicgen;


import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.musicgen.audio.Audio;
import dev.musicgen.internal.audio.AudioConversion;
import dev.musicgen.internal.conditioners.ConditionProvider;
import dev.musicgen.internal.conditioners.StemSeparator;
import dev.musicgen.device.DeviceSelector;
import dev.musicgen.internal.generation.ConditionProviderSource;
import dev.musicgen.internal.generation.GenerationParams;
import dev.musicgen.internal.generation.GenerationResult;
import dev.musicgen.internal.generation.MusicGenLM;
import dev.musicgen.internal.hub.HubClient;
import dev.musicgen.internal.hub.HubRepos;
import dev.musicgen.internal.lm.LMCheckpoint;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.nn.F;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.AudioCodecProvider;
import dev.musicgen.spi.CodecSpec;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.spi.TokenDecoder;
import dev.musicgen.spi.TokenDecoderProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text (and melody, or audio continuation) to music with Meta's MusicGen, as audiocraft v1.2.0 runs it for
 * Replicate's {@code meta/musicgen}. Build once (weights load in {@link Builder#build()}), generate many times, close.
 *
 * <pre>{@code
 * try (MusicGenerator gen = MusicGenerator.builder().model(ModelVersion.SMALL).build()) {
 *     GeneratedAudio audio = gen.generate(GenerationRequest.builder().prompt("lo-fi beat").duration(8).build());
 *     audio.writeTo(Path.of("out.wav"));
 * }
 * }</pre>
 *
 * <p>Thread safety: one generator may be shared by many threads; generations are serialized internally (one runs at a
 * time on the model's native memory, the others wait in arrival order). A result does not depend on the calling
 * thread: the same request and seed give the same tokens and the same audio on any thread. Batch several prompts with
 * {@link #generate(List)} to run them in one forward instead of one after another.
 *
 * <p>Errors: a bad argument (an out-of-range parameter, a missing, unreadable, corrupt or unsupported input file, an
 * oversize download, melody input on a model without melody) is an {@link IllegalArgumentException} naming the
 * parameter and the value; a failure that may pass when retried (network, engine) is a {@link MusicGenException};
 * a cancelled call throws {@link GenerationCancelledException}. A failed or cancelled call frees its native memory.
 */
public final class MusicGenerator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MusicGenerator.class);
    private static final java.security.SecureRandom SEEDS = new java.security.SecureRandom();

    private final String modelName;
    private final Device device;
    private final NDManager root;
    private final LMModel lm;
    private final MusicGenLM generator;
    private final ConditionProvider conditions;
    private final AudioCodec codec;
    private final ProgressListener progress;
    private final RepoResolver resolver;
    private final Object mbdSource;
    private final LazyStemSeparator stems;
    private final ReentrantLock lock = new ReentrantLock(true);
    private TokenDecoder mbd;
    private ExecutorService async;
    private volatile boolean closed;

    private MusicGenerator(Builder b, String modelName, Device device, NDManager root, LMModel lm,
            ConditionProvider conditions, AudioCodec codec, RepoResolver resolver) {
        this.modelName = modelName;
        this.device = device;
        this.root = root;
        this.lm = lm;
        this.conditions = conditions;
        this.codec = codec;
        this.generator = new MusicGenLM(lm, codec.frameRate());
        this.progress = b.progress;
        this.resolver = resolver;
        this.mbdSource = b.mbdModel;
        this.stems = b.builtStems;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model's name (version, repo id or directory). */
    public String modelName() {
        return modelName;
    }

    public int sampleRate() {
        return codec.sampleRate();
    }

    public int channels() {
        return codec.channels();
    }

    /** Whether the model takes a melody ({@code inputAudio} without continuation). */
    public boolean supportsMelody() {
        return conditions.supportsMelody();
    }

    /** Seconds one LM pass generates; longer durations use the extension loop. */
    public double maxDuration() {
        return generator.maxDuration();
    }

    public String device() {
        return device.toString();
    }

    /** Generates one piece. Thread-safe (serialized). */
    public GeneratedAudio generate(GenerationRequest request) {
        return generate(List.of(request)).get(0);
    }

    /**
     * Generates several pieces. Requests that share every sampling parameter and have no input audio run as one
     * batched forward (one seed for the batch); the others run one after another.
     */
    public List<GeneratedAudio> generate(List<GenerationRequest> requests) {
        return generate(requests, null);
    }

    /** {@code extra}: a per-call token (of {@link #generateAsync}) also checked, or null. */
    private List<GeneratedAudio> generate(List<GenerationRequest> requests, CancellationToken extra) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests must hold at least one GenerationRequest, but is empty");
        }
        for (GenerationRequest r : requests) {
            Objects.requireNonNull(r, "requests must not contain null");
            checkSupported(r);
        }
        lock.lock();
        try {
            ensureOpen();
            List<GeneratedAudio> out = new ArrayList<>(Collections.nCopies(requests.size(), null));
            List<Integer> pending = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                pending.add(i);
            }
            while (!pending.isEmpty()) {
                int first = pending.remove(0);
                List<Integer> batch = new ArrayList<>(List.of(first));
                if (requests.get(first).inputAudio().isEmpty()) {
                    for (int j = 0; j < pending.size(); j++) {
                        if (batchable(requests.get(first), requests.get(pending.get(j)))) {
                            batch.add(pending.remove(j--));
                        }
                    }
                }
                List<GenerationRequest> rs = new ArrayList<>();
                batch.forEach(i -> rs.add(requests.get(i)));
                List<GeneratedAudio> res = run(rs, extra);
                for (int k = 0; k < batch.size(); k++) {
                    out.set(batch.get(k), res.get(k));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a generation on a background thread; {@code future.cancel(true)} cancels it within one decode step and
     * frees its native memory (this call only: the request's own {@link CancellationToken} stays as it is).
     */
    public CompletableFuture<GeneratedAudio> generateAsync(GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        ExecutorService ex;
        synchronized (this) {
            if (async == null) {
                async = Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "musicgen-generate");
                    t.setDaemon(true);
                    return t;
                });
            }
            ex = async;
        }
        // cancelling the future cancels this call only, not the request's token (the request may be reused)
        CancellationToken call = new CancellationToken();
        CompletableFuture<GeneratedAudio> f = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                call.cancel();
                return super.cancel(mayInterruptIfRunning);
            }
        };
        ex.submit(() -> {
            try {
                f.complete(generate(List.of(request), call).get(0));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static boolean batchable(GenerationRequest a, GenerationRequest b) {
        return b.inputAudio().isEmpty() && a.duration() == b.duration() && a.temperature() == b.temperature()
                && a.topK() == b.topK() && a.topP() == b.topP()
                && a.classifierFreeGuidance() == b.classifierFreeGuidance() && a.seed().equals(b.seed())
                && a.extendStride() == b.extendStride() && a.multiBandDiffusion() == b.multiBandDiffusion();
    }

    private void checkSupported(GenerationRequest r) {
        if (r.multiBandDiffusion() && mbd == null && !mbdAvailable()) {
            throw new IllegalArgumentException("multiBandDiffusion is true but MultiBand Diffusion is not on the "
                    + "classpath: add the dev.musicgen:musicgen-diffusion dependency");
        }
        if (r.inputAudio().isPresent() && !r.continuation() && !conditions.supportsMelody()) {
            throw new IllegalArgumentException("model " + modelName + " does not support melody input: inputAudio "
                    + "without continuation conditions on its melody, which only the melody models "
                    + "(melody, melody-large, stereo-melody, stereo-melody-large) support. Set continuation(true) "
                    + "to continue the audio instead, or use a melody model.");
        }
        if (r.duration() > generator.maxDuration() && r.extendStride() >= generator.maxDuration()) {
            throw new IllegalArgumentException("extendStride must be < the model's maximum duration ("
                    + generator.maxDuration() + " s), but is: " + r.extendStride());
        }
    }

    private List<GeneratedAudio> run(List<GenerationRequest> rs, CancellationToken extra) {
        // torch's grad mode is per thread and on by default: the engine turned it off on the thread that loaded it
        // only. On another thread some kernels take their autograd-capable path and the audio differs in the last
        // bits, so every call runs with it off, as on the loading thread, and restores the caller's mode.
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            JniUtils.setGradMode(false);
        }
        try {
            return runNoGrad(rs, extra);
        } finally {
            if (gradMode) {
                JniUtils.setGradMode(true);
            }
        }
    }

    private List<GeneratedAudio> runNoGrad(List<GenerationRequest> rs, CancellationToken extra) {
        GenerationRequest r0 = rs.get(0);
        List<CancellationToken> tokens = new ArrayList<>();
        rs.forEach(r -> tokens.add(r.cancellation()));
        if (extra != null) {
            tokens.add(extra);
        }
        CancellationToken cancel = tokens.size() == 1 ? r0.cancellation() : CancellationToken.anyOf(tokens);
        cancel.throwIfCancelled();
        Map<String, Duration> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        ProgressListener p = progress;
        p.onProgress(ProgressListener.Phase.CONDITIONING, 0, 1);
        List<String> prompts = new ArrayList<>();
        for (GenerationRequest r : rs) {
            prompts.add(r.prompt().filter(s -> !s.isBlank()).orElse(null));
        }
        List<float[][]> melodies = null;
        long[][][] promptTokens = null;
        if (r0.inputAudio().isPresent()) {
            Audio in = InputAudioLoader.load(r0.inputAudio().get());
            Double end = r0.continuationEnd().isPresent() ? r0.continuationEnd().getAsDouble() : null;
            if (end != null && end > in.durationSeconds() + 1e-9) {
                throw new IllegalArgumentException("continuationEnd must be at most the length of inputAudio "
                        + r0.inputAudio().get().description() + " (" + in.durationSeconds() + " s), but is: " + end);
            }
            if (r0.continuationStart() >= in.durationSeconds()) {
                throw new IllegalArgumentException("continuationStart must be before the end of inputAudio "
                        + r0.inputAudio().get().description() + " (" + in.durationSeconds() + " s), but is: "
                        + r0.continuationStart());
            }
            Audio clip = AudioConversion.trim(in, r0.continuationStart(), end);
            if (clip.frames() == 0) {
                throw new IllegalArgumentException("inputAudio is empty between continuationStart "
                        + r0.continuationStart() + " s and continuationEnd " + end + " s");
            }
            if (r0.continuation()) {
                double limit = Math.min(r0.duration(), generator.maxDuration());
                if (clip.durationSeconds() >= limit) {
                    // upstream: "Prompt is longer than audio to generate"; fail before encoding it
                    throw new IllegalArgumentException("the continuation prompt (inputAudio "
                            + r0.inputAudio().get().description() + " from continuationStart " + r0.continuationStart()
                            + " s to " + (end == null ? "its end" : "continuationEnd " + end + " s") + ", "
                            + clip.durationSeconds() + " s) must be shorter than duration (" + r0.duration()
                            + " s) and the model's maximum duration (" + generator.maxDuration() + " s)");
                }
                Audio converted = AudioConversion.convert(clip, codec.sampleRate(), codec.channels());
                promptTokens = codec.encode(new float[][][] {converted.samples()});
            } else {
                Audio converted = AudioConversion.convert(clip, conditions.sampleRate(),
                        codec.channels());
                melodies = new ArrayList<>();
                melodies.add(converted.samples());
            }
        }
        cancel.throwIfCancelled();
        // the seed is fixed here so that every random draw of the call (sampling, demucs' shift) derives from it
        long seed = r0.seed().isPresent() ? r0.seed().getAsLong() : SEEDS.nextLong() & 0xFFFF_FFFFL;
        if (stems != null && melodies != null) {
            p.onProgress(ProgressListener.Phase.LOADING, 0, -1);
            stems.ensureLoaded();
            stems.bind(new java.util.Random(seed ^ 0x5DEECE66DL));
        }
        GenerationParams params = GenerationParams.builder().duration(r0.duration()).useSampling(true)
                .temperature(r0.temperature()).topK(r0.topK()).topP(r0.topP())
                .cfgCoef(r0.classifierFreeGuidance()).extendStride(r0.extendStride())
                .seed(Long.valueOf(seed)).build();
        GenerationResult result;
        try (NDManager call = root.newSubManager()) {
            ConditionProviderSource source = new ConditionProviderSource(conditions, prompts, melodies, call);
            long tg = System.nanoTime();
            timings.put("conditioning", Duration.ofNanos(tg - t0));
            result = generator.generate(source, promptTokens, params, p, cancel);
            timings.put("generating", Duration.ofNanos(System.nanoTime() - tg));
        }
        cancel.throwIfCancelled();
        long td = System.nanoTime();
        p.onProgress(ProgressListener.Phase.DECODING, 0, 1);
        float[][][] wav = r0.multiBandDiffusion() ? mbd().decode(result.tokens(), result.seed())
                : codec.decode(result.tokens());
        p.onProgress(ProgressListener.Phase.DECODING, 1, 1);
        timings.put("decoding", Duration.ofNanos(System.nanoTime() - td));
        timings.put("total", Duration.ofNanos(System.nanoTime() - t0));
        List<GeneratedAudio> out = new ArrayList<>();
        for (int b = 0; b < rs.size(); b++) {
            GenerationRequest r = rs.get(b);
            out.add(new GeneratedAudio(wav[b], codec.sampleRate(), result.seed(), result.tokens()[b],
                    r.normalizationStrategy(), r.outputFormat(), timings));
        }
        LOG.debug("generated {} x {} s in {}", rs.size(), r0.duration(), timings.get("total"));
        return out;
    }

    private static boolean mbdAvailable() {
        for (TokenDecoderProvider tp : ServiceLoader.load(TokenDecoderProvider.class, loader())) {
            if (tp.name().equals("mbd")) {
                return true;
            }
        }
        return false;
    }

    private TokenDecoder mbd() {
        if (mbd == null) {
            TokenDecoderProvider provider = null;
            for (TokenDecoderProvider tp : ServiceLoader.load(TokenDecoderProvider.class, loader())) {
                if (tp.name().equals("mbd")) {
                    provider = tp;
                }
            }
            if (provider == null) {
                throw new MusicGenException("multiBandDiffusion needs the musicgen-diffusion module on the classpath");
            }
            Path dir;
            if (mbdSource instanceof Path) {
                dir = (Path) mbdSource;
            } else {
                String repo = mbdSource == null ? HubRepos.MBD : (String) mbdSource;
                dir = resolver.resolve(repo, HubRepos.MBD_MUSICGEN_FILE);
            }
            progress.onProgress(ProgressListener.Phase.LOADING, 0, -1);
            mbd = provider.load(dir, codec, device, resolver);
        }
        return mbd;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this MusicGenerator is closed");
        }
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : MusicGenerator.class.getClassLoader();
    }

    /** Frees the model's native memory. Waits for a running generation to finish. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (async != null) {
                async.shutdownNow();
            }
            if (mbd != null) {
                mbd.close();
            }
            codec.close();
            conditions.close();
            if (stems != null) {
                stems.close();
            }
            lm.close();
            root.close();
        } finally {
            lock.unlock();
        }
    }

    /** Builds a {@link MusicGenerator}; {@link #build()} validates, resolves (downloads) and loads the weights. */
    public static final class Builder {
        private Object model = ModelVersion.STEREO_MELODY_LARGE;
        private Path textEncoder;
        private DeviceSelector device = DeviceSelector.fromEnvironment();
        private ComputeType computeType = ComputeType.FLOAT32;
        private Path cacheDir;
        private Boolean offline;
        private ProgressListener progress = ProgressListener.none();
        private final Map<String, Path> localRepos = new LinkedHashMap<>();
        private Object mbdModel;
        private boolean stemSeparation = true;
        private Path demucsCheckpoint;
        private LazyStemSeparator builtStems;
        private HubClient hub;

        private Builder() {}

        /** One of the released versions (the default is {@code stereo-melody-large}, as on Replicate). */
        public Builder model(ModelVersion version) {
            this.model = Objects.requireNonNull(version, "model");
            return this;
        }

        /** A version name ("small", "melody-large"), a Hub repo id ("facebook/musicgen-small") or a local path. */
        public Builder model(String nameRepoOrPath) {
            Objects.requireNonNull(nameRepoOrPath, "model");
            this.model = nameRepoOrPath;
            return this;
        }

        /**
         * A local directory with {@code state_dict.bin} + {@code compression_state_dict.bin} (audiocraft layout), or
         * {@code config.json} + {@code model.safetensors} (HF transformers layout).
         */
        public Builder model(Path dir) {
            this.model = Objects.requireNonNull(dir, "model");
            return this;
        }

        /** A local T5 directory (config.json, tokenizer.json, model.safetensors) instead of the one xp.cfg names. */
        public Builder textEncoder(Path dir) {
            this.textEncoder = dir;
            return this;
        }

        public Builder device(DeviceSelector selector) {
            this.device = Objects.requireNonNull(selector, "device");
            return this;
        }

        /**
         * The LM's precision (default {@link ComputeType#FLOAT32}). {@link ComputeType#INT8_WEIGHTS} needs the JVM
         * started with {@code --add-modules jdk.incubator.vector}; without it {@link #build()} throws an
         * {@link IllegalStateException} naming the flag.
         */
        public Builder computeType(ComputeType type) {
            this.computeType = Objects.requireNonNull(type, "computeType");
            return this;
        }

        /** The Hugging Face hub cache directory (default: {@code HF_HUB_CACHE}, {@code $HF_HOME/hub}, ~/.cache/...). */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** Never touch the network (also {@code HF_HUB_OFFLINE=1}). */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public Builder progressListener(ProgressListener listener) {
            this.progress = listener == null ? ProgressListener.none() : listener;
            return this;
        }

        /** Serves a repo id (e.g. the T5 or EnCodec a checkpoint names) from a local directory. */
        public Builder localRepo(String repoId, Path dir) {
            localRepos.put(Objects.requireNonNull(repoId, "repoId"), Objects.requireNonNull(dir, "dir"));
            return this;
        }

        /**
         * Whether melody inputs are first separated with HTDemucs, keeping the vocals and "other" stems, as audiocraft
         * (and Replicate) do. Default true; false takes the chroma of the whole mix (HF transformers' behaviour). The
         * htdemucs checkpoint (80 MB) is downloaded on the first melody, see {@link #demucsCheckpoint(Path)}.
         */
        public Builder stemSeparation(boolean enabled) {
            this.stemSeparation = enabled;
            return this;
        }

        /** A local {@code 955717e8-8726e21a.th} instead of downloading it (its sha256 prefix is verified). */
        public Builder demucsCheckpoint(Path file) {
            this.demucsCheckpoint = file;
            return this;
        }

        private StemSeparator stemSeparator(Device dev) {
            if (!stemSeparation) {
                builtStems = null;
                return StemSeparator.identity();
            }
            builtStems = new LazyStemSeparator(demucsCheckpoint, dev);
            return builtStems;
        }

        /** Where MultiBand Diffusion comes from: a local directory with {@code mbd_musicgen_32khz.th}, or a repo id. */
        public Builder multiBandDiffusionModel(Path dir) {
            this.mbdModel = dir;
            return this;
        }

        public Builder multiBandDiffusionModel(String repoId) {
            this.mbdModel = repoId;
            return this;
        }

        /** A preconfigured Hub client (its cache, endpoint, token and offline settings win). */
        public Builder hubClient(HubClient client) {
            this.hub = client;
            return this;
        }

        public MusicGenerator build() {
            LMModel.requireSupported(computeType); // before any download: INT8_WEIGHTS needs a JVM flag
            HubClient client = hub;
            if (client == null) {
                HubClient.Builder hb = HubClient.builder();
                if (cacheDir != null) {
                    hb.cacheDir(cacheDir);
                }
                if (offline != null) {
                    hb.offline(offline);
                }
                localRepos.forEach(hb::localRepo);
                client = hb.build();
            }
            RepoResolver resolver = client.asRepoResolver();
            String name;
            Path lmPath;
            Path codecPath;
            if (model instanceof Path || model instanceof String && looksLikePath((String) model)) {
                Path p = model instanceof Path ? (Path) model : Path.of((String) model);
                name = p.toString();
                if (!Files.exists(p)) {
                    throw new IllegalArgumentException("model directory " + p + " does not exist");
                }
                if (Files.isDirectory(p) && Files.exists(p.resolve(HubRepos.LM_FILE))) {
                    lmPath = p.resolve(HubRepos.LM_FILE);
                    codecPath = p.resolve(HubRepos.COMPRESSION_FILE);
                } else if (Files.isDirectory(p) && Files.exists(p.resolve("config.json"))) {
                    lmPath = p;
                    codecPath = p;
                } else if (Files.isRegularFile(p)) {
                    lmPath = p;
                    codecPath = p.resolveSibling(HubRepos.COMPRESSION_FILE);
                } else {
                    throw new IllegalArgumentException("model directory " + p + " holds neither state_dict.bin "
                            + "(audiocraft layout) nor config.json (HF transformers layout)");
                }
                if (!Files.exists(codecPath)) {
                    throw new IllegalArgumentException("model " + p + " has no " + HubRepos.COMPRESSION_FILE
                            + " beside its state_dict.bin");
                }
            } else {
                String repo = model instanceof ModelVersion ? ((ModelVersion) model).repoId()
                        : repoIdOf((String) model);
                name = model instanceof ModelVersion ? ((ModelVersion) model).versionName() : repo;
                progress.onProgress(ProgressListener.Phase.LOADING, 0, -1);
                List<Path> files = client.downloadModel(repo, HubRepos.AUDIOCRAFT_FILES);
                lmPath = files.get(0);
                codecPath = files.get(1);
            }
            Device dev = device.select();
            RepoResolver t5Resolver = textEncoder == null ? resolver : (id, files) -> textEncoder;
            NDManager root = NDManager.newBaseManager(dev, F.ENGINE);
            LMModel lm = null;
            ConditionProvider cp = null;
            AudioCodec codec = null;
            try (LMCheckpoint ck = LMCheckpoint.open(lmPath)) {
                lm = LMModel.load(ck.config(), ck.store(), root, computeType);
                if (ck.layout() == LMCheckpoint.Layout.AUDIOCRAFT) {
                    cp = ConditionProvider.fromXpConfig(ck.xpConfig(), ck.store(), t5Resolver,
                            stemSeparator(dev), root);
                    ck.store().checkAllUsed();
                } else {
                    cp = ConditionProvider.fromHfConfig(lmPath, ck.store(), root);
                }
                codec = loadCodec(new CodecSpec(codecPath, dev, resolver, ck.config().channels() == 2));
                MusicGenerator g = new MusicGenerator(this, name, dev, root, lm, cp, codec, resolver);
                LOG.info("loaded {} on {} ({} Hz, {} channel(s), melody: {})", name, dev, codec.sampleRate(),
                        codec.channels(), cp.supportsMelody());
                return g;
            } catch (RuntimeException e) {
                if (codec != null) {
                    codec.close();
                }
                if (cp != null) {
                    cp.close();
                }
                if (lm != null) {
                    lm.close();
                }
                root.close();
                throw e;
            }
        }

        private static AudioCodec loadCodec(CodecSpec spec) {
            for (AudioCodecProvider p : ServiceLoader.load(AudioCodecProvider.class, loader())) {
                if (p.name().equals("encodec")) {
                    return p.load(spec);
                }
            }
            throw new MusicGenException("no EnCodec implementation found: add the musicgen-codec module to the "
                    + "classpath");
        }

        private static boolean looksLikePath(String s) {
            return s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s.startsWith("~")
                    || s.contains("\\") || Files.exists(Path.of(s));
        }

        private static String repoIdOf(String s) {
            if (s.contains("/")) {
                return s;
            }
            return ModelVersion.fromName(s).repoId();
        }
    }
}
