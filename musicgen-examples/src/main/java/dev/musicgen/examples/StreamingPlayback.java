package dev.musicgen.examples;

import dev.musicgen.AudioChunk;
import dev.musicgen.AudioStream;
import dev.musicgen.GenerationRequest;
import dev.musicgen.ModelVersion;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.Line;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.SourceDataLine;

/**
 * Audio while it is generated: {@link MusicGenerator#stream} publishes the clip in chunks (0.5 s here) as soon as
 * their tokens exist, and this program plays each one on the default audio device the moment it arrives. Where there
 * is no audio device (a server), it writes the chunks to a WAV file instead. Either way it prints when the first
 * audio came and how fast the stream ran against real time.
 *
 * <p>The chunks carry the raw decoder output (normalization needs the whole clip); for 16-bit PCM they are clamped as
 * the {@code clip} strategy does. The blocking {@link AudioStream} is used here; reactive code subscribes to the
 * {@link java.util.concurrent.Flow.Publisher} directly (Reactor's {@code JdkFlowAdapter}, RxJava's {@code
 * FlowAdapters}).
 *
 * <pre>
 * java -cp musicgen.jar dev.musicgen.examples.StreamingPlayback ["prompt"] [seconds] [fallback.wav]
 * </pre>
 */
public final class StreamingPlayback {
    private StreamingPlayback() {}

    /**
     * What happened.
     *
     * @param played whether it played on an audio device (else it wrote the file)
     * @param firstAudioSeconds from {@code stream()} to the first chunk
     * @param totalSeconds from {@code stream()} to the last chunk
     */
    public record Outcome(
            boolean played,
            long seed,
            int chunks,
            double audioSeconds,
            double firstAudioSeconds,
            double totalSeconds) {}

    public static void main(String[] args) throws IOException, LineUnavailableException {
        String prompt = ExampleModels.arg(args, 0, "warm jazz piano trio, brushed drums");
        double seconds = Double.parseDouble(ExampleModels.arg(args, 1, "10"));
        Path fallback = Path.of(ExampleModels.arg(args, 2, "streamed.wav"));
        boolean device = AudioSystem.isLineSupported(new Line.Info(SourceDataLine.class));
        if (!device) {
            System.out.println("no audio device: writing " + fallback + " instead of playing");
        }
        Outcome o = run(ExampleModels.builder(ModelVersion.SMALL), prompt, seconds, device ? null : fallback);
        System.out.printf(
                "seed %d: %s %.1f s of audio in %d chunks; first audio after %.2f s, all after %.1f s"
                        + " (%.2fx real time)%n",
                o.seed(),
                o.played() ? "played" : "wrote",
                o.audioSeconds(),
                o.chunks(),
                o.firstAudioSeconds(),
                o.totalSeconds(),
                o.audioSeconds() / o.totalSeconds());
    }

    /**
     * Streams {@code seconds} of music for {@code prompt}.
     *
     * @param out where to write the audio; null plays it on the default audio device
     */
    public static Outcome run(MusicGeneratorBuilder model, String prompt, double seconds, Path out)
            throws IOException, LineUnavailableException {
        try (MusicGenerator generator = model.build()) {
            GenerationRequest request =
                    GenerationRequest.builder().prompt(prompt).duration(seconds).build();
            SourceDataLine line = null;
            if (out == null) {
                AudioFormat format = new AudioFormat(generator.sampleRate(), 16, generator.channels(), true, false);
                line = AudioSystem.getSourceDataLine(format);
                line.open(format, generator.sampleRate() * generator.channels() * 2); // 1 s of buffer
            }
            List<float[][]> written = new ArrayList<>();
            long start = System.nanoTime();
            double first = 0;
            int chunks = 0;
            long frames = 0;
            long seed = -1;
            // try-with-resources: leaving the loop early (an exception, a user's stop) cancels the generation
            try (AudioStream stream = AudioStream.of(generator.stream(request, 0.5))) {
                while (stream.hasNext()) {
                    AudioChunk chunk = stream.next();
                    if (chunks++ == 0) {
                        first = (System.nanoTime() - start) / 1e9;
                        seed = chunk.seed();
                        if (line != null) {
                            line.start();
                        }
                    }
                    frames += chunk.frames();
                    if (line != null) {
                        byte[] pcm = pcm16(chunk.samples());
                        line.write(pcm, 0, pcm.length); // blocks while the line is full: playback paces the loop
                    } else {
                        written.add(chunk.samples());
                    }
                }
                if (line != null) {
                    line.drain();
                }
            } finally {
                if (line != null) {
                    line.close();
                }
            }
            double total = (System.nanoTime() - start) / 1e9;
            if (out != null) {
                AudioFiles.write(
                        out,
                        new Audio(concat(written, generator.channels()), generator.sampleRate()),
                        AudioFiles.Format.WAV,
                        AudioFiles.WriteOptions.DEFAULTS);
            }
            return new Outcome(out == null, seed, chunks, frames / (double) generator.sampleRate(), first, total);
        }
    }

    /** Interleaved 16-bit little-endian PCM, clamped to ±10^(-1/20) as the {@code clip} normalization does. */
    static byte[] pcm16(float[][] samples) {
        float limit = (float) Math.pow(10, -1 / 20.0);
        ByteBuffer b =
                ByteBuffer.allocate(samples.length * samples[0].length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < samples[0].length; t++) {
            for (float[] channel : samples) {
                float x = Math.max(-limit, Math.min(limit, channel[t]));
                b.putShort((short) Math.round(x * 32767));
            }
        }
        return b.array();
    }

    private static float[][] concat(List<float[][]> parts, int channels) {
        int n = 0;
        for (float[][] p : parts) {
            n += p[0].length;
        }
        float[][] out = new float[channels][n];
        int at = 0;
        for (float[][] p : parts) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(p[c], 0, out[c], at, p[c].length);
            }
            at += p[0].length;
        }
        return out;
    }
}
