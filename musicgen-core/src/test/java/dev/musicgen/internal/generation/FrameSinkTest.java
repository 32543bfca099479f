package dev.musicgen.internal.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.CancellationToken;
import dev.musicgen.GenerationCancelledException;
import dev.musicgen.internal.conditioners.ConditionProvider;
import dev.musicgen.internal.conditioners.StemSeparator;
import dev.musicgen.internal.lm.LMCheckpoint;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MusicGenLM.FrameSink}: the frames reported while generating are the final tokens, in order, each reported
 * at the step that completes it; across the passes of the extension loop and after a continuation prompt too.
 */
class FrameSinkTest {
    private static NDManager root;
    private static LMCheckpoint monoCk;
    private static LMCheckpoint longCk;
    private static LMModel mono;
    private static LMModel longLm;
    private static LMConditions text;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
        monoCk = LMCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
        mono = LMModel.load(monoCk.config(), monoCk.store(), root, DataType.FLOAT32);
        longCk = LMCheckpoint.open(Fixtures.path("models", "musicgen_long", "state_dict.bin"));
        longLm = LMModel.load(longCk.config(), longCk.store(), root, DataType.FLOAT32);
        Map<String, TensorData> exp = Fixtures.tensors("generate_text_cfg1", "expected.safetensors");
        text = LMConditions.of(GenerationFixturesTest.tensor("description", exp.get("condition_description")));
    }

    @AfterAll
    static void tearDown() {
        mono.close();
        longLm.close();
        monoCk.close();
        longCk.close();
        root.close();
    }

    /** Records what a sink receives, and the LM step (progress count) at which each frame arrived. */
    static final class Recorder implements MusicGenLM.FrameSink {
        final List<long[][][]> parts = new ArrayList<>();
        final List<Long> stepOfFrame = new ArrayList<>();
        long seed = -1;
        long steps;
        boolean ended;

        @Override
        public void start(long s) {
            assertThat(parts).isEmpty();
            seed = s;
        }

        @Override
        public void onFrames(long[][][] frames) {
            assertThat(ended).isFalse();
            parts.add(frames);
            for (int t = 0; t < frames[0][0].length; t++) {
                stepOfFrame.add(steps);
            }
        }

        @Override
        public void end() {
            ended = true;
        }

        long[][][] concat() {
            int b = parts.get(0).length;
            int k = parts.get(0)[0].length;
            int n = parts.stream().mapToInt(p -> p[0][0].length).sum();
            long[][][] out = new long[b][k][n];
            int at = 0;
            for (long[][][] p : parts) {
                for (int i = 0; i < b; i++) {
                    for (int q = 0; q < k; q++) {
                        System.arraycopy(p[i][q], 0, out[i][q], at, p[i][q].length);
                    }
                }
                at += p[0][0].length;
            }
            return out;
        }
    }

    static GenerationResult run(LMModel lm, LMConditions c, long[][][] prompt, GenerationParams p, Recorder r) {
        return new MusicGenLM(lm, 50)
                .generate(ConditionSource.fixed(c), prompt, p, (phase, step, total) -> r.steps = step, null, r);
    }

    /** The long model with a text condition from its own provider (T5 and its projection), re-windowed per pass. */
    static GenerationResult runLong(long[][][] prompt, GenerationParams p, Recorder r) {
        try (NDManager call = root.newSubManager();
                ConditionProvider cp = ConditionProvider.fromXpConfig(
                        longCk.xpConfig(),
                        longCk.store(),
                        GenerationFixturesTest.FIXTURE_T5,
                        StemSeparator.identity(),
                        call)) {
            ConditionProviderSource source = new ConditionProviderSource(cp, List.of("calm pads"), null, call);
            return new MusicGenLM(longLm, 50)
                    .generate(source, prompt, p, (phase, step, total) -> r.steps = step, null, r);
        }
    }

    static GenerationParams.Builder sampling(double seconds) {
        return GenerationParams.builder()
                .duration(seconds)
                .temperature(1.0)
                .topK(250)
                .cfgCoef(3.0)
                .seed(3L);
    }

    @Test
    void one_pass_reports_every_frame_when_its_last_codebook_is_sampled() {
        Recorder r = new Recorder();
        GenerationResult res = run(mono, text, null, sampling(0.4).build(), r);
        assertThat(r.concat()).isDeepEqualTo(res.tokens());
        assertThat(r.seed).isEqualTo(3L);
        assertThat(r.ended).isTrue();
        // delay pattern, K = 4: frame t is complete after LM step t + 4 (step 1 samples frame 0 of codebook 0)
        for (int t = 0; t < 20; t++) {
            assertThat(r.stepOfFrame.get(t)).as("frame " + t).isEqualTo(t + 3);
        }
        // the same tokens as without a sink
        assertThat(new MusicGenLM(mono, 50)
                        .generate(
                                ConditionSource.fixed(text), null, sampling(0.4).build(), null, null)
                        .tokens())
                .isDeepEqualTo(res.tokens());
    }

    @Test
    void a_continuation_reports_its_prompt_first_at_once() {
        long[][][] prompt = dev.musicgen.testing.TestArrays.longs3(
                Fixtures.tensors("continuation", "expected.safetensors").get("prompt_tokens"));
        Recorder r = new Recorder();
        GenerationResult res = run(mono, text, prompt, sampling(1.0).build(), r);
        assertThat(r.parts.get(0)).isDeepEqualTo(prompt);
        assertThat(r.stepOfFrame.get(0)).isZero();
        assertThat(r.concat()).isDeepEqualTo(res.tokens());
    }

    @Test
    void the_extension_loop_reports_exactly_the_frames_of_the_final_sequence() {
        // musicgen_long: 2 s window; 3.5 s with a 1 s stride is three passes
        Recorder r = new Recorder();
        GenerationResult res = runLong(null, sampling(3.5).extendStride(1).build(), r);
        assertThat(res.patternSequences()).hasSize(3);
        assertThat(res.tokens()[0][0]).hasSize(175);
        assertThat(r.concat()).isDeepEqualTo(res.tokens());
        // with a continuation prompt too
        long[][][] prompt = new long[1][4][30];
        for (int q = 0; q < 4; q++) {
            for (int t = 0; t < 30; t++) {
                prompt[0][q][t] = (7L * t + q) % 64;
            }
        }
        Recorder p = new Recorder();
        GenerationResult withPrompt =
                runLong(prompt, sampling(3.5).extendStride(1).build(), p);
        assertThat(p.parts.get(0)).isDeepEqualTo(prompt);
        assertThat(p.concat()).isDeepEqualTo(withPrompt.tokens());
    }

    @Test
    void a_sink_that_throws_stops_the_generation() {
        CancellationToken token = new CancellationToken();
        MusicGenLM.FrameSink sink = frames -> {
            throw new GenerationCancelledException("stop");
        };
        assertThatThrownBy(() -> new MusicGenLM(mono, 50)
                        .generate(
                                ConditionSource.fixed(text), null, sampling(0.4).build(), null, token, sink))
                .isInstanceOf(GenerationCancelledException.class);
    }
}
