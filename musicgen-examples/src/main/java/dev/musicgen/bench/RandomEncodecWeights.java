package dev.musicgen.bench;

import dev.musicgen.internal.codec.EncodecConfig;
import dev.musicgen.internal.codec.SEANetConfig;
import dev.musicgen.internal.weights.TensorData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random weights under our (HF-style) names for any {@link EncodecConfig}, for the benchmarks. Weight-norm
 * convs get {@code weight_g = 1}, so every output channel is a unit-norm projection and activations stay in range.
 */
public final class RandomEncodecWeights {
    private final Map<String, TensorData> tensors = new LinkedHashMap<>();
    private final SplittableRandom rnd;

    private RandomEncodecWeights(long seed) {
        rnd = new SplittableRandom(seed);
    }

    public static Map<String, TensorData> of(EncodecConfig cfg, long seed) {
        RandomEncodecWeights r = new RandomEncodecWeights(seed);
        r.encoder(cfg.encoder());
        r.decoder(cfg.decoder());
        for (int q = 0; q < cfg.rvq().nQ(); q++) {
            r.normal(
                    "quantizer.layers." + q + ".codebook.embed",
                    1.0,
                    cfg.rvq().bins(),
                    cfg.rvq().dimension());
            r.normal(
                    "quantizer.layers." + q + ".codebook.embed_avg",
                    1.0,
                    cfg.rvq().bins(),
                    cfg.rvq().dimension());
            r.normal(
                    "quantizer.layers." + q + ".codebook.cluster_size",
                    1.0,
                    cfg.rvq().bins());
            r.normal("quantizer.layers." + q + ".codebook.inited", 1.0, 1);
        }
        return Collections.unmodifiableMap(r.tensors);
    }

    private void encoder(SEANetConfig c) {
        String p = "encoder.layers.";
        List<Integer> ratios = new ArrayList<>(c.ratios());
        Collections.reverse(ratios);
        boolean wn = c.norm().equals("weight_norm");
        int i = 0;
        int mult = 1;
        conv(p + i++ + ".conv", c.channels(), c.nFilters(), c.kernelSize(), wn, false);
        for (int ratio : ratios) {
            for (int j = 0; j < c.nResidualLayers(); j++) {
                block(p + i++, c, mult * c.nFilters(), wn);
            }
            i++; // activation
            conv(p + i++ + ".conv", mult * c.nFilters(), mult * c.nFilters() * 2, 2 * ratio, wn, false);
            mult *= 2;
        }
        if (c.lstm() > 0) {
            lstm(p + i++ + ".lstm", mult * c.nFilters(), c.lstm());
        }
        i++; // activation
        conv(p + i + ".conv", mult * c.nFilters(), c.dimension(), c.lastKernelSize(), wn, false);
    }

    private void decoder(SEANetConfig c) {
        String p = "decoder.layers.";
        boolean wn = c.norm().equals("weight_norm");
        int mult = 1 << c.ratios().size();
        int i = 0;
        conv(p + i++ + ".conv", c.dimension(), mult * c.nFilters(), c.kernelSize(), wn, false);
        if (c.lstm() > 0) {
            lstm(p + i++ + ".lstm", mult * c.nFilters(), c.lstm());
        }
        for (int ratio : c.ratios()) {
            i++; // activation
            conv(p + i++ + ".conv", mult * c.nFilters(), mult * c.nFilters() / 2, 2 * ratio, wn, true);
            for (int j = 0; j < c.nResidualLayers(); j++) {
                block(p + i++, c, mult * c.nFilters() / 2, wn);
            }
            mult /= 2;
        }
        i++; // activation
        conv(p + i + ".conv", c.nFilters(), c.channels(), c.lastKernelSize(), wn, false);
    }

    private void block(String p, SEANetConfig c, int dim, boolean wn) {
        int hidden = dim / c.compress();
        conv(p + ".block.1.conv", dim, hidden, c.residualKernelSize(), wn, false);
        conv(p + ".block.3.conv", hidden, dim, 1, wn, false);
        if (!c.trueSkip()) {
            conv(p + ".shortcut.conv", dim, dim, 1, wn, false);
        }
    }

    private void conv(String p, int in, int out, int k, boolean wn, boolean transposed) {
        int d0 = transposed ? in : out;
        int d1 = transposed ? out : in;
        double std = 1.0 / Math.sqrt((double) in * k);
        if (wn) {
            normal(p + ".weight_v", std, d0, d1, k);
            float[] g = new float[d0];
            java.util.Arrays.fill(g, 1f);
            tensors.put(p + ".weight_g", TensorData.ofFloats(p + ".weight_g", new long[] {d0, 1, 1}, g));
        } else {
            normal(p + ".weight", std, d0, d1, k);
        }
        normal(p + ".bias", 0.01, out);
    }

    private void lstm(String p, int h, int layers) {
        double a = 1.0 / Math.sqrt(h);
        for (int l = 0; l < layers; l++) {
            normal(p + ".weight_ih_l" + l, a, 4 * h, h);
            normal(p + ".weight_hh_l" + l, a, 4 * h, h);
            normal(p + ".bias_ih_l" + l, a, 4 * h);
            normal(p + ".bias_hh_l" + l, a, 4 * h);
        }
    }

    private void normal(String key, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            // sum of uniforms: cheap, bounded, near-normal
            v[i] = (float) (std * (rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5) * 2.0);
        }
        tensors.put(key, TensorData.ofFloats(key, shape, v));
    }
}
