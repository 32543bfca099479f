package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.nn.F;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Port of demucs {@code CrossTransformerEncoder} (demucs 4.0.1 {@code demucs/transformer.py}), eval mode, dense
 * attention, {@code emb="sin"}: the frequency branch [B, C, Fr, T1] becomes T1·Fr tokens (time-major) with a 2-D
 * sin/cos embedding, the time branch [B, C, T2] becomes T2 tokens with a 1-D one; then layers alternate between
 * self-attention within each branch and cross-attention between them. Weight names: {@code norm_in},
 * {@code norm_in_t}, {@code layers.<i>}, {@code layers_t.<i>}.
 *
 * <p>The position embeddings are computed with the same float32 engine ops as upstream (arange, pow, exp, sin, cos),
 * not in Java doubles, so their rounding matches torch's. {@code t_sin_random_shift} is 0, so upstream's
 * {@code random.randrange(1)} is always 0 and consumes nothing observable.
 */
final class CrossTransformerEncoder {
    private final int dim;
    private final int layerCount;
    private final int classicParity;
    private final double maxPeriod;
    private final double weightPosEmbed;
    private final NDArray normInW;
    private final NDArray normInB;
    private final NDArray normInTW;
    private final NDArray normInTB;
    private final Object[] layers;
    private final Object[] layersT;
    private final Map<String, float[]> embeddings = new ConcurrentHashMap<>();

    CrossTransformerEncoder(Params p, HTDemucsConfig c) {
        dim = c.transformerChannels();
        layerCount = c.tLayers();
        classicParity = c.tCrossFirst() ? 1 : 0;
        maxPeriod = c.tMaxPeriod();
        weightPosEmbed = c.tWeightPosEmbed();
        int hidden = (int) (dim * c.tHiddenScale());
        if (c.tNormIn()) {
            normInW = p.child("norm_in").get("weight", dim);
            normInB = p.child("norm_in").get("bias", dim);
            normInTW = p.child("norm_in_t").get("weight", dim);
            normInTB = p.child("norm_in_t").get("bias", dim);
        } else {
            normInW = normInB = normInTW = normInTB = null;
        }
        layers = new Object[layerCount];
        layersT = new Object[layerCount];
        for (int i = 0; i < layerCount; i++) {
            Params l = p.child("layers").child(i);
            Params lt = p.child("layers_t").child(i);
            if (i % 2 == classicParity) {
                layers[i] = new MyTransformerEncoderLayer(
                        l, dim, c.tHeads(), hidden, c.tGelu(), c.tNormFirst(), c.tNormOut(), c.tLayerScale());
                layersT[i] = new MyTransformerEncoderLayer(
                        lt, dim, c.tHeads(), hidden, c.tGelu(), c.tNormFirst(), c.tNormOut(), c.tLayerScale());
            } else {
                layers[i] = new CrossTransformerEncoderLayer(
                        l, dim, c.tHeads(), hidden, c.tGelu(), c.tNormFirst(), c.tNormOut(), c.tLayerScale());
                layersT[i] = new CrossTransformerEncoderLayer(
                        lt, dim, c.tHeads(), hidden, c.tGelu(), c.tNormFirst(), c.tNormOut(), c.tLayerScale());
            }
        }
    }

    /** x [B, C, Fr, T1], xt [B, C, T2] → the same shapes. */
    NDArray[] forward(NDArray x, NDArray xt) {
        Shape s = x.getShape();
        long b = s.get(0);
        int fr = (int) s.get(2);
        int t1 = (int) s.get(3);
        int t2 = (int) xt.getShape().get(2);
        NDManager m = x.getManager();
        // "b c fr t1 -> b (t1 fr) c"
        NDArray xs = x.transpose(0, 3, 2, 1).reshape(b, (long) t1 * fr, dim);
        if (normInW != null) {
            xs = F.layerNorm(xs, normInW, normInB, MyTransformerEncoderLayer.EPS);
        }
        xs = xs.add(posEmbedding(m, "2d", fr, t1));
        NDArray xts = xt.transpose(0, 2, 1);
        if (normInTW != null) {
            xts = F.layerNorm(xts, normInTW, normInTB, MyTransformerEncoderLayer.EPS);
        }
        xts = xts.add(posEmbedding(m, "1d", 0, t2));
        for (int i = 0; i < layerCount; i++) {
            if (i % 2 == classicParity) {
                final NDArray in = xs;
                final NDArray inT = xts;
                final int idx = i;
                xs = F.scoped(() -> ((MyTransformerEncoderLayer) layers[idx]).forward(in));
                xts = F.scoped(() -> ((MyTransformerEncoderLayer) layersT[idx]).forward(inT));
            } else {
                final NDArray oldX = xs;
                final NDArray inT = xts;
                final int idx = i;
                xs = F.scoped(() -> ((CrossTransformerEncoderLayer) layers[idx]).forward(oldX, inT));
                xts = F.scoped(() -> ((CrossTransformerEncoderLayer) layersT[idx]).forward(inT, oldX));
            }
        }
        // "b (t1 fr) c -> b c fr t1", "b t2 c -> b c t2"
        return new NDArray[] {xs.reshape(b, t1, fr, dim).transpose(0, 3, 2, 1), xts.transpose(0, 2, 1)};
    }

    /** weight_pos_embed * embedding as [1, tokens, C], cached per shape (plain floats, rebuilt on each manager). */
    private NDArray posEmbedding(NDManager m, String kind, int fr, int t) {
        float[] e = embeddings.computeIfAbsent(kind + fr + "x" + t, k -> {
            try (NDManager tmp = m.newSubManager()) {
                NDArray pe = kind.equals("2d")
                        ? create2dSinEmbedding(tmp, dim, fr, t, maxPeriod)
                        : F.sinEmbedding(tmp, 0, t, dim, maxPeriod);
                if (weightPosEmbed != 1.0) {
                    pe = pe.mul((float) weightPosEmbed);
                }
                return pe.toFloatArray();
            }
        });
        long tokens = kind.equals("2d") ? (long) fr * t : t;
        return m.create(e, new Shape(1, tokens, dim));
    }

    /**
     * {@code create_2d_sin_embedding(C, Fr, T1)} rearranged to tokens: [T1 * Fr, C] with token index t1 * Fr + fr.
     * Channels [0, C/2) encode time (even: sin, odd: cos), [C/2, C) frequency.
     */
    static NDArray create2dSinEmbedding(NDManager m, int dModel, int height, int width, double maxPeriod) {
        int d = dModel / 2;
        NDArray divTerm = m.arange(0f, (float) d, 2f)
                .mul((float) -(StrictMath.log(maxPeriod) / d))
                .exp();
        int n = (int) divTerm.getShape().get(0);
        NDArray pw = m.arange(0f, (float) width, 1f).reshape(width, 1).mul(divTerm.reshape(1, n)); // [W, n]
        NDArray ph = m.arange(0f, (float) height, 1f).reshape(height, 1).mul(divTerm.reshape(1, n)); // [H, n]
        float[] sw = pw.sin().toFloatArray();
        float[] cw = pw.cos().toFloatArray();
        float[] sh = ph.sin().toFloatArray();
        float[] chh = ph.cos().toFloatArray();
        float[] out = new float[width * height * dModel];
        for (int t = 0; t < width; t++) {
            for (int f = 0; f < height; f++) {
                int base = (t * height + f) * dModel;
                for (int j = 0; j < n; j++) {
                    out[base + 2 * j] = sw[t * n + j];
                    if (2 * j + 1 < d) {
                        out[base + 2 * j + 1] = cw[t * n + j];
                    }
                    out[base + d + 2 * j] = sh[f * n + j];
                    if (d + 2 * j + 1 < dModel) {
                        out[base + d + 2 * j + 1] = chh[f * n + j];
                    }
                }
            }
        }
        return m.create(out, new Shape((long) width * height, dModel));
    }
}
