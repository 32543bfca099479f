package dev.musicgen.demucs;

import static dev.musicgen.demucs.ApplyTest.flat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.conditioners.ChromaExtractor;
import dev.musicgen.conditioners.StemSeparator;
import dev.musicgen.nn.F;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * audiocraft's _get_stemmed_wav end to end on the tiny checkpoint, with the recorded shift offsets replayed: one chunk
 * (demucs/stemmed) and two chunks with overlap-add (demucs/stemmed_2chunks), then the chroma the LM would see.
 */
class HTDemucsSeparatorTest {
    private static HTDemucsSeparator separator;

    @BeforeAll
    static void load() {
        separator = HTDemucsSeparator.load(HTDemucsTest.CHECKPOINT);
    }

    @AfterAll
    static void close() {
        separator.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stemmed", "stemmed_2chunks"})
    void stemmed_wav_matches_audiocraft(String caseName) {
        DemucsFixture f = new DemucsFixture(caseName);
        int offset = f.json.getAsJsonObject("shift").get("offset").getAsInt();
        float[] melody = f.get("melody");
        int l44 = f.json.get("L44").getAsInt();
        int chunks = f.json.getAsJsonObject("split").getAsJsonArray("chunks").size();

        // the RandomGenerator path draws randint(0, 22050) inclusive; replay the recorded value through it
        RandomGenerator replay = new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int nextInt(int bound) {
                assertThat(bound).isEqualTo(22051);
                return offset;
            }
        };
        HTDemucsSeparator.Probe probe = new HTDemucsSeparator.Probe();
        float[][] out = separator.separateVocalsOther(new float[][] {melody}, 32000, replay.nextInt(22051), probe);

        assertThat(probe.wav44).hasSize(l44);
        f.check("wav_44k", concat(probe.wav44, probe.wav44), l44);
        f.check("apply_out", flat(probe.applyOut), l44);
        int shiftedLen = probe.apply.sumWeight.length;
        f.check("shift.shifted_out", flat(probe.apply.shiftedOut), shiftedLen);
        f.check("split.out_before_div", flat(probe.apply.outBeforeDiv), shiftedLen);
        f.check("split.sum_weight", probe.apply.sumWeight, shiftedLen);
        assertThat(probe.apply.chunkOuts).hasSize(chunks);
        for (int c = 0; c < chunks; c++) {
            float[][][] co = probe.apply.chunkOuts.get(c);
            f.check("split.chunk" + c + "_out", flat(co), co[0][0].length);
        }
        int v = separator.sources().indexOf("vocals");
        int o = separator.sources().indexOf("other");
        f.check("stems", flat(new float[][][] {probe.applyOut[v], probe.applyOut[o]}), l44);
        f.check("mix_wav", concat(probe.mix44[0], probe.mix44[1]), l44);
        assertThat(out).hasDimensions(1, f.json.get("L32_out").getAsInt());
        f.check("stemmed_wav", out[0], out[0].length);

        try (NDManager m = NDManager.newBaseManager(F.ENGINE);
                ChromaExtractor chroma = new ChromaExtractor(32000, 12, 14, true, m)) {
            NDArray c = chroma.forward(m.create(out[0], new Shape(1, out[0].length)));
            f.check("chroma", c.toFloatArray(), 12);
        }
    }

    @Test
    void stem_separator_draws_one_shift_per_call_from_the_bound_generator() {
        float[][] silence = new float[2][100];
        int[] draws = {0};
        RandomGenerator counting = new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int nextInt(int bound) {
                draws[0]++;
                return bound - 1;
            }
        };
        StemSeparator s = separator.withShiftRandom(counting);
        float[][] out = s.separate(silence, 32000);
        assertThat(draws[0]).isEqualTo(1);
        // as upstream, the round trip loses a sample: 100 -> floor(441 * 100 / 320) = 137 -> floor(320 * 137 / 441) = 99
        assertThat(out).hasDimensions(2, 99);
        assertThatThrownBy(() -> separator.separateVocalsOther(silence, 32000, -1))
                .hasMessage("shiftOffset must be in [0, 22050], but is: -1");
        assertThat(separator.sources()).containsExactly("drums", "bass", "other", "vocals");
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
