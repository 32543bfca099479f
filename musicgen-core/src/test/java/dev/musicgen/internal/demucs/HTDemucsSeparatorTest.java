package dev.musicgen.internal.demucs;

import static dev.musicgen.testing.TestArrays.flat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.conditioners.ChromaExtractor;
import dev.musicgen.internal.conditioners.StemSeparator;
import dev.musicgen.internal.nn.F;
import dev.musicgen.testing.Slow;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @Slow
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
        float[][] wav = new float[2][1000];
        for (int i = 0; i < 1000; i++) {
            wav[0][i] = (float) Math.sin(i * 0.05);
            wav[1][i] = (float) Math.cos(i * 0.03);
        }
        int[] draws = {0};
        RandomGenerator counting = new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int nextInt(int bound) {
                draws[0]++;
                assertThat(bound).isEqualTo(22051);
                return 300;
            }
        };
        // a small random model with a short segment keeps this API test fast
        try (HTDemucs small = HTDemucs.random(smallConfig(), ai.djl.Device.cpu(), 7);
                HTDemucsSeparator sep = HTDemucsSeparator.of(small)) {
            StemSeparator s = sep.withShiftRandom(counting);
            float[][] out = s.separate(wav, 32000);
            assertThat(draws[0]).isEqualTo(1);
            // as upstream, the round trip can lose a sample: 1000 -> floor(441 * 1000 / 320) = 1378
            // -> floor(320 * 1378 / 441) = 999
            assertThat(out).hasDimensions(2, 999);
            // one offset for the batch, rows independent: row 1 alone gives the same result
            float[][] row1 = sep.separateVocalsOther(new float[][] {wav[1]}, 32000, 300);
            assertThat(row1[0]).containsExactly(out[1]);
            assertThatThrownBy(() -> sep.separateVocalsOther(wav, 32000, -1))
                    .hasMessage("shiftOffset must be in [0, 22050], but is: -1");
            assertThat(sep.sources()).containsExactly("drums", "bass", "other", "vocals");
        }
    }

    @Test
    void unsupported_kwargs_are_refused_by_name() {
        java.util.Map<String, Object> k = new java.util.HashMap<>(smallKwargs());
        k.put("t_sparse_self_attn", true);
        assertThatThrownBy(() -> HTDemucsConfig.fromKwargs(k))
                .hasMessage("t_sparse_self_attn must be false (the only value supported), but is: true");
        k.put("t_sparse_self_attn", false);
        k.put("cac", false);
        assertThatThrownBy(() -> HTDemucsConfig.fromKwargs(k)).hasMessageStartingWith("cac must be true");
        k.put("cac", true);
        k.put("depth", 4);
        assertThatThrownBy(() -> HTDemucsConfig.fromKwargs(k))
                .hasMessageContaining("merges the time and frequency branches at layer 3");
    }

    static java.util.Map<String, Object> smallKwargs() {
        return java.util.Map.of(
                "sources",
                java.util.List.of("drums", "bass", "other", "vocals"),
                "segment",
                new States.Fraction(1, 4),
                "channels",
                8,
                "nfft",
                512,
                "depth",
                3,
                "bottom_channels",
                16,
                "t_layers",
                2,
                "t_heads",
                2,
                "dconv_mode",
                3);
    }

    static HTDemucsConfig smallConfig() {
        return HTDemucsConfig.fromKwargs(smallKwargs());
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
