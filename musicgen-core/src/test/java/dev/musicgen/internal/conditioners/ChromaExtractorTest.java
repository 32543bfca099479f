package dev.musicgen.internal.conditioners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Tensors;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChromaExtractorTest {
    private static NDManager root;

    @BeforeAll
    static void init() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
    }

    @AfterAll
    static void done() {
        root.close();
    }

    @Test
    void filter_bank_matches_librosa() {
        // reference: librosa 0.10 filters.chroma(sr=32000, n_fft=16384, tuning=0) evaluated with numpy (float64,
        // returned as float32). librosa's docstring example prints stale values, so it is not used here.
        float[][] fb = ChromaExtractor.filterBank(32000, 16384, 12);
        assertThat(fb).hasNumberOfRows(12);
        assertThat(fb[0]).hasSize(8193);
        assertRel(fb[0][0], 4.376759932256391e-07);
        assertRel(fb[0][1], 2.000768836296629e-05);
        assertRel(fb[0][100], 3.117997340346292e-23);
        assertRel(fb[0][8192], 0.033850595355033875);
        assertRel(fb[5][100], 0.0002961625868920237);
        assertRel(fb[9][1000], 0.0013204995775595307);
        assertRel(fb[11][8192], 0.1066526398062706);
        assertRel(fb[3][523], 8.047690291945742e-11);
        // and at another rate/size: librosa.filters.chroma(sr=22050, n_fft=4096)
        float[][] small = ChromaExtractor.filterBank(22050, 4096, 12);
        assertRel(small[0][0], 1.7060e-05);
        assertRel(small[10][2047], 2.6742e-25);
        assertRel(small[11][1], 2.4449e-04);
    }

    @Test
    void hann_window_equals_the_checkpoint_buffer() {
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", "musicgen_melody", "state_dict.bin"))) {
            float[] buffer = ck.tensors("best_state")
                    .get("condition_provider.conditioners.self_wav.chroma.spec.window")
                    .toFloatArray();
            Tensors.assertAllClose("window", ChromaExtractor.hannWindow(16384), buffer, 1e-6, 0);
        }
    }

    @Test
    void chroma_matches_melody_fixture() {
        Map<String, TensorData> exp = Fixtures.tensors("melody", "expected.safetensors");
        TensorData in = exp.get("chroma_input_wav"); // [2, 1, 48000]
        try (ChromaExtractor ex = new ChromaExtractor(32000, 12, 14, true, root);
                NDManager call = root.newSubManager()) {
            NDArray wav = in.toNDArray(call, null);
            NDArray chroma = ex.forward(wav);
            assertThat(chroma.getShape()).isEqualTo(new Shape(2, 12, 12));
            assertThat(chroma.getManager()).isSameAs(call);
            double[] tol = Fixtures.tolerance("melody", "chroma");
            Tensors.assertAllClose(
                    "chroma", chroma.toFloatArray(), exp.get("chroma").toFloatArray(), tol[0], tol[1]);
            assertThat(ex.frames(48000)).isEqualTo(12);
            assertThat(ex.frames(960000)).isEqualTo(235);
            assertThat(ex.frames(1)).isEqualTo(5);
        }
    }

    @Test
    void short_and_silent_input_is_padded_and_gives_c() {
        try (ChromaExtractor ex = new ChromaExtractor(32000, 12, 14, true, root);
                NDManager call = root.newSubManager()) {
            NDArray chroma = ex.forward(call.zeros(new Shape(2, 1, 1)));
            assertThat(chroma.getShape()).isEqualTo(new Shape(2, 5, 12));
            float[] v = chroma.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                assertThat(v[i]).isEqualTo(i % 12 == 0 ? 1f : 0f);
            }
        }
    }

    @Test
    void a_pure_tone_lands_in_its_pitch_class() {
        int sr = 32000;
        float[] a = new float[sr];
        for (int i = 0; i < sr; i++) {
            a[i] = (float) Math.sin(2 * Math.PI * 440.0 * i / sr); // A4 -> bin 9 (C-based)
        }
        try (ChromaExtractor ex = new ChromaExtractor(sr, 12, 14, false, root);
                NDManager call = root.newSubManager()) {
            float[] c = ex.forward(call.create(a, new Shape(1, sr))).toFloatArray();
            for (int f = 0; f < c.length / 12; f++) {
                int best = 0;
                for (int k = 1; k < 12; k++) {
                    if (c[f * 12 + k] > c[f * 12 + best]) {
                        best = k;
                    }
                }
                assertThat(best).as("frame " + f).isEqualTo(9);
                assertThat(c[f * 12 + 9]).isCloseTo(1f, within(1e-6f));
            }
        }
    }

    private static void assertRel(float actual, double expected) {
        assertThat((double) actual).isCloseTo(expected, within(Math.abs(expected) * 1e-4));
    }
}
