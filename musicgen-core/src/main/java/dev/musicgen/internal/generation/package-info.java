/**
 * Token generation as audiocraft v1.2.0 runs it: one LM pass with batched classifier-free guidance
 * ({@link dev.musicgen.internal.generation.LMGenerator}, {@code LMModel.generate}), the sampler
 * ({@link dev.musicgen.internal.generation.Sampler}), durations, continuation prompts, the extension loop beyond the model's
 * maximum duration and seeds ({@link dev.musicgen.internal.generation.MusicGenLM}, {@code MusicGen._generate_tokens}).
 * Conditions come in as plain arrays through {@link dev.musicgen.internal.generation.ConditionSource}; tokens go out as
 * {@code long[B][K][T]}. Internal: called by the facade.
 */
package dev.musicgen.internal.generation;
