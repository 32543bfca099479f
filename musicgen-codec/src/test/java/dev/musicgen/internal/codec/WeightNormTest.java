package dev.musicgen.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WeightNormTest {
    @Test
    void folds_g_times_v_over_its_norm_per_slice_of_dim_0() {
        // v [2, 1, 2]: slice 0 = (3, 4) with norm 5, slice 1 = (0, 2) with norm 2
        float[] w = WeightNorm.fold(new float[] {10f, 1f}, new float[] {3f, 4f, 0f, 2f}, "v");
        assertThat(w).containsExactly(6f, 8f, 0f, 1f);
    }
}
