package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.config.XpConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * Port of audiocraft {@code NoiseSchedule} (modules/diffusion_schedule.py @ 896ec7c), inference part: the "power"
 * beta schedule and {@code generate_subsampled}, the DDPM reverse process over a sub-list of steps. Scalars follow
 * upstream's float32 0-d tensor arithmetic step by step. {@code variance} is read but, as upstream's
 * {@code generate_subsampled}, never used: sigma is always the beta-tilde of the sub-sampled chain.
 */
final class NoiseSchedule {
    private final Params params;
    private final float[] betas; // [num_steps]
    private final float[] alphaBarCum; // cumprod(1 - betas) [num_steps]
    private final float[] alphaBarProd; // prod(1 - betas[:s + 1]) for each s [num_steps]

    /** The {@code schedule} node of a band's cfg; unknown keys (Hydra's LR-scheduler block) are ignored. */
    record Params(
            String repartition,
            double betaT0,
            double betaT1,
            double betaExp,
            int numSteps,
            String variance,
            double clip,
            double rescale,
            double noiseScale) {
        Params {
            if (!"power".equals(repartition)) {
                throw new IllegalArgumentException("schedule.repartition must be 'power' (the only one upstream"
                        + " implements), but is: " + repartition);
            }
            if (numSteps < 2) {
                throw new IllegalArgumentException("schedule.num_steps must be at least 2, but is: " + numSteps);
            }
        }

        static Params of(XpConfig schedule) {
            if (schedule.has("n_bands")) {
                throw new IllegalArgumentException(
                        "schedule.n_bands must be null (upstream asserts it), but is: " + schedule.get("n_bands"));
            }
            return new Params(
                    schedule.getString("repartition", "power"),
                    schedule.getDouble("beta_t0", 1e-4),
                    schedule.getDouble("beta_t1", 0.02),
                    schedule.getDouble("beta_exp", 1),
                    schedule.getInt("num_steps", 1000),
                    schedule.getString("variance", "beta"),
                    schedule.getDouble("clip", 5),
                    schedule.getDouble("rescale", 1),
                    schedule.getDouble("noise_scale", 1));
        }
    }

    /** One sub-sampled iteration's scalars (all float32, as upstream's 0-d tensors). */
    record Step(int step, float alpha, float alphaBar, float coefEps, float sigma, float prevAlphaBar) {}

    /** Observes the sampler state, for tests: the U-Net estimate of the first step and the final state. */
    interface Trace {
        default void estimate(int idx, NDArray estimate) {}

        default void finalState(NDArray state) {}
    }

    NoiseSchedule(NDManager manager, Params params) {
        this.params = params;
        this.betas = betas(manager, params);
        this.alphaBarCum = new float[betas.length];
        this.alphaBarProd = new float[betas.length];
        try (NDScope scope = new NDScope()) {
            NDArray oneMinus = manager.create(betas).neg().add(1f); // 1 - betas, float32
            float[] om = oneMinus.toFloatArray();
            // torch's CPU cumprod accumulates in double and rounds each output to float
            double acc = 1;
            for (int i = 0; i < om.length; i++) {
                acc *= om[i];
                alphaBarCum[i] = (float) acc;
            }
            // get_alpha_bar(int step) is torch.prod (a float32 reduction): let libtorch do it
            for (int s = 0; s < om.length; s++) {
                alphaBarProd[s] =
                        oneMinus.get(new NDIndex("0:{}", s + 1)).prod().getFloat();
            }
        }
    }

    /**
     * {@code linspace(t0 ** (1/exp), t1 ** (1/exp), n, float32) ** exp}: the endpoints are doubles cast to float,
     * the power runs in libtorch so it rounds as upstream's.
     */
    private static float[] betas(NDManager manager, Params p) {
        float start = (float) Math.pow(p.betaT0(), 1 / p.betaExp());
        float end = (float) Math.pow(p.betaT1(), 1 / p.betaExp());
        float[] lin = SplitBands.linspace(start, end, p.numSteps());
        try (NDArray a = manager.create(lin);
                NDArray b = a.pow((float) p.betaExp())) {
            return b.toFloatArray();
        }
    }

    Params params() {
        return params;
    }

    float[] betas() {
        return betas.clone();
    }

    /** {@code get_alpha_bar(step)} = {@code (1 - betas[:step + 1]).prod()}. */
    float alphaBar(int step) {
        return alphaBarProd[step];
    }

    /** Upstream's default {@code list(range(num_steps))[::-50] + [0]}: 999, 949, ..., 49, 0. */
    static List<Integer> defaultStepList(int numSteps) {
        List<Integer> out = new ArrayList<>();
        for (int s = numSteps - 1; s >= 0; s -= 50) {
            out.add(s);
        }
        out.add(0);
        return Collections.unmodifiableList(out);
    }

    /** The per-iteration scalars of {@code generate_subsampled} over {@code stepList}. */
    List<Step> steps(List<Integer> stepList) {
        int n = stepList.size();
        if (n < 2) {
            throw new IllegalArgumentException("stepList needs at least 2 steps, but has: " + stepList);
        }
        // alpha_bars_subsampled = cumprod(1 - betas)[reversed(step_list)]; betas_from_alpha_bar
        float[] abSub = new float[n];
        for (int i = 0; i < n; i++) {
            int s = stepList.get(n - 1 - i);
            if (s < 0 || s >= params.numSteps()) {
                throw new IllegalArgumentException(
                        "stepList entries must be in [0, " + params.numSteps() + "), but the list is: " + stepList);
            }
            abSub[i] = alphaBarCum[s];
        }
        float[] betaSub = new float[n];
        betaSub[0] = 1f - abSub[0];
        for (int i = 1; i < n; i++) {
            betaSub[i] = 1f - abSub[i] / abSub[i - 1];
        }
        List<Step> out = new ArrayList<>();
        float alphaBar = alphaBar(params.numSteps() - 1);
        for (int idx = 0; idx < n - 1; idx++) {
            int step = stepList.get(idx);
            float alpha = 1f - betaSub[n - 1 - idx];
            float coef = (1f - alpha) / (float) Math.sqrt(1f - alphaBar);
            float prevAlphaBar = alphaBar(stepList.get(idx + 1));
            float sigma2;
            if (step == stepList.get(n - 2)) {
                sigma2 = 0f;
                prevAlphaBar = 1f;
            } else {
                sigma2 = (1f - prevAlphaBar) / (1f - alphaBar) * (1f - alpha);
            }
            out.add(new Step(step, alpha, alphaBar, coef, (float) Math.sqrt(sigma2), prevAlphaBar));
            alphaBar = prevAlphaBar;
        }
        return out;
    }

    /**
     * {@code generate_subsampled(model, initial, step_list, condition)}. in: initial [B, 1, L] (already drawn by the
     * caller, upstream's {@code randn_like(out)}), condition [B, D, T]; out: the processed sample [B, 1, L]. Draws one
     * noise per iteration except the last (sigma 0) from {@code noise}. Each iteration runs in its own NDScope; an
     * interrupted thread stops before the next U-Net evaluation with a {@link CancellationException}.
     */
    NDArray generateSubsampled(
            DiffusionUnet model,
            NDArray initial,
            List<Integer> stepList,
            NDArray condition,
            SampleProcessor processor,
            NoiseSource noise,
            Trace trace) {
        float noiseScale = (float) params.noiseScale();
        float clip = (float) params.clip();
        long[] shape = initial.getShape().getShape();
        NDArray current = initial.mul(noiseScale);
        List<Step> steps = steps(stepList);
        for (int idx = 0; idx < steps.size(); idx++) {
            Step s = steps.get(idx);
            if (Thread.currentThread().isInterrupted()) {
                current.close();
                throw new CancellationException("MultiBand Diffusion interrupted before step " + s.step());
            }
            try (NDScope scope = new NDScope()) {
                NDArray estimate = model.forward(current, s.step(), condition).mul(noiseScale);
                if (trace != null) {
                    trace.estimate(idx, estimate);
                }
                NDArray previous = current.sub(estimate.mul(s.coefEps())).div((float) Math.sqrt(s.alpha()));
                if (s.sigma() > 0) {
                    NDArray z = current.getManager().create(noise.next(shape), new Shape(shape));
                    previous = previous.add(z.mul(s.sigma()).mul(noiseScale));
                }
                if (clip != 0) {
                    previous = previous.clip(-clip, clip);
                }
                if (s.step() == 0) {
                    previous = previous.mul((float) params.rescale());
                }
                NDScope.unregister(previous);
                current.close(); // the state we replace (never the caller's initial: current starts as a copy)
                current = previous;
            }
        }
        if (trace != null) {
            trace.finalState(current);
        }
        return processor.returnSample(current);
    }
}
