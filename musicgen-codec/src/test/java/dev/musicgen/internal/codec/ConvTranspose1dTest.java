package dev.musicgen.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.Tensors;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.WeightStore;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Transposed convolution (which DJL's engine lacks) against a naive Java loop: {@link F#convTranspose1d} (GEMM +
 * overlap-add) and both forms of {@link StreamableConvTranspose1d} (polyphase conv1d, GEMM), including the
 * audiocraft unpadding.
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

    /** torch.nn.functional.conv_transpose1d, literally. x [B][Cin][L], w [Cin][Cout][K] flat. */
    static float[] naive(float[] x, int batch, int cin, int len, float[] w, int cout, int k, float[] b, int s, int pad,
            int outPad) {
        int outLen = (len - 1) * s - 2 * pad + k + outPad;
        float[] y = new float[batch * cout * outLen];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < cout; o++) {
                double[] acc = new double[outLen];
                for (int i = 0; i < cin; i++) {
                    for (int t = 0; t < len; t++) {
                        for (int kk = 0; kk < k; kk++) {
                            int pos = t * s + kk - pad;
                            if (pos >= 0 && pos < outLen) {
                                acc[pos] += x[(n * cin + i) * len + t] * w[(i * cout + o) * k + kk];
                            }
                        }
                    }
                }
                for (int p = 0; p < outLen; p++) {
                    y[(n * cout + o) * outLen + p] = (float) (acc[p] + b[o]);
                }
            }
        }
        return y;
    }

    static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    @ParameterizedTest(name = "cin={0} cout={1} k={2} s={3} pad={4} outPad={5} len={6}")
    @CsvSource({"3,2,16,8,0,0,7", "4,3,10,5,0,0,9", "5,2,8,4,0,0,1", "2,3,4,4,0,0,6", "3,2,3,2,1,1,5", "2,2,5,3,2,0,8",
        "3,4,7,2,0,1,4", "2,2,2,3,0,0,5", "16,8,8,4,0,0,33"})
    void f_convTranspose1d_matches_the_naive_loop(int cin, int cout, int k, int s, int pad, int outPad, int len) {
        SplittableRandom r = new SplittableRandom(cin * 1000L + k * 10L + s);
        int batch = 2;
        float[] x = random(r, batch * cin * len);
        float[] w = random(r, cin * cout * k);
        float[] b = random(r, cout);
        float[] expected = naive(x, batch, cin, len, w, cout, k, b, s, pad, outPad);
        try (NDManager weights = manager.newSubManager(); NDManager call = manager.newSubManager()) {
            NDArray wa = weights.create(w, new Shape(cin, cout, k));
            NDArray ba = weights.create(b, new Shape(cout));
            int before = weights.getManagedArrays().size();
            NDArray y = F.convTranspose1d(call.create(x, new Shape(batch, cin, len)), wa, ba, s, pad, outPad);
            assertThat(y.getShape()).isEqualTo(new Shape(batch, cout, (len - 1) * s - 2 * pad + k + outPad));
            Tensors.assertAllClose("convTranspose1d", y.toFloatArray(), expected, 1e-5, 1e-5);
            assertThat(weights.getManagedArrays()).as("nothing left on the weights' manager").hasSize(before);
        }
    }

    @ParameterizedTest(name = "form={0} k={1} s={2} causal={3} trim={4}")
    @CsvSource({"polyphase,16,8,false,1.0", "gemm,16,8,false,1.0", "polyphase,10,5,false,1.0", "gemm,10,5,false,1.0",
        "polyphase,7,3,false,1.0", "polyphase,8,4,true,1.0", "polyphase,8,4,true,0.5", "gemm,10,5,true,0.5",
        "polyphase,4,4,false,1.0", "gemm,4,4,true,0.0"})
    void streamable_conv_transpose_matches_naive_then_unpad(String form, int k, int s, boolean causal, double trim) {
        int cin = 6;
        int cout = 4;
        int len = 11;
        int batch = 2;
        SplittableRandom r = new SplittableRandom(k * 31L + s);
        float[] x = random(r, batch * cin * len);
        float[] w = random(r, cin * cout * k);
        float[] b = random(r, cout);
        float[] full = naive(x, batch, cin, len, w, cout, k, b, s, 0, 0);
        int fullLen = (len - 1) * s + k;
        int padTotal = k - s;
        int right = causal ? (int) Math.ceil(padTotal * trim) : padTotal / 2;
        int left = padTotal - right;
        int outLen = fullLen - left - right;
        float[] expected = new float[batch * cout * outLen];
        for (int row = 0; row < batch * cout; row++) {
            System.arraycopy(full, row * fullLen + left, expected, row * outLen, outLen);
        }
        WeightStore store = WeightStore.of("test", Map.of(
                "weight", TensorData.ofFloats("weight", new long[] {cin, cout, k}, w),
                "bias", TensorData.ofFloats("bias", new long[] {cout}, b)));
        String old = System.setProperty("musicgen.codec.convtr", form);
        try (NDManager weights = manager.newSubManager(); NDManager call = manager.newSubManager()) {
            StreamableConvTranspose1d conv = new StreamableConvTranspose1d(store, weights, cin, cout, k, s, causal, trim,
                    false);
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
