package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import dev.musicgen.testing.TorchReference;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The LM's one condition fuser against audiocraft's {@code ConditionFuser.forward} (v1.2.0). */
class ConditionFuserTest {
    private static NDManager root;

    @BeforeAll
    static void open() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void close() {
        root.close();
    }

    private static LMConditions.Tensor condition(String name, int batch, int length, int dim, float base) {
        float[] v = new float[batch * length * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = base + i;
        }
        return new LMConditions.Tensor(name, v, batch, length, dim);
    }

    @Test
    void reads_the_fixture_checkpoints_fuser_sections() {
        try (LMCheckpoint mono = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
                LMCheckpoint melody = LMCheckpoint.open(Fixtures.path("models", "musicgen_melody", "state_dict.bin"))) {
            assertThat(mono.config().fuser())
                    .isEqualTo(new ConditionFuser(List.of(), List.of("description"), false, 1.0));
            assertThat(melody.config().fuser().prepend()).containsExactlyInAnyOrder("description", "self_wav");
            assertThat(melody.config().fuser().cross()).isEmpty();
        }
    }

    @Test
    void prepend_puts_the_last_condition_first_and_cross_concatenates_in_order() {
        ConditionFuser fuser = new ConditionFuser(List.of("a", "b"), List.of("c", "d"), false, 1.0);
        LMConditions.Tensor a = condition("a", 2, 3, 4, 0);
        LMConditions.Tensor b = condition("b", 2, 1, 4, 1000);
        LMConditions.Tensor c = condition("c", 2, 2, 4, 2000);
        LMConditions.Tensor d = condition("d", 2, 5, 4, 3000);
        try (NDManager m = root.newSubManager()) {
            ConditionFuser.Fused f = fuser.fuse(LMConditions.of(a, c, b, d), m, 4);
            // upstream: for each prepend condition, input = cat([cond, input]) -> [b, a]
            assertThat(f.prefix().getShape()).isEqualTo(new Shape(2, 4, 4));
            assertThat(f.prefix().get(new NDIndex(":, 0:1")).toFloatArray())
                    .containsExactly(m.create(b.data(), new Shape(2, 1, 4)).toFloatArray());
            assertThat(f.prefix().get(new NDIndex(":, 1:4")).toFloatArray())
                    .containsExactly(m.create(a.data(), new Shape(2, 3, 4)).toFloatArray());
            // cross: cat([cross, cond]) in iteration order -> [c, d]
            assertThat(f.crossSource().getShape()).isEqualTo(new Shape(2, 7, 4));
            assertThat(f.crossSource().get(new NDIndex(":, 0:2")).toFloatArray())
                    .containsExactly(m.create(c.data(), new Shape(2, 2, 4)).toFloatArray());
            assertThat(f.crossSource().get(new NDIndex(":, 2:7")).toFloatArray())
                    .containsExactly(m.create(d.data(), new Shape(2, 5, 4)).toFloatArray());
        }
    }

    @Test
    void cross_attention_pos_emb_adds_scaled_default_period_positions_to_the_cross_source_only() {
        // xp.cfg as upstream's builder passes it: fuser.cross_attention_pos_emb(_scale)
        XpConfig cfg = XpConfig.parse("fuser:\n  cross_attention_pos_emb: true\n  cross_attention_pos_emb_scale: 0.5\n"
                + "  sum: []\n  prepend: [p]\n  cross: [x]\n  input_interpolate: []\n");
        ConditionFuser fuser = ConditionFuser.fromXpConfig(cfg);
        assertThat(fuser.crossAttentionPosEmb()).isTrue();
        assertThat(fuser.crossAttentionPosEmbScale()).isEqualTo(0.5);
        int dim = 8;
        LMConditions.Tensor x = condition("x", 1, 6, dim, 0);
        LMConditions.Tensor p = condition("p", 1, 2, dim, 0);
        try (NDManager m = root.newSubManager()) {
            ConditionFuser.Fused f = fuser.fuse(LMConditions.of(p, x), m, dim);
            float[] pe = TorchReference.sinEmbedding(0, 6, dim, 10_000);
            float[] expected = new float[x.data().length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = x.data()[i] + 0.5f * pe[i];
            }
            Tensors.assertAllClose(
                    "cross source + 0.5 * pos emb", f.crossSource().toFloatArray(), expected, 1e-5, 1e-6);
            assertThat(f.prefix().toFloatArray()).as("prepend is untouched").containsExactly(p.data());
        }
    }

    @Test
    void refuses_what_upstream_refuses_or_musicgen_never_uses() {
        assertThatThrownBy(() -> new ConditionFuser(List.of("a"), List.of("a"), false, 1.0))
                .hasMessageContaining("'a' is listed under both fuser.prepend and fuser.cross");
        assertThatThrownBy(() -> ConditionFuser.fromXpConfig(XpConfig.parse("fuser:\n  sum: [bpm]\n  cross: []\n")))
                .hasMessageContaining("fuser.sum = [bpm]");
        ConditionFuser fuser = new ConditionFuser(List.of(), List.of("description"), false, 1.0);
        try (NDManager m = root.newSubManager()) {
            assertThatThrownBy(() -> fuser.fuse(LMConditions.of(condition("genre", 1, 1, 4, 0)), m, 4))
                    .hasMessageContaining("'genre' is unknown to this model's fuser");
            assertThatThrownBy(() -> fuser.fuse(LMConditions.of(condition("description", 1, 1, 3, 0)), m, 4))
                    .hasMessageContaining("has width 3 but the LM's dim is 4");
            assertThatThrownBy(() -> fuser.fuse(LMConditions.none(), m, 4))
                    .hasMessageContaining("cross-attends to [description] but no such condition was given");
        }
    }

    /** The LM fuses with its config's fuser: with positions on, its logits are those of the shifted source. */
    @Test
    void the_lm_attends_to_the_fused_cross_source() {
        LMConfig plain = StreamingConsistencyTest.config(false);
        LMConfig withPos = new LMConfig(
                plain.dim(),
                plain.numHeads(),
                plain.numLayers(),
                plain.ffnDim(),
                plain.nQ(),
                plain.card(),
                plain.biasAttn(),
                plain.biasFf(),
                plain.biasProj(),
                500,
                plain.positionalScale(),
                plain.delays(),
                new ConditionFuser(List.of(), List.of("description"), true, 2.0),
                plain.maxDuration(),
                plain.cfgCoef(),
                plain.channels(),
                plain.interleaveStereo(),
                plain.sampleRate());
        LMConfig plain500 = new LMConfig(
                plain.dim(),
                plain.numHeads(),
                plain.numLayers(),
                plain.ffnDim(),
                plain.nQ(),
                plain.card(),
                plain.biasAttn(),
                plain.biasFf(),
                plain.biasProj(),
                500,
                plain.positionalScale(),
                plain.delays(),
                plain.fuser(),
                plain.maxDuration(),
                plain.cfgCoef(),
                plain.channels(),
                plain.interleaveStereo(),
                plain.sampleRate());
        Random r = new Random(3);
        int n = 2;
        int len = 5;
        LMConditions.Tensor desc = StreamingConsistencyTest.randomCondition("description", r, n, len);
        // the same source with 2 * create_sin_embedding(arange(5), dim) (max_period 10000, not the LM's 500) added
        float[] pe = TorchReference.sinEmbedding(0, len, plain.dim(), 10_000);
        float[] shifted = desc.data().clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 2 * pe[i % pe.length];
        }
        long[][][] seq = new long[n][plain.nQ()][6];
        for (long[][] row : seq) {
            for (long[] cb : row) {
                for (int i = 0; i < cb.length; i++) {
                    cb[i] = r.nextInt(plain.card() + 1);
                }
            }
        }
        try (NDManager m = root.newSubManager();
                LMModel a =
                        LMModel.load(withPos, StreamingConsistencyTest.randomWeights(withPos, 5), m, DataType.FLOAT32);
                LMModel b = LMModel.load(
                        plain500, StreamingConsistencyTest.randomWeights(plain500, 5), m, DataType.FLOAT32)) {
            float[] fused = a.forward(seq, LMConditions.of(desc));
            float[] byHand = b.forward(
                    seq, LMConditions.of(new LMConditions.Tensor("description", shifted, n, len, plain.dim())));
            float[] unshifted = b.forward(seq, LMConditions.of(desc));
            Tensors.assertAllClose("logits with cross_attention_pos_emb", fused, byHand, 1e-4, 1e-4);
            assertThat(fused).as("the positions change the logits").isNotEqualTo(unshifted);
        }
    }
}
