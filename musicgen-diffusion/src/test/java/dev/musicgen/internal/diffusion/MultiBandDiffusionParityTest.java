package dev.musicgen.internal.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.musicgen.internal.nn.F;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.testing.Tensors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Golden parity with upstream audiocraft on the tiny random MBD ({@code fixtures/mbd/public}): the recorded noise is
 * replayed; the schedule scalars, band filters, every band's output, the band sum and the EQ-matched waveform must lie
 * within case.json's tolerances.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiBandDiffusionParityTest {
    private MbdFixture fx;
    private MultiBandDiffusion mbd;
    private NDManager manager;
    private final Map<String, float[]> seen = new HashMap<>();

    @BeforeAll
    void decodeOnce() {
        fx = new MbdFixture();
        // as get_mbd_musicgen: the checkpoint and its codec's compression_state_dict.bin, through the public loader
        mbd = MultiBandDiffusion.load(MbdFixture.modelDir(), Device.cpu(), RepoResolver.none());
        manager = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
        long[] codeShape = fx.shapes.get("codes");
        long[] flat = fx.longs.get("codes");
        long[][][] codes = new long[(int) codeShape[0]][(int) codeShape[1]][(int) codeShape[2]];
        for (int q = 0; q < codeShape[1]; q++) {
            System.arraycopy(flat, (int) (q * codeShape[2]), codes[0][q], 0, (int) codeShape[2]);
        }
        ReplayNoiseSource noise = fx.noise();
        float[][][] wav = mbd.decode(codes, noise, new MultiBandDiffusion.Trace() {
            @Override
            public void condition(NDArray condition) {
                seen.put("condition", condition.toFloatArray());
            }

            @Override
            public void wavEncodec(NDArray w) {
                seen.put("wav_encodec", w.toFloatArray());
            }

            @Override
            public NoiseSchedule.Trace band(int index) {
                return new NoiseSchedule.Trace() {
                    @Override
                    public void estimate(int idx, NDArray estimate) {
                        if (idx == 0) {
                            seen.put("band" + index + ".first_estimate", estimate.toFloatArray());
                        }
                    }

                    @Override
                    public void finalState(NDArray state) {
                        seen.put("band" + index + ".diffusion_out", state.toFloatArray());
                    }
                };
            }

            @Override
            public void bandOut(int index, NDArray out) {
                seen.put("band" + index + ".out", out.toFloatArray());
            }

            @Override
            public void wavDiffusion(NDArray w) {
                seen.put("wav_diffusion", w.toFloatArray());
            }

            @Override
            public void eqGains(float[] gains) {
                seen.put("eq.gain", gains);
            }
        });
        assertThat(wav).hasDimensions(1, 1);
        seen.put("wav_out", wav[0][0]);
        seen.put("noise.used", new float[] {noise.used()});
    }

    @AfterAll
    void close() {
        if (manager != null) {
            manager.close();
        }
        if (mbd != null) {
            mbd.close();
        }
    }

    @Test
    void loads_four_bands_with_the_processors_of_the_checkpoint() {
        List<DiffusionProcess> dps = mbd.processes();
        assertThat(dps).hasSize(fx.caseJson.get("n_diffusion_bands").getAsInt());
        JsonArray bands = fx.caseJson.getAsJsonArray("bands");
        for (int i = 0; i < dps.size(); i++) {
            JsonObject b = bands.get(i).getAsJsonObject();
            SampleProcessor p = dps.get(i).processor();
            if (b.get("processor").getAsString().equals("SampleProcessor")) {
                assertThat(p).isSameAs(SampleProcessor.IDENTITY);
            } else {
                assertThat(p).isInstanceOf(MultiBandProcessor.class);
                MultiBandProcessor mp = (MultiBandProcessor) p;
                assertThat(mp.nBands()).isEqualTo(b.get("processor_n_bands").getAsInt());
                assertThat(mp.powerStd()).isEqualTo(b.get("power_std").getAsFloat());
                assertThat(mp.splitBands().lowpass().halfSize())
                        .isEqualTo(b.get("split_half_size").getAsInt());
                assertThat(mp.splitBands().lowpass().usesFft())
                        .isEqualTo(b.get("split_uses_fft").getAsBoolean());
                float[] hz = SplitBands.cutoffsHz(32000, mp.nBands());
                JsonArray want = b.getAsJsonArray("split_cutoffs_hz");
                for (int j = 0; j < hz.length; j++) {
                    assertThat((double) hz[j])
                            .as("cutoff %d", j)
                            .isCloseTo(
                                    want.get(j).getAsDouble(),
                                    org.assertj.core.data.Offset.offset(
                                            want.get(j).getAsDouble() * 1e-6));
                }
            }
        }
        assertThat(seen.get("noise.used")[0])
                .as("noise draws")
                .isEqualTo(fx.caseJson.getAsJsonArray("noise_order").size());
    }

    @Test
    void schedule_matches_upstream() {
        NoiseSchedule s = mbd.processes().get(0).schedule();
        fx.assertClose("betas", s.betas(), fx.get("schedule.betas"), "schedule.*");
        List<Integer> steps = NoiseSchedule.defaultStepList(1000);
        long[] want = fx.longs.get("schedule.step_list");
        assertThat(steps.stream().mapToLong(Integer::longValue).toArray()).containsExactly(want);
        List<NoiseSchedule.Step> st = s.steps(steps);
        assertThat(st).hasSize(fx.caseJson.get("diffusion_steps").getAsInt());
        float[][] got = new float[5][st.size()];
        for (int i = 0; i < st.size(); i++) {
            got[0][i] = st.get(i).alpha();
            got[1][i] = st.get(i).alphaBar();
            got[2][i] = st.get(i).coefEps();
            got[3][i] = st.get(i).sigma();
            got[4][i] = st.get(i).prevAlphaBar();
        }
        String[] names = {"step_alpha", "step_alpha_bar", "step_coef_eps", "step_sigma", "step_prev_alpha_bar"};
        for (int k = 0; k < names.length; k++) {
            fx.assertClose(names[k], got[k], fx.get("schedule." + names[k]), "schedule.*");
        }
        assertThat(st.get(st.size() - 1).sigma())
                .as("the last step adds no noise")
                .isZero();
    }

    @Test
    void computed_band_filters_equal_the_checkpoint_buffers() {
        MultiBandProcessor p = (MultiBandProcessor) mbd.processes().get(2).processor();
        LowPassFilters stored = p.splitBands().lowpass();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE);
                LowPassFilters computed = LowPassFilters.create(m, stored.cutoffs(), SplitBands.ZEROS, null)) {
            Tensors.assertAllClose(
                    "8-band low-pass filters",
                    computed.filters().toFloatArray(),
                    stored.filters().toFloatArray(),
                    1e-8,
                    1e-5,
                    1e-6);
        }
    }

    @Test
    void eq_split_uses_julius_cutoffs_and_size() {
        JsonObject eq = fx.caseJson.getAsJsonObject("eq");
        float[] hz = SplitBands.cutoffsHz(32000, MultiBandDiffusion.EQ_BANDS);
        JsonArray want = eq.getAsJsonArray("cutoffs_hz");
        assertThat(hz).hasSize(want.size());
        for (int j = 0; j < hz.length; j++) {
            assertThat((double) hz[j])
                    .as("cutoff %d", j)
                    .isCloseTo(
                            want.get(j).getAsDouble(),
                            org.assertj.core.data.Offset.offset(want.get(j).getAsDouble() * 1e-6));
        }
        assertThat(LowPassFilters.halfSize(SplitBands.normalizedCutoffs(32000, 32), SplitBands.ZEROS))
                .isEqualTo(eq.get("half_size").getAsInt());
    }

    @Test
    void first_estimate_of_band0() {
        fx.assertClose(
                "band0.first_estimate",
                seen.get("band0.first_estimate"),
                fx.get("band0.first_estimate"),
                "band0.first_estimate");
    }

    @Test
    void every_band_output() {
        for (int i = 0; i < 4; i++) {
            if (fx.floats.containsKey("band" + i + ".diffusion_out")) {
                fx.assertClose(
                        "band" + i + ".diffusion_out",
                        seen.get("band" + i + ".diffusion_out"),
                        fx.get("band" + i + ".diffusion_out"),
                        "bandI.diffusion_out");
            }
            fx.assertClose(
                    "band" + i + ".out", seen.get("band" + i + ".out"), fx.get("band" + i + ".out"), "bandI.out");
        }
    }

    @Test
    void band_sum() {
        fx.assertClose("wav_diffusion", seen.get("wav_diffusion"), fx.get("wav_diffusion"), "wav_diffusion");
    }

    @Test
    void conditioning_is_the_codec_latent() {
        fx.assertClose("condition", seen.get("condition"), fx.get("condition"), "condition");
        fx.assertClose("wav_encodec", seen.get("wav_encodec"), fx.get("wav_encodec"), "wav_encodec");
    }

    @Test
    void eq_match_to_the_encodec_decode() {
        fx.assertClose("eq.gain", seen.get("eq.gain"), fx.get("eq.gain"), "eq.gain");
        fx.assertClose("wav_out", seen.get("wav_out"), fx.get("wav_out"), "wav_out");
    }

    @Test
    void eq_match_alone_from_upstreams_band_sum() {
        Shape size = new Shape(fx.shapes.get("wav_encodec"));
        float[][] gains = new float[1][];
        MultiBandDiffusion.Trace t = new MultiBandDiffusion.Trace() {
            @Override
            public void eqGains(float[] g) {
                gains[0] = g;
            }
        };
        try (NDManager m = manager.newSubManager()) {
            NDArray ref = m.create(fx.get("wav_encodec"), size);
            NDArray out = mbd.reEq(m.create(fx.get("wav_diffusion"), size), ref, t);
            fx.assertClose("eq.gain", gains[0], fx.get("eq.gain"), "eq.gain");
            fx.assertClose("wav_out (re_eq of upstream's band sum)", out.toFloatArray(), fx.get("wav_out"), "wav_out");
        }
    }
}
