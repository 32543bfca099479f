package dev.musicgen.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.CheckpointException;
import dev.musicgen.internal.nn.F;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightStoreTest {
    private static WeightStore store() {
        return WeightStore.of(
                "test.bin",
                Map.of(
                        "enc.conv.weight", TensorData.ofFloats("enc.conv.weight", new long[] {2, 3}, new float[6]),
                        "enc.conv.bias", TensorData.ofFloats("enc.conv.bias", new long[] {2}, new float[] {1, 2})));
    }

    @Test
    void load_checks_the_shape_converts_and_names_by_the_full_key() {
        WeightStore s = store();
        WeightStore conv = s.view("enc").view("conv");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            NDArray w = conv.load("weight", m, DataType.FLOAT64, 2, 3);
            assertThat(w.getShape()).isEqualTo(new Shape(2, 3));
            assertThat(w.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(w.getName()).isEqualTo("enc.conv.weight");
            assertThatThrownBy(() -> conv.load("bias", m, DataType.FLOAT32, 3))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("test.bin")
                    .hasMessageContaining("'enc.conv.bias' has shape [2], expected [3]");
            assertThat(conv.load("bias", m, DataType.FLOAT32).toFloatArray()).containsExactly(1f, 2f);
        }
        s.checkAllUsed();
    }
}
