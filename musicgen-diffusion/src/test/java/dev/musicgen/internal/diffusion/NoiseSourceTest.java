package dev.musicgen.internal.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.internal.weights.Half;
import dev.musicgen.testing.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoiseSourceTest {
    private static final long[] SHAPE = {1, 1, 26240};

    @Test
    void replay_hands_out_the_recorded_draws_in_order_then_refuses() {
        MbdFixture fx = new MbdFixture();
        ReplayNoiseSource r = NoiseSource.replay(Fixtures.path("mbd", "public", "case.safetensors"));
        assertThat(r.recorded())
                .isEqualTo(fx.caseJson.getAsJsonArray("noise_order").size());
        assertThat(r.next(SHAPE)).containsExactly(fx.get("noise.000"));
        assertThat(r.next(SHAPE)).containsExactly(fx.get("noise.001"));
        assertThat(r.used()).isEqualTo(2);
        for (int i = 2; i < r.recorded(); i++) {
            r.next(SHAPE);
        }
        assertThatThrownBy(() -> r.next(SHAPE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no 'noise.080'")
                .hasMessageContaining("81 draws but 80 were recorded");
    }

    @Test
    void replay_refuses_a_draw_of_another_shape() {
        ReplayNoiseSource r =
                NoiseSource.replay(Map.of("noise.000", new float[6]), Map.of("noise.000", new long[] {1, 1, 6}));
        assertThatThrownBy(() -> r.next(new long[] {2, 1, 6}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'noise.000' has shape [1, 1, 6] but the decode draws [2, 1, 6]");
    }

    @Test
    void torch_generator_reproduces_upstreams_recorded_draws() {
        // the fixture seeded torch with 1234 and rounded each randn_like to float16 before use
        MbdFixture fx = new MbdFixture();
        NoiseSource torch = NoiseSource.torch(1234);
        for (int i = 0; i < 3; i++) {
            float[] a = torch.next(SHAPE);
            for (int j = 0; j < a.length; j++) {
                a[j] = Half.toFloat(Half.fromFloat(a[j]));
            }
            assertThat(a).as("draw %d", i).containsExactly(fx.get(ReplayNoiseSource.name(i)));
        }
    }

    @Test
    void gaussian_is_reproducible_and_standard_normal() {
        float[] a = NoiseSource.gaussian(42).next(new long[] {2, 1, 50_001});
        float[] b = NoiseSource.gaussian(42).next(new long[] {2, 1, 50_001});
        float[] c = NoiseSource.gaussian(43).next(new long[] {2, 1, 50_001});
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        double mean = 0;
        double sq = 0;
        for (float v : a) {
            mean += v;
            sq += v * v;
        }
        mean /= a.length;
        double var = sq / a.length - mean * mean;
        assertThat(mean).isBetween(-0.01, 0.01);
        assertThat(var).isBetween(0.98, 1.02);
        NoiseSource s = NoiseSource.gaussian(7);
        assertThat(s.next(new long[] {3})).isNotEqualTo(s.next(new long[] {3}));
    }

    @Test
    void torch_seed_must_fit_djl_int() {
        assertThatThrownBy(() -> NoiseSource.torch(1L << 40))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seed must be between 0 and 2147483647 for the torch generator, but is: 1099511627776");
    }
}
