package dev.musicgen.internal.demucs;

import ai.djl.Device;
import dev.musicgen.internal.audio.Resampler;
import dev.musicgen.internal.conditioners.StemSeparator;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * audiocraft's {@code ChromaStemConditioner._get_stemmed_wav} (audiocraft v1.2.0) with HTDemucs in Java:
 * mono melody → 44.1 kHz stereo (demucs {@code convert_audio}: channel copy, julius {@code resample_frac}) →
 * {@code apply_model(htdemucs, wav)} (one random shift of up to 0.5 s, 7.8 s chunks with overlap 0.25) →
 * {@code vocals + other} → channel mean → back to the caller's rate. Drums and bass are dropped so they do not
 * dominate the chroma.
 *
 * <p>The shift offset is {@code random.randint(0, samplerate // 2)} upstream (Python's unseeded {@code random});
 * here it comes from a {@link RandomGenerator} so a seeded request is reproducible, or is given directly (tests
 * replaying recorded offsets). As upstream, one offset serves a whole batch.
 *
 * <p>The model is read-only during a call and each call uses its own native sub-manager and scope (concurrent calls
 * are not tested; each needs about 2 GB at the released size). The generator of {@link #separate} is shared by that
 * separator, so bind one per request with {@link #withShiftRandom}.
 */
public final class HTDemucsSeparator implements StemSeparator, AutoCloseable {
    private final HTDemucs model;
    private final Apply apply;
    private final RandomGenerator shiftRandom;
    private final boolean owner;

    private HTDemucsSeparator(HTDemucs model, RandomGenerator shiftRandom, boolean owner) {
        this.model = model;
        this.apply = new Apply(model);
        this.shiftRandom = shiftRandom;
        this.owner = owner;
    }

    /** Loads a demucs checkpoint ({@code 955717e8-8726e21a.th}, see {@link HTDemucsWeights}) on the CPU. */
    public static HTDemucsSeparator load(Path checkpoint) {
        return load(checkpoint, Device.cpu());
    }

    /** Loads a demucs checkpoint on {@code device}; shifts of {@link #separate} come from an unseeded generator. */
    public static HTDemucsSeparator load(Path checkpoint, Device device) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        return new HTDemucsSeparator(HTDemucs.load(checkpoint, device), new Random(), true);
    }

    static HTDemucsSeparator of(HTDemucs model) {
        return new HTDemucsSeparator(model, new Random(), false);
    }

    /**
     * A view on the same model whose {@link #separate} draws its shifts from {@code rng} (e.g. the request's seeded
     * generator). Closing the view does not close the model.
     */
    public HTDemucsSeparator withShiftRandom(RandomGenerator rng) {
        return new HTDemucsSeparator(model, Objects.requireNonNull(rng, "rng"), false);
    }

    /** The model's sources in output order, e.g. {@code [drums, bass, other, vocals]}. */
    public List<String> sources() {
        return model.config().sources();
    }

    /** The model's sample rate (44100 for htdemucs). */
    public int modelSampleRate() {
        return model.config().samplerate();
    }

    /** The largest shift offset, {@code int(0.5 * samplerate)} samples at the model rate. */
    public int maxShift() {
        return (int) (0.5 * model.config().samplerate());
    }

    /**
     * {@code _get_stemmed_wav} of one mono melody.
     *
     * @param mono       samples at {@code sampleRate}
     * @param shiftRng   source of the shift offset, drawn as {@code randint(0, maxShift())}
     * @return {@code [1][L]}: vocals + other, mono, at {@code sampleRate}
     */
    public float[][] separateVocalsOther(float[] mono, int sampleRate, RandomGenerator shiftRng) {
        Objects.requireNonNull(shiftRng, "shiftRng");
        return separateVocalsOther(new float[][] {mono}, sampleRate, shiftRng.nextInt(maxShift() + 1));
    }

    /**
     * {@code _get_stemmed_wav} of a batch of mono melodies with a given shift offset (upstream's one
     * {@code random.randint} per call).
     *
     * @param batch       {@code [B][T]} mono rows of equal length at {@code sampleRate}
     * @param shiftOffset in {@code [0, maxShift()]}
     * @return {@code [B][T']}: vocals + other, mono, at {@code sampleRate}
     */
    public float[][] separateVocalsOther(float[][] batch, int sampleRate, int shiftOffset) {
        return separateVocalsOther(batch, sampleRate, shiftOffset, null);
    }

    /** What the first row went through, for parity tests. */
    static final class Probe {
        float[] wav44;
        float[][][] applyOut;
        float[][] mix44;
        final Apply.Trace apply = new Apply.Trace();
    }

    float[][] separateVocalsOther(float[][] batch, int sampleRate, int shiftOffset, Probe probe) {
        Objects.requireNonNull(batch, "batch");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, but is: " + sampleRate);
        }
        if (shiftOffset < 0 || shiftOffset > maxShift()) {
            throw new IllegalArgumentException(
                    "shiftOffset must be in [0, " + maxShift() + "], but is: " + shiftOffset);
        }
        HTDemucsConfig c = model.config();
        int vocals = c.sourceIndex("vocals");
        int other = c.sourceIndex("other");
        Resampler up = new Resampler(sampleRate, c.samplerate());
        Resampler down = new Resampler(c.samplerate(), sampleRate);
        float[][] out = new float[batch.length][];
        for (int b = 0; b < batch.length; b++) {
            // convert_audio(wav, sr, 44100, 2): mono expanded to every channel, then resample_frac (per channel)
            float[] wav44 = up.apply(batch[b]);
            float[][] stereo = new float[c.audioChannels()][];
            for (int ch = 0; ch < stereo.length; ch++) {
                stereo[ch] = wav44;
            }
            boolean record = probe != null && b == 0;
            float[][][] stems = apply.applyModel(stereo, shiftOffset, record ? probe.apply : null);
            // stems[:, [vocals, other]].sum(1), then convert_audio(mix, 44100, sr, 1): channel mean, resample
            int len = wav44.length;
            float[] mono = new float[len];
            for (int t = 0; t < len; t++) {
                float sum = 0f;
                for (int ch = 0; ch < stereo.length; ch++) {
                    sum += stems[vocals][ch][t] + stems[other][ch][t];
                }
                mono[t] = sum / stereo.length;
            }
            if (record) {
                probe.wav44 = wav44;
                probe.applyOut = stems;
                probe.mix44 = new float[stereo.length][len];
                for (int ch = 0; ch < stereo.length; ch++) {
                    for (int t = 0; t < len; t++) {
                        probe.mix44[ch][t] = stems[vocals][ch][t] + stems[other][ch][t];
                    }
                }
            }
            out[b] = down.apply(mono);
        }
        return out;
    }

    /**
     * {@link StemSeparator}: the batch with one shift drawn from this separator's generator (unseeded unless bound
     * with {@link #withShiftRandom}).
     */
    @Override
    public float[][] separate(float[][] wav, int sampleRate) {
        return separateVocalsOther(wav, sampleRate, shiftRandom.nextInt(maxShift() + 1));
    }

    /** Frees the model's native memory (only for the separator that loaded it, not for views). */
    @Override
    public void close() {
        if (owner) {
            model.close();
        }
    }
}
