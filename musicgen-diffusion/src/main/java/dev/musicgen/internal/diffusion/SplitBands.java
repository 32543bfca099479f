package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.musicgen.internal.nn.F;

/**
 * Port of julius {@code SplitBands} (julius/bands.py @ 126d7ee) with {@code n_bands} cutoffs evenly spaced in mel
 * ({@code core.mel_frequencies}, float32): band 0 is the lowest low-pass, band j the difference of consecutive
 * low-passes, the last band the input minus the highest low-pass, so the bands sum to the input.
 */
final class SplitBands implements AutoCloseable {
    static final float ZEROS = 8f;

    private final int nBands;
    private final LowPassFilters lowpass; // null when n_bands == 1

    private SplitBands(int nBands, LowPassFilters lowpass) {
        this.nBands = nBands;
        this.lowpass = lowpass;
    }

    /** Computes julius' filters for {@code nBands} mel bands of a signal at {@code sampleRate}. */
    static SplitBands create(NDManager manager, int sampleRate, int nBands) {
        float[] cutoffs = normalizedCutoffs(sampleRate, nBands);
        return new SplitBands(
                nBands, cutoffs.length == 0 ? null : LowPassFilters.create(manager, cutoffs, ZEROS, null));
    }

    /** Uses stored filters (a {@code split_bands.lowpass.filters} buffer) for {@code nBands} mel bands. */
    static SplitBands withFilters(int sampleRate, int nBands, NDArray filters) {
        float[] cutoffs = normalizedCutoffs(sampleRate, nBands);
        return new SplitBands(nBands, LowPassFilters.withFilters(cutoffs, ZEROS, null, filters));
    }

    static float[] normalizedCutoffs(int sampleRate, int nBands) {
        if (nBands < 1) {
            throw new IllegalArgumentException("nBands must be at least 1, but is: " + nBands);
        }
        float[] hz = cutoffsHz(sampleRate, nBands);
        float[] out = new float[hz.length];
        for (int i = 0; i < hz.length; i++) {
            out[i] = hz[i] / (float) sampleRate;
        }
        return out;
    }

    /** {@code mel_frequencies(n_bands + 1, 0, sr / 2)[1:-1]}: float32 mel scale, torch.linspace. */
    static float[] cutoffsHz(int sampleRate, int nBands) {
        float low = hzToMel(0f);
        float high = hzToMel(sampleRate / 2f);
        float[] mels = linspace(low, high, nBands + 1);
        float[] out = new float[nBands - 1];
        for (int i = 1; i < nBands; i++) {
            out[i - 1] = melToHz(mels[i]);
        }
        return out;
    }

    static float hzToMel(float f) {
        return 2595f * (float) Math.log10(1f + f / 700f);
    }

    static float melToHz(float m) {
        return 700f * ((float) Math.pow(10.0, m / 2595f) - 1f);
    }

    /** torch.linspace in float32 (CPU kernel): the first half counts up from start, the second down from end. */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }

    int nBands() {
        return nBands;
    }

    LowPassFilters lowpass() {
        return lowpass;
    }

    /** in: [..., T] → out: [nBands, ..., T], summing to the input. */
    NDArray forward(NDArray input) {
        if (lowpass == null) {
            return input.expandDims(0);
        }
        return F.scoped(() -> split(input));
    }

    private NDArray split(NDArray input) {
        NDArray lows = lowpass.forward(input); // [nBands - 1, ..., T]
        NDList bands = new NDList();
        NDArray low = lows.get(new NDIndex("0"));
        bands.add(low);
        for (int j = 1; j < nBands - 1; j++) {
            NDArray next = lows.get(new NDIndex("{}", j));
            bands.add(next.sub(low));
            low = next;
        }
        bands.add(input.sub(low));
        return NDArrays.stack(bands, 0);
    }

    @Override
    public void close() {
        if (lowpass != null) {
            lowpass.close();
        }
    }
}
