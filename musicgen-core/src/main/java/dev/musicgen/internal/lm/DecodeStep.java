package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;

/**
 * A decode step that runs outside the engine ({@link dev.musicgen.ComputeType#INT8_WEIGHTS}: {@code JavaDecodeStep}).
 * This interface names no Vector API type, so {@link LMModel} and {@link LMState} load without the incubator module.
 */
interface DecodeStep extends AutoCloseable {
    /** The Java side of a new streaming state (its caches for {@code capacity} positions of {@code batch} rows). */
    DecodeCache newCache(int batch, int capacity, StreamingMultiheadAttention.CrossKv[] crossKvs, NDArray posTable);

    /** Copies the first {@code length} positions of an engine prefill's fp32 caches into {@code cache}. */
    void importPrefill(DecodeCache cache, StreamingMultiheadAttention.KvCache[] caches, int length);

    /**
     * One position per row: {@code ids [batch·K]} (row-major), at position {@code pos} (the state's offset); returns
     * the logits {@code [batch, K, card]} in the cache's own array (valid until the next step).
     */
    float[] step(DecodeCache cache, long[] ids, int pos);

    /** Threads a step runs on, the caller included. */
    int threads();

    @Override
    void close();
}
