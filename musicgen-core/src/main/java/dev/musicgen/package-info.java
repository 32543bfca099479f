/**
 * MusicGen for Java: {@link dev.musicgen.MusicGenerator} turns a {@link dev.musicgen.GenerationRequest} into
 * {@link dev.musicgen.GeneratedAudio}, loading a model from a {@link dev.musicgen.ModelSource} (a released
 * {@link dev.musicgen.ModelVersion}, a Hugging Face Hub repository or a local directory).
 *
 * <h2>Errors</h2>
 *
 * Every method checks its arguments first: a value that can never work (out of range, a missing, unreadable,
 * corrupt or unsupported input file, a model name that is no version, repo id or directory, melody input on a model
 * without melody) is an {@link java.lang.IllegalArgumentException} whose message names the parameter, the value and
 * what is allowed. Using a closed generator is an {@link java.lang.IllegalStateException}.
 *
 * <p>Every other failure is unchecked and a {@link dev.musicgen.MusicGenException}, so one {@code catch} handles them
 * all and the subtype says what went wrong:
 * <ul>
 *   <li>{@link dev.musicgen.CheckpointException}: a checkpoint file is unreadable, corrupt, unsafe, or does not match
 *       what the model expects (names the file and the tensor);
 *   <li>{@code HubException}: the Hugging Face Hub or its cache could not provide a file; its {@code reason()} tells
 *       an authentication problem, a missing repository or file, offline mode without a cached copy, a broken
 *       download or an unreachable network apart;
 *   <li>{@link dev.musicgen.audio.AudioFormatException} and its
 *       {@link dev.musicgen.audio.UnsupportedAudioFormatException}: {@link dev.musicgen.audio.AudioReader} cannot
 *       decode the data (at generate time a bad input file is reported as an {@code IllegalArgumentException} with
 *       this exception as its cause);
 *   <li>{@link dev.musicgen.device.DeviceUnavailableException}: the device asked for is not there (never a silent CPU
 *       fallback);
 *   <li>{@link dev.musicgen.GenerationCancelledException}: the call was cancelled through its
 *       {@link dev.musicgen.CancellationToken}; its native memory has been freed;
 *   <li>a plain {@code MusicGenException}: anything else that may pass when retried (a failing download of input
 *       audio, a missing module such as {@code musicgen-codec}).
 * </ul>
 * Writing a file ({@link dev.musicgen.GeneratedAudio#writeTo}) that fails is a {@link java.io.UncheckedIOException};
 * the lower-level {@link dev.musicgen.audio.AudioFiles} and {@link dev.musicgen.audio.AudioReader} declare
 * {@link java.io.IOException} for the I/O of files and streams.
 *
 * <h2>Packages</h2>
 *
 * This package, {@link dev.musicgen.device} (where models run), {@link dev.musicgen.spi} (codec and decoder
 * providers) and {@link dev.musicgen.audio} (audio files) are the public API; everything under
 * {@code dev.musicgen.internal} may change without notice.
 */
package dev.musicgen;
