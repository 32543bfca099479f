package dev.musicgen.internal.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.CancellationToken;
import dev.musicgen.GenerationCancelledException;
import dev.musicgen.internal.generation.ConditionSource;
import dev.musicgen.internal.generation.GenerationParams;
import dev.musicgen.internal.generation.LMGenerator;
import dev.musicgen.internal.generation.MusicGenLM;
import dev.musicgen.internal.generation.Sampler;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.MemorySensitive;
import dev.musicgen.testing.Slow;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Native memory stays flat over a 1500-step pass and over repeated passes; cancellation frees it. */
@MemorySensitive
class GenerationMemoryTest {
    private static NDManager root;
    private static LMCheckpoint ck;
    private static LMModel lm;
    private static LMConditions text;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
        ck = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
        lm = LMModel.load(ck.config(), ck.store(), root, DataType.FLOAT32);
        TensorData c = Fixtures.tensors("generate_text", "expected.safetensors").get("condition_description");
        text = LMForwardTest.description(c);
    }

    @AfterAll
    static void tearDown() {
        lm.close();
        ck.close();
        root.close();
    }

    @Slow
    @Test
    void live_arrays_stay_flat_over_1500_steps() {
        int weights = lm.weightsManager().getManagedArrays().size();
        List<int[]> counts = new ArrayList<>();
        try (NDManager call = lm.newManager()) {
            // 30 s at 50 Hz: the longest single pass
            LMGenerator.generate(
                    lm,
                    call,
                    text,
                    null,
                    1,
                    1500,
                    new Sampler(true, 1.0, 250, 0),
                    3.0,
                    new Random(0),
                    (done, total) -> {
                        if (done == 10 || done == 750 || done == total) {
                            counts.add(new int[] {
                                call.getManagedArrays().size(),
                                lm.weightsManager().getManagedArrays().size()
                            });
                        }
                    },
                    null);
            assertThat(call.getManagedArrays()).isEmpty();
        }
        assertThat(counts).hasSize(3);
        assertThat(counts.get(1)).containsExactly(counts.get(0));
        assertThat(counts.get(2)).containsExactly(counts.get(0));
        assertThat(lm.weightsManager().getManagedArrays()).hasSize(weights);
    }

    @Test
    void repeated_generations_leave_nothing_behind() {
        int weights = lm.weightsManager().getManagedArrays().size();
        MusicGenLM gen = new MusicGenLM(lm, 50);
        for (int i = 0; i < 3; i++) {
            gen.generate(
                    ConditionSource.fixed(text),
                    null,
                    GenerationParams.builder().duration(1.0).seed(i).build(),
                    null,
                    null);
            assertThat(lm.weightsManager().getManagedArrays()).hasSize(weights);
        }
    }

    @Test
    void cancellation_stops_within_a_step_and_frees_memory() {
        int weights = lm.weightsManager().getManagedArrays().size();
        CancellationToken token = new CancellationToken();
        int[] steps = {0};
        MusicGenLM gen = new MusicGenLM(lm, 50);
        assertThatThrownBy(() -> gen.generate(
                        ConditionSource.fixed(text),
                        null,
                        GenerationParams.builder().duration(1.0).seed(0L).build(),
                        (phase, step, total) -> {
                            steps[0] = (int) step;
                            if (step == 5) {
                                token.cancel();
                            }
                        },
                        token))
                .isInstanceOf(GenerationCancelledException.class)
                .hasMessage("generation was cancelled at step 5 of 53");
        assertThat(steps[0]).isEqualTo(5);
        assertThat(lm.weightsManager().getManagedArrays()).hasSize(weights);
    }
}
