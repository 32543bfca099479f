package dev.musicgen.internal.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.testing.Slow;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Batch, stereo and input checks of {@link MultiBandDiffusion#decode} on the tiny MBD with a synthetic codec. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiBandDiffusionDecodeTest {
    private static final int HOP = 640;
    private static final int FRAMES = 5;
    private MultiBandDiffusion mbd;

    @BeforeAll
    void load() {
        mbd = MultiBandDiffusion.load(MbdFixture.modelDir(), TestCodec.synthetic(HOP), Device.cpu());
    }

    @AfterAll
    void close() {
        mbd.close();
    }

    static long[][] randomCodes(Random r, int k, int t, int bins) {
        long[][] c = new long[k][t];
        for (int q = 0; q < k; q++) {
            for (int i = 0; i < t; i++) {
                c[q][i] = r.nextInt(bins);
            }
        }
        return c;
    }

    @Slow
    @Test
    void stereo_is_left_and_right_decoded_as_a_batch_and_interleaved_back() {
        Random r = new Random(3);
        long[][] left = randomCodes(r, 4, FRAMES, 64);
        long[][] right = randomCodes(r, 4, FRAMES, 64);
        long[][] interleaved = new long[8][];
        for (int q = 0; q < 4; q++) {
            interleaved[2 * q] = left[q];
            interleaved[2 * q + 1] = right[q];
        }
        long before = mbdArrays();
        float[][][] stereo = mbd.decode(new long[][][] {interleaved}, NoiseSource.gaussian(5));
        assertThat(mbdArrays()).as("arrays left on the weights' manager").isEqualTo(before);
        float[][][] monoBatch = mbd.decode(new long[][][] {left, right}, NoiseSource.gaussian(5));
        assertThat(stereo.length).isEqualTo(1);
        assertThat(stereo[0].length).isEqualTo(2);
        assertThat(stereo[0][0]).hasSize(FRAMES * HOP).containsExactly(monoBatch[0][0]);
        assertThat(stereo[0][1]).containsExactly(monoBatch[1][0]);
        assertThat(stereo[0][0]).isNotEqualTo(stereo[0][1]);
        for (float v : stereo[0][0]) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    @Slow
    @Test
    void same_seed_same_audio() {
        long[][] c = randomCodes(new Random(9), 4, 3, 64);
        float[][][] a = mbd.decode(new long[][][] {c}, NoiseSource.gaussian(11));
        float[][][] b = mbd.decode(new long[][][] {c}, NoiseSource.gaussian(11));
        assertThat(a[0][0]).hasSize(3 * HOP).containsExactly(b[0][0]);
    }

    @Test
    void an_interrupted_thread_stops_the_decode() {
        long[][] c = randomCodes(new Random(9), 4, 2, 64);
        long before = mbdArrays();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> mbd.decode(new long[][][] {c}, NoiseSource.gaussian(1)))
                    .isInstanceOf(java.util.concurrent.CancellationException.class)
                    .hasMessage("MultiBand Diffusion interrupted before step 999");
        } finally {
            assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
        }
        assertThat(mbdArrays()).isEqualTo(before);
    }

    @Test
    void wrong_codebook_count_is_refused() {
        long[][] c = randomCodes(new Random(1), 3, FRAMES, 64);
        assertThatThrownBy(() -> mbd.decode(new long[][][] {c}, NoiseSource.gaussian(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("codes have 3 codebooks, but MultiBand Diffusion's codec test-codec has 4 (mono) or 8"
                        + " (interleaved stereo)");
    }

    @Test
    void codes_outside_the_codebook_are_refused() {
        long[][] c = randomCodes(new Random(1), 4, FRAMES, 64);
        c[2][3] = 64;
        assertThatThrownBy(() -> mbd.decode(new long[][][] {c}, NoiseSource.gaussian(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("code 64 at item 0, codebook 2, frame 3 is outside [0, 64)");
        long[][] ragged = randomCodes(new Random(1), 4, FRAMES, 64);
        ragged[1] = new long[FRAMES - 1];
        assertThatThrownBy(() -> mbd.decode(new long[][][] {ragged}, NoiseSource.gaussian(1)))
                .hasMessage("codes item 0 codebook 1 has 4 frames, expected 5");
        assertThatThrownBy(() -> mbd.decode(new long[0][][], NoiseSource.gaussian(1)))
                .hasMessageContaining("at least one item");
    }

    @Test
    void a_model_whose_codec_differs_is_refused() {
        mbd.checkCompatible(codec(32000, 1, 4, 64));
        mbd.checkCompatible(codec(32000, 2, 8, 64));
        assertThatThrownBy(() -> mbd.checkCompatible(codec(24000, 1, 4, 64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decodes the codes of test-codec (32000 Hz, 4 codebooks of 64 per channel), but"
                        + " the model's codec has 24000 Hz, 4 codebooks of 64 per channel");
        assertThatThrownBy(() -> mbd.checkCompatible(codec(32000, 1, 8, 64)))
                .hasMessageContaining("the model's codec has 32000 Hz, 8 codebooks of 64 per channel");
        assertThatThrownBy(() -> mbd.checkCompatible(codec(32000, 1, 4, 2048)))
                .hasMessageContaining("the model's codec has 32000 Hz, 4 codebooks of 2048 per channel");
    }

    @Test
    void replayed_noise_of_another_length_is_refused_naming_the_draw() {
        long[][] c = randomCodes(new Random(1), 4, FRAMES, 64);
        NoiseSource replay = new MbdFixture().noise();
        assertThatThrownBy(() -> mbd.decode(new long[][][] {c}, replay))
                .hasMessageContaining("'noise.000' has shape [1, 1, 26240] but the decode draws [1, 1, 3200]");
    }

    private long mbdArrays() {
        return mbd.managedArrays();
    }

    static AudioCodec codec(int sr, int channels, int codebooks, int card) {
        return new AudioCodec() {
            @Override
            public int sampleRate() {
                return sr;
            }

            @Override
            public int channels() {
                return channels;
            }

            @Override
            public int numCodebooks() {
                return codebooks;
            }

            @Override
            public int cardinality() {
                return card;
            }

            @Override
            public double frameRate() {
                return 50;
            }

            @Override
            public long[][][] encode(float[][][] audio) {
                throw new UnsupportedOperationException();
            }

            @Override
            public float[][][] decode(long[][][] codes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {}
        };
    }
}
