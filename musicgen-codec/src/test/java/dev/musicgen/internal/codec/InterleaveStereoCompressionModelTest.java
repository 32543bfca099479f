package dev.musicgen.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Golden case {@code encodec_stereo}: the stereo LM's codec, detected from its state_dict.bin, interleaved L/R. */
class InterleaveStereoCompressionModelTest {
    static final String CASE = "encodec_stereo";
    static CompressionModel codec;

    @BeforeAll
    static void load() {
        codec = Encodec.load(Fixtures.path("models", "musicgen_stereo"));
    }

    @AfterAll
    static void close() {
        codec.close();
    }

    @Test
    void stereo_is_detected_from_the_lm_checkpoint() {
        assertThat(Encodec.isStereoInterleaved(Fixtures.path("models", "musicgen_stereo")))
                .isTrue();
        assertThat(Encodec.isStereoInterleaved(Fixtures.path("models", "musicgen_mono")))
                .isFalse();
        assertThat(codec).isInstanceOf(InterleaveStereoCompressionModel.class);
        assertThat(codec.channels()).isEqualTo(2);
        assertThat(codec.numCodebooks()).isEqualTo(8);
        assertThat(codec.totalCodebooks()).isEqualTo(4);
        assertThat(codec.frameRate()).isEqualTo(50.0);
    }

    @Test
    void encode_gives_the_golden_interleaved_codes_exactly() {
        Golden.assertCodes(CASE, "codes", codec.encode(Golden.inputAudio(CASE, "wav")));
    }

    @Test
    void decode_of_golden_codes_matches() {
        Golden.assertAudio(CASE, "decoded", codec.decode(Golden.longs3(CASE, "expected.safetensors", "codes")));
    }

    @Test
    void refuses_mono_codes_and_mono_audio() {
        assertThatThrownBy(() -> codec.decode(new long[1][4][3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("codes: item 0 has 4 codebooks; this codec expects K = 8 (shape [B, 8, T])");
        assertThatThrownBy(() -> codec.encode(new float[1][1][640]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 1 channels; this codec expects C = 2");
    }
}
