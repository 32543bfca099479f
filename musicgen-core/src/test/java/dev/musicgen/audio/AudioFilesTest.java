package dev.musicgen.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.internal.audio.*;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioFilesTest {

    @TempDir
    Path dir;

    @Test
    void should_write_a_canonical_16_bit_wav_header() throws IOException {
        Audio audio = AudioReaderTest.sine(2, 32000, 100);
        Path file = dir.resolve("out.wav");
        AudioFiles.write(file, audio, AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS);
        byte[] b = Files.readAllBytes(file);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b).hasSize(44 + 400);
        assertThat(new String(b, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(h.getInt(4)).isEqualTo(b.length - 8);
        assertThat(new String(b, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("WAVEfmt ");
        assertThat(h.getInt(16)).isEqualTo(16);
        assertThat(h.getShort(20)).isEqualTo((short) 1); // PCM
        assertThat(h.getShort(22)).isEqualTo((short) 2); // channels
        assertThat(h.getInt(24)).isEqualTo(32000);
        assertThat(h.getInt(28)).isEqualTo(32000 * 4); // byte rate
        assertThat(h.getShort(32)).isEqualTo((short) 4); // block align
        assertThat(h.getShort(34)).isEqualTo((short) 16);
        assertThat(new String(b, 36, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
        assertThat(h.getInt(40)).isEqualTo(400);
        assertThat(h.getShort(44)).isEqualTo(Pcm.toPcm16(audio.samples()[0][0]));
        assertThat(h.getShort(46)).isEqualTo(Pcm.toPcm16(audio.samples()[1][0]));
        assertThat(h.getShort(48)).isEqualTo(Pcm.toPcm16(audio.samples()[0][1]));
    }

    @Test
    void should_write_float_wav_with_fact_chunk() throws IOException {
        Audio audio = new Audio(new float[][] {{0.25f, -1.5f, 2f}}, 16000);
        byte[] b = AudioFiles.encode(
                audio,
                AudioFiles.Format.WAV,
                AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(AudioFiles.WavEncoding.FLOAT_32));
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b).hasSize(58 + 12);
        assertThat(h.getInt(16)).isEqualTo(18);
        assertThat(h.getShort(20)).isEqualTo((short) 3); // IEEE float
        assertThat(h.getShort(34)).isEqualTo((short) 32);
        assertThat(new String(b, 38, 4, StandardCharsets.US_ASCII)).isEqualTo("fact");
        assertThat(h.getInt(46)).isEqualTo(3);
        assertThat(new String(b, 50, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
        assertThat(h.getFloat(58 + 4)).isEqualTo(-1.5f); // not clamped
        assertThat(AudioReader.read(b, "float.wav").samples()).isDeepEqualTo(audio.samples());
    }

    @Test
    void should_replace_an_existing_file_and_leave_no_temporary_file() throws IOException {
        Path file = dir.resolve("song.wav");
        Files.writeString(file, "old content");
        AudioFiles.write(file, AudioReaderTest.sine(1, 8000, 10), AudioFiles.Format.WAV, null);
        assertThat(Files.size(file)).isEqualTo(44 + 20);
        assertThat(listing()).containsExactly("song.wav");
    }

    @Test
    void should_leave_nothing_when_encoding_fails() throws IOException {
        Path file = dir.resolve("broken.wav");
        assertThatThrownBy(() -> AudioFiles.write(file, out -> {
                    out.write(new byte[100_000]); // some bytes reach the temporary file first
                    throw new IOException("disk full");
                }))
                .isInstanceOf(IOException.class)
                .hasMessage("disk full");
        assertThat(listing()).isEmpty();

        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> AudioFiles.write(file, out -> {
                    throw new IllegalStateException("encoder bug");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(Files.readString(file)).isEqualTo("keep me");
        assertThat(listing()).containsExactly("broken.wav");
    }

    @Test
    void should_validate_before_touching_the_disk() throws IOException {
        Audio threeChannels = new Audio(new float[3][100], 32000);
        Path file = dir.resolve("x.mp3");
        assertThatThrownBy(() -> AudioFiles.write(file, threeChannels, AudioFiles.Format.MP3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MP3 holds 1 or 2 channels, but the audio has 3; downmix it first");
        Audio oddRate = new Audio(new float[1][100], 44101);
        assertThatThrownBy(() -> AudioFiles.write(file, oddRate, AudioFiles.Format.MP3, null))
                .hasMessageContaining("but the audio is at 44101 Hz");
        Audio ok = new Audio(new float[1][100], 32000);
        assertThatThrownBy(() -> AudioFiles.write(
                        file, ok, AudioFiles.Format.MP3, AudioFiles.WriteOptions.DEFAULTS.withMp3BitrateKbps(144)))
                .hasMessage(
                        "bitrateKbps must be one of [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] "
                                + "at 32000 Hz, but is: 144");
        assertThatThrownBy(() -> AudioFiles.WriteOptions.DEFAULTS.withMp3BitrateKbps(1000))
                .hasMessage("mp3BitrateKbps must be between 8 and 320, but is: 1000");
        assertThat(listing()).isEmpty();
    }

    @Test
    void should_write_mp3_at_the_requested_bitrate() throws IOException {
        Audio audio = AudioReaderTest.sine(2, 32000, 16000);
        Path file = dir.resolve("x.mp3");
        AudioFiles.write(file, audio, AudioFiles.Format.MP3, AudioFiles.WriteOptions.DEFAULTS.withMp3BitrateKbps(64));
        long size = Files.size(file);
        assertThat(size).isBetween(4000L, 5200L); // 64 kbps x 0.5 s = 4000 bytes, plus the encoder delay
        assertThat(AudioReader.detect(Files.readAllBytes(file), "x.mp3")).isEqualTo(AudioReader.Format.MP3);
    }

    @Test
    void should_say_when_the_directory_is_missing_or_not_a_directory() throws IOException {
        Audio audio = new Audio(new float[1][10], 8000);
        Path missing = dir.resolve("no/such/dir/out.wav");
        assertThatThrownBy(() -> AudioFiles.write(missing, audio, AudioFiles.Format.WAV, null))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing.getParent() + ": output directory does not exist");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> AudioFiles.write(file.resolve("out.wav"), audio, AudioFiles.Format.WAV, null))
                .isInstanceOf(NotDirectoryException.class)
                .hasMessage(file + ": output directory is not a directory");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertThatThrownBy(() -> AudioFiles.write(sub, audio, AudioFiles.Format.WAV, null))
                .isInstanceOf(FileSystemException.class)
                .hasMessage(sub + ": output path is a directory");
    }

    @Test
    void should_say_when_the_directory_is_read_only() throws IOException {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Audio audio = new Audio(new float[1][10], 8000);
            Path target = ro.resolve("out.wav");
            if (Files.isWritable(ro)) {
                // root ignores permission bits: the write succeeds, which is right for root
                AudioFiles.write(target, audio, AudioFiles.Format.WAV, null);
                assertThat(target).exists();
            } else {
                assertThatThrownBy(() -> AudioFiles.write(target, audio, AudioFiles.Format.WAV, null))
                        .isInstanceOf(AccessDeniedException.class)
                        .hasMessage(ro + ": output directory is not writable");
                assertThat(target).doesNotExist();
            }
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void should_parse_format_names() {
        assertThat(AudioFiles.Format.fromName("MP3")).isEqualTo(AudioFiles.Format.MP3);
        assertThatThrownBy(() -> AudioFiles.Format.fromName("ogg"))
                .hasMessage("output format must be one of wav, mp3, but is: ogg");
        assertThat(AudioFiles.withExtension("out", AudioFiles.Format.WAV)).isEqualTo("out.wav");
        assertThat(AudioFiles.withExtension("out.MP3", AudioFiles.Format.MP3)).isEqualTo("out.MP3");
    }

    @Test
    void should_offer_an_audio_input_stream_of_the_wav_samples() throws IOException {
        Audio audio = AudioReaderTest.sine(2, 32000, 50);
        try (javax.sound.sampled.AudioInputStream in = AudioFiles.toAudioInputStream(audio)) {
            assertThat(in.getFormat().getChannels()).isEqualTo(2);
            assertThat(in.getFormat().getSampleRate()).isEqualTo(32000f);
            assertThat(in.getFrameLength()).isEqualTo(50);
            byte[] pcm = in.readAllBytes();
            byte[] wav = AudioFiles.encode(audio, AudioFiles.Format.WAV, null);
            assertThat(pcm).isEqualTo(java.util.Arrays.copyOfRange(wav, 44, wav.length));
        }
    }

    private java.util.List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void an_extension_naming_the_other_format_is_refused(@org.junit.jupiter.api.io.TempDir Path dir) {
        Audio a = new Audio(new float[1][1600], 16000);
        Path mp3 = dir.resolve("x.mp3");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> AudioFiles.write(mp3, a, AudioFiles.Format.WAV, AudioFiles.WriteOptions.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.mp3")
                .hasMessageContaining("output format is wav");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AudioFiles.write(
                        dir.resolve("x.WAV"), a, AudioFiles.Format.MP3, AudioFiles.WriteOptions.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output format is mp3");
        org.assertj.core.api.Assertions.assertThat(mp3).doesNotExist();
    }
}
