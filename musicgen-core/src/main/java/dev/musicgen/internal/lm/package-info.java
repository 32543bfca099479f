/**
 * The MusicGen language model, ported from audiocraft v1.2.0 ({@code audiocraft/models/lm.py},
 * {@code audiocraft/modules/transformer.py}, {@code audiocraft/modules/codebooks_patterns.py}): its config
 * ({@link dev.musicgen.internal.lm.LMConfig}, from {@code xp.cfg} or an HF {@code config.json}), both checkpoint layouts with one
 * key table each ({@link dev.musicgen.internal.lm.LMCheckpoint}), the transformer with a pre-allocated streaming KV cache and
 * cross-attention keys/values computed once per generation ({@link dev.musicgen.internal.lm.LMModel},
 * {@link dev.musicgen.internal.lm.LMState}), and the delay pattern ({@link dev.musicgen.internal.lm.DelayedPatternProvider},
 * {@link dev.musicgen.internal.lm.Pattern}). For {@link dev.musicgen.ComputeType#INT8_WEIGHTS} the matrices are
 * quantized at load ({@code Int8Linear}) and decode steps run in Java on the Vector API ({@code JavaDecodeStep},
 * {@code Int8Kernels}, {@code DecodePool}, {@code DecodeCache}; loaded only for that compute type). Internal: the public
 * API never exposes these types.
 */
package dev.musicgen.internal.lm;
