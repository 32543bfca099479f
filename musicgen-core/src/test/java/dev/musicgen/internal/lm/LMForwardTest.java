package dev.musicgen.internal.lm;

import static dev.musicgen.testing.TestArrays.flat;
import static dev.musicgen.testing.TestArrays.longs3;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.internal.conditioners.ConditionProvider;
import dev.musicgen.internal.conditioners.StemSeparator;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Teacher-forced logits against the {@code lm_forward} and {@code musicgen_hf} fixtures. */
class LMForwardTest {
    private static NDManager root;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    static LMConditions description(TensorData t) {
        long[] s = t.shape();
        return LMConditions.of(
                new LMConditions.Tensor("description", t.toFloatArray(), (int) s[0], (int) s[1], (int) s[2]));
    }

    @Test
    void pattern_sequence_matches_fixture() {
        Map<String, TensorData> in = Fixtures.tensors("lm_forward", "inputs.safetensors");
        Map<String, TensorData> exp = Fixtures.tensors("lm_forward", "expected.safetensors");
        long[][][] codes = longs3(in.get("codes"));
        Pattern p = new DelayedPatternProvider(4, List.of(0, 1, 2, 3)).getPattern(12);
        // compute_predictions builds with keep_only_valid_steps=True
        Pattern.Built built = p.buildPatternSequence(codes, 64, true);
        Tensors.assertExact(
                "pattern_sequence",
                flat(built.values()),
                exp.get("pattern_sequence").toLongArray());
    }

    @Test
    void audiocraft_layout_logits_match_lm_forward() {
        Map<String, TensorData> in = Fixtures.tensors("lm_forward", "inputs.safetensors");
        Map<String, TensorData> exp = Fixtures.tensors("lm_forward", "expected.safetensors");
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32)) {
            ck.store().ignore(List.of("condition_provider\\..*"));
            ck.store().checkAllUsed();
            checkLogits(lm, in, exp);
        }
    }

    static void checkLogits(LMModel lm, Map<String, TensorData> in, Map<String, TensorData> exp) {
        long[][][] codes = longs3(in.get("codes"));
        Pattern p = lm.patternProvider().getPattern(12);
        Pattern.Built built = p.buildPatternSequence(codes, lm.config().specialToken(), true);
        for (String which : List.of("cond", "uncond")) {
            float[] raw = lm.forward(built.values(), description(exp.get("cross_attention_src_" + which)));
            double[] tol = Fixtures.tolerance("lm_forward", "raw_logits_" + which);
            Tensors.assertAllClose(
                    "raw_logits_" + which, raw, exp.get("raw_logits_" + which).toFloatArray(), tol[0], tol[1]);
            Pattern.RevertedLogits r =
                    p.revertPatternLogits(raw, 2, 4, built.values()[0][0].length, 64, Float.NaN, true);
            float[] v = r.values().clone();
            for (int i = 0; i < v.length; i++) {
                if (Float.isNaN(v[i])) {
                    v[i] = 0;
                }
            }
            Tensors.assertAllClose(
                    "logits_" + which, v, exp.get("logits_" + which).toFloatArray(), tol[0], tol[1]);
            long[] mask = new long[2 * 4 * 12];
            for (int b = 0; b < 2; b++) {
                for (int q = 0; q < 4; q++) {
                    for (int t = 0; t < 12; t++) {
                        mask[(b * 4 + q) * 12 + t] = r.mask()[q][t] ? 1 : 0;
                    }
                }
            }
            Tensors.assertExact(
                    "logits_mask_" + which,
                    mask,
                    exp.get("logits_mask_" + which).toLongArray());
        }
    }

    @Test
    void hf_layout_logits_match_audiocraft_behaviour() {
        Map<String, TensorData> lmIn = Fixtures.tensors("lm_forward", "inputs.safetensors");
        Map<String, TensorData> lmExp = Fixtures.tensors("lm_forward", "expected.safetensors");
        Map<String, TensorData> hfIn = Fixtures.tensors("musicgen_hf", "inputs.safetensors");
        Map<String, TensorData> hfExp = Fixtures.tensors("musicgen_hf", "expected.safetensors");
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("musicgen_hf", "model"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32)) {
            assertThat(ck.layout()).isEqualTo(LMCheckpoint.Layout.HF);
            ck.store().ignore(LMCheckpoint.NON_LM_KEYS);
            ck.store().checkAllUsed();
            // the decoder input is lm_forward's pattern sequence, reshaped [B*K, S]
            long[][][] seq = longs3(lmExp.get("pattern_sequence"));
            Tensors.assertExact(
                    "decoder_input_ids",
                    flat(seq),
                    hfIn.get("decoder_input_ids").toLongArray());
            // the same LM weights: the audiocraft goldens hold from the HF layout too
            checkLogits(lm, lmIn, lmExp);
            float[] cond = lm.forward(seq, description(lmExp.get("cross_attention_src_cond")));
            double[] tol = Fixtures.tolerance("musicgen_hf", "logits_cond_nocrossmask");
            Tensors.assertAllClose(
                    "logits_cond_nocrossmask",
                    cond,
                    hfExp.get("logits_cond_nocrossmask").toFloatArray(),
                    tol[0],
                    tol[1]);
            float[] uncond = lm.forward(seq, description(lmExp.get("cross_attention_src_uncond")));
            Tensors.assertAllClose(
                    "logits_uncond", uncond, hfExp.get("logits_uncond").toFloatArray(), tol[0], tol[1]);
        }
    }

    @Test
    void fp16_checkpoint_loads_widened_to_fp32() {
        Map<String, TensorData> lmIn = Fixtures.tensors("lm_forward", "inputs.safetensors");
        Map<String, TensorData> lmExp = Fixtures.tensors("lm_forward", "expected.safetensors");
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"))) {
            // the Hub's state_dict.bin files are fp16: same weights, stored as F16
            Map<String, TensorData> half = new java.util.LinkedHashMap<>();
            for (String key : ck.store().keys()) {
                TensorData t = ck.store().tensor(key);
                float[] f = t.toFloatArray();
                java.nio.ByteBuffer b =
                        java.nio.ByteBuffer.allocateDirect(2 * f.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float v : f) {
                    b.putShort(dev.musicgen.internal.weights.Half.fromFloat(v));
                }
                b.flip();
                half.put(key, new TensorData(key, dev.musicgen.internal.weights.DType.F16, t.shape(), b::duplicate));
            }
            dev.musicgen.internal.weights.WeightStore store =
                    dev.musicgen.internal.weights.WeightStore.of("fp16 copy", half, LMCheckpoint.AUDIOCRAFT_KEYS);
            try (LMModel lm = LMModel.load(ck.config(), store, root, DataType.FLOAT32)) {
                store.ignore(LMCheckpoint.NON_LM_KEYS);
                store.checkAllUsed();
                long[][][] seq = longs3(lmExp.get("pattern_sequence"));
                float[] raw = lm.forward(seq, description(lmExp.get("cross_attention_src_cond")));
                // fp16 rounding of the weights (2^-11 relative) moves the logits slightly, nothing more
                Tensors.assertAllClose(
                        "fp16 raw_logits_cond",
                        raw,
                        lmExp.get("raw_logits_cond").toFloatArray(),
                        2e-2,
                        2e-2);
            }
        }
    }

    static final dev.musicgen.spi.RepoResolver FIXTURE_T5 = (id, files) -> {
        assertThat(id).isEqualTo("tiny/t5-a");
        return Fixtures.path("models", "t5");
    };

    static List<String> texts(String caseName) {
        List<String> out = new java.util.ArrayList<>();
        Fixtures.caseJson(caseName)
                .getAsJsonObject("params")
                .getAsJsonArray("texts")
                .forEach(e -> out.add(e.getAsString()));
        return out;
    }

    @Test
    void audiocraft_layout_from_text_through_the_condition_provider() {
        Map<String, TensorData> exp = Fixtures.tensors("lm_forward", "expected.safetensors");
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32);
                ConditionProvider cp = ConditionProvider.fromXpConfig(
                        ck.xpConfig(), ck.store(), FIXTURE_T5, StemSeparator.identity(), root);
                NDManager call = root.newSubManager()) {
            ck.store().checkAllUsed(); // LM + conditioners read every key
            long[][][] seq = longs3(exp.get("pattern_sequence"));
            float[] cond = lm.forward(seq, LMConditions.from(cp.conditions(texts("lm_forward"), null, call)));
            double[] tol = Fixtures.tolerance("lm_forward", "raw_logits_cond");
            Tensors.assertAllClose(
                    "raw_logits_cond", cond, exp.get("raw_logits_cond").toFloatArray(), tol[0], tol[1]);
            float[] uncond =
                    lm.forward(seq, LMConditions.from(cp.conditions(java.util.Arrays.asList(null, null), null, call)));
            Tensors.assertAllClose(
                    "raw_logits_uncond", uncond, exp.get("raw_logits_uncond").toFloatArray(), tol[0], tol[1]);
        }
    }

    @Test
    void hf_layout_from_text_reproduces_audiocraft_behaviour() {
        // T5 + enc_to_dec_proj from the HF checkpoint, no cross-attention key mask: logits_cond_nocrossmask
        Map<String, TensorData> lmExp = Fixtures.tensors("lm_forward", "expected.safetensors");
        Map<String, TensorData> hfExp = Fixtures.tensors("musicgen_hf", "expected.safetensors");
        try (LMCheckpoint ck = LMCheckpoint.open(Fixtures.path("musicgen_hf", "model"));
                LMModel lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32);
                ConditionProvider cp =
                        ConditionProvider.fromHfConfig(Fixtures.path("musicgen_hf", "model"), ck.store(), root);
                NDManager call = root.newSubManager()) {
            ck.store().ignore(List.of("audio_encoder\\..*")); // the codec's
            ck.store().checkAllUsed();
            long[][][] seq = longs3(lmExp.get("pattern_sequence"));
            double[] tol = Fixtures.tolerance("musicgen_hf", "logits_cond_nocrossmask");
            float[] cond = lm.forward(seq, LMConditions.from(cp.conditions(texts("musicgen_hf"), null, call)));
            Tensors.assertAllClose(
                    "logits_cond_nocrossmask",
                    cond,
                    hfExp.get("logits_cond_nocrossmask").toFloatArray(),
                    tol[0],
                    tol[1]);
            float[] uncond =
                    lm.forward(seq, LMConditions.from(cp.conditions(java.util.Arrays.asList(null, null), null, call)));
            Tensors.assertAllClose(
                    "logits_uncond", uncond, hfExp.get("logits_uncond").toFloatArray(), tol[0], tol[1]);
        }
    }
}
