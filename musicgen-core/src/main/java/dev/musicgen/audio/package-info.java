/**
 * Audio in and out, in plain Java arrays: {@link dev.musicgen.audio.Audio} (samples {@code [channel][frame]} and a
 * rate), {@link dev.musicgen.audio.AudioReader} (WAV, MP3, FLAC to {@code Audio}, recognised from the content) and
 * {@link dev.musicgen.audio.AudioFiles} (WAV and MP3 encoding, atomic file writes). A file that cannot be decoded is an
 * {@link dev.musicgen.audio.AudioFormatException} (or {@link dev.musicgen.audio.UnsupportedAudioFormatException}),
 * unchecked like every failure of this SDK. Nothing here touches DJL or native memory.
 */
package dev.musicgen.audio;
