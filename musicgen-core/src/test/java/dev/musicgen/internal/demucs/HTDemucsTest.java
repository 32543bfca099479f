package dev.musicgen.internal.demucs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Golden parity of the HTDemucs forward pass on one training segment (fixture demucs/forward). */
class HTDemucsTest {
    static final Path CHECKPOINT = Fixtures.path("demucs", "model", "7e57de30-6015d918.th");

    private static HTDemucs model;

    @BeforeAll
    static void load() {
        model = HTDemucs.load(CHECKPOINT, Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void tiny_checkpoint_config_matches_its_kwargs() {
        HTDemucsConfig c = model.config();
        assertThat(c.sources()).containsExactly("drums", "bass", "other", "vocals");
        assertThat(c.trainingLength()).isEqualTo(343980);
        assertThat(c.segmentNumerator()).isEqualTo(39);
        assertThat(c.segmentDenominator()).isEqualTo(5);
        assertThat(c.channels()).isEqualTo(8);
        assertThat(c.bottomChannels()).isEqualTo(32);
        assertThat(c.tLayers()).isEqualTo(3);
        assertThat(c.dconvMode()).isEqualTo(3);
    }

    @Test
    void forward_matches_upstream_with_intermediates() {
        DemucsFixture f = new DemucsFixture("forward");
        float[] mix = f.get("mix");
        long[] shape = f.shape("mix");
        Map<String, float[]> probes = new HashMap<>();
        float[] out;
        try (NDManager m = model.manager().newSubManager();
                NDScope s = new NDScope()) {
            NDArray in = m.create(mix, new Shape(shape));
            NDArray y = model.forward(in, probes);
            assertThat(y.getShape()).isEqualTo(new Shape(1, 4, 2, shape[2]));
            out = y.toFloatArray();
        }
        for (String k : List.of(
                "norm.mean",
                "norm.std",
                "norm.meant",
                "norm.stdt",
                "crosstransformer.x_in",
                "crosstransformer.xt_in",
                "crosstransformer.x_out",
                "crosstransformer.xt_out")) {
            float[] v = probes.get(k);
            f.check(k, v, (int) f.shape(k)[f.shape(k).length - 1]);
        }
        assertThat(f.check("sources", out, (int) shape[2])).hasSize(4);
    }
}
