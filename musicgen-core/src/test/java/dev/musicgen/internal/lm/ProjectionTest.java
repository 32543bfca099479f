package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.MemorySensitive;
import dev.musicgen.testing.Tensors;
import org.junit.jupiter.api.Test;

class ProjectionTest {
    @MemorySensitive
    @Test
    void skinny_w_x_transposed_form_equals_linear_and_stays_off_the_weights_manager() {
        try (NDManager weights = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                NDManager acts = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            weights.getEngine().setRandomSeed(3);
            NDArray w = weights.randomNormal(new Shape(1024, 1024)); // large: W·xᵀ path
            NDArray b = weights.randomNormal(new Shape(1024));
            int before = weights.getManagedArrays().size();
            Projection p = new Projection(w, b);
            for (long[] shape : new long[][] {{2, 1, 1024}, {8, 1024}, {2, 20, 1024}}) {
                NDArray x = acts.randomNormal(new Shape(shape));
                NDArray y = p.apply(x);
                assertThat(y.getShape())
                        .isEqualTo(x.getShape().slice(0, shape.length - 1).add(1024));
                assertThat(y.getManager()).isSameAs(acts);
                Tensors.assertAllClose(
                        "projection " + new Shape(shape),
                        y.toFloatArray(),
                        F.linear(x, w, b).toFloatArray(),
                        1e-4,
                        1e-5);
            }
            assertThat(weights.getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void fp16_weights_round_the_input_for_few_rows_and_widen_the_weight_for_many() {
        try (NDManager weights = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                NDManager acts = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            weights.getEngine().setRandomSeed(4);
            NDArray w32 = weights.randomNormal(new Shape(256, 128)).mul(0.05);
            NDArray w16 = w32.toType(ai.djl.ndarray.types.DataType.FLOAT16, false);
            NDArray wRounded = w16.toType(ai.djl.ndarray.types.DataType.FLOAT32, false); // the fp16 values, exactly
            NDArray b = weights.randomNormal(new Shape(256));
            int before = weights.getManagedArrays().size();
            Projection p = new Projection(w16, b);
            assertThat(p.isHalf()).isTrue();
            for (long rows : new long[] {2, Projection.HALF_GEMM_ROWS + 1}) {
                NDArray x = acts.randomNormal(new Shape(rows, 128));
                float[] got = p.apply(x).toFloatArray();
                float[] want = F.linear(x, wRounded, b).toFloatArray();
                if (rows > Projection.HALF_GEMM_ROWS) {
                    // fp32 product of the widened weight: only the accumulation order may differ
                    Tensors.assertAllClose("widened fp16 weight, " + rows + " rows", got, want, 1e-5, 1e-5);
                } else {
                    // x rounded to fp16 too: within fp16 precision of the fp32 product
                    Tensors.assertAllClose("fp16 product, " + rows + " rows", got, want, 2e-2, 1e-2);
                    Tensors.assertAllClose(
                            "fp16 decode form, " + rows + " rows", p.apply2d(x).toFloatArray(), got, 0, 0);
                }
            }
            assertThat(weights.getManagedArrays()).hasSize(before);
        }
    }
}
