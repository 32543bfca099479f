package dev.musicgen.bench;

import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.t5.T5Config;
import dev.musicgen.internal.weights.DType;
import dev.musicgen.internal.weights.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Random checkpoints with the real names and shapes, for benchmarks (no download): matrices and embeddings in fp16
 * (as audiocraft's Hub checkpoints store them), norms as fp32 ones and zeros. Values are generated lazily, when a
 * loader asks for a tensor's bytes, so a model costs its weights' memory once. Magnitudes (|w| ~ 2⁻⁹…2⁻⁵, random
 * signs) keep activations finite through any depth; timing does not depend on the values.
 */
final class RandomWeights {
    private RandomWeights() {}

    /** One tensor's name, shape and whether it is a matrix/embedding (fp16, random) or a norm (fp32 constant). */
    record Spec(String name, long[] shape, boolean random, float constant) {
        long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        long bytes() {
            return numel() * (random ? 2 : 4);
        }
    }

    /** The LM's tensors under audiocraft names ({@code emb.*}, {@code transformer.layers.*}, ...), no biases. */
    static List<Spec> lm(LMConfig c) {
        List<Spec> s = new ArrayList<>();
        long d = c.dim();
        for (int q = 0; q < c.nQ(); q++) {
            s.add(mat("emb." + q + ".weight", c.card() + 1, d));
        }
        for (int i = 0; i < c.numLayers(); i++) {
            String l = "transformer.layers." + i + ".";
            s.add(mat(l + "self_attn.in_proj_weight", 3 * d, d));
            s.add(mat(l + "self_attn.out_proj.weight", d, d));
            if (c.crossAttention()) {
                s.add(mat(l + "cross_attention.in_proj_weight", 3 * d, d));
                s.add(mat(l + "cross_attention.out_proj.weight", d, d));
                norm(s, l + "norm_cross", d);
            }
            s.add(mat(l + "linear1.weight", c.ffnDim(), d));
            s.add(mat(l + "linear2.weight", d, c.ffnDim()));
            norm(s, l + "norm1", d);
            norm(s, l + "norm2", d);
        }
        norm(s, "out_norm", d);
        for (int q = 0; q < c.nQ(); q++) {
            s.add(mat("linears." + q + ".weight", c.card(), d));
        }
        return s;
    }

    /** The T5 encoder's tensors under HF names (non-gated feed-forward, as t5-base). */
    static List<Spec> t5(T5Config c) {
        List<Spec> s = new ArrayList<>();
        long d = c.dModel();
        long inner = c.innerDim();
        s.add(mat("shared.weight", c.vocabSize(), d));
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "encoder.block." + i + ".layer.";
            String att = p + "0.SelfAttention.";
            for (String w : new String[] {"q", "k", "v"}) {
                s.add(mat(att + w + ".weight", inner, d));
            }
            s.add(mat(att + "o.weight", d, inner));
            if (i == 0) {
                s.add(mat(att + "relative_attention_bias.weight", c.relativeAttentionNumBuckets(), c.numHeads()));
            }
            s.add(new Spec(p + "0.layer_norm.weight", new long[] {d}, false, 1f));
            s.add(mat(p + "1.DenseReluDense.wi.weight", c.dFf(), d));
            s.add(mat(p + "1.DenseReluDense.wo.weight", d, c.dFf()));
            s.add(new Spec(p + "1.layer_norm.weight", new long[] {d}, false, 1f));
        }
        s.add(new Spec("encoder.final_layer_norm.weight", new long[] {d}, false, 1f));
        return s;
    }

    private static Spec mat(String name, long rows, long cols) {
        return new Spec(name, new long[] {rows, cols}, true, 0f);
    }

    private static void norm(List<Spec> s, String prefix, long d) {
        s.add(new Spec(prefix + ".weight", new long[] {d}, false, 1f));
        s.add(new Spec(prefix + ".bias", new long[] {d}, false, 0f));
    }

    static long bytes(List<Spec> specs) {
        return specs.stream().mapToLong(Spec::bytes).sum();
    }

    /** Lazily generated tensors: each is created when a loader reads it (and can be collected afterwards). */
    static Map<String, TensorData> tensors(List<Spec> specs, long seed) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        long salt = seed;
        for (Spec sp : specs) {
            final long tensorSeed = salt++ * 0x9E3779B97F4A7C15L + 1;
            if (sp.random()) {
                out.put(
                        sp.name(),
                        new TensorData(sp.name(), DType.F16, sp.shape(), () -> halfValues(sp.numel(), tensorSeed)));
            } else {
                float[] v = new float[(int) sp.numel()];
                Arrays.fill(v, sp.constant());
                out.put(sp.name(), TensorData.ofFloats(sp.name(), sp.shape(), v));
            }
        }
        return out;
    }

    /** n random fp16 values, little-endian, in a direct buffer. */
    static ByteBuffer halfValues(long n, long seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(n * 2)).order(ByteOrder.LITTLE_ENDIAN);
        fillHalf(b.asShortBuffer(), n, seed);
        return b;
    }

    private static void fillHalf(ShortBuffer s, long n, long seed) {
        short[] chunk = new short[8192];
        long x = seed == 0 ? 1 : seed;
        long done = 0;
        while (done < n) {
            int len = (int) Math.min(chunk.length, n - done);
            for (int i = 0; i < len; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                int r = (int) (x >>> 32);
                int sign = r & 0x8000;
                int exp = 15 - 9 + ((r >>> 16) & 3); // 2^-9 .. 2^-6, times 1.mantissa
                int mant = (r >>> 18) & 0x3ff;
                chunk[i] = (short) (sign | (exp << 10) | mant);
            }
            s.put(chunk, 0, len);
            done += len;
        }
    }

    /**
     * Writes {@code specs} as a safetensors file (random fp16 matrices, fp32 norms), streaming tensor by tensor so
     * a multi-GB file needs no more than one tensor in memory.
     */
    static void writeSafetensors(Path file, List<Spec> specs, long seed) throws IOException {
        StringBuilder h = new StringBuilder("{");
        long offset = 0;
        for (Spec sp : specs) {
            if (h.length() > 1) {
                h.append(',');
            }
            h.append('"')
                    .append(sp.name())
                    .append("\":{\"dtype\":\"")
                    .append(sp.random() ? "F16" : "F32")
                    .append("\",\"shape\":")
                    .append(Arrays.toString(sp.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(offset + sp.bytes())
                    .append("]}");
            offset += sp.bytes();
        }
        h.append('}');
        while ((h.length() + 8) % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            len.flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(header));
            Map<String, TensorData> tensors = tensors(specs, seed);
            for (Spec sp : specs) {
                writeFully(ch, tensors.get(sp.name()).buffer());
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
