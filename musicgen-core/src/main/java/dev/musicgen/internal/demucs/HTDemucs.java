package dev.musicgen.internal.demucs;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of demucs {@code HTDemucs} (Hybrid Transformer Demucs, demucs 4.0.1 {@code demucs/htdemucs.py} @ef66d254),
 * inference only. Two U-Nets run side by side: a frequency branch on the complex-as-channels STFT (nfft 4096, hop
 * nfft/4) and a time branch on the waveform, both normalised by their own mean and (unbiased) std; their bottlenecks
 * meet in the {@link CrossTransformerEncoder}; the frequency output is turned back into audio by the inverse STFT
 * and added to the time output.
 *
 * <p>The model owns one {@link NDManager} holding its float32 weights. {@link #forward} expects exactly
 * {@link HTDemucsConfig#trainingLength()} samples (or fewer, zero-padded as upstream); {@code Apply} chunks longer
 * audio.
 */
final class HTDemucs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HTDemucs.class);

    private final HTDemucsConfig config;
    private final NDManager manager;
    private final HEncLayer[] encoder;
    private final HEncLayer[] tencoder;
    private final HDecLayer[] decoder;
    private final HDecLayer[] tdecoder;
    private final NDArray freqEmb; // [1, C, Fr, 1] = freq_emb_scale * emb_scale * embedding.weight.T
    private final NDArray upW;
    private final NDArray upB;
    private final NDArray downW;
    private final NDArray downB;
    private final NDArray upTW;
    private final NDArray upTB;
    private final NDArray downTW;
    private final NDArray downTB;
    private final CrossTransformerEncoder crosstransformer;
    private final Spec spec;
    private final long parameterCount;
    private volatile boolean closed;

    private HTDemucs(HTDemucsConfig c, NDManager manager, Params p) {
        this.config = c;
        this.manager = manager;
        int depth = c.depth();
        encoder = new HEncLayer[depth];
        tencoder = new HEncLayer[depth];
        decoder = new HDecLayer[depth];
        tdecoder = new HDecLayer[depth];
        int chin = c.audioChannels();
        int chinZ = chin * 2; // cac
        int chout = c.channelsTime() > 0 ? c.channelsTime() : c.channels();
        int choutZ = c.channels();
        int freqs = c.nfft() / 2;
        int embFreqs = 0;
        int embChannels = 0;
        boolean encDconv = (c.dconvMode() & 1) != 0;
        boolean decDconv = (c.dconvMode() & 2) != 0;
        for (int index = 0; index < depth; index++) {
            boolean norm = index >= c.normStarts();
            encoder[index] = new HEncLayer(
                    p.child("encoder").child(index),
                    chinZ,
                    choutZ,
                    c.kernelSize(),
                    c.stride(),
                    c.normGroups(),
                    true,
                    encDconv,
                    norm,
                    c.contextEnc(),
                    c.dconvComp(),
                    c.dconvDepth(),
                    c.rewrite());
            tencoder[index] = new HEncLayer(
                    p.child("tencoder").child(index),
                    chin,
                    chout,
                    c.kernelSize(),
                    c.stride(),
                    c.normGroups(),
                    false,
                    encDconv,
                    norm,
                    c.contextEnc(),
                    c.dconvComp(),
                    c.dconvDepth(),
                    c.rewrite());
            if (index == 0) {
                chin = c.audioChannels() * c.sources().size();
                chinZ = chin * 2;
            }
            // upstream inserts decoders at the front: decoder[0] is the deepest
            int at = depth - 1 - index;
            decoder[at] = new HDecLayer(
                    p.child("decoder").child(at),
                    choutZ,
                    chinZ,
                    index == 0,
                    c.kernelSize(),
                    c.stride(),
                    c.normGroups(),
                    true,
                    decDconv,
                    norm,
                    c.context(),
                    c.dconvComp(),
                    c.dconvDepth(),
                    c.rewrite());
            tdecoder[at] = new HDecLayer(
                    p.child("tdecoder").child(at),
                    chout,
                    chin,
                    index == 0,
                    c.kernelSize(),
                    c.stride(),
                    c.normGroups(),
                    false,
                    decDconv,
                    norm,
                    c.context(),
                    c.dconvComp(),
                    c.dconvDepth(),
                    c.rewrite());
            chin = chout;
            chinZ = choutZ;
            chout = (int) (c.growth() * chout);
            choutZ = (int) (c.growth() * choutZ);
            freqs /= c.stride();
            if (index == 0 && c.freqEmb() != 0) {
                embFreqs = freqs;
                embChannels = chinZ;
            }
        }
        if (embFreqs > 0) {
            // ScaledEmbedding: embedding(frs) * scale; then x + freq_emb_scale * emb (two float32 products, as torch)
            NDArray w = p.child("freq_emb").child("embedding").get("weight", embFreqs, embChannels);
            freqEmb = w.mul((float) c.embScale())
                    .mul((float) c.freqEmb())
                    .transpose(1, 0)
                    .reshape(1, embChannels, embFreqs, 1);
        } else {
            freqEmb = null;
        }
        int deepest = c.deepestChannels();
        if (c.tLayers() > 0 && c.bottomChannels() > 0) {
            int bc = c.bottomChannels();
            upW = p.child("channel_upsampler").get("weight", bc, deepest, 1);
            upB = p.child("channel_upsampler").get("bias", bc);
            downW = p.child("channel_downsampler").get("weight", deepest, bc, 1);
            downB = p.child("channel_downsampler").get("bias", deepest);
            upTW = p.child("channel_upsampler_t").get("weight", bc, deepest, 1);
            upTB = p.child("channel_upsampler_t").get("bias", bc);
            downTW = p.child("channel_downsampler_t").get("weight", deepest, bc, 1);
            downTB = p.child("channel_downsampler_t").get("bias", deepest);
        } else {
            upW = upB = downW = downB = upTW = upTB = downTW = downTB = null;
        }
        crosstransformer = c.tLayers() > 0 ? new CrossTransformerEncoder(p.child("crosstransformer"), c) : null;
        spec = new Spec(c.nfft(), c.hopLength(), manager.hanningWindow(c.nfft()));
        parameterCount = p.count();
    }

    /** Parameters of a randomly initialised model (0 for a loaded one). */
    long randomParameterCount() {
        return parameterCount;
    }

    /** Loads a demucs package ({@code <sig>-<sha8>.th}) onto {@code device}; every state tensor must be used. */
    static HTDemucs load(Path checkpoint, Device device) {
        long t0 = System.nanoTime();
        try (States.Package pkg = States.open(checkpoint)) {
            NDManager m = NDManager.newBaseManager(device, F.ENGINE);
            try {
                WeightStore store = WeightStore.of(checkpoint.toString(), pkg.state);
                HTDemucs model = new HTDemucs(pkg.config, m, Params.of(store, m));
                store.checkAllUsed();
                m.cap();
                LOG.info(
                        "loaded HTDemucs {} ({} sources, segment {} s) from {} in {} ms",
                        pkg.config.sources(),
                        pkg.config.sources().size(),
                        pkg.config.segmentSeconds(),
                        checkpoint.getFileName(),
                        (System.nanoTime() - t0) / 1_000_000);
                return model;
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
    }

    /** A model with seeded random weights at {@code config}'s shapes: for benchmarks only. */
    static HTDemucs random(HTDemucsConfig config, Device device, long seed) {
        NDManager m = NDManager.newBaseManager(device, F.ENGINE);
        try {
            Engine.getEngine(F.ENGINE).setRandomSeed((int) seed);
            HTDemucs model = new HTDemucs(config, m, Params.random(m));
            m.cap();
            return model;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    HTDemucsConfig config() {
        return config;
    }

    NDManager manager() {
        return manager;
    }

    /**
     * {@code HTDemucs.forward(mix)} in eval mode: mix [B, audio_channels, L] with L ≤ training length → sources
     * [B, S, audio_channels, L]. Call inside an {@code NDScope} (or on a manager closed afterwards).
     *
     * @param probes if not null, receives the recorded intermediates ({@code norm.mean}, {@code norm.std},
     *     {@code norm.meant}, {@code norm.stdt}, {@code crosstransformer.{x,xt}_{in,out}}) as flat floats
     */
    NDArray forward(NDArray mix, Map<String, float[]> probes) {
        if (closed) {
            throw new IllegalStateException("HTDemucs is closed");
        }
        Shape ms = mix.getShape();
        long b = ms.get(0);
        int length = (int) ms.get(2);
        int training = config.trainingLength();
        int lengthPrePad = -1;
        if (length > training) {
            throw new IllegalArgumentException(
                    "Given length " + length + " is longer than training length " + training);
        }
        if (length < training) {
            lengthPrePad = length;
            mix = mix.pad(new Shape(0, training - length), 0f);
        }
        int ac = config.audioChannels();
        int s = config.sources().size();

        // frequency branch input: CaC spectrogram [B, 2C, Fq, T]
        NDArray z = spec(mix); // [B, C, Fq, T, 2]
        Shape zs = z.getShape();
        long fq = zs.get(2);
        long t = zs.get(3);
        NDArray x = z.transpose(0, 1, 4, 2, 3).reshape(b, ac * 2L, fq, t);
        NDArray[] ms1 = meanStd(x);
        NDArray mean = ms1[0];
        NDArray std = ms1[1];
        x = x.sub(mean).div(std.add(1e-5f));
        // time branch input
        NDArray xt = mix;
        NDArray[] ms2 = meanStd(xt);
        NDArray meant = ms2[0];
        NDArray stdt = ms2[1];
        xt = xt.sub(meant).div(stdt.add(1e-5f));
        if (probes != null) {
            probes.put("norm.mean", mean.toFloatArray());
            probes.put("norm.std", std.toFloatArray());
            probes.put("norm.meant", meant.toFloatArray());
            probes.put("norm.stdt", stdt.toFloatArray());
        }

        Deque<NDArray> saved = new ArrayDeque<>();
        Deque<NDArray> savedT = new ArrayDeque<>();
        Deque<Long> lengthsT = new ArrayDeque<>();
        for (int idx = 0; idx < encoder.length; idx++) {
            final int i = idx;
            lengthsT.push(xt.getShape().get(2));
            final NDArray inT = xt;
            xt = F.scoped(() -> tencoder[i].forward(inT));
            savedT.push(xt);
            final NDArray in = x;
            x = F.scoped(() -> encoder[i].forward(in));
            if (idx == 0 && freqEmb != null) {
                x = x.add(freqEmb);
            }
            saved.push(x);
        }
        if (crosstransformer != null) {
            Shape xs = x.getShape();
            if (upW != null) {
                x = F.conv1d(x.reshape(b, xs.get(1), xs.get(2) * xs.get(3)), upW, upB, 1, 0, 1, 1)
                        .reshape(b, -1, xs.get(2), xs.get(3));
                xt = F.conv1d(xt, upTW, upTB, 1, 0, 1, 1);
            }
            if (probes != null) {
                probes.put("crosstransformer.x_in", x.toFloatArray());
                probes.put("crosstransformer.xt_in", xt.toFloatArray());
            }
            NDArray[] out = crosstransformer.forward(x, xt);
            x = out[0];
            xt = out[1];
            if (probes != null) {
                probes.put("crosstransformer.x_out", x.toFloatArray());
                probes.put("crosstransformer.xt_out", xt.toFloatArray());
            }
            if (upW != null) {
                Shape cs = x.getShape();
                x = F.conv1d(x.reshape(b, cs.get(1), cs.get(2) * cs.get(3)), downW, downB, 1, 0, 1, 1)
                        .reshape(b, -1, cs.get(2), cs.get(3));
                xt = F.conv1d(xt, downTW, downTB, 1, 0, 1, 1);
            }
        }
        for (int idx = 0; idx < decoder.length; idx++) {
            final int i = idx;
            final NDArray in = x;
            final NDArray skip = saved.pop();
            x = F.scoped(() -> decoder[i].forward(in, skip, 0));
            final NDArray inT = xt;
            final NDArray skipT = savedT.pop();
            final long lengthT = lengthsT.pop();
            xt = F.scoped(() -> tdecoder[i].forward(inT, skipT, lengthT));
        }

        // [B, S*2C, Fq, T] -> de-normalised complex spectrogram of each source, real view [B*S*C, Fq, T, 2]
        NDArray zout = x.reshape(b, s, -1, fq, t)
                .mul(std.expandDims(1))
                .add(mean.expandDims(1))
                .reshape(b, s, ac, 2, fq, t)
                .transpose(0, 1, 2, 4, 5, 3)
                .reshape(b * s * ac, fq, t, 2);
        NDArray xf = ispec(zout, training).reshape(b, s, ac, training);
        NDArray out = xt.reshape(b, s, ac, training)
                .mul(stdt.expandDims(1))
                .add(meant.expandDims(1))
                .add(xf);
        if (lengthPrePad >= 0) {
            out = out.get(new NDIndex("..., 0:{}", lengthPrePad));
        }
        return out;
    }

    /** {@code _spec}: reflect-pad so frames align with the hop, STFT, drop the Nyquist bin and 2 edge frames. */
    private NDArray spec(NDArray mix) {
        Shape s = mix.getShape();
        int hl = config.hopLength();
        int len = (int) s.get(2);
        int le = (len + hl - 1) / hl;
        int pad = hl / 2 * 3;
        NDArray flat = mix.reshape(s.get(0) * s.get(1), len);
        flat = F.reflectPad1d(flat, pad, pad + le * hl - len);
        NDArray z = spec.spectro(flat); // [N, nfft/2+1, le+4, 2]
        z = z.get(new NDIndex(":, 0:{}, 2:{}, :", config.nfft() / 2, 2 + le));
        return z.reshape(s.get(0), s.get(1), config.nfft() / 2, le, 2);
    }

    /** {@code _ispec}: add the Nyquist bin and 2 frames on each side back (zeros), iSTFT, trim to length. */
    private NDArray ispec(NDArray z, int length) {
        int hl = config.hopLength();
        int pad = hl / 2 * 3;
        int le = hl * ((length + hl - 1) / hl) + 2 * pad;
        NDArray zp = z.pad(new Shape(0, 0, 2, 2, 0, 1), 0f);
        NDArray x = spec.ispectro(zp, le);
        return x.get(new NDIndex(":, {}:{}", pad, pad + length));
    }

    /**
     * Mean and unbiased std of each batch item over all its other dims (keepdim), accumulated in float64 like torch's
     * CPU std, returned as float32 [B, 1, ...].
     */
    private static NDArray[] meanStd(NDArray x) {
        Shape s = x.getShape();
        long[] keep = new long[s.dimension()];
        java.util.Arrays.fill(keep, 1);
        keep[0] = s.get(0);
        NDArray xd = x.toType(DataType.FLOAT64, false).reshape(s.get(0), -1);
        long n = xd.getShape().get(1);
        NDArray mean = xd.mean(new int[] {1}, true);
        NDArray var = xd.sub(mean).square().sum(new int[] {1}, true).div((double) (n - 1));
        return new NDArray[] {
            mean.toType(DataType.FLOAT32, false).reshape(new Shape(keep)),
            var.sqrt().toType(DataType.FLOAT32, false).reshape(new Shape(keep))
        };
    }

    List<String> sources() {
        return config.sources();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
