package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatternTest {
    static final List<Integer> MONO = List.of(0, 1, 2, 3);
    static final List<Integer> STEREO = List.of(0, 0, 1, 1, 2, 2, 3, 3);

    static long[][][] randomCodes(int b, int k, int t, long seed) {
        Random r = new Random(seed);
        long[][][] z = new long[b][k][t];
        for (long[][] row : z) {
            for (long[] cb : row) {
                for (int i = 0; i < t; i++) {
                    cb[i] = r.nextInt(2048);
                }
            }
        }
        return z;
    }

    @ParameterizedTest
    @CsvSource({"1,0", "1,1", "1,16", "1,100", "4,0", "4,1", "4,16", "4,100", "8,0", "8,1", "8,16", "8,100"})
    void should_round_trip_when_delay_applied_then_reverted(int nQ, int t) {
        List<Integer> delays = nQ == 8 ? STEREO : MONO.subList(0, nQ);
        Pattern p = new DelayedPatternProvider(nQ, delays).getPattern(t);
        int maxDelay = delays.get(nQ - 1);
        assertThat(p.layout()).hasSize(t + maxDelay + 1);
        if (t > 0) {
            assertThat(p.maxDelay()).isEqualTo(maxDelay);
        }
        long[][][] z = randomCodes(2, nQ, t, nQ * 1000L + t);
        Pattern.Built built = p.buildPatternSequence(z, 2048);
        long[][][] seq = built.values();
        assertThat(seq[0][0]).hasSize(t + maxDelay + 1);
        for (int q = 0; q < nQ; q++) {
            int d = delays.get(q);
            for (int s = 0; s < seq[0][q].length; s++) {
                int tq = s - 1 - d;
                boolean valid = tq >= 0 && tq < t;
                assertThat(built.mask()[q][s]).isEqualTo(valid);
                assertThat(seq[1][q][s]).isEqualTo(valid ? z[1][q][tq] : 2048L);
            }
        }
        Pattern.Reverted back = p.revertPatternSequence(seq, -1);
        assertThat(back.values()).isDeepEqualTo(z);
        for (boolean[] row : back.mask()) {
            for (boolean m : row) {
                assertThat(m).isTrue();
            }
        }
    }

    @Test
    void first_step_with_timesteps_is_where_generation_starts_after_a_prompt() {
        Pattern mono = new DelayedPatternProvider(4, MONO).getPattern(50);
        assertThat(mono.firstStepWithTimesteps(0)).isEqualTo(1);
        assertThat(mono.firstStepWithTimesteps(40)).isEqualTo(41);
        assertThat(mono.firstStepWithTimesteps(50)).isEqualTo(51); // layout cells past T exist (masked), as upstream
        Pattern stereo = new DelayedPatternProvider(8, STEREO).getPattern(40);
        assertThat(stereo.firstStepWithTimesteps(0)).isEqualTo(1);
        assertThat(stereo.firstStepWithTimesteps(39)).isEqualTo(40);
        assertThat(stereo.layout().get(2))
                .containsExactly(
                        new Pattern.LayoutCoord(1, 0),
                        new Pattern.LayoutCoord(1, 1),
                        new Pattern.LayoutCoord(0, 2),
                        new Pattern.LayoutCoord(0, 3));
        assertThatThrownBy(() -> mono.firstStepWithTimesteps(51)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partially_filled_prompt_keeps_unknown_cells() {
        Pattern p = new DelayedPatternProvider(4, MONO).getPattern(6);
        long[][][] z = randomCodes(1, 4, 6, 9);
        for (long[] cb : z[0]) {
            for (int i = 3; i < 6; i++) {
                cb[i] = -1;
            }
        }
        long[][] seq = p.buildPatternSequence(z, 2048).values()[0];
        assertThat(seq[0]).containsExactly(2048, z[0][0][0], z[0][0][1], z[0][0][2], -1, -1, -1, 2048, 2048, 2048);
        assertThat(seq[3]).containsExactly(2048, 2048, 2048, 2048, z[0][3][0], z[0][3][1], z[0][3][2], -1, -1, -1);
    }

    @Test
    void invalid_layouts_and_delays_are_refused() {
        assertThatThrownBy(() -> new DelayedPatternProvider(4, List.of(0, 2, 1, 3)))
                .hasMessage("delays must be sorted ascending, but are: [0, 2, 1, 3]");
        assertThatThrownBy(() -> new DelayedPatternProvider(4, List.of(0, 1)))
                .hasMessage("delays [0, 1] must have nQ = 4 entries");
        assertThatThrownBy(() -> new Pattern(List.of(List.of(new Pattern.LayoutCoord(0, 0))), 1, 1))
                .hasMessage("a pattern layout must start with an empty step");
        assertThatThrownBy(() -> new Pattern(
                        List.of(
                                List.of(),
                                List.of(new Pattern.LayoutCoord(1, 0)),
                                List.of(new Pattern.LayoutCoord(0, 0))),
                        2,
                        1))
                .hasMessageContaining("past timesteps are found in the sequence for codebook = 0 at step 2");
        Pattern p = new DelayedPatternProvider(4, MONO).getPattern(5);
        assertThatThrownBy(() -> p.buildPatternSequence(new long[1][3][5], 2048))
                .hasMessageContaining("invalid number of codebooks");
    }
}
