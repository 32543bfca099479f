package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The streaming state of one generation (audiocraft's {@code with lm.streaming()} state): per layer a pre-allocated
 * key/value cache {@code [N, H, capacity, headDim]} written in place, the cross-attention keys/values of the
 * conditions, the prepend prefix (consumed by the first step) and the sinusoidal table for every position; with
 * {@link dev.musicgen.ComputeType#INT8_WEIGHTS} the Java decode step's {@link DecodeCache} instead of the engine
 * caches. Owns its manager; closing frees all of it.
 */
public final class LMState implements AutoCloseable {
    final NDManager manager;
    final int batch;
    final int capacity;
    final StreamingMultiheadAttention.KvCache[] caches;
    final StreamingMultiheadAttention.CrossKv[] crossKvs; // null without cross-attention
    final NDArray prefix; // [N, Lp, d] or null
    final NDArray posTable; // [capacity, d]
    final DecodeCache decodeCache; // INT8_WEIGHTS: the Java decode step's caches (caches is then null), else null
    long offset; // positions consumed so far, prefix included

    LMState(
            NDManager manager,
            int batch,
            int capacity,
            StreamingMultiheadAttention.KvCache[] caches,
            StreamingMultiheadAttention.CrossKv[] crossKvs,
            NDArray prefix,
            NDArray posTable,
            DecodeCache decodeCache) {
        this.decodeCache = decodeCache;
        this.manager = manager;
        this.batch = batch;
        this.capacity = capacity;
        this.caches = caches;
        this.crossKvs = crossKvs;
        this.prefix = prefix;
        this.posTable = posTable;
    }

    /** The manager holding the state; step temporaries are created on it (inside the caller's NDScope). */
    public NDManager manager() {
        return manager;
    }

    public int batch() {
        return batch;
    }

    /** Positions consumed so far (prefix included). */
    public long offset() {
        return offset;
    }

    @Override
    public void close() {
        if (decodeCache != null) {
            decodeCache.closed = true; // it views the manager's positional table
        }
        manager.close();
    }
}
