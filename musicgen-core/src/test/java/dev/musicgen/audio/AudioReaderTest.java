package dev.musicgen.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.musicgen.internal.audio.*;
import dev.musicgen.testing.TestTensors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

public class AudioReaderTest {

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- WAV

    @ParameterizedTest
    @EnumSource(AudioFiles.WavEncoding.class)
    void should_round_trip_our_own_wav(AudioFiles.WavEncoding encoding) throws IOException {
        Audio audio = sine(2, 32000, 3200);
        Path file = tmp.resolve("x.wav");
        AudioFiles.write(
                file, audio, AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(encoding));
        Audio back = AudioReader.read(file);
        assertThat(back.sampleRate()).isEqualTo(32000);
        assertThat(back.channels()).isEqualTo(2);
        assertThat(back.frames()).isEqualTo(3200);
        for (int c = 0; c < 2; c++) {
            float[] want = new float[3200];
            for (int t = 0; t < 3200; t++) {
                want[t] = encoding == AudioFiles.WavEncoding.FLOAT_32
                        ? audio.samples()[c][t]
                        : Pcm.toPcm16(audio.samples()[c][t]) / 32768f;
            }
            assertThat(back.samples()[c]).isEqualTo(want);
        }
    }

    /** Hand-built WAVs of every supported sample format, decoded as torchaudio.load does. */
    @ParameterizedTest
    @CsvSource({
        "1, 8, false",
        "1, 16, false",
        "1, 24, false",
        "1, 32, false",
        "3, 32, false",
        "3, 64, false",
        "1, 16, true",
        "1, 24, true",
        "3, 32, true",
    })
    void should_decode_every_sample_format(int tag, int bits, boolean extensible) throws IOException {
        int channels = 2;
        int frames = 5;
        double[] values = {0, 0.5, -0.5, 0.999, -1};
        ByteBuffer data = ByteBuffer.allocate(frames * channels * bits / 8).order(ByteOrder.LITTLE_ENDIAN);
        float[][] expected = new float[channels][frames];
        for (int t = 0; t < frames; t++) {
            for (int c = 0; c < channels; c++) {
                double v = values[t] * (c == 0 ? 1 : -1);
                if (tag == 3) {
                    if (bits == 32) {
                        data.putFloat((float) v);
                    } else {
                        data.putDouble(v);
                    }
                    expected[c][t] = (float) v;
                    continue;
                }
                switch (bits) {
                    case 8 -> {
                        int u = (int) Math.max(0, Math.min(255, Math.round(v * 128) + 128));
                        data.put((byte) u);
                        expected[c][t] = (u - 128) / 128f;
                    }
                    case 16 -> {
                        int s = (int) Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
                        data.putShort((short) s);
                        expected[c][t] = s / 32768f;
                    }
                    case 24 -> {
                        int s = (int) Math.max(-8388608, Math.min(8388607, Math.round(v * 8388608)));
                        data.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
                        expected[c][t] = s / 8388608f;
                    }
                    default -> {
                        long s = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(v * 2147483648.0)));
                        data.putInt((int) s);
                        expected[c][t] = (float) (s / 2147483648.0);
                    }
                }
            }
        }
        byte[] wav = wav(tag, channels, 22050, bits, data.array(), extensible, true);
        Audio audio = AudioReader.read(wav, "hand.wav");
        assertThat(audio.sampleRate()).isEqualTo(22050);
        assertThat(audio.samples()).isDeepEqualTo(expected);
        // 16-bit -32768 is exactly -1, 8-bit 0 is exactly -1: the torchaudio scale, not 32767 / 127
        if (tag == 1 && bits <= 16) {
            assertThat(audio.samples()[0][4]).isEqualTo(-1f);
        }
    }

    @Test
    void should_read_the_ffmpeg_wavs_of_the_normalization_fixture() throws IOException {
        Path dir = TestTensors.fixture("normalization");
        Map<String, TestTensors.Tensor> expected = TestTensors.read(dir.resolve("expected.safetensors"));
        for (String name : new String[] {"quiet_loudness", "loud_clip", "stereo_rms", "stereo_peak"}) {
            // ffmpeg's files carry a LIST/INFO chunk before the data
            Audio audio = AudioReader.read(dir.resolve(name + ".wav"));
            short[][] pcm = expected.get(name + "_pcm16").shorts2d();
            assertThat(audio.sampleRate()).isEqualTo(32000);
            assertThat(audio.channels()).isEqualTo(pcm.length);
            for (int c = 0; c < pcm.length; c++) {
                float[] want = new float[pcm[c].length];
                for (int t = 0; t < want.length; t++) {
                    want[t] = pcm[c][t] / 32768f;
                }
                assertThat(audio.samples()[c]).as(name + " channel " + c).isEqualTo(want);
            }
        }
    }

    @Test
    void should_read_to_the_end_when_the_data_size_is_a_pipe_placeholder() throws IOException {
        byte[] data = {1, 0, 2, 0, 3, 0};
        byte[] wav = wav(1, 1, 8000, 16, data, false, false);
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0xFFFFFFFF);
        Audio audio = AudioReader.read(wav, "pipe.wav");
        assertThat(audio.frames()).isEqualTo(3);
        assertThat(audio.samples()[0][2]).isEqualTo(3 / 32768f);
    }

    @Test
    void should_refuse_a_truncated_wav_naming_the_file() throws IOException {
        byte[] wav = AudioFiles.encode(sine(1, 16000, 1000), AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS);
        Path file = tmp.resolve("cut.wav");
        Files.write(file, Arrays.copyOf(wav, wav.length - 100));
        assertThatThrownBy(() -> AudioReader.read(file))
                .isInstanceOf(AudioFormatException.class)
                .hasMessageStartingWith(file.toString() + ": truncated or corrupt WAV file")
                .hasMessageContaining("declares 2000 bytes but only 1900 remain");
        Files.write(file, Arrays.copyOf(wav, 30));
        assertThatThrownBy(() -> AudioReader.read(file))
                .isInstanceOf(AudioFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void should_refuse_corrupt_wav_headers() {
        byte[] noData = Arrays.copyOf(wav(1, 1, 8000, 16, new byte[0], false, false), 36);
        ByteBuffer.wrap(noData).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 28);
        assertThatThrownBy(() -> AudioReader.read(noData, "nodata.wav"))
                .hasMessage("nodata.wav: truncated or corrupt WAV file: no 'data' chunk before the end of the file");
        byte[] zeroChannels = wav(1, 1, 8000, 16, new byte[4], false, false);
        ByteBuffer.wrap(zeroChannels).order(ByteOrder.LITTLE_ENDIAN).putShort(22, (short) 0);
        assertThatThrownBy(() -> AudioReader.read(zeroChannels, "zero.wav"))
                .hasMessage("zero.wav: corrupt WAV file: the WAV header declares 0 channels");
        byte[] badAlign = wav(1, 2, 8000, 16, new byte[8], false, false);
        ByteBuffer.wrap(badAlign).order(ByteOrder.LITTLE_ENDIAN).putShort(32, (short) 3);
        assertThatThrownBy(() -> AudioReader.read(badAlign, "align.wav"))
                .hasMessageContaining("block size 3 does not match 2 channels of 16 bits");
    }

    @Test
    void should_refuse_unsupported_wav_encodings() {
        assertThatThrownBy(() -> AudioReader.read(wav(7, 1, 8000, 8, new byte[4], false, true), "ulaw.wav"))
                .isInstanceOf(UnsupportedAudioFormatException.class)
                .hasMessage("ulaw.wav: unsupported audio format (WAV with mu-law (format tag 0x0007) encoding); "
                        + UnsupportedAudioFormatException.SUPPORTED);
        assertThatThrownBy(() -> AudioReader.read(wav(1, 1, 8000, 12, new byte[4], false, true), "12bit.wav"))
                .isInstanceOf(UnsupportedAudioFormatException.class)
                .hasMessageContaining("WAV 12-bit PCM");
    }

    // ---------------------------------------------------------------- FLAC

    /** Made with the flac 1.4.2 CLI (-8) from integer sawtooths; FLAC is lossless, so values are exact. */
    @ParameterizedTest
    @CsvSource({"s16.flac, 2, 16, 32000, 4000", "m24.flac, 1, 24, 44100, 3000", "m8.flac, 1, 8, 16000, 2000"})
    void should_decode_flac_exactly(String name, int channels, int bits, int sampleRate, int frames)
            throws IOException {
        Audio audio = AudioReader.read(resource(name));
        assertThat(audio.channels()).isEqualTo(channels);
        assertThat(audio.sampleRate()).isEqualTo(sampleRate);
        assertThat(audio.frames()).isEqualTo(frames);
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < frames; i++) {
                long v = ((i * 37L + c * 1000L) % 2000) - 1000;
                v = switch (bits) {
                    case 8 -> Math.floorDiv(v * 127, 1000);
                    case 16 -> v * 32;
                    default -> v * 8000;
                };
                assertThat(audio.samples()[c][i]).as("%s[%d][%d]", name, c, i).isEqualTo((float)
                        (v / Math.pow(2, bits - 1)));
            }
        }
    }

    @Test
    void should_refuse_a_truncated_flac() throws IOException {
        byte[] flac = Files.readAllBytes(resource("s16.flac"));
        byte[] cut = Arrays.copyOf(flac, flac.length - 500);
        assertThatThrownBy(() -> AudioReader.read(cut, "cut.flac"))
                .isInstanceOf(AudioFormatException.class)
                .hasMessageStartingWith("cut.flac: ")
                .hasMessageContaining("truncated FLAC file: STREAMINFO declares 4000 frames but only");
    }

    @Test
    void should_refuse_a_flac_with_a_damaged_frame() throws IOException {
        byte[] flac = Files.readAllBytes(resource("s16.flac"));
        byte[] bad = flac.clone();
        for (int i = bad.length - 300; i < bad.length - 236; i++) { // inside the last frame's data
            bad[i] ^= 0x5A;
        }
        assertThatThrownBy(() -> AudioReader.read(bad, "bad.flac"))
                .isInstanceOf(AudioFormatException.class)
                .hasMessage("bad.flac: corrupt FLAC file: 1 frame(s) failed to decode (CRC or syntax error)");
    }

    // ---------------------------------------------------------------- MP3

    /**
     * LAME 3.100 file (64 kbps, from 8000 samples of a 440 Hz sine at 32 kHz) with an Info frame and
     * LAME tag: decoded gaplessly, as ffmpeg does, it has exactly the original length and alignment.
     */
    @Test
    void should_decode_lame_mp3_gaplessly() throws IOException {
        Audio audio = AudioReader.read(resource("sine440_lame.mp3"));
        assertThat(audio.sampleRate()).isEqualTo(32000);
        assertThat(audio.channels()).isEqualTo(1);
        assertThat(audio.frames()).isEqualTo(8000);
        float[] want = new float[8000];
        for (int i = 0; i < want.length; i++) {
            want[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 32000));
        }
        assertThat(correlation(audio.samples()[0], want, 0)).isGreaterThan(0.99);
    }

    @Test
    void should_round_trip_a_sine_through_mp3() throws IOException {
        for (int channels = 1; channels <= 2; channels++) {
            Audio audio = sine(channels, 32000, 16000);
            for (float[] channel : audio.samples()) {
                Arrays.fill(channel, 0, 3200, 0f); // an onset, to measure the delay
            }
            byte[] mp3 = AudioFiles.encode(audio, AudioFiles.Format.MP3, AudioFiles.WriteOptions.DEFAULTS);
            assertThat(mp3.length)
                    .as("128 kbps for 0.5 s, plus the encoder delay")
                    .isBetween(8000, 10500);
            Audio back = AudioReader.read(mp3, "round trip");
            assertThat(back.channels()).isEqualTo(channels);
            assertThat(back.sampleRate()).isEqualTo(32000);
            // jump3r writes no Info frame, so the stream keeps LAME's delay: 1152 + 576 encoder, 529 decoder
            int lag = onset(back.samples()[0]) - onset(audio.samples()[0]);
            assertThat(lag).isBetween(2250, 2265);
            for (int c = 0; c < channels; c++) {
                assertThat(correlation(back.samples()[c], audio.samples()[c], 2257))
                        .isGreaterThan(0.99);
            }
        }
    }

    @Test
    void should_find_mp3_frames_behind_an_id3_tag_and_leading_junk() throws IOException {
        byte[] mp3 = Files.readAllBytes(resource("sine440_lame.mp3"));
        byte[] id3 = {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20};
        byte[] junk = new byte[37];
        byte[] tagged = concat(id3, new byte[20], junk, mp3);
        Audio audio = AudioReader.read(tagged, "tagged.mp3");
        assertThat(audio.frames()).isEqualTo(8000);
        assertThat(AudioReader.detect(concat(junk, mp3), "junk.mp3")).isEqualTo(AudioReader.Format.MP3);
    }

    @Test
    void should_refuse_mp3_without_frames() {
        byte[] id3Only = concat(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 4}, new byte[] {1, 2, 3, 4, 5, 6});
        assertThatThrownBy(() -> AudioReader.read(id3Only, "empty.mp3"))
                .isInstanceOf(AudioFormatException.class)
                .hasMessage("empty.mp3: corrupt MP3 file: an ID3v2 tag but no MPEG audio frame after it");
    }

    @Test
    void should_keep_what_decodes_of_a_truncated_mp3() throws IOException {
        byte[] mp3 = Files.readAllBytes(resource("sine440_lame.mp3"));
        Audio audio = AudioReader.read(Arrays.copyOf(mp3, mp3.length / 2), "half.mp3");
        assertThat(audio.frames()).isBetween(2000, 6000);
    }

    // ---------------------------------------------------------------- detection and errors

    @ParameterizedTest
    @CsvSource({
        "OggS, vorbis, Ogg Vorbis",
        "OggS, OpusHead, Ogg Opus",
        "FORM, AIFF, AIFF",
        "RIFX, WAVE, big-endian WAV (RIFX)",
    })
    void should_name_unsupported_formats(String magic, String inner, String name) {
        byte[] data = concat(
                magic.getBytes(StandardCharsets.ISO_8859_1),
                new byte[4],
                inner.getBytes(StandardCharsets.ISO_8859_1),
                new byte[200]);
        assertThatThrownBy(() -> AudioReader.read(data, "clip.bin"))
                .isInstanceOf(UnsupportedAudioFormatException.class)
                .hasMessage("clip.bin: unsupported audio format (" + name + "); "
                        + UnsupportedAudioFormatException.SUPPORTED);
    }

    @Test
    void should_detect_by_content_not_extension() throws IOException {
        Path disguised = tmp.resolve("song.mp3");
        Files.write(
                disguised,
                AudioFiles.encode(sine(1, 16000, 100), AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS));
        assertThat(AudioReader.read(disguised).frames()).isEqualTo(100);
        Path text = tmp.resolve("notes.wav");
        Files.writeString(text, "this is not audio at all, just some text");
        assertThatThrownBy(() -> AudioReader.read(text))
                .isInstanceOf(UnsupportedAudioFormatException.class)
                .hasMessageStartingWith(text + ": unsupported audio format (unknown content (text, not audio)")
                .hasMessageNotContaining("74 68 69 73")
                .hasMessageNotContaining("this is");
    }

    @Test
    void should_name_missing_empty_and_directory_paths() throws IOException {
        Path missing = tmp.resolve("nope.wav");
        assertThatThrownBy(() -> AudioReader.read(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing + ": audio file not found");
        Path empty = Files.createFile(tmp.resolve("empty.wav"));
        assertThatThrownBy(() -> AudioReader.read(empty))
                .isInstanceOf(AudioFormatException.class)
                .hasMessage(empty + ": the file is empty (0 bytes)");
        assertThatThrownBy(() -> AudioReader.read(tmp))
                .isInstanceOf(AudioFormatException.class)
                .hasMessage(tmp + ": is a directory, not an audio file");
    }

    @Test
    void should_read_from_a_stream() throws IOException {
        byte[] wav = AudioFiles.encode(sine(1, 8000, 80), AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS);
        try (InputStream in = new ByteArrayInputStream(wav)) {
            assertThat(AudioReader.read(in, "upload").frames()).isEqualTo(80);
        }
    }

    @Test
    void should_validate_audio() {
        assertThatThrownBy(() -> new Audio(new float[0][], 32000))
                .hasMessage("samples must have at least one channel, but has 0");
        assertThatThrownBy(() -> new Audio(new float[][] {new float[3], new float[2]}, 32000))
                .hasMessage(
                        "every channel must have the same number of frames, but channel 0 has 3 and channel 1 has 2");
        assertThatThrownBy(() -> new Audio(new float[1][1], 0)).hasMessage("sampleRate must be positive, but is: 0");
        Audio a = new Audio(new float[2][48000], 32000);
        assertThat(a.durationSeconds()).isCloseTo(1.5, within(1e-12));
        assertThat(a.slice(100, 50).frames()).isZero();
        assertThat(a.slice(47000, 99999).frames()).isEqualTo(1000);
    }

    // ---------------------------------------------------------------- helpers

    public static Audio sine(int channels, int sampleRate, int frames) {
        float[][] x = new float[channels][frames];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < frames; t++) {
                x[c][t] = (float) (0.5 * Math.sin(2 * Math.PI * (440 + 110 * c) * t / sampleRate));
            }
        }
        return new Audio(x, sampleRate);
    }

    static Path resource(String name) {
        try {
            return Path.of(AudioReaderTest.class.getResource("/audio/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource audio/" + name, e);
        }
    }

    /** Pearson correlation of {@code a[lag + i]} with {@code b[i]}. */
    static double correlation(float[] a, float[] b, int lag) {
        int n = Math.min(a.length - lag, b.length);
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (int i = 0; i < n; i++) {
            double x = a[lag + i];
            double y = b[i];
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
        }
        double cov = sab - sa * sb / n;
        return cov / Math.sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
    }

    static int onset(float[] x) {
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) > 0.05f) {
                return i;
            }
        }
        return -1;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** A WAV file with a LIST chunk before the data (as ffmpeg writes) when {@code list} is set. */
    static byte[] wav(int tag, int channels, int sampleRate, int bits, byte[] data, boolean extensible, boolean list) {
        int fmtSize = extensible ? 40 : 16;
        byte[] listChunk = list
                ? concat(
                        "LIST".getBytes(StandardCharsets.US_ASCII),
                        new byte[] {5, 0, 0, 0},
                        "INFOx".getBytes(StandardCharsets.US_ASCII),
                        new byte[] {0})
                : new byte[0];
        int size = 4 + 8 + fmtSize + listChunk.length + 8 + data.length;
        ByteBuffer b = ByteBuffer.allocate(8 + size).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(size).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(fmtSize);
        b.putShort((short) (extensible ? 0xFFFE : tag))
                .putShort((short) channels)
                .putInt(sampleRate)
                .putInt(sampleRate * channels * bits / 8)
                .putShort((short) (channels * bits / 8))
                .putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(3);
            b.putShort((short) tag)
                    .put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        b.put(listChunk);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
        return b.array();
    }

    @Test
    void should_refuse_hostile_inputs_quickly_without_revealing_content() throws IOException {
        // a device never ends: refused from its type, not read
        assertThatThrownBy(() -> AudioReader.read(Path.of("/dev/zero")))
                .isInstanceOf(AudioFormatException.class)
                .hasMessageContaining("not a regular file");
        Path secret = tmp.resolve("passwd");
        Files.writeString(secret, "root:x:0:0:root:/root:/bin/bash\n");
        assertThatThrownBy(() -> AudioReader.read(secret))
                .isInstanceOf(UnsupportedAudioFormatException.class)
                .hasMessageNotContaining("root")
                .hasMessageNotContaining("72 6f 6f 74");
        // sample rates a recording never has: 1 Hz would be resampled 32000-fold, 10^9 Hz builds huge kernels
        for (int rate : new int[] {1, 1_000_000_000}) {
            Path p = tmp.resolve("rate" + rate + ".wav");
            byte[] wav =
                    AudioFiles.encode(sine(1, 16000, 100), AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS);
            java.nio.ByteBuffer.wrap(wav)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(24, rate);
            Files.write(p, wav);
            assertThatThrownBy(() -> AudioReader.read(p))
                    .isInstanceOf(AudioFormatException.class)
                    .hasMessageContaining(rate + " Hz")
                    .hasMessageContaining("4000..384000");
        }
    }

    @Test
    void should_refuse_a_flac_claiming_billions_of_samples_before_allocating() throws IOException {
        byte[] flac = Files.readAllBytes(resource("s16.flac"));
        // STREAMINFO total samples (36 bits from the low nibble of byte 21): 2^31
        flac[21] = (byte) (flac[21] & 0xF0);
        flac[22] = (byte) 0x80;
        flac[23] = 0;
        flac[24] = 0;
        flac[25] = 0;
        Path p = tmp.resolve("huge.flac");
        Files.write(p, flac);
        assertThatThrownBy(() -> AudioReader.read(p))
                .isInstanceOf(AudioFormatException.class)
                .hasMessageContaining("at most 600 s");
    }
}
