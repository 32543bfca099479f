package dev.musicgen.internal.conditioners;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.internal.config.JsonConfig;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.t5.T5Config;
import dev.musicgen.internal.t5.T5EncoderModel;
import dev.musicgen.internal.t5.T5Tokenizer;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.spi.RepoResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of audiocraft {@code ConditioningProvider} + the CFG part of {@code LMModel.generate} (v1.2.0) for MusicGen:
 * turns text prompts (and melodies, for melody models) into the condition tensors the LM consumes.
 *
 * <h2>Use (from the LM / generation loop)</h2>
 * <pre>{@code
 * try (ConditionProvider cp = ConditionProvider.fromXpConfig(xp, lmWeights, resolver, StemSeparator.identity(), root);
 *      NDManager call = root.newSubManager()) {
 *     ConditionTensors c = cp.withNullConditions(prompts, melodies, call);   // 2B rows: B conditioned, then B null
 *     Condition text = c.condition("description");  // embeds [2B, L, dim] (masked), mask [2B, L]
 *     LMConditions lm = LMConditions.from(c);       // what the LM fuses (prepend / cross, its ConditionFuser)
 *     ...                                           // arrays die with `call`
 * }
 * }</pre>
 * <ul>
 *   <li>{@code prompts}: B descriptions; null or {@code ""} is the null text (zero mask, zero embeddings).</li>
 *   <li>{@code melodies}: null, or B entries each {@code [C][T]} at {@link #sampleRate()} (already resampled; the
 *       channels are averaged here) or null for "no melody". A model without {@code self_wav} refuses melodies.</li>
 *   <li>{@link #withNullConditions} builds {@code conditions + null_conditions} and computes them as <b>one</b> batch,
 *       as upstream does: texts are padded to the longest of all 2B rows and melodies are zero-padded to the
 *       longest wav (null rows become zeros of that length, masked out unless {@code match_len_on_eval}).</li>
 *   <li>{@link #conditions} computes exactly the given rows (e.g. the unconditional batch alone).</li>
 * </ul>
 * Condition order is audiocraft's (text conditions, then wav conditions), the order the LM's fuser iterates; it
 * fuses the embeddings without their masks, as audiocraft attends to padded (zero) positions.
 *
 * <p>Results are attached to the manager passed as {@code out}; called inside an {@code NDScope}, they also belong
 * to that scope like the result of any op (unregister them to keep them past it).
 *
 * <p>Owns every conditioner (T5, chroma, projections): close it. Internal API: NDArrays cross this boundary.
 */
public final class ConditionProvider implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConditionProvider.class);

    /** The text attribute MusicGen fills from the prompt. */
    public static final String DESCRIPTION = "description";
    /** The wav attribute MusicGen fills from the melody. */
    public static final String SELF_WAV = "self_wav";
    /** Weight prefix of a conditioner's projection in the audiocraft layout ({@code <prefix><name>.output_proj.}). */
    public static final String AUDIOCRAFT_PREFIX = "condition_provider.conditioners.";

    private final T5Conditioner text;
    private final ChromaStemConditioner wav;
    private final int sampleRate;
    private boolean closed;

    private ConditionProvider(T5Conditioner text, ChromaStemConditioner wav, int sampleRate) {
        this.text = text;
        this.wav = wav;
        this.sampleRate = sampleRate;
    }

    /**
     * Builds the provider of an audiocraft checkpoint ({@code state_dict.bin}).
     *
     * @param cfg its {@code xp.cfg}: {@code conditioners}, {@code transformer_lm.dim},
     *     {@code sample_rate}, {@code dataset.segment_duration}
     * @param lmWeights the checkpoint's {@code best_state} with audiocraft names (reads
     *     {@code condition_provider.conditioners.*.output_proj.*}; marks the chroma window buffer as known)
     * @param t5Resolver maps the T5 repo id (from {@code conditioners.description.t5.name}, see
     *     {@link T5Conditioner#resolveTextModel})
     *     to a local directory with {@code config.json}, {@code tokenizer.json} and the weights
     * @param separator stem separation for melodies ({@link StemSeparator#identity()} for none)
     */
    public static ConditionProvider fromXpConfig(
            XpConfig cfg, WeightStore lmWeights, RepoResolver t5Resolver, StemSeparator separator, NDManager parent) {
        int dim = cfg.getInt("transformer_lm.dim");
        int sampleRate = cfg.getInt("sample_rate");
        Map<String, Object> conds =
                cfg.has("conditioners") ? cfg.child("conditioners").asMap() : Map.of();
        XpConfig t5Cfg = null;
        XpConfig chromaCfg = null;
        for (Map.Entry<String, Object> e : conds.entrySet()) {
            String name = e.getKey();
            if ("args".equals(name)) {
                continue; // provider arguments (training-only merge/drop probabilities)
            }
            String model = cfg.getString("conditioners." + name + ".model");
            if (DESCRIPTION.equals(name) && "t5".equals(model)) {
                t5Cfg = cfg.child("conditioners." + name + ".t5");
            } else if (SELF_WAV.equals(name) && "chroma_stem".equals(model)) {
                chromaCfg = cfg.child("conditioners." + name + ".chroma_stem");
            } else {
                throw new IllegalArgumentException("conditioner '" + name + "' of model '" + model + "' is not"
                        + " supported; MusicGen uses description=t5 and self_wav=chroma_stem");
            }
        }
        if (t5Cfg == null) {
            throw new IllegalArgumentException("xp.cfg has no conditioners.description of model t5");
        }
        if (t5Cfg.getBool("finetune", false)) {
            throw new IllegalArgumentException("conditioners.description.t5.finetune=true is not supported (the T5"
                    + " weights would be in the LM checkpoint; released MusicGen models use a frozen T5)");
        }
        if (t5Cfg.getBool("normalize_text", false)) {
            throw new IllegalArgumentException("conditioners.description.t5.normalize_text=true is not supported"
                    + " (it needs spacy lemmatisation)");
        }
        String t5Name = t5Cfg.getString("name");
        Path t5Dir = T5Conditioner.resolveTextModel(t5Name, t5Resolver);
        LOG.debug("text model '{}' from {}", t5Name, t5Dir);
        T5Conditioner t5 = T5Conditioner.load(
                t5Dir, lmWeights.view(AUDIOCRAFT_PREFIX + DESCRIPTION + ".output_proj"), dim, parent);
        ChromaStemConditioner chroma = null;
        try {
            if (chromaCfg != null) {
                double duration = cfg.getDouble("dataset.segment_duration");
                chroma = ChromaStemConditioner.create(
                        chromaCfg,
                        duration,
                        lmWeights.view(AUDIOCRAFT_PREFIX + SELF_WAV + ".output_proj"),
                        dim,
                        separator,
                        parent);
                // the Hann window buffer of torchaudio's Spectrogram is recomputed, not read
                lmWeights.ignore(List.of("condition_provider\\.conditioners\\.self_wav\\.chroma\\.spec\\.window"));
            }
            return new ConditionProvider(t5, chroma, sampleRate);
        } catch (RuntimeException e) {
            t5.close();
            if (chroma != null) {
                chroma.close();
            }
            throw e;
        }
    }

    /**
     * Builds the provider of an HF transformers {@code MusicgenForConditionalGeneration} checkpoint: T5 from the
     * {@code text_encoder} section of {@code config.json} and the {@code text_encoder.*} weights, the projection from
     * {@code enc_to_dec_proj.*}, the tokenizer from {@code modelDir/tokenizer.json}; text fused by cross-attention.
     * Audiocraft's semantics apply (no cross-attention key mask). The HF melody layout is not supported.
     *
     * @param hfWeights the checkpoint with its HF names
     */
    public static ConditionProvider fromHfConfig(Path modelDir, WeightStore hfWeights, NDManager parent) {
        JsonConfig config = JsonConfig.read(modelDir.resolve("config.json"));
        String type = config.getString("model_type", "");
        if (!"musicgen".equals(type)) {
            throw new IllegalArgumentException(modelDir.resolve("config.json") + " has model_type '" + type
                    + "'; only 'musicgen' (text-to-music) is supported in the HF layout");
        }
        JsonConfig textEncoder = config.child("text_encoder");
        JsonConfig decoder = config.child("decoder");
        if (textEncoder == null || decoder == null) {
            throw new IllegalArgumentException(
                    modelDir.resolve("config.json") + " lacks a text_encoder or decoder" + " section");
        }
        T5Config t5Config = T5Config.fromJson(textEncoder);
        int dim = decoder.getInt("hidden_size", 1024); // transformers' default, as LMConfig reads it
        JsonConfig audio = config.child("audio_encoder");
        int sampleRate = audio == null ? 32000 : audio.getInt("sampling_rate", 32000);
        T5Tokenizer tok = T5Tokenizer.load(modelDir);
        T5EncoderModel enc;
        try {
            enc = T5EncoderModel.load(t5Config, hfWeights.view("text_encoder"), parent);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
        T5Conditioner t5 = T5Conditioner.create(tok, enc, hfWeights.view("enc_to_dec_proj"), dim, parent);
        return new ConditionProvider(t5, null, sampleRate);
    }

    /** Whether the model takes a melody ({@code self_wav} chroma conditioning). */
    public boolean supportsMelody() {
        return wav != null;
    }

    /** The sample rate melodies must be given at (the model's). */
    public int sampleRate() {
        return sampleRate;
    }

    /** The chroma conditioner, or null for text-only models. */
    public ChromaStemConditioner chromaConditioner() {
        return wav;
    }

    /**
     * The conditions for classifier-free guidance: rows {@code 0..B-1} from the request, rows {@code B..2B-1} the null
     * condition (no text, nullified melody), computed together as one batch like {@code LMModel.generate}.
     *
     * @param prompts B descriptions (null entries allowed)
     * @param melodies null, or B entries {@code [C][T]} at {@link #sampleRate()} (null entries allowed)
     */
    public ConditionTensors withNullConditions(List<String> prompts, List<float[][]> melodies, NDManager out) {
        int b = prompts.size();
        List<String> texts = new ArrayList<>(prompts);
        texts.addAll(Collections.nCopies(b, null));
        List<float[][]> wavs = null;
        if (melodies != null) {
            checkMelodies(prompts, melodies);
            wavs = new ArrayList<>(melodies);
            wavs.addAll(Collections.nCopies(b, null));
        }
        return conditions(texts, wavs, out);
    }

    /** The conditions of exactly these rows (see the class documentation for the arguments). */
    public ConditionTensors conditions(List<String> prompts, List<float[][]> melodies, NDManager out) {
        if (closed) {
            throw new IllegalStateException("ConditionProvider is closed");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty (use null entries for no text)");
        }
        if (melodies != null) {
            checkMelodies(prompts, melodies);
        }
        Map<String, Condition> conds = new LinkedHashMap<>();
        try (NDScope scope = new NDScope()) {
            Condition t = text.forward(prompts, out);
            conds.put(DESCRIPTION, t);
            if (wav != null) {
                List<float[][]> rows = melodies != null ? melodies : Collections.nCopies(prompts.size(), null);
                conds.put(SELF_WAV, wav.forward(WavCondition.collate(rows, sampleRate), out));
            }
            for (Condition c : conds.values()) {
                NDScope.unregister(c.embeds(), c.mask());
            }
        }
        ConditionTensors result = new ConditionTensors(conds);
        for (Condition c : conds.values()) {
            NDScope.register(c.embeds());
            NDScope.register(c.mask());
        }
        return result;
    }

    private void checkMelodies(List<String> prompts, List<float[][]> melodies) {
        if (wav == null && melodies.stream().anyMatch(m -> m != null)) {
            throw new IllegalArgumentException("This model doesn't support melody conditioning; use a melody model");
        }
        if (melodies.size() != prompts.size()) {
            throw new IllegalArgumentException("number of melodies (" + melodies.size() + ") must match number of"
                    + " prompts (" + prompts.size() + ")");
        }
    }

    /** Frees every conditioner. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            text.close();
            if (wav != null) {
                wav.close();
            }
        }
    }
}
