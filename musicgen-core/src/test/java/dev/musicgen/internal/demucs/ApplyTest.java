package dev.musicgen.internal.demucs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * apply_model pieces (transition weights, TensorChunk padding, argument checks). The fixture levels (shifted output,
 * weighted sums, per-chunk outputs) are checked end to end in {@link HTDemucsSeparatorTest}.
 */
class ApplyTest {
    private static HTDemucs model;

    @BeforeAll
    static void load() {
        model = HTDemucs.load(HTDemucsTest.CHECKPOINT, Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void transition_weights_are_the_upstream_triangle() {
        float[] w = Apply.transitionWeight(343980);
        assertThat(w[0]).isEqualTo(1f / 171990f);
        assertThat(w[171989]).isEqualTo(1f);
        assertThat(w[171990]).isEqualTo(1f);
        assertThat(w[343979]).isEqualTo(1f / 171990f);
        assertThat((double) w[0]).isCloseTo(5.814291398564819e-06, org.assertj.core.data.Offset.offset(1e-12));
        float[] odd = Apply.transitionWeight(5); // [1, 2, 3, 2, 1] / 3
        assertThat(odd).containsExactly(1f / 3, 2f / 3, 1f, 2f / 3, 1f / 3);
    }

    @Test
    void tensor_chunk_pads_with_real_neighbours() {
        float[][] t = {{1, 2, 3, 4, 5, 6, 7, 8}};
        Apply.TensorChunk c = Apply.TensorChunk.of(t, 2, 3).sub(1, 10); // [4, 5] of the underlying tensor
        assertThat(c.offset()).isEqualTo(3);
        assertThat(c.length()).isEqualTo(2);
        assertThat(c.padded(6)[0]).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(Apply.TensorChunk.of(t, 0, 8).padded(12)[0]).containsExactly(0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0);
        assertThatThrownBy(() -> new Apply(model).applyModel(new float[][] {{0}, {0}}, 22051, null))
                .hasMessage("shiftOffset must be in [0, 22050], but is: 22051");
    }
}
