package dev.musicgen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TorchScript archive the probe writes from Java loads in libtorch and runs, fbgemm's int8 product included. */
class TorchInt8ProbeTest {
    @Test
    void the_archive_written_in_java_compiles_and_runs_in_libtorch(@TempDir Path dir) throws Exception {
        TorchInt8Probe.writeArchive(dir.resolve("probe.pt"));
        try (Model model = Model.newInstance("probe", Device.cpu(), F.ENGINE)) {
            model.load(dir, "probe");
            NDManager m = model.getNDManager();
            NDArray[] in = {
                m.randomUniform(-1, 1, new Shape(2, 64)),
                m.randomUniform(-1, 1, new Shape(2, 256)),
                m.randomUniform(-0.03f, 0.03f, new Shape(1, 192, 64)),
                m.randomUniform(-0.03f, 0.03f, new Shape(1, 64, 64)),
                m.randomUniform(-0.03f, 0.03f, new Shape(1, 256, 64)),
                m.randomUniform(-0.03f, 0.03f, new Shape(1, 64, 256)),
                m.randomUniform(-0.03f, 0.03f, new Shape(128, 64))
            };
            float[] x = in[0].toFloatArray();
            float[] one = TorchInt8Probe.call(model, in, 1, TorchInt8Probe.MODE_ONE_CALL)
                    .values();
            assertThat(one).containsExactly(x[0] + 1, x[64] + 1);
            float[] errors =
                    TorchInt8Probe.call(model, in, 1, TorchInt8Probe.MODE_ERROR).values();
            assertThat(errors).hasSize(3);
            for (float e : errors) {
                assertThat(e).as("int8 products against fp32").isBetween(0f, 0.02f);
            }
        }
    }
}
