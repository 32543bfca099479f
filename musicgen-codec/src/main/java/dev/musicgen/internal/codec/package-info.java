/**
 * EnCodec, the neural audio codec MusicGen generates tokens for, ported from audiocraft v1.2.0 for fp32 inference on
 * DJL's PyTorch engine: {@link dev.musicgen.internal.codec.EncodecModel} (SEANet encoder and decoder, residual vector
 * quantizer), {@link dev.musicgen.internal.codec.InterleaveStereoCompressionModel} for the stereo models, loading from the
 * audiocraft and Hugging Face layouts through {@link dev.musicgen.internal.codec.Encodec}, tokens files through
 * {@link dev.musicgen.internal.codec.TokensFile}, and {@link dev.musicgen.internal.codec.EncodecCodecProvider} so that
 * {@code musicgen-core} finds it with {@link java.util.ServiceLoader}. The public surface takes and returns plain Java
 * arrays only.
 */
package dev.musicgen.internal.codec;
