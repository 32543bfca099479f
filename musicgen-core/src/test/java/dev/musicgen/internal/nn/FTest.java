package dev.musicgen.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.testing.Tensors;
import dev.musicgen.testing.TorchReference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The engine emulations and fused forms of {@link F} and {@link PolyphaseConvTranspose} against torch's definitions. */
class FTest {
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest(name = "cin={0} cout={1} k={2} s={3} pad={4} outPad={5} len={6}")
    @CsvSource({
        "3,2,16,8,0,0,7",
        "4,3,10,5,0,0,9",
        "5,2,8,4,0,0,1",
        "2,3,4,4,0,0,6",
        "3,2,3,2,1,1,5",
        "2,2,5,3,2,0,8",
        "3,4,7,2,0,1,4",
        "2,2,2,3,0,0,5",
        "16,8,8,4,0,0,33",
        "6,3,2,1,1,0,10",
        "4,4,4,6,1,1,6"
    })
    void convTranspose1d_matches_the_definition(int cin, int cout, int k, int s, int pad, int outPad, int len) {
        SplittableRandom r = new SplittableRandom(cin * 1000L + k * 10L + s);
        int batch = 2;
        float[] x = TorchReference.random(r, batch * cin * len);
        float[] w = TorchReference.random(r, cin * cout * k);
        float[] b = TorchReference.random(r, cout);
        float[] expected = TorchReference.convTranspose1d(x, batch, cin, len, w, cout, k, b, s, pad, outPad);
        try (NDManager weights = manager.newSubManager();
                NDManager call = manager.newSubManager()) {
            NDArray wa = weights.create(w, new Shape(cin, cout, k));
            NDArray ba = weights.create(b, new Shape(cout));
            int before = weights.getManagedArrays().size();
            NDArray y = F.convTranspose1d(call.create(x, new Shape(batch, cin, len)), wa, ba, s, pad, outPad);
            assertThat(y.getShape()).isEqualTo(new Shape(batch, cout, (len - 1) * s - 2 * pad + k + outPad));
            Tensors.assertAllClose("convTranspose1d", y.toFloatArray(), expected, 1e-5, 1e-5);
            assertThat(weights.getManagedArrays())
                    .as("nothing left on the weights' manager")
                    .hasSize(before);
        }
    }

    @ParameterizedTest(name = "k={0} s={1} bias={2}")
    @CsvSource({"16,8,true", "10,5,true", "7,3,true", "8,4,false", "4,4,true", "3,2,true", "2,3,true", "8,1,true"})
    void polyphase_form_is_the_transposed_convolution_in_1d_and_2d(int k, int s, boolean withBias) {
        int cin = 5;
        int cout = 3;
        int len = 9;
        int batch = 2;
        int width = 4;
        SplittableRandom r = new SplittableRandom(k * 31L + s);
        float[] w = TorchReference.random(r, cin * cout * k);
        float[] b = withBias ? TorchReference.random(r, cout) : null;
        int outLen = (len - 1) * s + k;
        try (NDManager weights = manager.newSubManager();
                NDManager call = manager.newSubManager()) {
            PolyphaseConvTranspose conv = new PolyphaseConvTranspose(weights, w, b, cin, cout, k, s);
            int before = weights.getManagedArrays().size();
            // 1-D: [B, Cin, L]
            float[] x = TorchReference.random(r, batch * cin * len);
            NDArray y = conv.forward(call.create(x, new Shape(batch, cin, len)));
            assertThat(y.getShape()).isEqualTo(new Shape(batch, cout, outLen));
            Tensors.assertAllClose(
                    "1-D",
                    y.toFloatArray(),
                    TorchReference.convTranspose1d(x, batch, cin, len, w, cout, k, b, s, 0, 0),
                    1e-5,
                    1e-5);
            // 2-D with a [K, 1] kernel: every column of [B, Cin, L, W] is a 1-D transposed convolution
            float[] x2 = TorchReference.random(r, batch * cin * len * width);
            NDArray y2 = conv.forward(call.create(x2, new Shape(batch, cin, len, width)));
            assertThat(y2.getShape()).isEqualTo(new Shape(batch, cout, outLen, width));
            for (int col = 0; col < width; col++) {
                float[] column = call.create(x2, new Shape(batch, cin, len, width))
                        .get(new NDIndex(":, :, :, {}", col))
                        .toFloatArray();
                Tensors.assertAllClose(
                        "2-D column " + col,
                        y2.get(new NDIndex(":, :, :, {}", col)).toFloatArray(),
                        TorchReference.convTranspose1d(column, batch, cin, len, w, cout, k, b, s, 0, 0),
                        1e-5,
                        1e-5);
            }
            assertThat(weights.getManagedArrays())
                    .as("nothing left on the weights' manager")
                    .hasSize(before);
        }
    }

    @Test
    void polyphase_form_refuses_a_weight_of_the_wrong_size() {
        assertThatThrownBy(() -> new PolyphaseConvTranspose(manager, new float[10], null, 2, 3, 2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight has 10 values");
    }

    /** Both kernels of F.groupNorm: batch norm over (item, group) rows, and the one-group layer norm from 4 rows. */
    @ParameterizedTest(name = "b={0} c={1} groups={2} rest={3}x{4}")
    @CsvSource({
        "2,8,4,50,1",
        "1,4,4,7,1",
        "3,12,3,33,1",
        "1,6,1,20,1",
        "3,6,1,20,1",
        "4,6,1,20,1",
        "9,8,1,13,1",
        "2,8,2,5,3",
        "5,4,1,6,2"
    })
    void groupNorm_equals_the_definition(int b, int c, int groups, int rest, int width) {
        SplittableRandom r = new SplittableRandom(b * 100L + c * 10L + groups);
        int n = b * c * rest * width;
        float[] x = TorchReference.random(r, n);
        float[] gamma = TorchReference.random(r, c);
        float[] beta = TorchReference.random(r, c);
        float[] expected = TorchReference.groupNorm(x, b, c, rest * width, groups, gamma, beta, 1e-5);
        Shape shape = width == 1 ? new Shape(b, c, rest) : new Shape(b, c, rest, width);
        try (NDManager weights = manager.newSubManager();
                NDManager call = manager.newSubManager()) {
            NDArray g = weights.create(gamma, new Shape(c, 1));
            NDArray bb = weights.create(beta, new Shape(c, 1));
            weights.cap(); // as HTDemucs caps its weights: nothing may be attached to them per call
            int before = weights.getManagedArrays().size();
            NDArray y = F.groupNorm(call.create(x, shape), groups, g, bb, 1e-5f);
            assertThat(y.getShape()).isEqualTo(shape);
            Tensors.assertAllClose("groupNorm", y.toFloatArray(), expected, 1e-5, 1e-5);
            assertThat(weights.getManagedArrays())
                    .as("nothing left on the weights' manager")
                    .hasSize(before);
            assertThatThrownBy(() -> F.groupNorm(call.create(x, shape), groups, call.create(gamma), bb, 1e-5f))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("columns [C, 1]");
        }
    }

    @Test
    void groupNormChannelsLast_is_one_group_over_tokens_and_channels() {
        int b = 3;
        int t = 11;
        int c = 6;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = TorchReference.random(r, b * t * c);
        float[] gamma = TorchReference.random(r, c);
        float[] beta = TorchReference.random(r, c);
        try (NDManager m = manager.newSubManager()) {
            NDArray xs = m.create(x, new Shape(b, t, c));
            // the definition on the channels-first layout, transposed back
            float[] channelsFirst = xs.transpose(0, 2, 1).toFloatArray();
            float[] expectedFirst = TorchReference.groupNorm(channelsFirst, b, c, t, 1, gamma, beta, 1e-5);
            float[] expected = m.create(expectedFirst, new Shape(b, c, t))
                    .transpose(0, 2, 1)
                    .toFloatArray();
            NDArray y = F.groupNormChannelsLast(xs, m.create(gamma), m.create(beta), 1e-5f);
            Tensors.assertAllClose("groupNormChannelsLast", y.toFloatArray(), expected, 1e-5, 1e-5);
        }
    }

    @Test
    void sinEmbedding_is_create_sin_embedding_at_any_offset() {
        try (NDManager m = manager.newSubManager()) {
            NDArray all = F.sinEmbedding(m, 0, 40, 16, 10_000);
            assertThat(all.getShape()).isEqualTo(new Shape(40, 16));
            Tensors.assertAllClose(
                    "sinEmbedding", all.toFloatArray(), TorchReference.sinEmbedding(0, 40, 16, 10_000), 2e-5, 0);
            // a window of positions is the same rows of the table, to the bit
            NDArray window = F.sinEmbedding(m, 13, 9, 16, 10_000);
            assertThat(window.toFloatArray())
                    .containsExactly(all.get(new NDIndex("13:22")).toFloatArray());
            Tensors.assertAllClose(
                    "max_period 100",
                    F.sinEmbedding(m, 3, 5, 8, 100).toFloatArray(),
                    TorchReference.sinEmbedding(3, 5, 8, 100),
                    2e-5,
                    0);
            // only the result stays on the caller's manager
            int before = m.getManagedArrays().size();
            F.sinEmbedding(m, 0, 4, 8, 10_000);
            assertThat(m.getManagedArrays()).hasSize(before + 1);
        }
    }

    @Test
    void glu_halves_the_axis() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 0, -1, 2}, new Shape(1, 6, 1));
            float[] y = F.glu(x, 1).toFloatArray();
            float[] expected = new float[3];
            for (int i = 0; i < 3; i++) {
                expected[i] = (float) ((i + 1) / (1 + Math.exp(-new double[] {0, -1, 2}[i])));
            }
            Tensors.assertAllClose("glu", y, expected, 1e-6, 1e-6);
            assertThat(F.glu(x, 1).getShape()).isEqualTo(new Shape(1, 3, 1));
        }
    }
}
