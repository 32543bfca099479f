package dev.musicgen.internal.conditioners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of audiocraft {@code ChromaStemConditioner} with {@code WaveformConditioner.forward} (audiocraft/modules/
 * conditioners.py, v1.2.0) for inference: stems (see {@link StemSeparator}) → {@link ChromaExtractor} → length
 * handling → {@code output_proj} ({@code Linear(n_chroma, dim)} with bias) → {@code embeds * mask}.
 *
 * <p>Length handling follows {@code match_len_on_eval} from the checkpoint's xp.cfg
 * ({@code conditioners.self_wav.chroma_stem.match_len_on_eval}):
 * <ul>
 *   <li>{@code true} ({@code MusicGen.get_pretrained} forces it; HF does the same): chroma cropped to, or tiled
 *       {@code ceil(chroma_len / T)} times and cropped to, {@code chroma_len} frames (frames of
 *       {@code dataset.segment_duration} seconds of silence: 235 for 30 s), mask all ones.</li>
 *   <li>{@code false} (what the released checkpoints store and Replicate runs): all {@code 1 + T/hop} frames kept,
 *       mask {@code length_to_mask(lengths / hop)}: frames of padding and of null (CFG) rows are zeroed.</li>
 * </ul>
 * A batch whose collated length is one sample (only null / absent melodies) skips stem separation, as upstream does.
 *
 * <p>Owns its extractor and projection weights: close it. Internal API.
 */
public final class ChromaStemConditioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChromaStemConditioner.class);

    /** The {@code chroma_stem} options of xp.cfg this port understands. */
    private static final List<String> KNOWN_OPTIONS = List.of(
            "sample_rate",
            "n_chroma",
            "radix2_exp",
            "argmax",
            "match_len_on_eval",
            "eval_wavs",
            "n_eval_wavs",
            "cache_path",
            "nfft",
            "winlen",
            "winhop",
            "norm");

    private final ChromaExtractor chroma;
    private final StemSeparator separator;
    private final boolean matchLenOnEval;
    private final int chromaLen;
    private final int outputDim;
    private final NDManager manager;
    private final NDArray projWeight; // [dim, n_chroma]
    private final NDArray projBias; // [dim]
    private boolean closed;

    private ChromaStemConditioner(
            ChromaExtractor chroma,
            StemSeparator separator,
            boolean matchLenOnEval,
            int chromaLen,
            int outputDim,
            NDManager manager,
            NDArray projWeight,
            NDArray projBias) {
        this.chroma = chroma;
        this.separator = separator;
        this.matchLenOnEval = matchLenOnEval;
        this.chromaLen = chromaLen;
        this.outputDim = outputDim;
        this.manager = manager;
        this.projWeight = projWeight;
        this.projBias = projBias;
    }

    /**
     * Builds the conditioner from xp.cfg's {@code conditioners.self_wav.chroma_stem} section.
     *
     * @param chromaStem the {@code chroma_stem} sub-config
     * @param durationSeconds {@code dataset.segment_duration} (the training duration that fixes {@code chroma_len})
     * @param outputProj view holding {@code weight [outputDim, n_chroma]} and {@code bias [outputDim]}
     */
    public static ChromaStemConditioner create(
            XpConfig chromaStem,
            double durationSeconds,
            WeightStore outputProj,
            int outputDim,
            StemSeparator separator,
            NDManager parent) {
        for (String key : chromaStem.asMap().keySet()) {
            if (!KNOWN_OPTIONS.contains(key)) {
                throw new IllegalArgumentException("conditioners.self_wav.chroma_stem." + key
                        + " is not supported (known: " + KNOWN_OPTIONS + ")");
            }
        }
        if (chromaStem.get("eval_wavs") != null) {
            throw new IllegalArgumentException("conditioners.self_wav.chroma_stem.eval_wavs="
                    + chromaStem.get("eval_wavs") + " is not supported (evaluation wavs replace the melody; set null)");
        }
        Object norm = chromaStem.get("norm");
        if (norm != null
                && !String.valueOf(norm).toLowerCase(java.util.Locale.ROOT).contains("inf")) {
            throw new IllegalArgumentException("conditioners.self_wav.chroma_stem.norm must be inf, but is: " + norm);
        }
        int sr = chromaStem.getInt("sample_rate");
        int nChroma = chromaStem.getInt("n_chroma");
        int radix = chromaStem.getInt("radix2_exp");
        int winLen = chromaStem.getInt("winlen", 1 << radix);
        int nFft = chromaStem.getInt("nfft", winLen);
        int hop = chromaStem.getInt("winhop", winLen / 4);
        boolean argmax = chromaStem.getBool("argmax", false);
        boolean matchLen = chromaStem.getBool("match_len_on_eval", true);
        NDManager m = parent.newSubManager();
        try {
            ChromaExtractor extractor = new ChromaExtractor(sr, nChroma, nFft, winLen, hop, argmax, m);
            NDArray w = outputProj.load("weight", m, DataType.FLOAT32, outputDim, nChroma);
            NDArray b = outputProj.load("bias", m, DataType.FLOAT32, outputDim);
            // _get_chroma_len: frames of int(sample_rate * duration) zeros
            int chromaLen = extractor.frames((long) (sr * durationSeconds));
            LOG.debug(
                    "chroma conditioner: sr {}, n_fft {}, hop {}, chroma_len {}, match_len_on_eval {}",
                    sr,
                    nFft,
                    hop,
                    chromaLen,
                    matchLen);
            return new ChromaStemConditioner(extractor, separator, matchLen, chromaLen, outputDim, m, w, b);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The model rate melodies must be given at. */
    public int sampleRate() {
        return chroma.sampleRate();
    }

    public boolean matchLenOnEval() {
        return matchLenOnEval;
    }

    /** Frames of a training-length segment ({@code _get_chroma_len}). */
    public int chromaLen() {
        return chromaLen;
    }

    public int outputDim() {
        return outputDim;
    }

    /**
     * {@code WaveformConditioner.forward} on a collated batch.
     *
     * @return embeds [B, frames, dim] and mask [B, frames] (int64) on {@code out}
     */
    public Condition forward(WavCondition x, NDManager out) {
        if (closed) {
            throw new IllegalStateException("ChromaStemConditioner is closed");
        }
        if (x.sampleRate() != chroma.sampleRate()) {
            throw new IllegalArgumentException("melody sample rate must be the model's " + chroma.sampleRate()
                    + " Hz, but is " + x.sampleRate() + " Hz; resample it first");
        }
        NDArray embeds;
        NDArray mask;
        try (NDScope scope = new NDScope()) {
            NDArray c = wavEmbedding(x, out); // [B, T, n_chroma]
            long b = c.getShape().get(0);
            long frames = c.getShape().get(1);
            embeds = F.linear(c, projWeight, projBias); // [B, T, dim]
            if (matchLenOnEval) {
                mask = out.ones(new Shape(b, frames), DataType.INT64); // _use_masking = False
            } else {
                // length_to_mask(lengths / hop, max_len=frames): frame i is valid when i < length / hop (float32)
                long[] m = new long[(int) (b * frames)];
                for (int i = 0; i < b; i++) {
                    float valid = (float) x.lengths()[i] / (float) chroma.winHop();
                    for (int j = 0; j < frames; j++) {
                        m[(int) (i * frames + j)] = j < valid ? 1 : 0;
                    }
                }
                mask = out.create(m, new Shape(b, frames));
            }
            embeds = embeds.mul(mask.toType(DataType.FLOAT32, false).expandDims(2));
            NDScope.unregister(embeds, mask);
        }
        embeds.attach(out);
        NDScope.register(embeds);
        NDScope.register(mask);
        return new Condition(embeds, mask);
    }

    /** {@code _get_wav_embedding}: stems → chroma → match_len_on_eval crop/tile. [B, T, n_chroma]. */
    NDArray wavEmbedding(WavCondition x, NDManager out) {
        float[][] wav = x.wav();
        if (x.length() > 1) {
            // a one-sample batch is all null conditions: upstream skips demucs for it
            wav = separator.separate(wav, x.sampleRate());
            checkStems(wav, x.batchSize());
        }
        NDArray c = chroma.forward(out.create(flat(wav), new Shape(wav.length, wav[0].length)));
        if (matchLenOnEval) {
            long t = c.getShape().get(1);
            if (t > chromaLen) {
                c = c.get(new NDIndex(":, :{}", chromaLen));
            } else if (t < chromaLen) {
                int repeat = (int) ((chromaLen + t - 1) / t);
                NDList copies = new NDList();
                for (int i = 0; i < repeat; i++) {
                    copies.add(c);
                }
                c = NDArrays.concat(copies, 1).get(new NDIndex(":, :{}", chromaLen));
            }
        }
        return c;
    }

    private static void checkStems(float[][] stems, int batch) {
        if (stems == null || stems.length != batch || stems[0].length == 0) {
            throw new IllegalStateException("StemSeparator must return " + batch + " non-empty rows");
        }
        for (float[] r : stems) {
            if (r.length != stems[0].length) {
                throw new IllegalStateException("StemSeparator must return rows of equal length");
            }
        }
    }

    private static float[] flat(float[][] a) {
        int t = a[0].length;
        float[] out = new float[a.length * t];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * t, t);
        }
        return out;
    }

    /** Frees the extractor and the projection. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
