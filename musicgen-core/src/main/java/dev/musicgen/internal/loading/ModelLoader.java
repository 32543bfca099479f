package dev.musicgen.internal.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.musicgen.ComputeType;
import dev.musicgen.ModelSource;
import dev.musicgen.MusicGenException;
import dev.musicgen.ProgressListener;
import dev.musicgen.device.DeviceSelector;
import dev.musicgen.internal.Providers;
import dev.musicgen.internal.conditioners.ConditionProvider;
import dev.musicgen.internal.conditioners.StemSeparator;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link ModelSource} into files and the files into a loaded model: the one place that knows where models
 * come from (a version or repo id through the Hub and its cache, a local directory as it is), which layouts they have
 * and which providers load their parts. Used by {@code MusicGeneratorBuilder.build()} and by the command line.
 */
public final class ModelLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    private final HubClient hub;
    private final RepoResolver resolver;

    public ModelLoader(HubChoices settings) {
        this.hub = Objects.requireNonNull(settings, "settings").client();
        this.resolver = hub.asRepoResolver();
    }

    /** The network layer this loader downloads through; input audio URLs and HTDemucs use it too. */
    public HubClient hub() {
        return hub;
    }

    /**
     * What {@link #load} needs besides the source.
     *
     * @param textEncoder a local T5 directory instead of the one the checkpoint names, or null
     * @param device chooses the device
     * @param computeType how the LM's weights are held
     * @param stemSeparation whether melodies are separated with HTDemucs first (audiocraft's behaviour)
     * @param demucsCheckpoint a local HTDemucs checkpoint instead of the download, or null
     * @param progress told about downloads ({@code LOADING})
     */
    public record Options(
            Path textEncoder,
            DeviceSelector device,
            ComputeType computeType,
            boolean stemSeparation,
            Path demucsCheckpoint,
            ProgressListener progress) {
        public Options {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(computeType, "computeType");
            Objects.requireNonNull(progress, "progress");
        }
    }

    /** Resolves the repo ids checkpoints name (T5, a pointer's EnCodec) through the same Hub settings. */
    public RepoResolver resolver() {
        return resolver;
    }

    /** The model's LM and codec files, downloading a version's or repo's into the Hub cache when needed. */
    public ModelFiles resolve(ModelSource source, ProgressListener progress) {
        if (source instanceof ModelSource.Directory d) {
            return ModelFiles.of(d.path());
        }
        progress.onProgress(ProgressListener.Phase.LOADING, 0, -1);
        List<Path> files = download(source);
        return new ModelFiles(source.name(), files.get(0), files.get(1));
    }

    /**
     * The model as one local path, whatever it holds (e.g. only an EnCodec): a directory as given, else the snapshot
     * directory the version's or repo's audiocraft checkpoints were downloaded to. For the codec commands.
     */
    public Path localPath(ModelSource source) {
        if (source instanceof ModelSource.Directory d) {
            return d.path();
        }
        return download(source).get(0).getParent();
    }

    /**
     * Where MultiBand Diffusion's {@code mbd_musicgen_32khz.th} is: the directory given, else downloaded from the repo
     * ({@value HubRepos#MBD} when {@code source} is null).
     */
    public Path multiBandDiffusion(ModelSource source) {
        if (source instanceof ModelSource.Directory d) {
            return d.path();
        }
        if (source instanceof ModelSource.Version v) {
            throw new IllegalArgumentException("multiBandDiffusionModel must be a directory or a repo id (default "
                    + HubRepos.MBD + "), but is the MusicGen version " + v.name());
        }
        String repo = source == null ? HubRepos.MBD : ((ModelSource.Repo) source).repoId();
        return resolver.resolve(repo, HubRepos.MBD_MUSICGEN_FILE);
    }

    /** Whether a MultiBand Diffusion decoder is on the class path. */
    public static boolean multiBandDiffusionAvailable() {
        return Providers.named(TokenDecoderProvider.class, TokenDecoderProvider::name, "mbd")
                .isPresent();
    }

    /** Loads MultiBand Diffusion for {@code codec}'s tokens; {@code progress} hears {@code LOADING} once it is found. */
    public TokenDecoder loadMultiBandDiffusion(
            ModelSource source, AudioCodec codec, Device device, ProgressListener progress) {
        TokenDecoderProvider provider = Providers.named(TokenDecoderProvider.class, TokenDecoderProvider::name, "mbd")
                .orElseThrow(() -> new MusicGenException(
                        "multiBandDiffusion needs the musicgen-diffusion module on " + "the classpath"));
        Path dir = multiBandDiffusion(source);
        progress.onProgress(ProgressListener.Phase.LOADING, 0, -1);
        return provider.load(dir, codec, device, resolver);
    }

    /** Resolves and loads a model: LM, conditioning and codec, on the device {@code options} selects. */
    public LoadedModel load(ModelSource source, Options options) {
        ModelFiles files = resolve(Objects.requireNonNull(source, "model"), options.progress());
        Device dev = options.device().select();
        RepoResolver t5Resolver = options.textEncoder() == null ? resolver : (id, names) -> options.textEncoder();
        NDManager root = NDManager.newBaseManager(dev, F.ENGINE);
        LMModel lm = null;
        ConditionProvider cp = null;
        AudioCodec codec = null;
        LazyStemSeparator stems = null;
        try (LMCheckpoint ck = LMCheckpoint.open(files.lm())) {
            lm = LMModel.load(ck.config(), ck.store(), root, options.computeType());
            if (ck.layout() == LMCheckpoint.Layout.AUDIOCRAFT) {
                stems = options.stemSeparation() ? new LazyStemSeparator(options.demucsCheckpoint(), dev, hub) : null;
                cp = ConditionProvider.fromXpConfig(
                        ck.xpConfig(), ck.store(), t5Resolver, stems != null ? stems : StemSeparator.identity(), root);
                ck.store().checkAllUsed();
            } else {
                cp = ConditionProvider.fromHfConfig(files.lm(), ck.store(), root);
            }
            codec = loadCodec(
                    new CodecSpec(files.codec(), dev, resolver, ck.config().channels() == 2));
            LOG.info(
                    "loaded {} on {} ({} Hz, {} channel(s), melody: {})",
                    files.name(),
                    dev,
                    codec.sampleRate(),
                    codec.channels(),
                    cp.supportsMelody());
            return new LoadedModel(files.name(), dev, root, lm, cp, codec, stems);
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

    private List<Path> download(ModelSource source) {
        String repo =
                source instanceof ModelSource.Version v ? v.version().repoId() : ((ModelSource.Repo) source).repoId();
        return hub.downloadModel(repo, HubRepos.AUDIOCRAFT_FILES);
    }

    private static AudioCodec loadCodec(CodecSpec spec) {
        return Providers.named(AudioCodecProvider.class, AudioCodecProvider::name, "encodec")
                .orElseThrow(() -> new MusicGenException(
                        "no EnCodec implementation found: add the musicgen-codec " + "module to the classpath"))
                .load(spec);
    }
}
