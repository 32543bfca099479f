package dev.musicgen.internal.codec;

import dev.musicgen.internal.nn.Arrays3;
import dev.musicgen.internal.weights.DType;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.SafeTensorsWriter;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.spi.AudioCodec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A tokens file: a {@code .safetensors} file holding one int64 tensor {@code tokens} of shape {@code [B, K, T]}
 * (batch, codebook, frame), as the {@code musicgen encode} command writes and {@code musicgen decode} reads.
 */
public final class TokensFile {
    public static final String TENSOR = "tokens";

    /** Bounds on what a tokens file may hold: far more than a model generates, little enough to decode. */
    static final int MAX_BATCH = 64;

    static final int MAX_CODEBOOKS = 32;
    static final int MAX_FRAMES = 30 * 60 * 50;

    private TokensFile() {}

    /** Writes {@code codes} (rectangular {@code [B][K][T]}) as int64 {@code tokens}; atomically replaces the file. */
    public static void write(Path file, long[][][] codes) {
        if (codes == null || codes.length == 0 || codes[0] == null || codes[0].length == 0 || codes[0][0] == null) {
            throw new IllegalArgumentException(TENSOR + ": expected a non-empty [B][K][T] array");
        }
        int b = codes.length;
        int k = codes[0].length;
        int t = codes[0][0].length;
        for (int i = 0; i < b; i++) {
            if (codes[i] == null || codes[i].length != k) {
                throw new IllegalArgumentException(TENSOR + ": ragged array, item " + i + " has "
                        + (codes[i] == null ? "no" : String.valueOf(codes[i].length)) + " codebooks, item 0 has " + k);
            }
            for (int q = 0; q < k; q++) {
                if (codes[i][q] == null || codes[i][q].length != t) {
                    throw new IllegalArgumentException(TENSOR + ": ragged array, row [" + i + ", " + q + "] has "
                            + (codes[i][q] == null ? "no" : String.valueOf(codes[i][q].length))
                            + " frames, row [0, 0] has " + t);
                }
            }
        }
        TensorData data = TensorData.ofLongs(TENSOR, new long[] {b, k, t}, Arrays3.flatten(codes));
        SafeTensorsWriter.write(file, Map.of(TENSOR, data), Map.of("format", "pt"));
    }

    /**
     * Reads the {@code tokens} tensor. It must be rank 3 {@code [B, K, T]} of an integer dtype.
     *
     * @throws IllegalArgumentException naming the tensor, what was found and what is allowed
     */
    public static long[][][] read(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            TensorData t = f.tensors().get(TENSOR);
            if (t == null) {
                throw new IllegalArgumentException(file + " has no tensor '" + TENSOR + "'; it has "
                        + f.tensors().keySet());
            }
            long[] shape = t.shape();
            if (shape.length != 3) {
                throw new IllegalArgumentException(TENSOR + " in " + file + ": found rank " + shape.length + " (shape "
                        + Arrays.toString(shape) + "); allowed is rank 3, [B, K, T] (batch, codebook, frame)");
            }
            DType d = t.dtype();
            if (d.isFloatingPoint() || d == DType.BOOL) {
                throw new IllegalArgumentException(TENSOR + " in " + file + ": found dtype " + d
                        + "; allowed are integer dtypes (I64 as written by 'musicgen encode', I32, I16, I8, U8)");
            }
            for (long s : shape) {
                if (s < 1 || s > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(TENSOR + " in " + file + ": found shape "
                            + Arrays.toString(shape) + "; every dimension must be at least 1");
                }
            }
            if (shape[0] > MAX_BATCH || shape[1] > MAX_CODEBOOKS || shape[2] > MAX_FRAMES) {
                // checked before anything is copied: a small file of U8 tokens can claim gigabytes of int64s
                throw new IllegalArgumentException(TENSOR + " in " + file + ": found shape " + Arrays.toString(shape)
                        + "; at most [" + MAX_BATCH + ", " + MAX_CODEBOOKS + ", " + MAX_FRAMES + "] is accepted ("
                        + MAX_FRAMES + " frames = 30 minutes at 50 Hz)");
            }
            return Arrays3.unflatten(t.toLongArray(), (int) shape[0], (int) shape[1], (int) shape[2]);
        }
    }

    /**
     * Reads the {@code tokens} tensor and checks it against {@code codec}: {@code K} must be its number of codebooks
     * and every value in {@code [0, cardinality)}.
     */
    public static long[][][] read(Path file, AudioCodec codec) {
        long[][][] codes = read(file);
        if (codec instanceof CompressionModel) {
            ((CompressionModel) codec).checkCodes(TENSOR, codes);
        } else {
            check(TENSOR, codes, codec.numCodebooks(), codec.cardinality());
        }
        return codes;
    }

    private static void check(String tensor, long[][][] codes, int k, int card) {
        if (codes[0].length != k) {
            throw new IllegalArgumentException(
                    tensor + ": found " + codes[0].length + " codebooks; this codec expects" + " K = " + k);
        }
        for (int b = 0; b < codes.length; b++) {
            for (int q = 0; q < k; q++) {
                for (int i = 0; i < codes[b][q].length; i++) {
                    long v = codes[b][q][i];
                    if (v < 0 || v >= card) {
                        throw new IllegalArgumentException(tensor + ": value " + v + " at [" + b + ", " + q + ", " + i
                                + "] is out of range; allowed codes are 0.." + (card - 1));
                    }
                }
            }
        }
    }
}
