package dev.musicgen.internal.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.Tensors;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DJL emulations MBD relies on, against plain-Java definitions of the torch ops. */
class OpsTest {
    static float[] randn(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** torch ConvTranspose1d by definition: out[b, o, t*s + k - p] += x[b, i, t] * w[i, o, k]. */
    static float[] convTransposeRef(float[] x, float[] w, int b, int cin, int cout, int len, int k, int s, int p,
            int op) {
        int outLen = (len - 1) * s - 2 * p + k + op;
        double[] out = new double[b * cout * outLen];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < cin; i++) {
                for (int t = 0; t < len; t++) {
                    float xv = x[(bi * cin + i) * len + t];
                    for (int o = 0; o < cout; o++) {
                        for (int kk = 0; kk < k; kk++) {
                            int pos = t * s + kk - p;
                            if (pos >= 0 && pos < outLen) {
                                out[(bi * cout + o) * outLen + pos] += xv * w[(i * cout + o) * k + kk];
                            }
                        }
                    }
                }
            }
        }
        float[] f = new float[out.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) out[i];
        }
        return f;
    }

    @ParameterizedTest
    @CsvSource({"2,8,4,13,8,4,2,0", "1,4,1,7,8,4,2,0", "1,3,5,10,10,5,0,0", "2,6,3,9,4,2,1,0", "1,2,2,5,3,1,1,0",
        "1,4,4,6,8,4,1,1"})
    void conv_transpose_emulation_equals_the_definition(int b, int cin, int cout, int len, int k, int s, int p,
            int op) {
        Random r = new Random(7);
        float[] x = randn(r, b * cin * len);
        float[] w = randn(r, cin * cout * k);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            NDArray out = F.convTranspose1d(m.create(x, new Shape(b, cin, len)), m.create(w, new Shape(cin, cout, k)),
                    null, s, p, op);
            int outLen = (len - 1) * s - 2 * p + k + op;
            org.assertj.core.api.Assertions.assertThat(out.getShape()).isEqualTo(new Shape(b, cout, outLen));
            Tensors.assertAllClose("convTranspose1d", out.toFloatArray(),
                    convTransposeRef(x, w, b, cin, cout, len, k, s, p, op), 1e-5, 1e-5, 1e-6);
        }
    }

    /** torch conv1d by definition: out[b, o, t] = bias[o] + sum_{i,k} w[o, i, k] x[b, i, t*s + k*d - p]. */
    static float[] convRef(float[] x, float[] w, float[] bias, int b, int cin, int cout, int len, int k, int s, int p,
            int d) {
        int outLen = (len + 2 * p - d * (k - 1) - 1) / s + 1;
        float[] out = new float[b * cout * outLen];
        for (int bi = 0; bi < b; bi++) {
            for (int o = 0; o < cout; o++) {
                for (int t = 0; t < outLen; t++) {
                    double acc = bias == null ? 0 : bias[o];
                    for (int i = 0; i < cin; i++) {
                        for (int kk = 0; kk < k; kk++) {
                            int pos = t * s + kk * d - p;
                            if (pos >= 0 && pos < len) {
                                acc += (double) w[(o * cin + i) * k + kk] * x[(bi * cin + i) * len + pos];
                            }
                        }
                    }
                    out[(bi * cout + o) * outLen + t] = (float) acc;
                }
            }
        }
        return out;
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
            float[] ref = convRef(x, w, bias, b, cin, cout, len, k, s, p, d);
            Tensors.assertAllClose("Conv.conv1d", out.toFloatArray(), ref, 1e-4, 1e-5, 1e-6);
            // in time chunks of 7 output frames
            NDArray chunked = Conv.conv1d(m.create(x, new Shape(b, cin, len)), wNd, g, m.create(bias), s, p, d,
                    7L * b * cin * k);
            Tensors.assertAllClose("Conv.conv1d chunked", chunked.toFloatArray(), ref, 1e-4, 1e-5, 1e-6);
        }
    }

    @ParameterizedTest
    @CsvSource({"2,8,4,50", "1,4,4,7", "3,12,3,33"})
    void group_norm_equals_the_definition(int b, int c, int g, int len) {
        Random r = new Random(11);
        float[] x = randn(r, b * c * len);
        float[] gamma = randn(r, c);
        float[] beta = randn(r, c);
        float[] ref = new float[x.length];
        int per = c / g * len;
        for (int bi = 0; bi < b; bi++) {
            for (int gi = 0; gi < g; gi++) {
                int off = (bi * g + gi) * per;
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += x[off + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (x[off + i] - mean) * (x[off + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int ch = (gi * (c / g)) + i / len;
                    ref[off + i] = (float) ((x[off + i] - mean) / Math.sqrt(var + 1e-5) * gamma[ch] + beta[ch]);
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            NDArray out = F.groupNorm(m.create(x, new Shape(b, c, len)), g, m.create(gamma), m.create(beta), 1e-5f);
            Tensors.assertAllClose("F.groupNorm", out.toFloatArray(), ref, 1e-5, 1e-5, 1e-6);
            NDArray fast = Conv.groupNorm(m.create(x, new Shape(b, c, len)), g, m.create(gamma), m.create(beta), 1e-5f);
            Tensors.assertAllClose("Conv.groupNorm", fast.toFloatArray(), ref, 1e-5, 1e-5, 1e-6);
        }
    }
}
