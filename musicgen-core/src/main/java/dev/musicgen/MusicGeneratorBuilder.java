package dev.musicgen;

import dev.musicgen.device.DeviceSelector;
import dev.musicgen.internal.loading.HubChoices;
import dev.musicgen.internal.loading.LoadedModel;
import dev.musicgen.internal.loading.ModelLoader;
import dev.musicgen.internal.pipeline.EngineThread;
import dev.musicgen.internal.pipeline.GenerationPipeline;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link MusicGenerator} ({@link MusicGenerator#builder()}): where the model comes from, the device, the compute
 * type and the Hub settings; {@link #build()} validates, resolves (downloads) and loads the weights.
 */
public final class MusicGeneratorBuilder {
    private ModelSource model = ModelSource.of(ModelVersion.STEREO_MELODY_LARGE);
    private Path textEncoder;
    private DeviceSelector device = DeviceSelector.fromEnvironment();
    private ComputeType computeType = ComputeType.FLOAT32;
    private Path cacheDir;
    private Boolean offline;
    private ProgressListener progress = ProgressListener.none();
    private final Map<String, Path> localRepos = new LinkedHashMap<>();
    private ModelSource mbdModel;
    private boolean stemSeparation = true;
    private Path demucsCheckpoint;

    MusicGeneratorBuilder() {}

    /** Where the model comes from (the default is the version {@code stereo-melody-large}, as on Replicate). */
    public MusicGeneratorBuilder model(ModelSource source) {
        this.model = Objects.requireNonNull(source, "model");
        return this;
    }
    /** One of the released versions. */
    public MusicGeneratorBuilder model(ModelVersion version) {
        return model(ModelSource.of(version));
    }
    /** A version name ("small"), a Hub repo id ("facebook/musicgen-small") or a local path: {@link ModelSource#parse}. */
    public MusicGeneratorBuilder model(String nameRepoOrPath) {
        return model(ModelSource.parse(Objects.requireNonNull(nameRepoOrPath, "model")));
    }
    /** A local model directory (audiocraft or HF transformers layout): {@link ModelSource#directory}. */
    public MusicGeneratorBuilder model(Path dir) {
        return model(ModelSource.directory(dir));
    }
    /** A local T5 directory (config.json, tokenizer.json, model.safetensors) instead of the one xp.cfg names. */
    public MusicGeneratorBuilder textEncoder(Path dir) {
        this.textEncoder = dir;
        return this;
    }

    public MusicGeneratorBuilder device(DeviceSelector selector) {
        this.device = Objects.requireNonNull(selector, "device");
        return this;
    }
    /**
     * The LM's precision (default {@link ComputeType#FLOAT32}). {@link ComputeType#INT8_WEIGHTS} needs the JVM started
     * with {@code --add-modules jdk.incubator.vector}; without it {@link #build()} throws an
     * {@link IllegalStateException} naming the flag.
     */
    /**
     * The LM's precision (default {@link ComputeType#FLOAT32}). {@link ComputeType#INT8_WEIGHTS} needs the JVM started
     * with {@code --add-modules jdk.incubator.vector}; without it {@link #build()} throws an
     * {@link IllegalStateException} naming the flag.
     */
    public MusicGeneratorBuilder computeType(ComputeType type) {
        this.computeType = Objects.requireNonNull(type, "computeType");
        return this;
    }
    /** The Hugging Face hub cache directory (default: {@code HF_HUB_CACHE}, {@code $HF_HOME/hub}, ~/.cache/...). */
    public MusicGeneratorBuilder cacheDir(Path dir) {
        this.cacheDir = dir;
        return this;
    }
    /**
     * True: never touch the network (the Hub, the HTDemucs checkpoint, input audio URLs). False or unset: the
     * environment decides; {@code HF_HUB_OFFLINE=1} still means offline (offline from any source wins).
     */
    public MusicGeneratorBuilder offline(boolean offline) {
        this.offline = offline;
        return this;
    }

    public MusicGeneratorBuilder progressListener(ProgressListener listener) {
        this.progress = listener == null ? ProgressListener.none() : listener;
        return this;
    }
    /** Serves a repo id (e.g. the T5 or EnCodec a checkpoint names) from a local directory. */
    public MusicGeneratorBuilder localRepo(String repoId, Path dir) {
        localRepos.put(Objects.requireNonNull(repoId, "repoId"), Objects.requireNonNull(dir, "dir"));
        return this;
    }
    /**
     * Whether melody inputs are first separated with HTDemucs, keeping the vocals and "other" stems, as audiocraft
     * (and Replicate) do. Default true; false takes the chroma of the whole mix (HF transformers' behaviour). The
     * htdemucs checkpoint (80 MB) is downloaded on the first melody, see {@link #demucsCheckpoint(Path)}.
     */
    public MusicGeneratorBuilder stemSeparation(boolean enabled) {
        this.stemSeparation = enabled;
        return this;
    }
    /** A local {@code 955717e8-8726e21a.th} instead of downloading it (its sha256 prefix is verified). */
    public MusicGeneratorBuilder demucsCheckpoint(Path file) {
        this.demucsCheckpoint = file;
        return this;
    }
    /**
     * Where MultiBand Diffusion comes from: a directory with {@code mbd_musicgen_32khz.th} or a repo id; null (the
     * default) is {@code facebook/multiband-diffusion}.
     */
    public MusicGeneratorBuilder multiBandDiffusionModel(ModelSource source) {
        if (source instanceof ModelSource.Version) {
            throw new IllegalArgumentException("multiBandDiffusionModel must be a directory or a repo id, but is "
                    + "the MusicGen version " + source.name());
        }
        this.mbdModel = source;
        return this;
    }

    public MusicGeneratorBuilder multiBandDiffusionModel(Path dir) {
        return multiBandDiffusionModel(dir == null ? null : ModelSource.directory(dir));
    }

    public MusicGeneratorBuilder multiBandDiffusionModel(String repoId) {
        return multiBandDiffusionModel(repoId == null ? null : ModelSource.repo(repoId));
    }

    /**
     * Validates, resolves (downloads) and loads the weights, on the new generator's engine thread (the thread that will
     * run all its generations). Interrupting the calling thread stops a download; the call then throws.
     */
    public MusicGenerator build() {
        dev.musicgen.internal.lm.LMModel.requireSupported(computeType); // before any download: INT8 needs a JVM flag
        ModelLoader loader = new ModelLoader(new HubChoices(cacheDir, offline, localRepos));
        ModelLoader.Options options =
                new ModelLoader.Options(textEncoder, device, computeType, stemSeparation, demucsCheckpoint, progress);
        EngineThread engine = new EngineThread(); // loads here and runs every generation: see its javadoc
        try {
            return engine.call(
                    () -> {
                        LoadedModel loaded = loader.load(model, options);
                        return new MusicGenerator(
                                engine, loaded, new GenerationPipeline(loaded, loader, mbdModel, progress));
                    },
                    engine::interrupt); // an interrupted build() stops its download
        } catch (RuntimeException | Error e) {
            engine.shutdown();
            throw e;
        }
    }
}
