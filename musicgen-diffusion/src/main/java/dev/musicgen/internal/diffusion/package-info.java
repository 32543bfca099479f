/**
 * MultiBand Diffusion (audiocraft {@code MultiBandDiffusion.get_mbd_musicgen().tokens_to_wav}): decodes MusicGen's
 * EnCodec codes to audio with four band-specific diffusion U-Nets conditioned on the codec's RVQ latent, summed and
 * EQ-matched to the EnCodec decode. Entry points: {@link dev.musicgen.internal.diffusion.MultiBandDiffusion} (plain arrays in
 * and out, explicit {@link dev.musicgen.internal.diffusion.NoiseSource}) and the {@code "mbd"}
 * {@link dev.musicgen.spi.TokenDecoderProvider} {@link dev.musicgen.internal.diffusion.MbdTokenDecoderProvider}.
 */
package dev.musicgen.internal.diffusion;
