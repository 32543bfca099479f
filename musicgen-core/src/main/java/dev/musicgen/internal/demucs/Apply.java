package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of demucs {@code apply_model} (demucs 4.0.1 {@code demucs/apply.py}) for one HTDemucs, exactly as
 * audiocraft's {@code ChromaStemConditioner} calls it: {@code apply_model(model, wav, device)} with the defaults
 * {@code shifts=1, split=True, overlap=0.25, transition_power=1, segment=None}, sequential ({@code num_workers=0}).
 * audiocraft passes a {@code BagOfModels} of one model with unit weights, which multiplies and divides by 1.0: the
 * same floats as the model-level call here.
 *
 * <ol>
 *   <li>Shift: zero-pad the mix by {@code max_shift = int(0.5 * samplerate)} on both sides, run the split level on
 *       {@code TensorChunk(padded, offset, length + max_shift - offset)} with {@code offset = randint(0, max_shift)},
 *       keep {@code out[..., max_shift - offset:]}.
 *   <li>Split: chunks of {@code segment_length = int(samplerate * segment)} every {@code stride = int(0.75 *
 *       segment_length)}; each chunk's output is weighted by the triangle {@code weight[:chunk_length]} (the same
 *       start-of-triangle weights for every chunk, the last one included), summed, and divided by the summed weights.
 *   <li>Per chunk: {@code TensorChunk.padded(valid_length)} centres the chunk in a model-sized window filled with
 *       real samples of the underlying padded mix (zeros only beyond it), runs the model and centre-trims.
 * </ol>
 * All accumulation is float32 in the same order as torch.
 */
final class Apply {
    private static final Logger LOG = LoggerFactory.getLogger(Apply.class);

    private final HTDemucs model;

    Apply(HTDemucs model) {
        this.model = model;
    }

    /** Intermediate results for parity tests (null fields are not recorded). */
    static final class Trace {
        float[][][] shiftedOut;
        float[][][] outBeforeDiv;
        float[] sumWeight;
        java.util.List<float[][][]> chunkOuts = new java.util.ArrayList<>();
    }

    /** {@code TensorChunk}: a view [offset, offset + length) of a [C][L] array. */
    record TensorChunk(float[][] tensor, int offset, int length) {
        /** {@code TensorChunk(tensor_or_chunk, offset, length)} with length clipped to what remains. */
        static TensorChunk of(float[][] tensor, int offset, int length) {
            int total = tensor[0].length;
            if (offset < 0 || offset >= total) {
                throw new IllegalArgumentException("offset must be in [0, " + total + "), but is: " + offset);
            }
            return new TensorChunk(tensor, offset, Math.min(total - offset, length));
        }

        /** A chunk of this chunk: offsets add up, the underlying tensor stays (so padding sees real neighbours). */
        TensorChunk sub(int subOffset, int subLength) {
            if (subOffset < 0 || subOffset >= length) {
                throw new IllegalArgumentException("offset must be in [0, " + length + "), but is: " + subOffset);
            }
            return new TensorChunk(tensor, offset + subOffset, Math.min(length - subOffset, subLength));
        }

        /** {@code padded(target_length)}: centred on the chunk, real samples of the tensor, zeros outside it. */
        float[][] padded(int targetLength) {
            int delta = targetLength - length;
            if (delta < 0) {
                throw new IllegalArgumentException("target length " + targetLength + " < chunk length " + length);
            }
            int total = tensor[0].length;
            int start = offset - delta / 2;
            int end = start + targetLength;
            int correctStart = Math.max(0, start);
            int correctEnd = Math.min(total, end);
            float[][] out = new float[tensor.length][targetLength];
            for (int c = 0; c < tensor.length; c++) {
                System.arraycopy(tensor[c], correctStart, out[c], correctStart - start, correctEnd - correctStart);
            }
            return out;
        }
    }

    /** The whole {@code apply_model(shifts=1, split=True)} on mix [C][L] → [S][C][L]. */
    float[][][] applyModel(float[][] mix, int shiftOffset, Trace trace) {
        HTDemucsConfig c = model.config();
        if (mix.length != c.audioChannels()) {
            throw new IllegalArgumentException(
                    "mix must have " + c.audioChannels() + " channels, but has: " + mix.length);
        }
        int length = mix[0].length;
        int maxShift = (int) (0.5 * c.samplerate());
        if (shiftOffset < 0 || shiftOffset > maxShift) {
            throw new IllegalArgumentException("shiftOffset must be in [0, " + maxShift + "], but is: " + shiftOffset);
        }
        if (length == 0) {
            return new float[c.sources().size()][c.audioChannels()][0];
        }
        float[][] paddedMix = TensorChunk.of(mix, 0, length).padded(length + 2 * maxShift);
        TensorChunk shifted = TensorChunk.of(paddedMix, shiftOffset, length + maxShift - shiftOffset);
        float[][][] shiftedOut = applySplit(shifted, trace);
        if (trace != null) {
            trace.shiftedOut = shiftedOut;
        }
        int from = maxShift - shiftOffset;
        float[][][] out = new float[shiftedOut.length][c.audioChannels()][];
        for (int s = 0; s < out.length; s++) {
            for (int ch = 0; ch < out[s].length; ch++) {
                // out = 0. + shifted_out[..., from:]; out /= shifts (1): both exact
                out[s][ch] = java.util.Arrays.copyOfRange(shiftedOut[s][ch], from, from + length);
            }
        }
        return out;
    }

    /** The {@code split=True} level on a chunk of the padded mix → [S][C][chunk length]. */
    float[][][] applySplit(TensorChunk mix, Trace trace) {
        HTDemucsConfig c = model.config();
        int sources = c.sources().size();
        int channels = c.audioChannels();
        int length = mix.length();
        float[][][] out = new float[sources][channels][length];
        float[] sumWeight = new float[length];
        int segmentLength = c.trainingLength(); // int(model.samplerate * model.segment)
        int stride = (int) ((1 - 0.25) * segmentLength);
        float[] weight = transitionWeight(segmentLength);
        for (int offset = 0; offset < length; offset += stride) {
            TensorChunk chunk = mix.sub(offset, segmentLength);
            float[][][] chunkOut = applyChunk(chunk);
            if (trace != null) {
                trace.chunkOuts.add(chunkOut);
            }
            int chunkLength = chunkOut[0][0].length;
            for (int s = 0; s < sources; s++) {
                for (int ch = 0; ch < channels; ch++) {
                    float[] o = out[s][ch];
                    float[] co = chunkOut[s][ch];
                    for (int i = 0; i < chunkLength; i++) {
                        o[offset + i] += weight[i] * co[i];
                    }
                }
            }
            for (int i = 0; i < chunkLength; i++) {
                sumWeight[offset + i] += weight[i];
            }
        }
        if (trace != null) {
            trace.outBeforeDiv = deepCopy(out);
            trace.sumWeight = sumWeight.clone();
        }
        for (float[][] src : out) {
            for (float[] o : src) {
                for (int i = 0; i < length; i++) {
                    o[i] /= sumWeight[i];
                }
            }
        }
        return out;
    }

    /**
     * {@code cat([arange(1, L//2 + 1), arange(L - L//2, 0, -1)]) / max}, float32 as torch's int64 true division;
     * {@code ** transition_power} with power 1 is the identity.
     */
    static float[] transitionWeight(int segmentLength) {
        int half = segmentLength / 2;
        float[] w = new float[segmentLength];
        int max = Math.max(half, segmentLength - half);
        for (int i = 0; i < half; i++) {
            w[i] = (float) (i + 1) / (float) max;
        }
        for (int i = half; i < segmentLength; i++) {
            w[i] = (float) (segmentLength - i) / (float) max;
        }
        return w;
    }

    /** The {@code split=False} level: pad the chunk to the model's length with real neighbours, run, centre-trim. */
    float[][][] applyChunk(TensorChunk chunk) {
        HTDemucsConfig c = model.config();
        int valid = c.trainingLength(); // HTDemucs.valid_length(length)
        if (chunk.length() > valid) {
            throw new IllegalArgumentException(
                    "Given length " + chunk.length() + " is longer than training length " + valid);
        }
        float[][] padded = chunk.padded(valid);
        int channels = padded.length;
        float[] flat = new float[channels * valid];
        for (int ch = 0; ch < channels; ch++) {
            System.arraycopy(padded[ch], 0, flat, ch * valid, valid);
        }
        int sources = c.sources().size();
        float[] res;
        long t0 = System.nanoTime();
        try (NDManager call = model.manager().newSubManager();
                NDScope scope = new NDScope()) {
            NDArray in = call.create(flat, new Shape(1, channels, valid));
            res = model.forward(in, null).toFloatArray(); // [1, S, C, valid]
        }
        LOG.debug(
                "HTDemucs forward of a {}-sample chunk (window {}) in {} ms",
                chunk.length(),
                valid,
                (System.nanoTime() - t0) / 1_000_000);
        // center_trim(out, length): drop delta // 2 on the left, the rest on the right
        int length = chunk.length();
        int left = (valid - length) / 2;
        float[][][] out = new float[sources][channels][length];
        for (int s = 0; s < sources; s++) {
            for (int ch = 0; ch < channels; ch++) {
                System.arraycopy(res, (s * channels + ch) * valid + left, out[s][ch], 0, length);
            }
        }
        return out;
    }

    private static float[][][] deepCopy(float[][][] a) {
        float[][][] out = new float[a.length][][];
        for (int i = 0; i < a.length; i++) {
            out[i] = new float[a[i].length][];
            for (int j = 0; j < a[i].length; j++) {
                out[i][j] = a[i][j].clone();
            }
        }
        return out;
    }
}
