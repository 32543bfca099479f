package dev.musicgen.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.WeightStore;
import dev.musicgen.testing.Tensors;
import dev.musicgen.testing.TorchReference;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both forms of {@link StreamableConvTranspose1d} (polyphase, GEMM) against torch's definition, including the
 * audiocraft unpadding. The two forms themselves are proven in core's {@code FTest}.
 */
class ConvTranspose1dTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest(name = "form={0} k={1} s={2} causal={3} trim={4}")
    @CsvSource({
        "polyphase,16,8,false,1.0",
        "gemm,16,8,false,1.0",
        "polyphase,10,5,false,1.0",
        "gemm,10,5,false,1.0",
        "polyphase,7,3,false,1.0",
        "polyphase,8,4,true,1.0",
        "polyphase,8,4,true,0.5",
        "gemm,10,5,true,0.5",
        "polyphase,4,4,false,1.0",
        "gemm,4,4,true,0.0"
    })
    void streamable_conv_transpose_matches_naive_then_unpad(String form, int k, int s, boolean causal, double trim) {
        int cin = 6;
        int cout = 4;
        int len = 11;
        int batch = 2;
        SplittableRandom r = new SplittableRandom(k * 31L + s);
        float[] x = TorchReference.random(r, batch * cin * len);
        float[] w = TorchReference.random(r, cin * cout * k);
        float[] b = TorchReference.random(r, cout);
        float[] full = TorchReference.convTranspose1d(x, batch, cin, len, w, cout, k, b, s, 0, 0);
        int fullLen = (len - 1) * s + k;
        int padTotal = k - s;
        int right = causal ? (int) Math.ceil(padTotal * trim) : padTotal / 2;
        int left = padTotal - right;
        int outLen = fullLen - left - right;
        float[] expected = new float[batch * cout * outLen];
        for (int row = 0; row < batch * cout; row++) {
            System.arraycopy(full, row * fullLen + left, expected, row * outLen, outLen);
        }
        WeightStore store = WeightStore.of(
                "test",
                Map.of(
                        "weight", TensorData.ofFloats("weight", new long[] {cin, cout, k}, w),
                        "bias", TensorData.ofFloats("bias", new long[] {cout}, b)));
        String old = System.setProperty("musicgen.codec.convtr", form);
        try (NDManager weights = manager.newSubManager();
                NDManager call = manager.newSubManager()) {
            StreamableConvTranspose1d conv =
                    new StreamableConvTranspose1d(store, weights, cin, cout, k, s, causal, trim, false);
            int before = weights.getManagedArrays().size();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray y = conv.forward(call.create(x, new Shape(batch, cin, len)));
                assertThat(y.getShape()).isEqualTo(new Shape(batch, cout, outLen));
                Tensors.assertAllClose(form, y.toFloatArray(), expected, 1e-5, 1e-5);
            }
            assertThat(weights.getManagedArrays()).hasSize(before);
        } finally {
            if (old == null) {
                System.clearProperty("musicgen.codec.convtr");
            } else {
                System.setProperty("musicgen.codec.convtr", old);
            }
        }
        store.checkAllUsed();
    }
}
