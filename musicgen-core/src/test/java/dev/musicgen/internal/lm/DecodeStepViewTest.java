package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.nn.F;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the GEMM-floor benchmark reads of a decode step: the right arrays, forms and lengths, nothing left behind. */
class DecodeStepViewTest {
    @Test
    void views_the_weights_and_caches_of_the_next_step_and_frees_only_its_own_views() {
        LMConfig c = StreamingConsistencyTest.config(false); // 1 layer with cross-attention, dim 1024, 16 heads
        Random r = new Random(2);
        LMConditions conds = LMConditions.of(StreamingConsistencyTest.randomCondition("description", r, 2, 5));
        for (ComputeType type : new ComputeType[] {ComputeType.FLOAT32, ComputeType.FLOAT16_WEIGHTS}) {
            boolean half = type == ComputeType.FLOAT16_WEIGHTS;
            try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                    LMModel lm = LMModel.load(c, StreamingConsistencyTest.randomWeights(c, 5), root, type);
                    NDManager m = lm.newManager();
                    LMState st = lm.newState(m, conds, 2, 8)) {
                long[][][] seq = new long[2][c.nQ()][8];
                for (int t = 0; t < 3; t++) {
                    try (NDScope scope = new NDScope()) {
                        lm.step(st, seq, t, t + 1);
                    }
                }
                int before = m.getManagedArrays().size();
                int weights = lm.weightsManager().getManagedArrays().size();
                try (NDScope outer = new NDScope();
                        NDManager views = m.newSubManager()) {
                    DecodeStepView v = DecodeStepView.of(lm, st, views);
                    assertThat(v.batch()).isEqualTo(2);
                    assertThat(v.layers()).hasSize(1);
                    DecodeStepView.Layer l = v.layers().get(0);
                    // the step at offset 3 attends to the 3 cached positions and its own
                    assertThat(l.self().keysT().getShape()).isEqualTo(new Shape(2, 16, 64, 4));
                    assertThat(l.self().values().getShape()).isEqualTo(new Shape(2, 16, 4, 64));
                    assertThat(l.self().length()).isEqualTo(4);
                    assertThat(l.cross().length()).isEqualTo(5);
                    assertThat(l.self().input().out()).isEqualTo(3 * 1024);
                    assertThat(l.cross().input().out()).isEqualTo(1024);
                    assertThat(l.linear1().out()).isEqualTo(4 * 1024);
                    assertThat(l.linear2().in()).isEqualTo(4 * 1024);
                    assertThat(v.heads().out()).isEqualTo(c.nQ() * c.card());
                    assertThat(l.self().input().weight().getDataType())
                            .isEqualTo(half ? DataType.FLOAT16 : DataType.FLOAT32);
                    // the forms of Projection.apply2d: W·xᵀ for large fp32 weights, linear otherwise
                    DecodeStepView.Form large =
                            half ? DecodeStepView.Form.LINEAR : DecodeStepView.Form.WEIGHT_TIMES_INPUT_T;
                    assertThat(l.self().input().form()).isEqualTo(large);
                    assertThat(l.linear1().form()).isEqualTo(large);
                    assertThat(v.heads().form()).isEqualTo(DecodeStepView.Form.LINEAR); // 128 x 1024: small
                    long w = half ? 2 : 4;
                    long matrices = w
                            * (3 * 1024 * 1024
                                    + 1024 * 1024
                                    + 1024 * 1024
                                    + 1024 * 1024
                                    + 2 * 4096 * 1024
                                    + 128 * 1024);
                    long kv = 4L * 2 * 2 * 16 * 64 * (4 + 5);
                    assertThat(v.bytesRead()).isEqualTo(matrices + kv);
                }
                assertThat(m.getManagedArrays()).hasSize(before);
                assertThat(lm.weightsManager().getManagedArrays()).hasSize(weights);
                assertThat(st.offset()).isEqualTo(3);
                try (NDScope scope = new NDScope()) {
                    lm.step(st, seq, 3, 4); // the state is intact
                }
            }
        }
    }
}
