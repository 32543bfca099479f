package dev.musicgen.internal.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.musicgen.ComputeType;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port of audiocraft {@code LMModel} ({@code audiocraft/models/lm.py} @ v1.2.0), the forward part: the sum of the K
 * codebook embeddings ({@code card + 1} rows each, the last being the special token), the {@link ConditionFuser}
 * ({@code prepend} on the first streaming step, {@code cross} as the cross-attention source), the
 * {@link StreamingTransformer}, {@code out_norm} and one head per codebook ({@code linears.k}). Logits of prepended
 * positions are dropped. Generation (sampling, guidance, the delay pattern) lives in {@code dev.musicgen.internal.generation}.
 *
 * <p>Weights are read through a {@link WeightStore} with audiocraft names (see {@link LMCheckpoint} for the key
 * tables of both layouts) onto a manager this model owns; closing the model frees them. Internally the K embedding
 * tables and the K heads are each stacked into one tensor so a step does one gather and one matmul for them.
 */
public final class LMModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LMModel.class);

    private final LMConfig config;
    private final NDManager weights;
    private final NDArray embTable; // [K*(card+1), d]
    private final NDArray embOffsets; // [1, K, 1] int64: k*(card+1)
    private final StreamingTransformer transformer;
    private final NDArray outNormW;
    private final NDArray outNormB; // [d]
    private final Projection heads; // [K*card, d]
    private final DelayedPatternProvider patternProvider;
    private final ComputeType computeType;
    private final NDArray embOffsets2d; // [1, K] int64: k*(card+1)
    private final Shape normShape; // (dim)
    private DecodeStep javaStep; // INT8_WEIGHTS: the decode step in Java, set once by load; else null
    private volatile boolean closed;

    private LMModel(
            LMConfig config,
            ComputeType computeType,
            NDManager weights,
            NDArray embTable,
            NDArray embOffsets,
            StreamingTransformer transformer,
            NDArray outNormW,
            NDArray outNormB,
            Projection heads) {
        this.config = config;
        this.computeType = computeType;
        this.embOffsets2d = embOffsets.reshape(1, config.nQ());
        this.normShape = new Shape(config.dim());
        this.weights = weights;
        this.embTable = embTable;
        this.embOffsets = embOffsets;
        this.transformer = transformer;
        this.outNormW = outNormW;
        this.outNormB = outNormB;
        this.heads = heads;
        this.patternProvider = new DelayedPatternProvider(config.nQ(), config.delays());
    }

    /**
     * Loads the LM as {@code dtype}: FLOAT32 is {@link ComputeType#FLOAT32}, FLOAT16 is
     * {@link ComputeType#FLOAT16_WEIGHTS}.
     *
     * @see #load(LMConfig, WeightStore, NDManager, ComputeType)
     */
    public static LMModel load(LMConfig config, WeightStore store, NDManager parent, DataType dtype) {
        if (dtype == DataType.FLOAT32) {
            return load(config, store, parent, ComputeType.FLOAT32);
        }
        if (dtype == DataType.FLOAT16) {
            return load(config, store, parent, ComputeType.FLOAT16_WEIGHTS);
        }
        throw new IllegalArgumentException(
                "dtype must be FLOAT32 or FLOAT16 (fp16 weights, fp32 activations), but is: " + dtype);
    }

    /**
     * Loads the LM from {@code store} (audiocraft names relative to the LM root: {@code emb.*}, {@code transformer.*},
     * {@code out_norm.*}, {@code linears.*}) onto a new child manager of {@code parent}. With
     * {@link ComputeType#FLOAT32} every weight is fp32 (fp16 checkpoints are widened); with
     * {@link ComputeType#FLOAT16_WEIGHTS} the matrices of the projections and heads are fp16 (read from an fp16 file
     * without a copy) and everything else (embeddings, norms, biases, activations, the KV cache) stays fp32; with
     * {@link ComputeType#INT8_WEIGHTS} those matrices are quantized to int8 ({@link Int8Linear}) and decode steps run
     * in Java ({@link JavaDecodeStep}; needs {@code --add-modules jdk.incubator.vector}, see
     * {@link #requireSupported}). Every key
     * read is marked used in the store; the conditioners' keys ({@code condition_provider.*}) are left for them.
     */
    public static LMModel load(LMConfig config, WeightStore store, NDManager parent, ComputeType computeType) {
        return load(config, store, parent, computeType, Blocking.DEFAULT);
    }

    /** {@link #load(LMConfig, WeightStore, NDManager, ComputeType)} with the given blocking of long inputs. */
    static LMModel load(
            LMConfig config, WeightStore store, NDManager parent, ComputeType computeType, Blocking blocking) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(computeType, "computeType");
        requireSupported(computeType);
        if (computeType == ComputeType.INT8_WEIGHTS && !Device.cpu().equals(parent.getDevice())) {
            throw new IllegalArgumentException("computeType INT8_WEIGHTS runs the decode step on the CPU, but the"
                    + " device is " + parent.getDevice() + ": use FLOAT16_WEIGHTS or FLOAT32 there");
        }
        DataType dtype = DataType.FLOAT32;
        DataType mat = computeType == ComputeType.FLOAT16_WEIGHTS ? DataType.FLOAT16 : DataType.FLOAT32;
        boolean int8 = computeType == ComputeType.INT8_WEIGHTS;
        NDManager w = parent.newSubManager();
        try {
            int d = config.dim();
            int k = config.nQ();
            int card = config.card();
            NDList tables = new NDList();
            for (int q = 0; q < k; q++) {
                tables.add(store.load("emb." + q + ".weight", w, dtype, card + 1, d));
            }
            NDArray embTable = NDArrays.concat(tables, 0);
            tables.close();
            long[] offs = new long[k];
            for (int q = 0; q < k; q++) {
                offs[q] = (long) q * (card + 1);
            }
            NDArray embOffsets = w.create(offs, new Shape(1, k, 1));

            List<StreamingTransformerLayer> layers = new ArrayList<>();
            for (int i = 0; i < config.numLayers(); i++) {
                layers.add(loadLayer(config, store.view("transformer.layers." + i), w, mat, int8, blocking));
            }
            StreamingTransformer transformer =
                    new StreamingTransformer(layers, d, config.maxPeriod(), config.positionalScale());
            NDArray outNormW = vector(store, "out_norm.weight", d, w, dtype);
            NDArray outNormB = vector(store, "out_norm.bias", d, w, dtype);
            NDList headW = new NDList();
            NDList headB = new NDList();
            List<TensorData> headParts = new ArrayList<>();
            for (int q = 0; q < k; q++) {
                if (int8) {
                    headParts.add(store.tensor("linears." + q + ".weight", card, d));
                } else {
                    headW.add(store.load("linears." + q + ".weight", w, mat, card, d));
                }
                if (config.biasProj()) {
                    headB.add(vector(store, "linears." + q + ".bias", card, w, dtype));
                }
            }
            NDArray headsW = int8 ? null : NDArrays.concat(headW, 0);
            headW.close();
            NDArray headsB = null;
            if (config.biasProj()) {
                headsB = NDArrays.concat(headB, 0);
                headB.close();
            }
            Projection heads = int8
                    ? new Projection(Int8Linear.quantize(headParts, d, Int8Linear.preferredBlock), headsB, w)
                    : new Projection(headsW, headsB);
            // HF checkpoints may carry the (computed) sinusoidal table; positions are computed here instead
            store.ignore(List.of("decoder\\.model\\.decoder\\.embed_positions\\.weights"));
            LMModel model =
                    new LMModel(config, computeType, w, embTable, embOffsets, transformer, outNormW, outNormB, heads);
            if (int8) {
                model.javaStep = JavaDecodeStep.create(config, transformer.layers, embTable, outNormW, outNormB, heads);
            }
            LOG.debug(
                    "LM loaded ({}): dim {}, {} layers, {} heads, {} codebooks of {}, cross-attention {}, prepend {}",
                    computeType,
                    d,
                    config.numLayers(),
                    config.numHeads(),
                    k,
                    card,
                    config.crossAttention(),
                    config.fuser().prepend());
            return model;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private static StreamingTransformerLayer loadLayer(
            LMConfig c, WeightStore s, NDManager w, DataType mat, boolean int8, Blocking blocking) {
        DataType f32 = DataType.FLOAT32;
        int d = c.dim();
        StreamingMultiheadAttention self = StreamingMultiheadAttention.selfAttention(
                c.numHeads(),
                inProjection(
                        s,
                        "self_attn",
                        d,
                        w,
                        mat,
                        int8,
                        c.biasAttn() ? vector(s, "self_attn.in_proj_bias", 3 * d, w, f32) : null),
                projection(
                        s,
                        "self_attn.out_proj.weight",
                        d,
                        d,
                        w,
                        mat,
                        int8,
                        c.biasAttn() ? vector(s, "self_attn.out_proj.bias", d, w, f32) : null),
                blocking);
        StreamingMultiheadAttention cross = null;
        NDArray normCrossW = null;
        NDArray normCrossB = null;
        if (c.crossAttention()) {
            cross = StreamingMultiheadAttention.crossAttention(
                    c.numHeads(),
                    inProjection(
                            s,
                            "cross_attention",
                            d,
                            w,
                            mat,
                            int8,
                            c.biasAttn() ? vector(s, "cross_attention.in_proj_bias", 3 * d, w, f32) : null),
                    projection(
                            s,
                            "cross_attention.out_proj.weight",
                            d,
                            d,
                            w,
                            mat,
                            int8,
                            c.biasAttn() ? vector(s, "cross_attention.out_proj.bias", d, w, f32) : null),
                    blocking);
            normCrossW = vector(s, "norm_cross.weight", d, w, f32);
            normCrossB = vector(s, "norm_cross.bias", d, w, f32);
        }
        int ffn = c.ffnDim();
        Projection linear1 = projection(
                s, "linear1.weight", ffn, d, w, mat, int8, c.biasFf() ? vector(s, "linear1.bias", ffn, w, f32) : null);
        Projection linear2 = projection(
                s, "linear2.weight", d, ffn, w, mat, int8, c.biasFf() ? vector(s, "linear2.bias", d, w, f32) : null);
        return new StreamingTransformerLayer(
                self,
                cross,
                vector(s, "norm1.weight", d, w, f32),
                vector(s, "norm1.bias", d, w, f32),
                normCrossW,
                normCrossB,
                vector(s, "norm2.weight", d, w, f32),
                vector(s, "norm2.bias", d, w, f32),
                linear1,
                linear2,
                blocking);
    }

    /** A projection's matrix in {@code mat}, or quantized to int8 ({@link Int8Linear}) when {@code int8}. */
    private static Projection projection(
            WeightStore s, String key, int rows, int cols, NDManager w, DataType mat, boolean int8, NDArray bias) {
        if (int8) {
            return new Projection(
                    Int8Linear.quantize(List.of(s.tensor(key, rows, cols)), cols, Int8Linear.preferredBlock), bias, w);
        }
        return new Projection(matrix(s, key, rows, cols, w, mat), bias);
    }

    /** {@link #inProj} as a projection; int8 quantizes the fused (or concatenated) rows. */
    private static Projection inProjection(
            WeightStore s, String attn, int d, NDManager w, DataType mat, boolean int8, NDArray bias) {
        if (!int8) {
            return new Projection(inProj(s, attn, d, w, mat), bias);
        }
        List<TensorData> parts = s.has(attn + ".in_proj_weight")
                ? List.of(s.tensor(attn + ".in_proj_weight", 3 * d, d))
                : List.of(
                        s.tensor(attn + ".q_proj.weight", d, d),
                        s.tensor(attn + ".k_proj.weight", d, d),
                        s.tensor(attn + ".v_proj.weight", d, d));
        return new Projection(Int8Linear.quantize(parts, d, Int8Linear.preferredBlock), bias, w);
    }

    /** The fused {@code in_proj_weight [3d, d]}; HF's split q/k/v projections are concatenated (rows q, k, v). */
    private static NDArray inProj(WeightStore s, String attn, int d, NDManager w, DataType dtype) {
        if (s.has(attn + ".in_proj_weight")) {
            return matrix(s, attn + ".in_proj_weight", 3 * d, d, w, dtype);
        }
        NDList parts = new NDList(
                matrix(s, attn + ".q_proj.weight", d, d, w, dtype),
                matrix(s, attn + ".k_proj.weight", d, d, w, dtype),
                matrix(s, attn + ".v_proj.weight", d, d, w, dtype));
        NDArray fused = NDArrays.concat(parts, 0);
        parts.close();
        return fused;
    }

    private static NDArray matrix(WeightStore s, String key, int rows, int cols, NDManager w, DataType dtype) {
        return s.load(key, w, dtype, rows, cols);
    }

    private static NDArray vector(WeightStore s, String key, int len, NDManager w, DataType dtype) {
        return s.load(key, w, dtype, len);
    }

    public LMConfig config() {
        return config;
    }

    /**
     * Refuses a compute type this JVM cannot run: {@link ComputeType#INT8_WEIGHTS} needs the incubator module
     * {@code jdk.incubator.vector} ({@code java --add-modules jdk.incubator.vector ...}).
     *
     * @throws IllegalStateException naming the flag when it is missing
     */
    public static void requireSupported(ComputeType computeType) {
        if (computeType == ComputeType.INT8_WEIGHTS && !vectorModulePresent()) {
            throw new IllegalStateException(int8WithoutVectorModule());
        }
    }

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    static String int8WithoutVectorModule() {
        return "computeType INT8_WEIGHTS runs its decode step on the JDK's Vector API, an incubator module this JVM"
                + " was not started with: add --add-modules jdk.incubator.vector to the java command line (or use"
                + " FLOAT16_WEIGHTS / FLOAT32)";
    }

    /**
     * Benchmark support: the bytes the next decode step of {@code state} must read from memory, for its bandwidth
     * floor: every matrix it multiplies (int8 values and scales, or fp16/fp32 elements; cross-attention keys/values
     * weights excluded, they are applied once per state) and the self-attention cache up to the state's offset (fp32
     * for engine steps, the {@link DecodeCache} format for the Java step).
     */
    public long decodeBytes(LMState state) {
        long bytes = matrixBytes(heads);
        for (StreamingTransformerLayer l : transformer.layers) {
            bytes += matrixBytes(l.selfAttn.inProj)
                    + matrixBytes(l.selfAttn.outProj)
                    + matrixBytes(l.linear1)
                    + matrixBytes(l.linear2);
            if (l.crossAttention != null) {
                bytes += matrixBytes(l.crossAttention.qProj) + matrixBytes(l.crossAttention.outProj);
            }
        }
        long len = state.offset + 1;
        if (state.decodeCache != null) {
            return bytes + DecodeCache.kvBytes(state.decodeCache.format, config, state.batch, len);
        }
        return bytes + 4L * 2 * state.batch * config.dim() * len * config.numLayers();
    }

    private static long matrixBytes(Projection p) {
        if (p.quantized != null) {
            return p.quantized.bytes();
        }
        return p.out * p.in * (p.isHalf() ? 2 : 4);
    }

    /**
     * Describes how decode steps run: "engine", or for the Java step its threads, cache format and weight block, e.g.
     * {@code java threads=2 kv=i8 block=32}.
     */
    public String decodeDescription(LMState state) {
        if (state.decodeCache == null) {
            return "engine";
        }
        return "java threads=" + javaStep.threads() + " kv=" + DecodeCache.formatName(state.decodeCache.format)
                + " block=" + heads.quantized.block;
    }

    /** Threads of the Java decode step (INT8_WEIGHTS), or 0 when decode steps run on the engine. */
    public int decodeThreads() {
        return javaStep == null ? 0 : javaStep.threads();
    }

    /** The precision the model was loaded in. */
    public ComputeType computeType() {
        return computeType;
    }

    public DelayedPatternProvider patternProvider() {
        return patternProvider;
    }

    public Device device() {
        return weights.getDevice();
    }

    /** A new child manager for one generation's native memory; the caller closes it (before closing the model). */
    public NDManager newManager() {
        checkOpen();
        return weights.newSubManager();
    }

    /** The weights' manager, for tests that check nothing piles up on it. */
    NDManager weightsManager() {
        return weights;
    }

    /** {@code Σ_k emb[k](seq[:, k])}: ids {@code [N, K, T]} int64 → {@code [N, T, d]}. */
    private NDArray embed(NDArray ids) {
        NDArray shifted = ids.add(embOffsets);
        NDArray e = Embedding.embedding(shifted, embTable, SparseFormat.DENSE).singletonOrThrow(); // [N, K, T, d]
        return e.sum(new int[] {1});
    }

    /** The decode-step embedding: ids {@code [N, K]} int64 → {@code [N, d]}. */
    private NDArray embed2d(NDArray ids) {
        NDArray e = Embedding.embedding(F.add(ids, embOffsets2d), embTable, SparseFormat.DENSE)
                .singletonOrThrow();
        return e.sum(new int[] {1}); // [N, K, d] -> [N, d]
    }

    /** out_norm then the K heads: hidden {@code [N, T, d]} → logits {@code [N, T, K, card]}. */
    private NDArray logits(NDArray hidden) {
        long n = hidden.getShape().get(0);
        long t = hidden.getShape().get(1);
        NDArray h = F.layerNorm(hidden, outNormW, outNormB, StreamingTransformerLayer.NORM_EPS);
        return heads.apply(h).reshape(n, t, config.nQ(), config.card());
    }

    private StreamingMultiheadAttention.CrossKv[] crossKvs(NDArray crossSrc) {
        if (crossSrc == null) {
            return null;
        }
        StreamingMultiheadAttention.CrossKv[] kv = new StreamingMultiheadAttention.CrossKv[config.numLayers()];
        for (int i = 0; i < kv.length; i++) {
            kv[i] = transformer.layers.get(i).crossAttention.crossKv(crossSrc);
        }
        return kv;
    }

    private NDArray ids(NDManager m, long[][][] seq, int from, int to) {
        int n = seq.length;
        int k = config.nQ();
        int t = to - from;
        long[] flat = new long[n * k * t];
        for (int b = 0; b < n; b++) {
            if (seq[b].length != k) {
                throw new IllegalArgumentException(
                        "sequence row " + b + " has " + seq[b].length + " codebooks, the model has " + k);
            }
            for (int q = 0; q < k; q++) {
                System.arraycopy(seq[b][q], from, flat, (b * k + q) * t, t);
            }
        }
        return m.create(flat, new Shape(n, k, t));
    }

    /**
     * Teacher-forced forward of a whole pattern sequence {@code [N, K, S]} (no streaming), as
     * {@code LMModel.forward(sequence, [], condition_tensors)}: logits {@code [N, K, S, card]} flattened row-major.
     * {@code conditions} must have N rows (or be empty for a model without conditions).
     */
    public float[] forward(long[][][] sequence, LMConditions conditions) {
        checkOpen();
        int n = sequence.length;
        if (!conditions.isEmpty() && conditions.batch() != n) {
            throw new IllegalArgumentException("conditions have " + conditions.batch() + " rows, the sequence " + n);
        }
        int s = sequence[0][0].length;
        try (NDManager m = weights.newSubManager()) {
            ConditionFuser.Fused fused = config.fuser().fuse(conditions, m, config.dim());
            NDArray x = embed(ids(m, sequence, 0, s)); // [N, S, d]
            long prefixLen = 0;
            if (fused.prefix() != null) {
                prefixLen = fused.prefix().getShape().get(1);
                x = fused.prefix().concat(x, 1);
            }
            long total = x.getShape().get(1);
            NDArray out = transformer.forward(
                    x, transformer.sinEmbedding(m, 0, total), null, 0, crossKvs(fused.crossSource()));
            if (prefixLen > 0) {
                out = out.get(new NDIndex(":, {}:, :", prefixLen));
            }
            // [N, S, K, card] -> [N, K, S, card]
            return logits(out).transpose(0, 2, 1, 3).toFloatArray();
        }
    }

    /**
     * A streaming state for {@code batch} rows over at most {@code maxSteps} sequence steps, on a child manager of
     * {@code parent}: the pre-allocated self-attention caches, the cross-attention keys/values of the conditions
     * (computed here, once) and the prepend prefix (fed with the first step).
     */
    public LMState newState(NDManager parent, LMConditions conditions, int batch, int maxSteps) {
        checkOpen();
        if (!conditions.isEmpty() && conditions.batch() != batch) {
            throw new IllegalArgumentException(
                    "conditions have " + conditions.batch() + " rows, the batch is " + batch);
        }
        NDManager m = parent.newSubManager();
        try {
            ConditionFuser.Fused fused = config.fuser().fuse(conditions, m, config.dim());
            long prefixLen =
                    fused.prefix() == null ? 0 : fused.prefix().getShape().get(1);
            int capacity = (int) (prefixLen + maxSteps);
            StreamingMultiheadAttention.KvCache[] caches =
                    javaStep != null ? null : new StreamingMultiheadAttention.KvCache[config.numLayers()];
            Shape cacheShape = new Shape(batch, config.numHeads(), capacity, config.headDim());
            for (int i = 0; caches != null && i < caches.length; i++) {
                // uninitialised: attention only reads positions already written, and untouched pages of a large
                // allocation cost no memory, so RSS grows with the positions used rather than the capacity
                caches[i] = new StreamingMultiheadAttention.KvCache(
                        m.create(cacheShape, DataType.FLOAT32), m.create(cacheShape, DataType.FLOAT32));
            }
            StreamingMultiheadAttention.CrossKv[] kv = crossKvs(fused.crossSource());
            NDArray posTable = transformer.sinEmbedding(m, 0, capacity);
            DecodeCache dc = javaStep == null ? null : javaStep.newCache(batch, capacity, kv, posTable);
            return new LMState(m, batch, capacity, caches, kv, fused.prefix(), posTable, dc);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * One streaming step: feeds {@code seq[:, :, from:to]} ({@code [N, K, to-from]}; on the first step with the
     * prepend prefix in front) and returns the logits of the last position, {@code [N, K, card]}, on the state's
     * manager. Call inside an {@code NDScope}; only the state's caches persist.
     */
    public NDArray step(LMState state, long[][][] seq, int from, int to) {
        checkOpen();
        if (seq.length != state.batch) {
            throw new IllegalArgumentException("sequence has " + seq.length + " rows, the state " + state.batch);
        }
        if (to - from == 1 && !(state.prefix != null && state.offset == 0)) {
            return decodeStep(state, seq, from);
        }
        NDManager m = state.manager;
        NDArray x = embed(ids(m, seq, from, to)); // [N, T, d]
        if (state.prefix != null && state.offset == 0) {
            x = state.prefix.concat(x, 1);
        }
        long t = x.getShape().get(1);
        if (state.offset + t > state.capacity) {
            throw new IllegalStateException("streaming state capacity " + state.capacity + " exceeded (offset "
                    + state.offset + " + " + t + " steps)");
        }
        NDArray pe = F.narrow(state.posTable, 0, state.offset, state.offset + t);
        StreamingMultiheadAttention.KvCache[] caches = state.caches;
        if (state.decodeCache != null) {
            caches = prefillCaches(state, t);
        }
        NDArray out = transformer.forward(x, pe, caches, state.offset, state.crossKvs);
        if (state.decodeCache != null) {
            javaStep.importPrefill(state.decodeCache, caches, (int) t);
        }
        state.offset += t;
        NDArray last = F.narrow(out, 1, t - 1, t); // [N, 1, d]
        return logits(last).reshape(state.batch, config.nQ(), config.card());
    }

    /**
     * INT8_WEIGHTS prefill: fp32 caches of exactly the prefill's {@code t} positions (step temporaries), copied into
     * the state's {@link DecodeCache} afterwards. A prefill only runs on an empty cache.
     */
    private StreamingMultiheadAttention.KvCache[] prefillCaches(LMState state, long t) {
        if (state.offset != 0) {
            throw new IllegalStateException("a multi-step input (" + t + " steps) after " + state.offset
                    + " cached steps is not supported (audiocraft: 'Not supported at the moment')");
        }
        StreamingMultiheadAttention.KvCache[] caches = new StreamingMultiheadAttention.KvCache[config.numLayers()];
        Shape shape = new Shape(state.batch, config.numHeads(), t, config.headDim());
        for (int i = 0; i < caches.length; i++) {
            caches[i] = new StreamingMultiheadAttention.KvCache(
                    state.manager.create(shape, DataType.FLOAT32), state.manager.create(shape, DataType.FLOAT32));
        }
        return caches;
    }

    /**
     * One position per row ({@code seq[:, :, from]}): the activations stay {@code [N, d]}, the residual stream is
     * updated in place, and nothing but the ids goes to the engine (about 45 native calls per layer).
     */
    private NDArray decodeStep(LMState state, long[][][] seq, int from) {
        if (state.offset + 1 > state.capacity) {
            throw new IllegalStateException(
                    "streaming state capacity " + state.capacity + " exceeded (offset " + state.offset + " + 1 steps)");
        }
        int n = state.batch;
        int k = config.nQ();
        long[] flat = new long[n * k];
        for (int b = 0; b < n; b++) {
            if (seq[b].length != k) {
                throw new IllegalArgumentException(
                        "sequence row " + b + " has " + seq[b].length + " codebooks, the model has " + k);
            }
            for (int q = 0; q < k; q++) {
                flat[b * k + q] = seq[b][q][from];
            }
        }
        if (state.decodeCache != null) {
            float[] logits = javaStep.step(state.decodeCache, flat, (int) state.offset);
            state.offset += 1;
            return state.manager.create(logits, new Shape(n, k, config.card()));
        }
        NDArray x = embed2d(state.manager.create(flat, new Shape(n, k))); // [N, d]
        long pos = state.offset;
        NDArray pe = F.narrow(state.posTable, 0, pos, pos + 1); // [1, d]
        x = transformer.step(x, pe, state.caches, pos, state.crossKvs, n);
        state.offset += 1;
        NDArray h = F.layerNorm(x, normShape, outNormW, outNormB, StreamingTransformerLayer.NORM_EPS);
        return F.reshape(heads.apply2d(h), n, k, config.card());
    }

    /** The transformer layers, for {@link DecodeStepView}. */
    List<StreamingTransformerLayer> layers() {
        checkOpen();
        return transformer.layers;
    }

    /** The output heads {@code [K·card, d]}, for {@link DecodeStepView}. */
    Projection heads() {
        checkOpen();
        return heads;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the LM is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (javaStep != null) {
                javaStep.close();
            }
            weights.close();
        }
    }
}
