package dev.musicgen.internal.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.TorchReference;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The U-Net's GEMM convolution against torch's definition (the shared engine emulations are proven in core's FTest). */
class ConvTest {
    static float[] randn(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest
    @CsvSource({"1,96,8,40,3,1,1,1", "2,64,16,33,8,4,2,1", "1,128,4,20,3,1,2,2", "2,40,8,50,8,2,3,1"})
    void gemm_conv_equals_the_definition(int b, int cin, int cout, int len, int k, int s, int p, int d) {
        Random r = new Random(5);
        float[] x = randn(r, b * cin * len);
        float[] w = randn(r, cout * cin * k);
        float[] bias = randn(r, cout);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            NDArray wNd = m.create(w, new Shape(cout, cin, k));
            NDArray g = Conv.gemmWeight(wNd);
            org.assertj.core.api.Assertions.assertThat(g).as("GEMM path used").isNotNull();
            NDArray out = Conv.conv1d(m.create(x, new Shape(b, cin, len)), wNd, g, m.create(bias), s, p, d);
            float[] ref = TorchReference.conv1d(x, b, cin, len, w, cout, k, bias, s, p, d);
            dev.musicgen.testing.Tensors.assertAllClose("Conv.conv1d", out.toFloatArray(), ref, 1e-4, 1e-5, 1e-6);
            // in time chunks of 7 output frames
            NDArray chunked =
                    Conv.conv1d(m.create(x, new Shape(b, cin, len)), wNd, g, m.create(bias), s, p, d, 7L * b * cin * k);
            dev.musicgen.testing.Tensors.assertAllClose(
                    "Conv.conv1d chunked", chunked.toFloatArray(), ref, 1e-4, 1e-5, 1e-6);
        }
    }
}
