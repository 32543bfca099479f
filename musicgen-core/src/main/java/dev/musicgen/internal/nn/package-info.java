/**
 * Numeric code shared by every model (LM, T5, HTDemucs, EnCodec, MultiBand Diffusion): {@link dev.musicgen.internal.nn.F}
 * (functional ops over DJL's PyTorch engine, with the emulations and fused forms the engine lacks, and the
 * one-native-call forms of the LM's decode step), {@link dev.musicgen.internal.nn.PolyphaseConvTranspose} (transposed
 * convolution with its weight rearranged once) and {@link dev.musicgen.internal.nn.Arrays3} (nested Java arrays to and
 * from row-major buffers). Internal API.
 */
package dev.musicgen.internal.nn;
