package dev.musicgen.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.internal.nn.Arrays3;
import dev.musicgen.spi.StreamDecoder;
import dev.musicgen.testing.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The incremental decode, fed in pieces of many sizes, concatenates to the one-shot decode of the same codes: on the
 * audiocraft-layout codec (constant padding), the HF-layout codec (reflect padding) and the interleaved stereo codec.
 */
class EncodecStreamDecoderTest {
    static final double TOLERANCE = 1e-5;
    static CompressionModel mono;
    static CompressionModel hf;
    static CompressionModel stereo;
    static double worst;
    static String worstCase;

    @BeforeAll
    static void load() {
        mono = Encodec.load(Fixtures.path("models", "encodec", "compression_state_dict.bin"));
        hf = Encodec.load(Fixtures.path("encodec_hf", "model"));
        stereo = Encodec.load(Fixtures.path("models", "musicgen_stereo"));
    }

    @AfterAll
    static void close() {
        System.out.printf(
                "stream decode vs one-shot decode: max abs diff over all cases %.3g, at %s%n", worst, worstCase);
        mono.close();
        hf.close();
        stereo.close();
    }

    static long[][][] random(int seed, int batch, int k, int frames) {
        SplittableRandom r = new SplittableRandom(seed);
        long[][][] codes = new long[batch][k][frames];
        for (long[][] item : codes) {
            for (long[] row : item) {
                for (int t = 0; t < frames; t++) {
                    row[t] = r.nextInt(64);
                }
            }
        }
        return codes;
    }

    static long[][][] slice(long[][][] codes, int from, int to) {
        long[][][] out = new long[codes.length][codes[0].length][];
        for (int b = 0; b < codes.length; b++) {
            for (int q = 0; q < codes[0].length; q++) {
                out[b][q] = Arrays.copyOfRange(codes[b][q], from, to);
            }
        }
        return out;
    }

    /** Streams {@code codes} in pieces of the given sizes (cycled) and returns the concatenated output. */
    static float[][][] stream(StreamDecoder d, long[][][] codes, int... sizes) {
        int frames = codes[0][0].length;
        List<float[][][]> parts = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < frames; i++) {
            int n = Math.min(sizes[i % sizes.length], frames - at);
            parts.add(d.decode(slice(codes, at, at + n)));
            at += n;
        }
        parts.add(d.finish());
        d.close();
        int b = codes.length;
        int c = parts.get(0)[0].length;
        int total = 0;
        for (float[][][] p : parts) {
            assertThat(p.length).isEqualTo(b);
            assertThat(p[0].length).isEqualTo(c);
            total += p[0][0].length;
        }
        float[][][] out = new float[b][c][total];
        int pos = 0;
        for (float[][][] p : parts) {
            int n = p[0][0].length;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < c; j++) {
                    System.arraycopy(p[i][j], 0, out[i][j], pos, n);
                }
            }
            pos += n;
        }
        return out;
    }

    static double maxDiff(float[][][] a, float[][][] e) {
        assertThat(new int[] {a.length, a[0].length, a[0][0].length})
                .containsExactly(e.length, e[0].length, e[0][0].length);
        float[] x = Arrays3.flatten(a);
        float[] y = Arrays3.flatten(e);
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    static void assertStreamEqualsOneShot(String what, CompressionModel codec, long[][][] codes, int... sizes) {
        float[][][] whole = codec.decode(codes);
        float[][][] streamed = stream(codec.streamDecoder(codes.length), codes, sizes);
        double diff = maxDiff(streamed, whole);
        if (diff >= worst) {
            double peak = 0;
            for (float v : Arrays3.flatten(whole)) {
                peak = Math.max(peak, Math.abs(v));
            }
            worst = diff;
            worstCase = what + " in pieces of " + Arrays.toString(sizes) + " (peak |sample| " + peak + ")";
        }
        assertThat(diff)
                .as(what + " in pieces of " + Arrays.toString(sizes) + ": max abs diff")
                .isLessThanOrEqualTo(TOLERANCE);
    }

    static final int[][] SCHEDULES = {{1}, {2}, {3}, {5}, {7}, {13}, {25}, {50}, {1000}, {4, 1, 9, 2, 17}};

    @Test
    void audiocraft_layout_in_pieces_of_every_size() {
        long[][][] golden = Golden.longs3("encodec", "expected.safetensors", "codes");
        long[][][] pair = Golden.inputCodes("encodec", "random_codes");
        long[][][] longer = random(5, 2, 4, 173); // longer than a 50-frame chunk of the one-shot decode
        for (int[] s : SCHEDULES) {
            assertStreamEqualsOneShot("encodec golden codes", mono, golden, s);
            assertStreamEqualsOneShot("encodec random codes (batch 2)", mono, pair, s);
            assertStreamEqualsOneShot("173 random frames (batch 2)", mono, longer, s);
        }
    }

    @Test
    void hf_layout_with_reflect_padding() {
        long[][][] golden = Golden.longs3("encodec_hf", "expected.safetensors", "codes");
        long[][][] longer = random(6, 1, 4, 131);
        for (int[] s : SCHEDULES) {
            assertStreamEqualsOneShot("encodec_hf golden codes", hf, golden, s);
            assertStreamEqualsOneShot("131 random frames, reflect padding", hf, longer, s);
        }
    }

    @Test
    void interleaved_stereo() {
        long[][][] golden = Golden.longs3("encodec_stereo", "expected.safetensors", "codes");
        long[][][] two = random(7, 2, 8, 97);
        for (int[] s : SCHEDULES) {
            assertStreamEqualsOneShot("encodec_stereo golden codes", stereo, golden, s);
            assertStreamEqualsOneShot("97 random stereo frames (batch 2)", stereo, two, s);
        }
        float[][][] out = stream(stereo.streamDecoder(1), golden, 3);
        assertThat(out[0]).hasNumberOfRows(2);
    }

    @Test
    void streams_shorter_than_the_look_ahead() {
        for (int frames = 1; frames <= 8; frames++) {
            assertStreamEqualsOneShot(frames + " frames", mono, random(frames, 1, 4, frames), 1);
            assertStreamEqualsOneShot(frames + " frames, reflect", hf, random(frames, 1, 4, frames), 1);
            assertStreamEqualsOneShot(frames + " frames, reflect", hf, random(frames, 1, 4, frames), 2, 1);
        }
    }

    @Test
    void samples_come_out_as_soon_as_their_right_context_is_there() {
        EncodecModel m = (EncodecModel) mono;
        EncodecStreamDecoder d = (EncodecStreamDecoder) m.streamDecoder(1);
        // conv0 has 7 taps (3 frames of look-ahead); the layers after the LSTM need 2 frames
        assertThat(d.lookAheadFrames()).isEqualTo(5);
        long[][][] codes = random(3, 1, 4, 20);
        int out = 0;
        for (int t = 0; t < 20; t++) {
            out += d.decode(slice(codes, t, t + 1))[0][0].length;
            assertThat(out).as("samples after frame " + t).isEqualTo(Math.max(0, t + 1 - 5) * 640);
        }
        assertThat(d.finish()[0][0]).hasSize(5 * 640);
        d.close();
    }

    @Test
    void the_margins_are_tight_one_frame_less_breaks_the_equality() {
        EncodecModel m = (EncodecModel) hf;
        long[][][] codes = random(9, 1, 4, 60);
        float[][][] whole = m.decode(codes);
        StreamDecoder shortOne = m.streamDecoder(1, -1); // both margins one frame short
        assertThat(maxDiff(stream(shortOne, codes, 4), whole)).isGreaterThan(10 * TOLERANCE);
    }

    @Test
    void empty_pieces_are_fine_and_misuse_is_refused() {
        StreamDecoder d = mono.streamDecoder(1);
        assertThat(d.decode(new long[1][4][0])[0][0]).isEmpty();
        assertThatThrownBy(() -> d.decode(new long[2][4][3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("codes: expected 1 items (shape [1, 4, n]), found 2");
        assertThatThrownBy(() -> d.decode(new long[1][3][3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("this codec expects K = 4");
        long[][][] bad = new long[1][4][3];
        bad[0][1][2] = 64;
        assertThatThrownBy(() -> d.decode(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value 64 at [0, 1, 2] is out of range");
        assertThat(d.finish()[0][0]).isEmpty(); // no frame at all: nothing to decode
        assertThatThrownBy(d::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("finished");
        assertThatThrownBy(() -> d.decode(new long[1][4][1])).isInstanceOf(IllegalStateException.class);
        d.close();
        assertThatThrownBy(() -> mono.streamDecoder(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch must be >= 1, but is: 0");
        assertThatThrownBy(() -> stereo.streamDecoder(1).decode(new long[1][4][2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("this codec expects K = 8");
    }

    @Test
    void leaves_nothing_on_the_weights_manager() {
        EncodecModel m = (EncodecModel) mono;
        int baseline = m.weightsManager().getManagedArrays().size();
        stream(m.streamDecoder(2), random(4, 2, 4, 40), 3);
        StreamDecoder abandoned = m.streamDecoder(1);
        abandoned.decode(random(4, 1, 4, 9));
        abandoned.close();
        assertThat(m.weightsManager().getManagedArrays()).hasSize(baseline);
    }
}
