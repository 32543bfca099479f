package dev.musicgen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.generation.Sampler;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The GEMM floor: every product of a decode step, on the model's weights, leaving nothing behind. */
class StepFloorTest {
    @Test
    void issues_every_matrix_product_of_the_step_and_frees_their_results() {
        // one layer with cross-attention, dim 1024 (so fp32 projections take the W·xᵀ form), 4 codebooks of 32
        LMConfig c = new LMConfig(
                1024,
                16,
                1,
                4096,
                4,
                32,
                false,
                false,
                false,
                10_000,
                1.0,
                List.of(0, 1, 2, 3),
                new dev.musicgen.internal.lm.ConditionFuser(List.of(), List.of("description"), false, 1.0),
                30,
                3.0,
                1,
                false,
                32000);
        for (ComputeType type : new ComputeType[] {ComputeType.FLOAT32, ComputeType.FLOAT16_WEIGHTS}) {
            try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                    LMModel lm = LMModel.load(
                            c, WeightStore.of("random", RandomWeights.tensors(RandomWeights.lm(c), 5)), root, type);
                    NDManager m = lm.newManager();
                    LMState st = lm.newState(m, StepPhase.randomConditions(c), 2, 8)) {
                long[][][] seq = new long[2][c.nQ()][8];
                Sampler sampler = new Sampler(true, 1.0, 250, 0);
                for (int t = 0; t < 3; t++) {
                    StepPhase.decodeStep(lm, st, seq, t, sampler, new Random(t), c.card());
                }
                int before = m.getManagedArrays().size();
                try (NDScope outer = new NDScope()) {
                    try (StepFloor floor = StepFloor.of(lm, st)) {
                        // self: in_proj, q·kᵀ, p·v, out_proj; cross: the same four; linear1, linear2; the heads
                        assertThat(floor.count()).isEqualTo(11);
                        long w = type == ComputeType.FLOAT32 ? 4 : 2;
                        long matrices = w * 1024 * (3 * 1024 + 3 * 1024 + 2 * 4096 + 4 * 32);
                        long kv = 4L * 2 * 2 * 16 * 64 * (4 + 12);
                        assertThat(floor.bytesRead()).isEqualTo(matrices + kv);
                        floor.run();
                        floor.run();
                    }
                }
                assertThat(m.getManagedArrays()).hasSize(before);
                assertThat(st.offset()).isEqualTo(3);
            }
        }
    }
}
