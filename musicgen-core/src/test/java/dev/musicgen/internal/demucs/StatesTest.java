package dev.musicgen.internal.demucs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.CheckpointException;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demucs package format through the allow-list: exactly the five extra globals, each building plain data. */
class StatesTest {
    @Test
    void tiny_package_reads_with_the_demucs_globals() {
        try (TorchCheckpoint ck = TorchCheckpoint.open(HTDemucsTest.CHECKPOINT, States.globals())) {
            Map<String, Object> root = ck.rootMap();
            assertThat(root).containsOnlyKeys("klass", "args", "kwargs", "state", "training_args", "metrics");
            assertThat(root.get("klass")).hasToString("demucs.htdemucs.HTDemucs");
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = (Map<String, Object>) root.get("kwargs");
            assertThat(kwargs.get("segment")).isEqualTo(new States.Fraction(39, 5));
            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = (Map<String, Object>) ((List<?>) root.get("metrics")).get(1);
            // numpy.float64 scalars: dtype('f8') + BUILD state, raw bytes via _codecs.encode
            assertThat(metrics.get("nsdr_drums")).isEqualTo(6.5124137438504635);
            assertThat(metrics.get("sdr")).isEqualTo(6.776623838510551);
            Map<String, TensorData> state = ck.tensors("state");
            assertThat(state).hasSize(465);
            assertThat(state.get("freq_emb.embedding.weight").shape()).containsExactly(512, 8);
        }
    }

    @Test
    void without_the_extra_globals_the_package_is_refused_naming_one() {
        assertThatThrownBy(() -> TorchCheckpoint.open(HTDemucsTest.CHECKPOINT))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("which is not on the allow-list");
    }

    @Test
    void fraction_and_class_reference_build_data_only() {
        assertThat(States.Fraction.construct(new Object[] {"39/5"})).isEqualTo(new States.Fraction(39, 5));
        assertThat(States.Fraction.construct(new Object[] {"7"})).isEqualTo(new States.Fraction(7, 1));
        assertThat(States.Fraction.construct(new Object[] {3, -4})).isEqualTo(new States.Fraction(-3, 4));
        assertThatThrownBy(() -> new States.ClassRef("demucs.htdemucs.HTDemucs").construct(new Object[0]))
                .hasMessage("refusing to call demucs.htdemucs.HTDemucs while unpickling");
        assertThatThrownBy(() -> States.globals().get("_codecs.encode").construct(new Object[] {"x", "utf-16"}))
                .hasMessageContaining("only latin1");
    }
}
