package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.MemorySensitive;
import dev.musicgen.testing.Slow;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The benchmark's GEMM floor: every product of a decode step, on the model's weights, leaving nothing behind. */
@Slow
@MemorySensitive
class StepProductsTest {
    @Test
    void step_products_issue_every_matrix_product_and_free_their_results() {
        LMConfig c = StreamingConsistencyTest.config(false); // 1 layer with cross-attention, dim 1024
        Random r = new Random(2);
        LMConditions conds = LMConditions.of(StreamingConsistencyTest.randomCondition("description", r, 2, 5));
        for (ComputeType type : ComputeType.values()) {
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
                try (NDScope outer = new NDScope()) {
                    try (LMModel.StepProducts p = lm.stepProducts(st)) {
                        // self: in_proj, q·kᵀ, p·v, out_proj; cross: the same four; linear1, linear2; the heads
                        assertThat(p.count()).isEqualTo(11);
                        p.run();
                        p.run();
                    }
                }
                assertThat(m.getManagedArrays()).hasSize(before);
                assertThat(lm.weightsManager().getManagedArrays()).hasSize(weights);
                assertThat(st.offset()).isEqualTo(3);
            }
        }
    }
}
