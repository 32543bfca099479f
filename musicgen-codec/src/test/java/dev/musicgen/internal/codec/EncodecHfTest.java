package dev.musicgen.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.AudioCodecProvider;
import dev.musicgen.spi.CodecSpec;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Golden case {@code encodec_hf}: the HF-layout EnCodec ({@code config.json} + {@code model.safetensors}, reflect
 * padding), reached directly, through the pointer {@code compression_state_dict.bin}, and inside the HF MusicGen
 * checkpoint of case {@code musicgen_hf} (same codec under {@code audio_encoder.}).
 */
class EncodecHfTest {
    static final String CASE = "encodec_hf";
    static final String REPO = "tiny/encodec_32khz-a";
    static CompressionModel codec;

    static RepoResolver resolver() {
        Path dir = Fixtures.path(CASE, "model");
        return (id, files) -> {
            if (!id.equals(REPO)) {
                throw new IllegalArgumentException("unknown repo " + id);
            }
            return dir;
        };
    }

    @BeforeAll
    static void load() {
        codec = Encodec.load(Fixtures.path(CASE, "model"));
    }

    @AfterAll
    static void close() {
        codec.close();
    }

    @Test
    void config_comes_from_config_json_and_the_keys() {
        EncodecConfig cfg = ((EncodecModel) codec).config();
        assertThat(cfg.encoder().padMode()).isEqualTo("reflect");
        assertThat(cfg.rvq().nQ()).isEqualTo(4);
        assertThat(cfg.rvq().bins()).isEqualTo(64);
        assertThat(codec.frameRate()).isEqualTo(50.0);
    }

    @Test
    void encode_gives_the_golden_codes_exactly() {
        Golden.assertCodes(CASE, "codes", codec.encode(Golden.inputAudio(CASE, "wav")));
    }

    @Test
    void decode_matches_for_golden_random_and_audiocraft_codes() {
        Golden.assertAudio(CASE, "decoded", codec.decode(Golden.longs3(CASE, "expected.safetensors", "codes")));
        Golden.assertAudio(CASE, "random_decoded", codec.decode(Golden.inputCodes(CASE, "random_codes")));
        Golden.assertAudio(CASE, "decoded_audiocraft_codes", codec.decode(Golden.inputCodes(CASE, "audiocraft_codes")));
    }

    @Test
    void forward_is_decode_of_encode_trimmed() {
        float[][][] wav = Golden.inputAudio(CASE, "wav");
        float[][][] out = codec.decode(codec.encode(wav));
        out[0][0] = java.util.Arrays.copyOf(out[0][0], wav[0][0].length);
        Golden.assertAudio(CASE, "forward_audio_values", out);
    }

    @Test
    void stereo_interleaving_over_the_hf_codec() {
        CompressionModel stereo = new InterleaveStereoCompressionModel(codec);
        Golden.assertCodes(CASE, "stereo_codes", stereo.encode(Golden.inputAudio(CASE, "stereo_wav")));
        Golden.assertAudio(
                CASE, "stereo_decoded", stereo.decode(Golden.longs3(CASE, "expected.safetensors", "stereo_codes")));
    }

    @Test
    void tiny_inputs_take_upstream_reflect_padding_path() {
        // reflect padding longer than the signal: upstream pads zeros first (pad1d), which must not fail here
        float[][][] one = codec.decode(new long[][][] {{{1}, {2}, {3}, {4}}});
        assertThat(one[0][0]).hasSize(640);
        float[][][] wav = new float[1][1][100];
        wav[0][0][10] = 0.5f;
        long[][][] codes = codec.encode(wav);
        assertThat(codes[0]).hasNumberOfRows(4);
        assertThat(codes[0][0]).hasSize(1);
        for (float v : one[0][0]) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    @Test
    void pointer_file_resolves_through_the_resolver_and_the_service_loader() {
        Path pointer = Fixtures.path(CASE, "compression_state_dict.bin");
        AudioCodecProvider provider = ServiceLoader.load(AudioCodecProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("encodec"))
                .findFirst()
                .orElseThrow();
        try (AudioCodec c = provider.load(new CodecSpec(pointer, Device.cpu(), resolver(), false))) {
            assertThat(c).isInstanceOf(EncodecModel.class);
            Golden.assertCodes(CASE, "codes", c.encode(Golden.inputAudio(CASE, "wav")));
            Golden.assertAudio(CASE, "random_decoded", c.decode(Golden.inputCodes(CASE, "random_codes")));
        }
    }

    @Test
    void pointer_without_a_resolver_names_the_repo() {
        Path pointer = Fixtures.path(CASE, "compression_state_dict.bin");
        assertThatThrownBy(() -> Encodec.load(pointer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(REPO);
    }

    @Test
    void the_codec_inside_the_hf_musicgen_checkpoint() {
        Path dir = Fixtures.path("musicgen_hf", "model");
        assertThat(Encodec.isStereoInterleaved(dir)).isFalse();
        try (CompressionModel c = Encodec.load(dir)) {
            assertThat(c).isInstanceOf(EncodecModel.class);
            Golden.assertCodes(CASE, "codes", c.encode(Golden.inputAudio(CASE, "wav")));
            Golden.assertAudio(CASE, "decoded", c.decode(Golden.longs3(CASE, "expected.safetensors", "codes")));
        }
    }
}
