/**
 * The T5 text encoder MusicGen conditions on: {@link dev.musicgen.internal.t5.T5Tokenizer} (a local {@code tokenizer.json}
 * read with DJL's Hugging Face tokenizers, with sentencepiece's whitespace handling and audiocraft's padding and
 * null-prompt mask), {@link dev.musicgen.internal.t5.T5Config} and {@link dev.musicgen.internal.t5.T5EncoderModel} (a port of
 * transformers' {@code T5EncoderModel} from the HF layout, fp32). Internal API: NDArrays cross these classes.
 */
package dev.musicgen.internal.t5;
