package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;

/**
 * Port of demucs {@code spec.py} (demucs 4.0.1): {@code spectro} = {@code torch.stft(n_fft, hop,
 * window=hann_window(n_fft), normalized=True, center=True, pad_mode='reflect', return_complex=True)} and
 * {@code ispectro} = {@code torch.istft} with the same window, normalisation and centring.
 *
 * <p>The engine has {@code stft} but no {@code istft}, so the inverse follows torch's own algorithm
 * ({@code SpectralOps.cpp}): a one-sided inverse real FFT per frame scaled by {@code 1/sqrt(n_fft)}
 * ({@code normalized=True}), times the window, overlap-added at the hop, divided by the overlap-added squared window,
 * trimmed by {@code n_fft/2} on the left (centre) and to {@code length}.
 */
final class Spec {
    private final int nfft;
    private final int hop;
    private final NDArray window; // [nfft], torch.hann_window(nfft) (periodic)
    private final NDArray windowCol; // [1, nfft, 1]
    private final float[] windowValues;

    /** @param window {@code hann_window(nfft)} created by the engine (its float32 values are torch's) */
    Spec(int nfft, int hop, NDArray window) {
        if (nfft % hop != 0) {
            throw new IllegalArgumentException("hop " + hop + " must divide nfft " + nfft);
        }
        this.nfft = nfft;
        this.hop = hop;
        this.window = window;
        this.windowCol = window.reshape(1, nfft, 1);
        this.windowValues = window.toFloatArray();
    }

    /** x [N, L] → the real view of the one-sided complex STFT, [N, nfft/2 + 1, 1 + L/hop, 2]. */
    NDArray spectro(NDArray x) {
        return x.stft(nfft, hop, true, window, true, true).real();
    }

    /**
     * z [N, nfft/2 + 1, frames, 2] (real view of a one-sided spectrum) → [N, length] with
     * {@code length <= (frames - 1) * hop}.
     */
    NDArray ispectro(NDArray z, int length) {
        Shape s = z.getShape();
        long n = s.get(0);
        int frames = (int) s.get(2);
        int r = nfft / hop;
        long total = (long) (frames + r - 1) * hop;
        int start = nfft / 2;
        if (start + length > total) {
            throw new IllegalArgumentException("istft length " + length + " exceeds the " + (total - start)
                    + " samples that " + frames + " frames give");
        }
        // one row at a time: every temporary stays cache-sized (and below glibc's mmap threshold)
        NDList rows = new NDList();
        for (long i = 0; i < n; i++) {
            final long row = i;
            rows.add(F.scoped(() -> overlapAdd(z.get(new NDIndex("{}:{}", row, row + 1)), frames)));
        }
        NDArray out = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
        out = out.get(new NDIndex(":, {}:{}", start, start + length));
        return out.div(out.getManager().create(envelope(frames, start, length)));
    }

    /** One-sided spectra [1, F, frames, 2] → the windowed frames overlap-added, [1, (frames + r - 1) * hop]. */
    private NDArray overlapAdd(NDArray z, int frames) {
        int r = nfft / hop;
        // _fft_c2r(by_root_n) = irfft (by_n) * sqrt(n): exact for n a power of 4 (sqrt is a power of two)
        NDArray y = z.complex().irfft(nfft, 1).mul((float) Math.sqrt(nfft)).mul(windowCol); // [1, nfft, frames]
        NDArray y4 = y.transpose(0, 2, 1).reshape(1, frames, r, hop);
        NDArray out = null;
        // earliest frame first at every position (torch accumulates frames in order)
        for (int j = r - 1; j >= 0; j--) {
            NDArray seq = y4.get(new NDIndex(":, :, {}, :", j))
                    .reshape(1, (long) frames * hop)
                    .pad(new Shape((long) j * hop, (long) (r - 1 - j) * hop), 0f);
            out = out == null ? seq : out.add(seq);
        }
        return out;
    }

    /** The overlap-added squared window over output samples [start, start + length), checked non-vanishing. */
    private float[] envelope(int frames, int start, int length) {
        float[] env = new float[length];
        for (int i = 0; i < length; i++) {
            int t = start + i;
            float acc = 0f;
            int fLo = Math.max(0, (t - nfft) / hop);
            for (int f = fLo; f < frames && f * hop <= t; f++) {
                int idx = t - f * hop;
                if (idx < nfft) {
                    float w = windowValues[idx];
                    acc += w * w;
                }
            }
            if (Math.abs(acc) < 1e-11) {
                throw new IllegalStateException("istft window overlap-add vanishes at sample " + t);
            }
            env[i] = acc;
        }
        return env;
    }
}
