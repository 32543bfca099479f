package dev.musicgen.internal.conditioners;

import ai.djl.ndarray.NDArray;

/**
 * audiocraft's {@code ConditionType}: one condition's embedding and mask, both attached to the manager the caller
 * passed to the conditioner (close that manager, or this record, to free them). Internal API.
 *
 * @param embeds [B, L, dim] float32, already multiplied by the mask (masked positions are exact zeros)
 * @param mask [B, L] int64, 1 = valid position
 */
public record Condition(NDArray embeds, NDArray mask) implements AutoCloseable {
    /** Frees both arrays. */
    @Override
    public void close() {
        embeds.close();
        mask.close();
    }
}
