package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * The decode step of {@link dev.musicgen.ComputeType#INT8_WEIGHTS} in Java: one position per row through the
 * embeddings, every layer (self-attention over the {@link DecodeCache}, cross-attention over the keys/values the
 * engine computed once, the feed-forward) and the heads, with {@link Int8Kernels} on a {@link DecodePool}. No engine
 * call per step; the result goes to the engine once, as the logits the sampler reads.
 *
 * <p>Work split: each layer is six parallel phases, with the few microseconds of serial work (LayerNorm) between them
 * on the calling thread: (1) per head, its q/k/v rows of {@code in_proj} for all rows, the new key/value written to the
 * cache and attention over it; (2) {@code out_proj} rows added to the residual stream; (3, 4) the same for
 * cross-attention (queries only: its keys/values are fixed); (5) {@code linear1} rows and GELU; (6) {@code linear2}
 * rows added to the residual stream. Every weight row is read once per step for all rows (the CFG pair), by whichever
 * thread takes its task.
 */
final class JavaDecodeStep implements DecodeStep {
    /** Threads of a step, the caller included: {@code -Dmusicgen.int8.threads}, default the available processors. */
    static int defaultThreads() {
        return Math.max(
                1,
                Integer.getInteger("musicgen.int8.threads", Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Microseconds a waiting decode thread spins before it parks: {@code -Dmusicgen.int8.spin}, default
     * {@value #DEFAULT_SPIN_MICROS} (measured in docs/PERFORMANCE.md).
     */
    static long defaultSpinNanos() {
        return 1000L * Math.max(0, Integer.getInteger("musicgen.int8.spin", DEFAULT_SPIN_MICROS));
    }

    static final int DEFAULT_SPIN_MICROS = 5;

    /** An int8 matrix and its fp32 bias (or null). */
    private static final class Lin {
        final Int8Linear w;
        final float[] bias;

        Lin(Projection p) {
            if (p.quantized == null) {
                throw new IllegalStateException("the Java decode step needs int8 projections");
            }
            this.w = p.quantized;
            this.bias = p.bias == null ? null : p.bias.toFloatArray();
        }
    }

    private static final class Layer {
        final Lin qkv;
        final Lin out;
        final Lin crossQ; // null without cross-attention
        final Lin crossOut;
        final Lin ff1;
        final Lin ff2;
        final float[] n1w;
        final float[] n1b;
        final float[] ncw;
        final float[] ncb;
        final float[] n2w;
        final float[] n2b;

        Layer(StreamingTransformerLayer l) {
            qkv = new Lin(l.selfAttn.inProj);
            out = new Lin(l.selfAttn.outProj);
            boolean cross = l.crossAttention != null;
            crossQ = cross ? new Lin(l.crossAttention.qProj) : null;
            crossOut = cross ? new Lin(l.crossAttention.outProj) : null;
            ff1 = new Lin(l.linear1);
            ff2 = new Lin(l.linear2);
            n1w = l.norm1W.toFloatArray();
            n1b = l.norm1B.toFloatArray();
            ncw = cross ? l.normCrossW.toFloatArray() : null;
            ncb = cross ? l.normCrossB.toFloatArray() : null;
            n2w = l.norm2W.toFloatArray();
            n2b = l.norm2B.toFloatArray();
        }
    }

    private final LMConfig config;
    private final int dim;
    private final int heads;
    private final int headDim;
    private final int ffnDim;
    private final int nq;
    private final int card;
    private final float scale; // 1/√headDim
    private final float posScale;
    private final Layer[] layers;
    private final FloatBuffer emb; // [K·(card+1), dim], the model's table
    private final float[] outNormW;
    private final float[] outNormB;
    private final Lin heads2d;
    private final DecodePool pool;

    private JavaDecodeStep(
            LMConfig config,
            List<StreamingTransformerLayer> layers,
            NDArray embTable,
            NDArray outNormW,
            NDArray outNormB,
            Projection headProj,
            int threads,
            long spinNanos) {
        this.config = config;
        this.dim = config.dim();
        this.heads = config.numHeads();
        this.headDim = dim / heads;
        this.ffnDim = config.ffnDim();
        this.nq = config.nQ();
        this.card = config.card();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.posScale = (float) config.positionalScale();
        this.layers = new Layer[layers.size()];
        for (int i = 0; i < this.layers.length; i++) {
            this.layers[i] = new Layer(layers.get(i));
        }
        this.emb = embTable.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        this.outNormW = outNormW.toFloatArray();
        this.outNormB = outNormB.toFloatArray();
        this.heads2d = new Lin(headProj);
        this.pool = new DecodePool(threads, spinNanos, "musicgen-int8-decode");
    }

    /** The step over a loaded INT8 model's parts (its engine tensors are read through views, not copied). */
    static DecodeStep create(
            LMConfig config,
            List<StreamingTransformerLayer> layers,
            NDArray embTable,
            NDArray outNormW,
            NDArray outNormB,
            Projection heads) {
        return new JavaDecodeStep(
                config, layers, embTable, outNormW, outNormB, heads, defaultThreads(), defaultSpinNanos());
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    @Override
    public DecodeCache newCache(
            int batch, int capacity, StreamingMultiheadAttention.CrossKv[] crossKvs, NDArray posTable) {
        return new DecodeCache(DecodeCache.defaultFormat, config, batch, capacity, pool.threads(), crossKvs, posTable);
    }

    @Override
    public void importPrefill(DecodeCache c, StreamingMultiheadAttention.KvCache[] caches, int length) {
        for (int l = 0; l < layers.length; l++) {
            float[] k = caches[l].keys.toFloatArray(); // [N, H, length, Dh]
            float[] v = caches[l].values.toFloatArray();
            for (int bh = 0; bh < c.batch * heads; bh++) {
                for (int j = 0; j < length; j++) {
                    int src = (bh * length + j) * headDim;
                    writeKv(c, l, bh, j, k, src, v, src);
                }
            }
        }
    }

    /** Rows per task of a phase over {@code out} output rows: about 8 tasks per thread, at least 16 rows. */
    private int chunk(int out) {
        int target = pool.threads() * 8;
        return Math.max(16, (out + target - 1) / target);
    }

    /** {@code y (+)= W x} over all output rows of {@code lin}, split in row chunks over the pool. */
    private void project(Lin lin, float[] x, int rows, float[] y, int yStride, boolean add, boolean gelu) {
        int out = lin.w.out;
        int chunk = chunk(out);
        pool.run((out + chunk - 1) / chunk, (task, thread) -> {
            int r0 = task * chunk;
            int r1 = Math.min(out, r0 + chunk);
            Int8Kernels.gemv(lin.w, lin.bias, x, rows, y, 0, yStride, r0, r1, add);
            if (gelu) {
                for (int b = 0; b < rows; b++) {
                    Int8Kernels.gelu(y, b * yStride + r0, b * yStride + r1);
                }
            }
        });
    }

    /** Steps of different states on one model take turns: the pool runs one phase at a time. */
    @Override
    public synchronized float[] step(DecodeCache c, long[] ids, int pos) {
        if (c.closed) {
            throw new IllegalStateException("the streaming state is closed");
        }
        if (pos >= c.capacity) {
            throw new IllegalStateException(
                    "streaming state capacity " + c.capacity + " exceeded (offset " + pos + " + 1 steps)");
        }
        int n = c.batch;
        embed(c, ids, pos);
        int d = dim;
        for (int l = 0; l < layers.length; l++) {
            Layer ly = layers[l];
            int layer = l;
            Int8Kernels.layerNorm(c.x, c.h, n, d, ly.n1w, ly.n1b, StreamingTransformerLayer.NORM_EPS);
            pool.run(heads, (h, thread) -> selfHead(c, layer, h, thread, pos));
            project(ly.out, c.attn, n, c.x, d, true, false);
            if (ly.crossQ != null) {
                Int8Kernels.layerNorm(c.x, c.h, n, d, ly.ncw, ly.ncb, StreamingTransformerLayer.NORM_EPS);
                pool.run(heads, (h, thread) -> crossHead(c, layer, h, thread));
                project(ly.crossOut, c.attn, n, c.x, d, true, false);
            }
            Int8Kernels.layerNorm(c.x, c.h, n, d, ly.n2w, ly.n2b, StreamingTransformerLayer.NORM_EPS);
            project(ly.ff1, c.h, n, c.ffn, ffnDim, false, true);
            project(ly.ff2, c.ffn, n, c.x, d, true, false);
        }
        Int8Kernels.layerNorm(c.x, c.h, n, d, outNormW, outNormB, StreamingTransformerLayer.NORM_EPS);
        project(heads2d, c.h, n, c.logits, nq * card, false, false);
        return c.logits;
    }

    /** {@code x = Σ_k emb[k·(card+1) + id_k] + posScale · pe[pos]} per row. */
    private void embed(DecodeCache c, long[] ids, int pos) {
        int d = dim;
        for (int b = 0; b < c.batch; b++) {
            for (int q = 0; q < nq; q++) {
                long id = ids[b * nq + q];
                if (id < 0 || id > card) {
                    throw new IllegalArgumentException(
                            "token " + id + " of row " + b + ", codebook " + q + " is outside [0, " + card + "]");
                }
                int row = (int) ((q * (card + 1) + id) * d);
                for (int i = 0; i < d; i++) {
                    float e = emb.get(row + i);
                    c.x[b * d + i] = q == 0 ? e : c.x[b * d + i] + e;
                }
            }
            int p = pos * d;
            for (int i = 0; i < d; i++) {
                float pe = c.positions.get(p + i);
                c.x[b * d + i] += posScale == 1f ? pe : pe * posScale;
            }
        }
    }

    /** Writes position j's key ({@code k[kOff...]}) and value of (row, head) bh into layer l's cache. */
    private void writeKv(DecodeCache c, int l, int bh, int j, float[] k, int kOff, float[] v, int vOff) {
        int dh = headDim;
        switch (c.format) {
            case DecodeCache.F32:
                AttentionKernels.writeF32(c.keysF32[l], true, c.keyBase(bh), j, k, kOff, dh);
                AttentionKernels.writeF32(c.valuesF32[l], false, c.valueBase(bh), j, v, vOff, dh);
                break;
            default:
                AttentionKernels.writeI8(
                        c.keysI8[l], true, c.keyBase(bh), c.keyScales[l], c.scaleBase(bh), j, k, kOff, dh);
                AttentionKernels.writeI8(
                        c.valuesI8[l], false, c.valueBase(bh), c.valueScales[l], c.scaleBase(bh), j, v, vOff, dh);
        }
    }

    /** Head h of self-attention for every row: its q/k/v, the cache write at pos, attention over [0, pos]. */
    private void selfHead(DecodeCache c, int l, int h, int thread, int pos) {
        Layer ly = layers[l];
        int n = c.batch;
        int d = dim;
        int dh = headDim;
        int stride = 3 * d;
        for (int part = 0; part < 3; part++) {
            int r0 = part * d + h * dh;
            Int8Kernels.gemv(ly.qkv.w, ly.qkv.bias, c.h, n, c.qkv, 0, stride, r0, r0 + dh, false);
        }
        float[] s = c.scores[thread];
        int len = pos + 1;
        for (int b = 0; b < n; b++) {
            int bh = b * heads + h;
            int row = b * stride + h * dh;
            writeKv(c, l, bh, pos, c.qkv, row + d, c.qkv, row + 2 * d);
            int kb = c.keyBase(bh);
            int vb = c.valueBase(bh);
            int sb = c.scaleBase(bh);
            float sum;
            switch (c.format) {
                case DecodeCache.F32:
                    AttentionKernels.scoresF32(c.keysF32[l], kb, c.qkv, row, dh, len, s);
                    sum = AttentionKernels.softmaxUnnormalized(s, len, scale);
                    AttentionKernels.weightedValuesF32(c.valuesF32[l], vb, s, len, sum, dh, c.attn, b * d + h * dh);
                    break;
                default:
                    AttentionKernels.scoresI8(c.keysI8[l], kb, c.keyScales[l], sb, c.qkv, row, dh, len, s);
                    sum = AttentionKernels.softmaxUnnormalized(s, len, scale);
                    AttentionKernels.weightedValuesI8(
                            c.valuesI8[l], vb, c.valueScales[l], sb, s, len, sum, dh, c.attn, b * d + h * dh);
            }
        }
    }

    /** Head h of cross-attention for every row: its queries, attention over the fixed keys/values. */
    private void crossHead(DecodeCache c, int l, int h, int thread) {
        Layer ly = layers[l];
        int n = c.batch;
        int d = dim;
        int dh = headDim;
        Int8Kernels.gemv(ly.crossQ.w, ly.crossQ.bias, c.h, n, c.qkv, 0, d, h * dh, (h + 1) * dh, false);
        float[] s = c.scores[thread];
        for (int b = 0; b < n; b++) {
            int bh = b * heads + h;
            AttentionKernels.scoresF32(c.crossKeys[l], c.crossKeyBase(bh), c.qkv, b * d + h * dh, dh, c.crossLen, s);
            float sum = AttentionKernels.softmaxUnnormalized(s, c.crossLen, scale);
            AttentionKernels.weightedValuesF32(
                    c.crossValues[l], c.crossValueBase(bh), s, c.crossLen, sum, dh, c.attn, b * d + h * dh);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
