package dev.musicgen.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.nn.F;
import dev.musicgen.testing.Tensors;
import org.junit.jupiter.api.Test;

class ProjectionTest {
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
                assertThat(y.getShape()).isEqualTo(x.getShape().slice(0, shape.length - 1).add(1024));
                assertThat(y.getManager()).isSameAs(acts);
                Tensors.assertAllClose("projection " + new Shape(shape), y.toFloatArray(),
                        F.linear(x, w, b).toFloatArray(), 1e-4, 1e-5);
            }
            assertThat(weights.getManagedArrays()).hasSize(before);
        }
    }
}
