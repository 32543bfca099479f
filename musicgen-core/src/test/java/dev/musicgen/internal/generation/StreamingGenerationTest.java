package dev.musicgen.internal.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.AudioChunk;
import dev.musicgen.AudioStream;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.StreamDecoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chunking, ordering and signals of {@link StreamingGeneration} on a fake codec (100 Hz, 10 frames/s, one sample
 * value per frame, 2 frames of look-ahead) and a fake job: no model involved.
 */
class StreamingGenerationTest {
    /** Decodes frame t (code c) to 10 samples of value c; holds back the last 2 frames until finish(). */
    static final class FakeCodec implements AudioCodec {
        final List<Integer> decodeSizes = new ArrayList<>();
        final boolean streams;

        FakeCodec() {
            this(true);
        }

        FakeCodec(boolean streams) {
            this.streams = streams;
        }

        @Override
        public int sampleRate() {
            return 100;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int numCodebooks() {
            return 1;
        }

        @Override
        public int cardinality() {
            return 1000;
        }

        @Override
        public double frameRate() {
            return 10;
        }

        @Override
        public long[][][] encode(float[][][] audio) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[][][] decode(long[][][] codes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}

        @Override
        public StreamDecoder streamDecoder(int batch) {
            if (!streams) {
                return AudioCodec.super.streamDecoder(batch);
            }
            return new StreamDecoder() {
                final List<Long> held = new ArrayList<>();

                @Override
                public float[][][] decode(long[][][] codes) {
                    decodeSizes.add(codes[0][0].length);
                    for (long c : codes[0][0]) {
                        held.add(c);
                    }
                    return out(Math.max(0, held.size() - 2));
                }

                @Override
                public int lookAheadFrames() {
                    return 2;
                }

                @Override
                public float[][][] finish() {
                    return out(held.size());
                }

                private float[][][] out(int frames) {
                    float[] s = new float[frames * 10];
                    for (int t = 0; t < frames; t++) {
                        java.util.Arrays.fill(s, t * 10, t * 10 + 10, held.get(t));
                    }
                    held.subList(0, frames).clear();
                    return new float[][][] {{s}};
                }

                @Override
                public void close() {}
            };
        }
    }

    /** A job that reports {@code frames} frames (code = frame index) in pieces of {@code piece}, then ends. */
    static StreamingGeneration.Job frames(int frames, int piece) {
        return (sink, cancel) -> {
            sink.start(42);
            for (int t = 0; t < frames; t += piece) {
                int n = Math.min(piece, frames - t);
                long[][][] codes = new long[1][1][n];
                for (int i = 0; i < n; i++) {
                    codes[0][0][i] = t + i;
                }
                sink.onFrames(codes);
            }
            sink.end();
        };
    }

    static List<AudioChunk> all(StreamingGeneration g) {
        List<AudioChunk> out = new ArrayList<>();
        try (AudioStream s = AudioStream.of(g)) {
            s.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void chunks_tile_the_clip_and_only_the_last_is_short() {
        FakeCodec codec = new FakeCodec();
        List<AudioChunk> chunks = all(new StreamingGeneration(codec, 0.35, frames(23, 1)));
        // 23 frames x 10 samples = 230 samples in chunks of 35
        assertThat(chunks).extracting(AudioChunk::frames).containsExactly(35, 35, 35, 35, 35, 35, 20);
        assertThat(chunks).extracting(AudioChunk::offset).containsExactly(0L, 35L, 70L, 105L, 140L, 175L, 210L);
        assertThat(chunks).extracting(AudioChunk::last).containsExactly(false, false, false, false, false, false, true);
        assertThat(chunks).allMatch(c -> c.seed() == 42 && c.sampleRate() == 100 && c.channels() == 1);
        for (AudioChunk c : chunks) {
            for (int i = 0; i < c.frames(); i++) {
                assertThat(c.samples()[0][i]).isEqualTo((float) ((c.offset() + i) / 10));
            }
        }
        // frames one by one, decoded in pieces that each complete a chunk: 4 frames (2 final), then 3 or 4 at a time
        assertThat(codec.decodeSizes).allMatch(n -> n >= 3).hasSizeLessThanOrEqualTo(7);
    }

    @Test
    void a_clip_shorter_than_a_chunk_is_one_last_chunk() {
        List<AudioChunk> chunks = all(new StreamingGeneration(new FakeCodec(), 1.0, frames(3, 3)));
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).frames()).isEqualTo(30);
        assertThat(chunks.get(0).last()).isTrue();
    }

    @Test
    void a_failing_job_is_thrown_by_the_iterator() {
        StreamingGeneration g = new StreamingGeneration(new FakeCodec(), 0.5, (sink, cancel) -> {
            sink.start(1);
            throw new IllegalStateException("boom");
        });
        try (AudioStream s = AudioStream.of(g)) {
            assertThatThrownBy(s::hasNext)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("boom");
            assertThat(s.hasNext()).isFalse();
        }
        StreamingGeneration noEnd = new StreamingGeneration(new FakeCodec(), 0.5, (sink, cancel) -> sink.start(1));
        try (AudioStream s = AudioStream.of(noEnd)) {
            assertThatThrownBy(s::hasNext).hasMessageContaining("without reporting its end");
        }
    }

    @Test
    void a_codec_without_a_stream_decoder_is_an_error_signal() {
        AudioCodec plain = new FakeCodec(false);
        try (AudioStream s = AudioStream.of(new StreamingGeneration(plain, 0.5, frames(5, 1)))) {
            assertThatThrownBy(s::hasNext)
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("cannot decode incrementally");
        }
    }

    @Test
    void the_buffer_is_two_seconds_of_chunks_at_least_two() {
        assertThat(new StreamingGeneration(new FakeCodec(), 0.5, frames(1, 1)).bufferedChunks())
                .isEqualTo(4);
        assertThat(new StreamingGeneration(new FakeCodec(), 1.5, frames(1, 1)).bufferedChunks())
                .isEqualTo(2);
        assertThat(new StreamingGeneration(new FakeCodec(), 0.1, frames(1, 1)).chunkSamples())
                .isEqualTo(10);
        assertThatThrownBy(() -> new StreamingGeneration(new FakeCodec(), 0.05, frames(1, 1)))
                .hasMessage("chunkSeconds must be between one codec frame (0.1 s) and 3600 s, but is: 0.05");
    }
}
