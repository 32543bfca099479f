package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Port of audiocraft {@code MultiBandProcessor.return_sample} (modules/diffusion_schedule.py @ 896ec7c): the sample
 * is split into {@code n_bands} mel bands and each band rescaled by {@code (std / target_std) ** power_std} and
 * shifted by its mean, using the statistics the training run accumulated (buffers {@code counts}, {@code sum_x},
 * {@code sum_x2}, {@code sum_target_x2}). As upstream, {@code target_std} is the mean target power with no square
 * root. {@code project_sample} is training-only and not ported.
 */
final class MultiBandProcessor implements SampleProcessor {
    private final int nBands;
    private final float powerStd;
    private final SplitBands splitBands;
    private final float[] mean; // [n]
    private final float[] std; // [n]
    private final float[] targetStd; // [n]
    private final float[] rescale; // [n] (std / target_std) ** power_std
    private final NDArray rescaleNd; // [n, 1, 1, 1]
    private final NDArray meanNd; // [n, 1, 1, 1]

    /**
     * @param state the band's {@code processor_state} (keys {@code counts}, {@code sum_x}, {@code sum_x2},
     *     {@code sum_target_x2}, {@code split_bands.lowpass.filters})
     */
    MultiBandProcessor(NDManager manager, WeightStore state, int sampleRate, int nBands, float powerStd) {
        this.nBands = nBands;
        this.powerStd = powerStd;
        float counts = state.tensor("counts", 1).toFloatArray()[0];
        float[] sumX = state.tensor("sum_x", nBands).toFloatArray();
        float[] sumX2 = state.tensor("sum_x2", nBands).toFloatArray();
        float[] sumTarget = state.tensor("sum_target_x2", nBands).toFloatArray();
        mean = new float[nBands];
        std = new float[nBands];
        targetStd = new float[nBands];
        rescale = new float[nBands];
        for (int i = 0; i < nBands; i++) {
            // float32 steps as the torch properties compute them
            mean[i] = sumX[i] / counts;
            std[i] = (float) Math.sqrt(Math.max(sumX2[i] / counts - mean[i] * mean[i], 0f));
            targetStd[i] = sumTarget[i] / counts;
            rescale[i] = (float) Math.pow(std[i] / targetStd[i], powerStd);
        }
        int half = LowPassFilters.halfSize(SplitBands.normalizedCutoffs(sampleRate, nBands), SplitBands.ZEROS);
        NDArray filters =
                state.load("split_bands.lowpass.filters", manager, DataType.FLOAT32, nBands - 1, 1, 2L * half + 1);
        this.splitBands = SplitBands.withFilters(sampleRate, nBands, filters);
        this.rescaleNd = manager.create(rescale).reshape(nBands, 1, 1, 1);
        this.meanNd = manager.create(mean).reshape(nBands, 1, 1, 1);
    }

    @Override
    public NDArray returnSample(NDArray x) {
        if (x.getShape().dimension() != 3) {
            throw new IllegalArgumentException("return_sample expects [B, C, L], got " + x.getShape());
        }
        return F.scoped(() -> {
            NDArray bands = splitBands.forward(x); // [n, B, C, L]
            return bands.mul(rescaleNd).add(meanNd).sum(new int[] {0});
        });
    }

    int nBands() {
        return nBands;
    }

    float powerStd() {
        return powerStd;
    }

    float[] rescale() {
        return rescale.clone();
    }

    SplitBands splitBands() {
        return splitBands;
    }

    @Override
    public String toString() {
        return "MultiBandProcessor(n_bands=" + nBands + ", power_std=" + powerStd + ")";
    }

    @Override
    public void close() {
        splitBands.close();
        rescaleNd.close();
        meanNd.close();
    }
}
