package dev.musicgen.internal.diffusion;

import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.DType;
import dev.musicgen.internal.weights.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Random weights in the {@code model_state} layout of a DiffusionUnet, for {@link RandomMbd} and layout tests. */
final class RandomMbdWeights {
    private RandomMbdWeights() {}

    /** The band cfg of the released MBD (config/model/score/basic.yaml + transformer and codec latent). */
    static XpConfig realConfig() {
        Map<String, Object> unet = new LinkedHashMap<>();
        unet.put("hidden", 48);
        unet.put("depth", 4);
        unet.put("res_blocks", 1);
        unet.put("norm_groups", 4);
        unet.put("kernel", 8);
        unet.put("stride", 4);
        unet.put("growth", 4);
        unet.put("max_channels", 10_000);
        unet.put("dropout", 0.0);
        unet.put("emb_all_layers", true);
        unet.put("bilstm", false);
        unet.put("codec_dim", 128);
        unet.put("transformer", true);
        unet.put("cross_attention", false);
        Map<String, Object> schedule = new LinkedHashMap<>();
        schedule.put("repartition", "power");
        schedule.put("beta_t0", 1e-5);
        schedule.put("beta_t1", 2.9e-2);
        schedule.put("beta_exp", 7.5);
        schedule.put("num_steps", 1000);
        schedule.put("variance", "beta");
        schedule.put("clip", 5.0);
        schedule.put("rescale", 1.0);
        schedule.put("n_bands", null);
        schedule.put("noise_scale", 1.0);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("channels", 1);
        cfg.put("sample_rate", 32000);
        cfg.put("diffusion_unet", unet);
        cfg.put("schedule", schedule);
        return XpConfig.of(cfg);
    }

    /** Every key of {@code model_state} with uniform weights of std 1/sqrt(fan_in); norms 1 and 0. */
    static Map<String, TensorData> unetState(DiffusionUnetConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, TensorData> m = new LinkedHashMap<>();
        int[] ch = c.channels();
        int chin = c.chin();
        for (int d = 0; d < c.depth(); d++) {
            String e = "encoders." + d + ".";
            put(m, r, e + "conv.weight", (long) chin * c.kernel(), ch[d], chin, c.kernel());
            norm(m, e + "norm", ch[d]);
            res(m, r, e, ch[d], c);
            String dec = "decoders." + (c.depth() - 1 - d) + ".";
            res(m, r, dec, ch[d], c);
            norm(m, dec + "norm", ch[d]);
            put(m, r, dec + "convtr.weight", (long) ch[d] * c.kernel() / c.stride(), ch[d], chin, c.kernel());
            chin = ch[d];
        }
        put(m, r, "embedding.weight", 100, c.numSteps(), ch[0]);
        for (int d = 1; d < c.depth() && c.embAllLayers(); d++) {
            put(m, r, "embeddings." + (d - 1) + ".weight", 100, c.numSteps(), ch[d]);
        }
        int b = c.bottleneck();
        for (int l = 0; l < PostNormTransformer.NUM_LAYERS && c.transformer(); l++) {
            String p = PostNormTransformer.WEIGHTS + ".layers." + l + ".";
            put(m, r, p + "self_attn.mha.in_proj_weight", b, 3L * b, b);
            put(m, r, p + "self_attn.mha.out_proj.weight", b, b, b);
            put(m, r, p + "linear1.weight", b, PostNormTransformer.DIM_FEEDFORWARD, b);
            put(
                    m,
                    r,
                    p + "linear2.weight",
                    PostNormTransformer.DIM_FEEDFORWARD,
                    b,
                    PostNormTransformer.DIM_FEEDFORWARD);
            norm(m, p + "norm1", b);
            norm(m, p + "norm2", b);
        }
        if (c.codecDim() > 0) {
            put(m, r, "conv_codec.weight", c.codecDim(), b, c.codecDim(), 1);
            put(m, r, "conv_codec.bias", c.codecDim(), b);
        }
        return m;
    }

    /** {@code processor_state} of a MultiBandProcessor with plausible statistics and julius' filters. */
    static Map<String, TensorData> processorState(int sampleRate, int nBands, float[] filters, int taps) {
        Map<String, TensorData> m = new LinkedHashMap<>();
        m.put("counts", TensorData.ofFloats("counts", new long[] {1}, new float[] {10_000f}));
        float[] sumX = new float[nBands];
        float[] sumX2 = new float[nBands];
        float[] sumT = new float[nBands];
        for (int i = 0; i < nBands; i++) {
            sumX2[i] = 10_000f * 0.01f / (i + 1);
            sumT[i] = 10_000f * 1f / nBands;
        }
        m.put("sum_x", TensorData.ofFloats("sum_x", new long[] {nBands}, sumX));
        m.put("sum_x2", TensorData.ofFloats("sum_x2", new long[] {nBands}, sumX2));
        m.put("sum_target_x2", TensorData.ofFloats("sum_target_x2", new long[] {nBands}, sumT));
        m.put("split_bands.lowpass.filters", TensorData.ofFloats("filters", new long[] {nBands - 1, 1, taps}, filters));
        return m;
    }

    private static void res(
            Map<String, TensorData> m, SplittableRandom r, String prefix, int ch, DiffusionUnetConfig c) {
        for (int j = 0; j < c.resBlocks(); j++) {
            String p = prefix + "res_blocks." + j + ".";
            norm(m, p + "norm1", ch);
            put(m, r, p + "conv1.weight", 3L * ch, ch, ch, 3);
            put(m, r, p + "conv1.bias", 3L * ch, ch);
            norm(m, p + "norm2", ch);
            put(m, r, p + "conv2.weight", 3L * ch, ch, ch, 3);
            put(m, r, p + "conv2.bias", 3L * ch, ch);
        }
    }

    private static void norm(Map<String, TensorData> m, String p, int ch) {
        float[] ones = new float[ch];
        java.util.Arrays.fill(ones, 1f);
        m.put(p + ".weight", TensorData.ofFloats(p + ".weight", new long[] {ch}, ones));
        m.put(p + ".bias", TensorData.ofFloats(p + ".bias", new long[] {ch}, new float[ch]));
    }

    private static void put(Map<String, TensorData> m, SplittableRandom r, String name, long fanIn, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float a = (float) (Math.sqrt(3.0) / Math.sqrt(fanIn));
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer f = b.asFloatBuffer();
        for (long i = 0; i < n; i++) {
            f.put((float) ((r.nextDouble() * 2 - 1) * a));
        }
        m.put(name, new TensorData(name, DType.F32, shape, () -> b.duplicate().order(ByteOrder.LITTLE_ENDIAN)));
    }
}
