/**
 * Audio in and out, in plain Java arrays: {@link dev.musicgen.audio.AudioReader} (WAV, MP3, FLAC →
 * {@link dev.musicgen.audio.Audio}), audiocraft's {@code convert_audio}
 * ({@link dev.musicgen.internal.audio.AudioConversion} with the julius {@link dev.musicgen.internal.audio.Resampler}),
 * audiocraft's {@code normalize_audio} ({@link dev.musicgen.internal.audio.Normalizer} with torchaudio's
 * BS.1770 {@link dev.musicgen.internal.audio.Loudness}), and {@link dev.musicgen.audio.AudioFiles} (WAV and
 * MP3 encoding, atomic file writes). Nothing here touches DJL or native memory.
 */
package dev.musicgen.audio;
