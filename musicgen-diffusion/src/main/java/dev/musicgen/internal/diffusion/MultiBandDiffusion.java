package dev.musicgen.internal.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.codec.Encodec;
import dev.musicgen.internal.codec.EncodecModel;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TorchCheckpoint;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.RepoResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of audiocraft {@code MultiBandDiffusion} (models/multibanddiffusion.py @ 896ec7c) as MusicGen uses it
 * ({@code get_mbd_musicgen()} then {@code tokens_to_wav(codes)}): EnCodec codes are turned into the codec's RVQ
 * latent, each of the 4 band diffusion processes samples its band from Gaussian noise conditioned on that latent
 * (20 steps), the bands are summed and the result EQ-matched over 32 mel bands to the EnCodec decode of the same
 * codes. Stereo (beyond upstream): interleaved codebooks (L0, R0, L1, R1, ...) are decoded as a batch of left and
 * right mono items and interleaved back into channels.
 *
 * <p>Plain Java arrays in and out; the instance owns its weights' native memory until {@link #close()}. Decodes only
 * read the weights, so several threads may decode at once; {@link #close()} must not race with a decode. A decode on
 * an interrupted thread stops at the next diffusion step with a {@link java.util.concurrent.CancellationException}.
 */
public final class MultiBandDiffusion implements AutoCloseable {
    /** The checkpoint file name in {@code facebook/multiband-diffusion}. */
    public static final String CHECKPOINT = "mbd_musicgen_32khz.th";
    /** Where {@code get_mbd_musicgen()} takes its codec from. */
    public static final String CODEC_REPO = "facebook/musicgen-small";

    static final String CODEC_FILE = "compression_state_dict.bin";
    /** Bands of the final EQ match ({@code tokens_to_wav(n_bands=32)}). */
    static final int EQ_BANDS = 32;

    static final float EQ_STRICTNESS = 1f;

    private static final Logger LOG = LoggerFactory.getLogger(MultiBandDiffusion.class);

    private final NDManager manager;
    private final String source;
    private final int sampleRate;
    private final List<DiffusionProcess> processes;
    private final LatentCodec codec;
    private final SplitBands eqSplit;
    private volatile boolean closed;

    private MultiBandDiffusion(
            NDManager manager,
            String source,
            int sampleRate,
            List<DiffusionProcess> processes,
            LatentCodec codec,
            SplitBands eqSplit) {
        this.manager = manager;
        this.source = source;
        this.sampleRate = sampleRate;
        this.processes = Collections.unmodifiableList(processes);
        this.codec = codec;
        this.eqSplit = eqSplit;
    }

    /**
     * Loads MultiBand Diffusion as {@code get_mbd_musicgen()} does: the diffusion checkpoint and the codec whose latents
     * condition it, musicgen-small's EnCodec. The codec is the {@code compression_state_dict.bin} next to the checkpoint
     * when there is one, else {@value #CODEC_REPO}'s, found through {@code resolver} (its pointer to
     * {@code facebook/encodec_32khz} is resolved the same way).
     *
     * @param checkpoint {@code mbd_musicgen_32khz.th}, or a directory holding it
     */
    public static MultiBandDiffusion load(Path checkpoint, Device device, RepoResolver resolver) {
        Path file = resolveCheckpoint(checkpoint);
        Path codec = file.toAbsolutePath().resolveSibling(CODEC_FILE);
        if (!Files.isRegularFile(codec)) {
            Path dir = resolver.resolve(CODEC_REPO, CODEC_FILE);
            codec = dir.resolve(CODEC_FILE);
        }
        return load(file, codec, device, resolver);
    }

    /**
     * Loads the diffusion checkpoint with an explicit codec: a {@code compression_state_dict.bin} (full or pointer) or
     * any EnCodec the codec module reads (an HF EnCodec or MusicGen directory).
     */
    public static MultiBandDiffusion load(Path checkpoint, Path codec, Device device, RepoResolver resolver) {
        Path file = resolveCheckpoint(checkpoint);
        EncodecModel model = Encodec.loadMono(codec, device, resolver);
        EncodecLatentCodec latent;
        try {
            latent = new EncodecLatentCodec(model, codec.toString());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return load(file, latent, device);
    }

    /**
     * Loads the diffusion checkpoint with the codec whose latents condition it (owned and closed by the result).
     *
     * @param checkpoint {@code mbd_musicgen_32khz.th}, or a directory holding it
     */
    static MultiBandDiffusion load(Path checkpoint, LatentCodec codec, Device device) {
        Path file = resolveCheckpoint(checkpoint);
        NDManager manager = NDManager.newBaseManager(device, F.ENGINE);
        List<DiffusionProcess> processes = new ArrayList<>();
        try (TorchCheckpoint ck = TorchCheckpoint.open(file)) {
            long t0 = System.nanoTime();
            MbdCheckpoint mbd = MbdCheckpoint.read(ck);
            if (codec != null && codec.sampleRate() != mbd.sampleRate()) {
                throw new IllegalArgumentException("MBD checkpoint " + file + " is for " + mbd.sampleRate()
                        + " Hz audio but its codec " + codec.name() + " runs at " + codec.sampleRate() + " Hz");
            }
            for (MbdCheckpoint.Band band : mbd.bands()) {
                processes.add(new DiffusionProcess(manager, band, mbd.sampleRate(), file.toString()));
            }
            SplitBands eq = SplitBands.create(manager, mbd.sampleRate(), EQ_BANDS);
            LOG.info(
                    "loaded MultiBand Diffusion from {} ({} bands, {} Hz) on {} in {} ms",
                    file,
                    processes.size(),
                    mbd.sampleRate(),
                    device,
                    (System.nanoTime() - t0) / 1_000_000);
            return new MultiBandDiffusion(manager, file.toString(), mbd.sampleRate(), processes, codec, eq);
        } catch (RuntimeException e) {
            processes.forEach(DiffusionProcess::close);
            manager.close();
            if (codec != null) {
                codec.close();
            }
            throw e;
        }
    }

    /** From parts (benchmarks): the result owns the manager, processes and codec. */
    static MultiBandDiffusion of(
            NDManager manager, int sampleRate, List<DiffusionProcess> processes, LatentCodec codec) {
        return new MultiBandDiffusion(
                manager,
                "memory",
                sampleRate,
                new ArrayList<>(processes),
                codec,
                SplitBands.create(manager, sampleRate, EQ_BANDS));
    }

    static Path resolveCheckpoint(Path checkpoint) {
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve(CHECKPOINT) : checkpoint;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no MultiBand Diffusion checkpoint at " + file + " (expected "
                    + CHECKPOINT + ", as in facebook/multiband-diffusion)");
        }
        return file;
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Diffusion bands (4 for the released model). */
    public int numBands() {
        return processes.size();
    }

    /** Codebooks per mono stream that {@link #decode} accepts (stereo: twice as many, interleaved). */
    public int numCodebooks() {
        return codec().numCodebooks();
    }

    public int cardinality() {
        return codec().cardinality();
    }

    /**
     * Refuses a model whose codec does not produce the codes this diffusion was trained on: sample rate, codebooks per
     * channel and codebook size must all match the diffusion's own codec.
     */
    public void checkCompatible(AudioCodec modelCodec) {
        LatentCodec own = codec();
        int perChannel = modelCodec.channels() > 0 ? modelCodec.numCodebooks() / modelCodec.channels() : -1;
        if (modelCodec.sampleRate() != own.sampleRate()
                || perChannel != own.numCodebooks()
                || modelCodec.cardinality() != own.cardinality()) {
            throw new IllegalArgumentException("MultiBand Diffusion (" + source + ") decodes the codes of "
                    + own.name() + " (" + own.sampleRate() + " Hz, " + own.numCodebooks() + " codebooks of "
                    + own.cardinality() + " per channel), but the model's codec has " + modelCodec.sampleRate()
                    + " Hz, " + perChannel + " codebooks of " + modelCodec.cardinality()
                    + " per channel; MBD only works with models whose codec matches");
        }
    }

    /**
     * {@code tokens_to_wav(codes)}: decodes codes with diffusion.
     *
     * @param codes {@code [batch][codebook][frame]}: {@link #numCodebooks()} codebooks for mono, twice that for
     *     audiocraft's interleaved stereo (L0, R0, L1, R1, ...); values in {@code [0, cardinality)}
     * @param noise the Gaussian noise, drawn in upstream's order; for a batch of B (mono) or B stereo items each draw
     *     has shape [B or 2B, 1, frames * hop] (stereo items in order left, right of item 0, then of item 1, ...)
     * @return audio {@code [batch][channel][frames * hop]} at {@link #sampleRate()}
     */
    public float[][][] decode(long[][][] codes, NoiseSource noise) {
        return decode(codes, noise, (Trace) null);
    }

    /** As {@link #decode(long[][][], NoiseSource)}, telling {@code progress} each diffusion step (DECODING). */
    public float[][][] decode(long[][][] codes, NoiseSource noise, dev.musicgen.ProgressListener progress) {
        if (progress == null) {
            return decode(codes, noise, (Trace) null);
        }
        int steps = NoiseSchedule.defaultStepList(
                                processes.get(0).schedule().params().numSteps())
                        .size()
                - 1;
        long total = (long) steps * processes.size();
        progress.onProgress(dev.musicgen.ProgressListener.Phase.DECODING, 0, total);
        return decode(codes, noise, new Trace() {
            @Override
            public NoiseSchedule.Trace band(int index) {
                long before = (long) index * steps;
                return new NoiseSchedule.Trace() {
                    @Override
                    public void estimate(int idx, NDArray estimate) {
                        progress.onProgress(dev.musicgen.ProgressListener.Phase.DECODING, before + idx + 1, total);
                    }
                };
            }
        });
    }

    float[][][] decode(long[][][] codes, NoiseSource noise, Trace trace) {
        checkOpen();
        if (noise == null) {
            throw new IllegalArgumentException("noise is required (e.g. NoiseSource.gaussian(seed))");
        }
        LatentCodec c = codec();
        int channels = checkCodes(codes, c);
        int batch = codes.length;
        int frames = codes[0][0].length;
        int k = c.numCodebooks();
        // mono items: [batch * channels][k][frames], stereo split L (even codebooks) / R (odd)
        long[] flat = new long[batch * channels * k * frames];
        int pos = 0;
        for (long[][] item : codes) {
            for (int ch = 0; ch < channels; ch++) {
                for (int q = 0; q < k; q++) {
                    System.arraycopy(item[q * channels + ch], 0, flat, pos, frames);
                    pos += frames;
                }
            }
        }
        float[] out;
        long len;
        try (NDManager call = manager.newSubManager()) {
            NDArray codesNd = call.create(flat, new Shape((long) batch * channels, k, frames)); // [N, K, T]
            NDArray wav = tokensToWav(codesNd, noise, trace); // [N, 1, L]
            len = wav.getShape().get(2);
            out = wav.toFloatArray();
        }
        float[][][] audio = new float[batch][channels][(int) len];
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < channels; ch++) {
                System.arraycopy(out, (int) ((b * channels + ch) * len), audio[b][ch], 0, (int) len);
            }
        }
        return audio;
    }

    /** Validates shape and values; returns the number of audio channels (1, or 2 for interleaved stereo). */
    private static int checkCodes(long[][][] codes, LatentCodec c) {
        if (codes == null || codes.length == 0) {
            throw new IllegalArgumentException("codes must hold at least one item, [batch][codebook][frame]");
        }
        int k = codes[0].length;
        int channels;
        if (k == c.numCodebooks()) {
            channels = 1;
        } else if (k == 2 * c.numCodebooks()) {
            channels = 2;
        } else {
            throw new IllegalArgumentException("codes have " + k + " codebooks, but MultiBand Diffusion's codec "
                    + c.name() + " has " + c.numCodebooks() + " (mono) or " + 2 * c.numCodebooks()
                    + " (interleaved stereo)");
        }
        int frames = codes[0].length == 0 ? 0 : codes[0][0].length;
        if (frames == 0) {
            throw new IllegalArgumentException("codes must hold at least one frame");
        }
        for (int b = 0; b < codes.length; b++) {
            if (codes[b].length != k) {
                throw new IllegalArgumentException(
                        "codes item " + b + " has " + codes[b].length + " codebooks, item 0 has " + k);
            }
            for (int q = 0; q < k; q++) {
                if (codes[b][q].length != frames) {
                    throw new IllegalArgumentException("codes item " + b + " codebook " + q + " has "
                            + codes[b][q].length + " frames, expected " + frames);
                }
                for (int t = 0; t < frames; t++) {
                    long v = codes[b][q][t];
                    if (v < 0 || v >= c.cardinality()) {
                        throw new IllegalArgumentException("code " + v + " at item " + b + ", codebook " + q
                                + ", frame " + t + " is outside [0, " + c.cardinality() + ")");
                    }
                }
            }
        }
        return channels;
    }

    /** in: codes [N, K, T] → out: [N, 1, T * hop]. */
    private NDArray tokensToWav(NDArray codes, NoiseSource noise, Trace trace) {
        LatentCodec c = codec();
        NDArray wavEncodec = c.decode(codes); // [N, 1, L]
        NDArray condition = c.decodeLatent(codes); // [N, D, T]
        if (trace != null) {
            trace.condition(condition);
            trace.wavEncodec(wavEncodec);
        }
        NDArray wavDiffusion = generate(condition, wavEncodec.getShape(), noise, trace);
        return reEq(wavDiffusion, wavEncodec, trace);
    }

    /**
     * {@code generate(emb, size)}: the sum of every band's sample, each started from one fresh draw of noise.
     * in: condition [N, D, T] → out: [N, 1, L] with {@code size} = [N, 1, L].
     */
    NDArray generate(NDArray condition, Shape size, NoiseSource noise, Trace trace) {
        List<Integer> stepList = null;
        NDManager m = condition.getManager();
        NDArray out = m.zeros(size);
        for (DiffusionProcess dp : processes) {
            if (stepList == null) {
                stepList = NoiseSchedule.defaultStepList(dp.schedule().params().numSteps());
            }
            long t0 = System.nanoTime();
            NDArray initial = m.create(noise.next(size.getShape()), size);
            NoiseSchedule.Trace bandTrace = trace == null ? null : trace.band(dp.index());
            NDArray band = dp.generate(condition, initial, stepList, noise, bandTrace);
            if (trace != null) {
                trace.bandOut(dp.index(), band);
            }
            NDArray sum = out.add(band);
            out.close();
            band.close();
            initial.close();
            out = sum;
            LOG.debug(
                    "MBD band {} ({}): {} steps in {} ms",
                    dp.index(),
                    dp.processor(),
                    stepList.size() - 1,
                    (System.nanoTime() - t0) / 1_000_000);
        }
        if (trace != null) {
            trace.wavDiffusion(out);
        }
        return out;
    }

    /**
     * {@code re_eq(wav, ref, n_bands=32, strictness=1)}: each of 32 mel bands of {@code wav} scaled by
     * {@code std(ref band) / std(wav band)} (unbiased std over the whole band tensor, all items together), summed.
     * in: wav, ref [N, 1, L] → out: [N, 1, L].
     */
    NDArray reEq(NDArray wav, NDArray ref, Trace trace) {
        float[] gains = new float[EQ_BANDS];
        NDArray result = F.scoped(() -> {
            NDArray bands = eqSplit.forward(wav); // [32, N, 1, L]
            NDArray bandsRef = eqSplit.forward(ref);
            NDArray out = ref.zerosLike();
            for (int i = 0; i < EQ_BANDS; i++) {
                NDArray bw = bands.get(new NDIndex("{}", i));
                NDArray br = bandsRef.get(new NDIndex("{}", i));
                float gain = std(br) / std(bw);
                if (EQ_STRICTNESS != 1f) {
                    gain = (float) Math.pow(gain, EQ_STRICTNESS);
                }
                gains[i] = gain;
                NDArray next = out.add(bw.mul(gain));
                out.close();
                out = next;
                bw.close();
                br.close();
            }
            return out;
        });
        if (trace != null) {
            trace.eqGains(gains);
        }
        return result;
    }

    /** torch.std() over every element, unbiased (N - 1); accumulated in float64, rounded to float32. */
    static float std(NDArray x) {
        try (NDScope scope = new NDScope()) {
            NDArray d = x.toType(DataType.FLOAT64, true);
            long n = d.size();
            double ss = d.sub(d.mean()).square().sum().getDouble();
            return (float) Math.sqrt(ss / (n - 1));
        }
    }

    /** Arrays alive on this instance's managers (weights plus anything a call leaked): tests check it stays flat. */
    long managedArrays() {
        return manager.getManagedArrays().size();
    }

    List<DiffusionProcess> processes() {
        return processes;
    }

    private LatentCodec codec() {
        checkOpen();
        if (codec == null) {
            throw new IllegalStateException("this MultiBandDiffusion was loaded without its codec");
        }
        return codec;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("MultiBandDiffusion " + source + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        processes.forEach(DiffusionProcess::close);
        eqSplit.close();
        if (codec != null) {
            codec.close();
        }
        manager.close();
    }

    /** Observes intermediate tensors of one decode (tests): arrays are only valid during the callback. */
    interface Trace {
        default void condition(NDArray condition) {}

        default void wavEncodec(NDArray wav) {}

        default NoiseSchedule.Trace band(int index) {
            return null;
        }

        default void bandOut(int index, NDArray out) {}

        default void wavDiffusion(NDArray wav) {}

        default void eqGains(float[] gains) {}
    }
}
