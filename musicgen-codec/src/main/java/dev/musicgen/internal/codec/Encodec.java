package dev.musicgen.internal.codec;

import ai.djl.Device;
import dev.musicgen.CheckpointException;
import dev.musicgen.internal.config.JsonConfig;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.KeyMapping;
import dev.musicgen.internal.weights.TorchCheckpoint;
import dev.musicgen.internal.weights.WeightFiles;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.spi.CodecSpec;
import dev.musicgen.spi.RepoResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads EnCodec from any of the layouts MusicGen checkpoints ship, as audiocraft's {@code load_compression_model}
 * does:
 * <ul>
 *   <li>audiocraft {@code compression_state_dict.bin} with {@code best_state} + {@code xp.cfg} (musicgen-small,
 *       medium, large, melody);
 *   <li>a pointer {@code compression_state_dict.bin} ({@code {'pretrained': 'facebook/encodec_32khz'}}, in every
 *       stereo and melody-large repo), resolved through a {@link RepoResolver} to an HF EnCodec directory;
 *   <li>an HF {@code EncodecModel} directory ({@code config.json} + {@code model.safetensors});
 *   <li>an HF MusicGen directory, whose weights hold the codec under {@code audio_encoder.} and whose
 *       {@code config.json} nests its config under {@code audio_encoder}.
 * </ul>
 * Both weight layouts map onto the same classes through one {@link KeyMapping} each; our names are HF's.
 */
public final class Encodec {
    private static final Logger LOG = LoggerFactory.getLogger(Encodec.class);

    /** The audiocraft layout ({@code EncodecModel.state_dict()}) onto our names (transformers' MAPPING_24K). */
    static final KeyMapping AUDIOCRAFT = KeyMapping.builder()
            .rename("^(encoder|decoder)\\.model\\.", "$1.layers.")
            .rename("\\.conv\\.conv\\.", ".conv.") // conv, residual block convs and shortcut
            .rename("\\.convtr\\.convtr\\.", ".conv.")
            .rename("^quantizer\\.vq\\.layers\\.(\\d+)\\._codebook\\.", "quantizer.layers.$1.codebook.")
            .build();

    /**
     * The HF layout onto our names: identity, except that files saved by transformers with torch's parametrized
     * weight norm name {@code weight_g}/{@code weight_v} {@code parametrizations.weight.original0/1}.
     */
    static final KeyMapping HF = KeyMapping.builder()
            .rename("\\.parametrizations\\.weight\\.original0$", ".weight_g")
            .rename("\\.parametrizations\\.weight\\.original1$", ".weight_v")
            .build();

    static final String COMPRESSION_FILE = "compression_state_dict.bin";
    static final String LM_FILE = "state_dict.bin";
    private static final Pattern CODEBOOK = Pattern.compile("^quantizer\\.layers\\.(\\d+)\\.codebook\\.embed$");

    private Encodec() {}

    /** Loads the codec {@code spec} describes, wrapped for interleaved stereo when the spec says so. */
    public static CompressionModel load(CodecSpec spec) {
        EncodecModel mono = loadMono(spec.path(), spec.device(), spec.resolver());
        return spec.stereoInterleaved() ? wrapStereo(mono) : mono;
    }

    /**
     * Loads the codec of a model directory or checkpoint file on the CPU, without resolving pointer files; stereo
     * interleaving is detected with {@link #isStereoInterleaved}.
     */
    public static CompressionModel load(Path path) {
        return load(path, Device.cpu(), RepoResolver.none());
    }

    /** As {@link #load(Path)}, on {@code device}, resolving pointer files with {@code resolver}. */
    public static CompressionModel load(Path path, Device device, RepoResolver resolver) {
        boolean stereo = Files.isDirectory(path) && isStereoInterleaved(path);
        return load(new CodecSpec(path, device, resolver, stereo));
    }

    private static CompressionModel wrapStereo(EncodecModel mono) {
        try {
            return new InterleaveStereoCompressionModel(mono);
        } catch (RuntimeException e) {
            mono.close();
            throw e;
        }
    }

    /**
     * Whether the LM of a model directory uses audiocraft's interleaved stereo codebooks: {@code xp.cfg}
     * {@code interleave_stereo_codebooks.use} of its {@code state_dict.bin}, or {@code decoder.audio_channels == 2}
     * in an HF MusicGen {@code config.json}. False when neither is there.
     */
    public static boolean isStereoInterleaved(Path modelDir) {
        Path lm = modelDir.resolve(LM_FILE);
        if (Files.isRegularFile(lm)) {
            try (TorchCheckpoint ck = TorchCheckpoint.open(lm)) {
                Object cfg = ck.rootMap().get("xp.cfg");
                return cfg != null && xpConfig(cfg, lm).getBool("interleave_stereo_codebooks.use", false);
            }
        }
        Path json = modelDir.resolve("config.json");
        if (Files.isRegularFile(json)) {
            JsonConfig decoder = JsonConfig.read(json).child("decoder");
            if (decoder != null) {
                return decoder.getInt("audio_channels", 1) == 2;
            }
        }
        return false;
    }

    /**
     * Loads the mono codec from a directory ({@code compression_state_dict.bin}, or an HF {@code config.json} of
     * EnCodec or MusicGen), a {@code compression_state_dict.bin} (full or pointer), a {@code config.json}, or a
     * {@code .safetensors} / {@code .safetensors.index.json} weights file next to its {@code config.json}.
     */
    public static EncodecModel loadMono(Path path, Device device, RepoResolver resolver) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(COMPRESSION_FILE))) {
                return fromTorchCheckpoint(path.resolve(COMPRESSION_FILE), device, resolver);
            }
            if (Files.isRegularFile(path.resolve("config.json"))) {
                return fromHfDirectory(path, null, device);
            }
            throw new IllegalArgumentException("codec path " + path + " is a directory with neither " + COMPRESSION_FILE
                    + " (audiocraft) nor config.json (Hugging Face)");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("codec path " + path + " does not exist");
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json")) {
            return fromHfDirectory(path.toAbsolutePath().getParent(), path, device);
        }
        if (name.equals("config.json")) {
            return fromHfDirectory(path.toAbsolutePath().getParent(), null, device);
        }
        return fromTorchCheckpoint(path, device, resolver);
    }

    private static EncodecModel fromTorchCheckpoint(Path file, Device device, RepoResolver resolver) {
        String pointer;
        try (TorchCheckpoint ck = TorchCheckpoint.open(file)) {
            Map<String, Object> root = ck.rootMap();
            Object pretrained = root.get("pretrained");
            if (pretrained == null) {
                if (!root.containsKey("best_state") || !root.containsKey("xp.cfg")) {
                    throw new CheckpointException("checkpoint " + file + " is neither an audiocraft compression model"
                            + " (best_state + xp.cfg) nor a pointer ({'pretrained': <repo>}); it has " + root.keySet());
                }
                XpConfig xp = xpConfig(root.get("xp.cfg"), file);
                WeightStore store = WeightStore.of(file.toString(), ck.tensors("best_state"), AUDIOCRAFT);
                EncodecConfig cfg = EncodecConfig.fromXpConfig(xp, countCodebooks(store));
                EncodecModel m = EncodecModel.fromWeights(cfg, store, device);
                LOG.info(
                        "loaded EnCodec (audiocraft layout, pad_mode {}) from {}: {}",
                        cfg.encoder().padMode(),
                        file,
                        m);
                return m;
            }
            pointer = String.valueOf(pretrained);
        }
        Path dir = resolver.resolve(pointer, "config.json", "model.safetensors");
        LOG.debug("{} points to '{}', resolved to {}", file, pointer, dir);
        if (Files.isRegularFile(dir.resolve(COMPRESSION_FILE)) && !Files.isRegularFile(dir.resolve("config.json"))) {
            throw new CheckpointException("pointer " + file + " names '" + pointer + "', which resolved to " + dir
                    + ": a directory without config.json (pointers must name a Hugging Face EnCodec repo)");
        }
        return fromHfDirectory(dir, null, device);
    }

    private static EncodecModel fromHfDirectory(Path dir, Path weightsFile, Device device) {
        Path json = dir.resolve("config.json");
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException("Hugging Face codec directory " + dir + " has no config.json");
        }
        JsonConfig root = JsonConfig.read(json);
        JsonConfig c;
        String prefix;
        if ("encodec".equals(root.getString("model_type", null))) {
            c = root;
            prefix = "";
        } else if (root.child("audio_encoder") != null) {
            c = root.child("audio_encoder");
            prefix = "audio_encoder.";
            if (!"encodec".equals(c.getString("model_type", null))) {
                throw new IllegalArgumentException(json + ": audio_encoder.model_type must be 'encodec', but is: "
                        + c.getString("model_type", null));
            }
        } else {
            throw new IllegalArgumentException(json + " is neither an EnCodec config (model_type 'encodec') nor a"
                    + " MusicGen config with an 'audio_encoder' object; model_type is: "
                    + root.getString("model_type", null));
        }
        Path file = weightsFile != null ? weightsFile : WeightFiles.find(dir);
        if (file == null) {
            throw new IllegalArgumentException("Hugging Face codec directory " + dir + " has no weights: expected"
                    + " model.safetensors, model.safetensors.index.json or pytorch_model.bin");
        }
        List<AutoCloseable> toClose = new ArrayList<>();
        try {
            WeightStore store = WeightStore.of(file.toString(), WeightFiles.open(file, toClose), HF)
                    .view(prefix);
            int nQ = countCodebooks(store);
            EncodecConfig cfg = EncodecConfig.fromHfJson(c, nQ);
            checkBandwidths(c, cfg, file);
            EncodecModel m = EncodecModel.fromWeights(cfg, store, device);
            LOG.info(
                    "loaded EnCodec (Hugging Face layout{}, pad_mode {}) from {}: {}",
                    prefix.isEmpty() ? "" : ", under " + prefix,
                    cfg.encoder().padMode(),
                    file,
                    m);
            return m;
        } finally {
            WeightFiles.closeAll(toClose);
        }
    }

    /**
     * The number of codebooks, counted from the {@code quantizer.layers.N.codebook.embed} keys (0..N-1, no gaps),
     * rather than trusted from {@code target_bandwidths}.
     */
    static int countCodebooks(WeightStore store) {
        Set<Integer> found = new TreeSet<>();
        for (String k : store.keys()) {
            Matcher m = CODEBOOK.matcher(k);
            if (m.matches()) {
                found.add(Integer.parseInt(m.group(1)));
            }
        }
        if (found.isEmpty()) {
            throw new CheckpointException("checkpoint " + store.source() + " has no quantizer codebooks ('"
                    + store.prefix() + "quantizer.layers.N.codebook.embed' in our names, 'quantizer.vq.layers.N."
                    + "_codebook.embed' in audiocraft's)");
        }
        int n = found.size();
        if (!found.equals(
                new TreeSet<>(java.util.stream.IntStream.range(0, n).boxed().toList()))) {
            throw new CheckpointException("checkpoint " + store.source() + " has quantizer codebooks " + found
                    + "; expected 0.." + (n - 1) + " without gaps");
        }
        return n;
    }

    /**
     * audiocraft's {@code HFEncodecCompressionModel} uses {@code max(bw * 1000 / (frame_rate * log2(card)))} codebooks
     * over {@code target_bandwidths}; we use the stored count and say so when the two disagree.
     */
    private static void checkBandwidths(JsonConfig c, EncodecConfig cfg, Path file) {
        List<Double> bandwidths = c.getDoubleList("target_bandwidths", List.of());
        if (bandwidths.isEmpty()) {
            return;
        }
        double maxBw = 0;
        for (double bw : bandwidths) {
            maxBw = Math.max(maxBw, bw);
        }
        double n = maxBw * 1000 / (cfg.frameRate() * (Math.log(cfg.rvq().bins()) / Math.log(2)));
        if (Math.abs(n - Math.rint(n)) > 1e-3 || (int) Math.rint(n) != cfg.rvq().nQ()) {
            LOG.warn(
                    "{}: target_bandwidths {} imply {} codebooks but the weights hold {}; using {}",
                    file,
                    bandwidths,
                    n,
                    cfg.rvq().nQ(),
                    cfg.rvq().nQ());
        }
    }

    private static XpConfig xpConfig(Object cfg, Path file) {
        XpConfig xp = XpConfig.fromStored(cfg);
        if (xp != null) {
            return xp;
        }
        throw new CheckpointException("checkpoint " + file + ": xp.cfg is neither YAML text nor a mapping but "
                + (cfg == null ? "null" : cfg.getClass().getSimpleName()));
    }
}
