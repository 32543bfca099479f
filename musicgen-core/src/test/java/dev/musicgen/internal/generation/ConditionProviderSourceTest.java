package dev.musicgen.internal.generation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConditionProviderSourceTest {
    @Test
    void melody_window_starts_at_the_pass_offset_and_wraps_around() {
        float[][] melody = {{0, 1, 2, 3, 4}, {10, 11, 12, 13, 14}};
        // sr 2 Hz: a 3 s window is 6 samples; offset 1.5 s starts at sample 3
        float[][] w = ConditionProviderSource.window(melody, 1.5, 3.0, 2);
        assertThat(w[0]).containsExactly(3, 4, 0, 1, 2, 3);
        assertThat(w[1]).containsExactly(13, 14, 10, 11, 12, 13);
        assertThat(ConditionProviderSource.window(melody, 0.0, 1.0, 2)[0]).containsExactly(0, 1);
    }
}
