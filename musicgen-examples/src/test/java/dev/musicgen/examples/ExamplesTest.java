package dev.musicgen.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.musicgen.FixtureModels;
import dev.musicgen.GeneratedAudio;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.audio.AudioReader;
import dev.musicgen.device.DeviceInventory;
import dev.musicgen.device.DeviceSelector;
import dev.musicgen.device.DeviceUnavailableException;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example program, run on the tiny fixture models (offline, CPU), writes a valid audio file. */
class ExamplesTest {
    @TempDir
    Path tmp;

    private MusicGeneratorBuilder fixture(String model) {
        return FixtureModels.builder(model, tmp.resolve("hub"));
    }

    /** Reads the file back and checks rate, channels, length and that it is not silence. */
    private static Audio assertAudio(Path file, int channels, double seconds, double toleranceSeconds)
            throws Exception {
        assertThat(file).exists().isRegularFile();
        Audio audio = AudioReader.read(file);
        assertThat(audio.sampleRate()).isEqualTo(32000);
        assertThat(audio.channels()).isEqualTo(channels);
        assertThat(audio.durationSeconds()).isCloseTo(seconds, within(toleranceSeconds));
        double energy = 0;
        for (float[] ch : audio.samples()) {
            for (float s : ch) {
                assertThat(Float.isFinite(s)).isTrue();
                energy += s * s;
            }
        }
        assertThat(energy).isGreaterThan(0);
        return audio;
    }

    @Test
    void text_to_wav_mono() throws Exception {
        Path out = tmp.resolve("text.wav");
        GeneratedAudio audio = TextToWav.run(fixture("musicgen_mono"), "lo-fi beat", 1.0, out);
        assertThat(audio.channels()).isEqualTo(1);
        assertAudio(out, 1, 1.0, 1e-3);
    }

    @Test
    void text_to_wav_main_reads_the_model_from_system_properties() throws Exception {
        Path out = tmp.resolve("main.wav");
        Map<String, String> props = Map.of(
                "musicgen.model",
                Fixtures.path("models", "musicgen_stereo").toString(),
                "musicgen.localRepos",
                "tiny/t5-a=" + Fixtures.path("models", "t5") + ",tiny/encodec_32khz-a="
                        + Fixtures.path("encodec_hf", "model"),
                "musicgen.offline",
                "true",
                "musicgen.cacheDir",
                tmp.resolve("hub").toString());
        props.forEach(System::setProperty);
        try {
            TextToWav.main(new String[] {"upbeat rock song", out.toString(), "0.8"});
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
        assertAudio(out, 2, 0.8, 1e-3);
    }

    @Test
    void melody_conditioning_follows_a_melody_file() throws Exception {
        Path melody = ExampleModels.writeDemoMelody(tmp.resolve("melody-in.wav"), 2);
        Path out = tmp.resolve("melody.wav");
        MelodyConditioning.run(fixture("musicgen_melody"), melody, "rock", 1.0, out);
        assertAudio(out, 1, 1.0, 1e-3);
    }

    @Test
    void melody_conditioning_refuses_a_model_without_melody() throws Exception {
        Path melody = ExampleModels.writeDemoMelody(tmp.resolve("melody-in.wav"), 1);
        assertThatThrownBy(() ->
                        MelodyConditioning.run(fixture("musicgen_mono"), melody, "rock", 1.0, tmp.resolve("x.wav")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a melody model");
        assertThat(tmp.resolve("x.wav")).doesNotExist();
    }

    @Test
    void continuation_of_a_44k_stereo_file_between_start_and_end() throws Exception {
        // a 44.1 kHz stereo input: converted to the model's 32 kHz mono as audiocraft does
        float[] tone = AudioReader.read(ExampleModels.writeDemoMelody(tmp.resolve("tone.wav"), 1.5))
                .channel(0);
        float[] l = new float[(int) (1.5 * 44100)];
        for (int i = 0; i < l.length; i++) {
            l[i] = tone[(int) (i * 32000L / 44100)];
        }
        Path input = tmp.resolve("in44k.wav");
        AudioFiles.write(
                input,
                new Audio(new float[][] {l, l.clone()}, 44100),
                AudioFiles.Format.WAV,
                AudioFiles.WriteOptions.DEFAULTS);
        Path out = tmp.resolve("continued.wav");
        GeneratedAudio audio = Continuation.run(fixture("musicgen_mono"), input, 0.25, 1.05, "ambient", 1.6, out);
        assertThat(audio.durationSeconds()).isCloseTo(1.6, within(1e-3)); // the 0.8 s clip is included
        assertAudio(out, 1, 1.6, 1e-3);
    }

    @Test
    void long_form_goes_past_the_window_with_the_extension_loop() throws Exception {
        Path out = tmp.resolve("long.wav");
        // musicgen_long has a 2 s window: 3.5 s with a 1 s stride is the first window plus 2 extension steps
        assertThat(LongForm.extensionSteps(3.5, 2, 1)).isEqualTo(2);
        assertThat(LongForm.extensionSteps(45, 30, 18)).isEqualTo(1);
        assertThat(LongForm.extensionSteps(8, 30, 18)).isZero();
        GeneratedAudio audio = LongForm.run(fixture("musicgen_long"), "calm pads", 3.5, 1, out);
        assertThat(audio.durationSeconds()).isCloseTo(3.5, within(1e-3));
        assertAudio(out, 1, 3.5, 1e-3);
    }

    @Test
    void batch_prompts_write_one_file_per_prompt() throws Exception {
        List<Path> files =
                BatchPrompts.run(fixture("musicgen_stereo"), List.of("rock", "jazz trio", "ambient drone"), 0.5, tmp);
        assertThat(files)
                .containsExactly(tmp.resolve("batch-0.wav"), tmp.resolve("batch-1.wav"), tmp.resolve("batch-2.wav"));
        for (Path f : files) {
            assertAudio(f, 2, 0.5, 1e-3);
        }
    }

    @Test
    void custom_selector_runs_on_the_cpu_when_no_gpu_is_asked_for() throws Exception {
        Path out = tmp.resolve("device.wav");
        DeviceSelector selector = CustomDeviceSelector.gpuFromPropertyElseCpu("musicgen.examples.test.unset");
        CustomDeviceSelector.run(fixture("musicgen_mono"), selector, "disco", 0.5, out);
        assertAudio(out, 1, 0.5, 1e-3);
    }

    @Test
    void custom_selector_never_falls_back_to_the_cpu() {
        String property = "musicgen.examples.test.gpu";
        DeviceSelector selector = CustomDeviceSelector.gpuFromPropertyElseCpu(property);
        DeviceInventory cpuOnly = new DeviceInventory("PyTorch", "2.7.1", 0, false);
        DeviceInventory twoGpus = new DeviceInventory("PyTorch", "2.7.1", 2, true);
        try {
            assertThat(selector.select(cpuOnly)).isEqualTo(Device.cpu());
            System.setProperty(property, "1");
            assertThat(selector.select(twoGpus)).isEqualTo(Device.gpu(1));
            assertThatThrownBy(() -> selector.select(cpuOnly))
                    .isInstanceOf(DeviceUnavailableException.class)
                    .hasMessageContaining(property + "=1")
                    .hasMessageContaining("sees [cpu()]");
            System.setProperty(property, "first");
            assertThatThrownBy(() -> selector.select(twoGpus))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(property)
                    .hasMessageContaining("'first'");
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void mp3_output_at_two_bit_rates() throws Exception {
        Path out = tmp.resolve("song.mp3");
        Mp3Output.run(fixture("musicgen_stereo"), "reggae", 1.0, out);
        Path hq = tmp.resolve("song-320k.mp3");
        assertThat(AudioReader.detect(Files.readAllBytes(out), out.toString())).isEqualTo(AudioReader.Format.MP3);
        // an MP3 decoder adds its delay and padding: the length is close, not exact
        assertAudio(out, 2, 1.0, 0.1);
        assertAudio(hq, 2, 1.0, 0.1);
        assertThat(Files.size(hq)).isGreaterThan(Files.size(out));
    }

    @Test
    void progress_and_cancel_from_another_thread() throws Exception {
        Path out = tmp.resolve("progress.wav");
        ProgressAndCancel.Outcome outcome = ProgressAndCancel.run(fixture("musicgen_mono"), "bossa nova", 1.0, 5, out);
        assertThat(outcome.cancelled()).isTrue();
        assertThat(outcome.audio().durationSeconds()).isCloseTo(1.0, within(1e-3));
        assertAudio(out, 1, 1.0, 1e-3);
    }

    @Test
    void streaming_playback_writes_the_chunks_where_it_does_not_play() throws Exception {
        Path out = tmp.resolve("streamed.wav");
        StreamingPlayback.Outcome o = StreamingPlayback.run(fixture("musicgen_stereo"), "lo-fi", 1.2, out);
        assertThat(o.played()).isFalse();
        assertThat(o.chunks()).isEqualTo(3); // 0.5 + 0.5 + 0.2 s
        assertThat(o.audioSeconds()).isCloseTo(1.2, within(1e-9));
        assertThat(o.firstAudioSeconds()).isLessThanOrEqualTo(o.totalSeconds());
        assertAudio(out, 2, 1.2, 1e-3);
    }
}
