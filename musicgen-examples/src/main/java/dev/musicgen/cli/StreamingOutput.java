package dev.musicgen.cli;

import dev.musicgen.AudioChunk;
import dev.musicgen.AudioStream;
import dev.musicgen.GenerationRequest;
import dev.musicgen.MusicGenException;
import dev.musicgen.MusicGenerator;
import dev.musicgen.audio.Audio;
import dev.musicgen.internal.audio.Normalizer;
import dev.musicgen.internal.audio.Pcm;
import dev.musicgen.internal.generation.StreamingGeneration;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.Line;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.SourceDataLine;

/**
 * {@code musicgen generate --output -} and {@code --play}: the audio while it is generated, from {@link
 * MusicGenerator#stream(GenerationRequest)}.
 *
 * <ul>
 *   <li>{@code --output -}: a WAV stream on standard output, as {@code ffmpeg -f wav -} writes one to a pipe: a
 *       header whose RIFF and data sizes are {@code 0xFFFFFFFF} (the length is not known yet), then the samples,
 *       interleaved, as each chunk arrives. {@code pcm16} (the default): 16-bit PCM of the raw decoder output
 *       clamped as the {@code clip} normalization does (loudness, peak and rms need the whole clip); {@code float32}:
 *       the raw decoder output, unclamped, as 32-bit IEEE float. Standard output carries nothing else: progress,
 *       logs and the summary go to standard error.</li>
 *   <li>{@code --play}: 16-bit PCM (clamped as {@code clip}) on the default audio device through {@code
 *       javax.sound.sampled}. Where there is no device (a server, a container) it fails at once, before the model is
 *       loaded.</li>
 * </ul>
 */
final class StreamingOutput {
    /** The {@code --output} value that means standard output. */
    static final String STDOUT = "-";

    private final boolean play;
    private final boolean float32;
    private final double chunkSeconds;

    private StreamingOutput(boolean play, boolean float32, double chunkSeconds) {
        this.play = play;
        this.float32 = float32;
        this.chunkSeconds = chunkSeconds;
    }

    /**
     * The streaming output the options ask for, or null for a file: checks what can be checked before a model is
     * loaded (MultiBand Diffusion, tokens, the audio device).
     */
    static StreamingOutput of(Path output, boolean play, boolean float32, GenerationRequest request, Path saveTokens) {
        boolean stdout = output.toString().equals(STDOUT);
        if (!stdout && !play) {
            return null;
        }
        String mode = play ? "--play" : "--output -";
        if (play && float32) {
            throw new IllegalArgumentException(
                    "--play plays 16-bit PCM: --sample-format float32 applies to files and" + " --output - only");
        }
        if (saveTokens != null) {
            throw new IllegalArgumentException(
                    mode + " streams the audio and keeps no tokens: --save-tokens needs a" + " file --output");
        }
        try {
            StreamingGeneration.checkStreamable(request.multiBandDiffusion());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(mode + ": " + e.getMessage(), e);
        }
        if (play) {
            checkAudioDevice();
        }
        return new StreamingOutput(play, float32, StreamingGeneration.DEFAULT_CHUNK_SECONDS);
    }

    /**
     * Fails at once, with what to do instead, where {@code javax.sound.sampled} has no line to play on.
     *
     * @throws MusicGenException when there is no audio output device
     */
    static void checkAudioDevice() {
        boolean supported;
        try {
            supported = AudioSystem.isLineSupported(new Line.Info(SourceDataLine.class));
        } catch (RuntimeException | Error e) { // a broken sound configuration, or a headless JRE without javax.sound
            supported = false;
        }
        if (!supported) {
            throw new MusicGenException(noDevice("javax.sound.sampled finds no audio output line"));
        }
    }

    private static String noDevice(String why) {
        return "--play: no audio output device is available (" + why + "; a server or a container usually has none)."
                + " Stream to a player instead: musicgen generate ... --output - | ffplay -nodisp -";
    }

    /**
     * Streams the generation of {@code request} to standard output or the audio device.
     *
     * @param done called when the last chunk is out (closes the progress bar before the summary)
     * @param err where the summary goes (standard output carries only audio)
     * @return the exit code
     */
    int run(MusicGenerator generator, GenerationRequest request, Runnable done, PrintWriter err) throws IOException {
        long start = System.nanoTime();
        Summary s;
        if (play) {
            s = play(generator, request);
        } else {
            PrintStream stdout = System.out;
            // anything printed while streaming (a stray println, a logger configured for System.out) would corrupt
            // the WAV stream: it goes to standard error meanwhile
            System.setOut(System.err);
            try {
                s = writeWav(AudioStream.of(generator.stream(request, chunkSeconds)), stdout, float32);
            } finally {
                System.setOut(stdout);
            }
        }
        done.run();
        err.printf(
                Locale.ROOT,
                "seed %d%n%s %.2f s (%d Hz, %d channel(s), %s) in %d chunks; first audio after %.2f s,"
                        + " all in %.1f s%n",
                s.seed,
                play ? "played" : "streamed",
                s.seconds(),
                s.sampleRate,
                s.channels,
                play || !float32 ? "pcm16" : "float32",
                s.chunks,
                s.firstChunkNanos / 1e9,
                (System.nanoTime() - start) / 1e9);
        err.flush();
        return 0;
    }

    /** What went out. */
    static final class Summary {
        long seed = -1;
        int sampleRate;
        int channels;
        long frames;
        int chunks;
        long firstChunkNanos;

        double seconds() {
            return sampleRate == 0 ? 0 : frames / (double) sampleRate;
        }
    }

    /**
     * Writes the chunks of {@code chunks} as a WAV stream to {@code out} (flushed after every chunk, closed with the
     * stream), then closes {@code chunks}.
     */
    static Summary writeWav(AudioStream chunks, OutputStream out, boolean float32) throws IOException {
        Summary s = new Summary();
        long start = System.nanoTime();
        try (chunks) {
            while (chunks.hasNext()) {
                AudioChunk c = chunks.next();
                if (s.chunks == 0) {
                    s.firstChunkNanos = System.nanoTime() - start;
                    s.seed = c.seed();
                    s.sampleRate = c.sampleRate();
                    s.channels = c.channels();
                    out.write(header(c.sampleRate(), c.channels(), float32));
                }
                out.write(float32 ? float32(c.samples()) : pcm16(c));
                out.flush();
                s.chunks++;
                s.frames += c.frames();
            }
        }
        return s;
    }

    private Summary play(MusicGenerator generator, GenerationRequest request) {
        AudioFormat format = new AudioFormat(generator.sampleRate(), 16, generator.channels(), true, false);
        SourceDataLine line;
        try {
            line = AudioSystem.getSourceDataLine(format);
            // one second of buffer: the line plays while the next chunks are generated
            line.open(format, generator.sampleRate() * generator.channels() * 2);
        } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
            throw new MusicGenException(noDevice("cannot open a line for " + format + ": " + e.getMessage()), e);
        }
        Summary s = new Summary();
        long start = System.nanoTime();
        try (AudioStream chunks = AudioStream.of(generator.stream(request, chunkSeconds))) {
            while (chunks.hasNext()) {
                AudioChunk c = chunks.next();
                if (s.chunks == 0) {
                    s.firstChunkNanos = System.nanoTime() - start;
                    s.seed = c.seed();
                    s.sampleRate = c.sampleRate();
                    s.channels = c.channels();
                    line.start();
                }
                byte[] pcm = pcm16(c);
                line.write(pcm, 0, pcm.length); // blocks while the line's buffer is full: plays in real time
                s.chunks++;
                s.frames += c.frames();
            }
            line.drain();
        } finally {
            line.close();
        }
        return s;
    }

    /** A WAV header for a stream of unknown length: RIFF and data sizes 0xFFFFFFFF, as ffmpeg writes to a pipe. */
    static byte[] header(int sampleRate, int channels, boolean float32) {
        int bytes = float32 ? 4 : 2;
        ByteBuffer h = ByteBuffer.allocate(float32 ? 46 : 44).order(ByteOrder.LITTLE_ENDIAN);
        h.put(ascii("RIFF")).putInt(0xFFFFFFFF).put(ascii("WAVE"));
        h.put(ascii("fmt ")).putInt(float32 ? 18 : 16);
        h.putShort((short) (float32 ? 3 : 1))
                .putShort((short) channels)
                .putInt(sampleRate)
                .putInt(sampleRate * channels * bytes)
                .putShort((short) (channels * bytes))
                .putShort((short) (8 * bytes));
        if (float32) {
            h.putShort((short) 0); // cbSize
        }
        h.put(ascii("data")).putInt(0xFFFFFFFF);
        return h.array();
    }

    /** 16-bit PCM, interleaved, of the chunk clamped as the {@code clip} normalization clamps. */
    static byte[] pcm16(AudioChunk c) {
        float[][] x = Normalizer.normalize(new Audio(c.samples(), c.sampleRate()), Normalizer.Strategy.CLIP)
                .samples();
        ByteBuffer b = ByteBuffer.allocate(x.length * x[0].length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < x[0].length; t++) {
            for (float[] ch : x) {
                b.putShort(Pcm.toPcm16(ch[t]));
            }
        }
        return b.array();
    }

    /** 32-bit IEEE float, interleaved, unchanged. */
    static byte[] float32(float[][] x) {
        ByteBuffer b = ByteBuffer.allocate(x.length * x[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < x[0].length; t++) {
            for (float[] ch : x) {
                b.putFloat(ch[t]);
            }
        }
        return b.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
