package dev.musicgen.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.internal.nn.Arrays3;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.MemorySensitive;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Golden case {@code encodec}: the audiocraft-layout tiny EnCodec (constant padding). */
class EncodecModelTest {
    static final String CASE = "encodec";
    static CompressionModel codec;

    @BeforeAll
    static void load() {
        codec = Encodec.load(Fixtures.path("models", "encodec", "compression_state_dict.bin"));
    }

    @AfterAll
    static void close() {
        codec.close();
    }

    @Test
    void config_comes_from_the_checkpoint() {
        assertThat(codec).isInstanceOf(EncodecModel.class);
        EncodecConfig cfg = ((EncodecModel) codec).config();
        assertThat(codec.sampleRate()).isEqualTo(32000);
        assertThat(codec.channels()).isEqualTo(1);
        assertThat(codec.numCodebooks()).isEqualTo(4);
        assertThat(codec.cardinality()).isEqualTo(64);
        assertThat(codec.frameRate()).isEqualTo(50.0);
        assertThat(codec.hopLength()).isEqualTo(640);
        assertThat(cfg.encoder().padMode()).isEqualTo("constant");
        assertThat(cfg.encoder().lstm()).isEqualTo(2);
        assertThat(cfg.rvq().dimension()).isEqualTo(16);
    }

    @Test
    void encode_gives_the_golden_codes_exactly() {
        long[][][] codes = codec.encode(Golden.inputAudio(CASE, "wav"));
        Golden.assertCodes(CASE, "codes", codes);
    }

    @Test
    void decode_of_golden_codes_matches() {
        float[][][] audio = codec.decode(Golden.longs3(CASE, "expected.safetensors", "codes"));
        Golden.assertAudio(CASE, "decoded", audio);
    }

    @Test
    void decode_of_random_codes_matches_in_a_batch_of_two() {
        float[][][] audio = codec.decode(Golden.inputCodes(CASE, "random_codes"));
        Golden.assertAudio(CASE, "random_decoded", audio);
    }

    @Test
    void decode_latent_is_the_sum_of_codewords() {
        long[][][] codes = Golden.inputCodes(CASE, "random_codes");
        float[][][] z = ((EncodecModel) codec).decodeLatent(codes);
        assertThat(z.length).isEqualTo(2);
        assertThat(z[0].length).isEqualTo(16);
        assertThat(z[0][0].length).isEqualTo(37);
    }

    @Test
    void chunked_runs_equal_one_pass_over_the_whole_signal() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        long[][][] codes = new long[2][4][173];
        float[][][] wav = new float[1][1][173 * 640 - 77];
        for (long[][] item : codes) {
            for (long[] row : item) {
                for (int t = 0; t < row.length; t++) {
                    row[t] = r.nextInt(64);
                }
            }
        }
        for (int t = 0; t < wav[0][0].length; t++) {
            wav[0][0][t] = (float) (0.3 * Math.sin(t * 0.01) + 0.05 * (r.nextDouble() - 0.5));
        }
        float[][][] chunkedAudio = Chunked.withChunkFrames(20, () -> codec.decode(codes));
        long[][][] chunkedCodes = Chunked.withChunkFrames(20, () -> codec.encode(wav));
        float[][][] wholeAudio = Chunked.withChunkFrames(0, () -> codec.decode(codes));
        long[][][] wholeCodes = Chunked.withChunkFrames(0, () -> codec.encode(wav));
        dev.musicgen.testing.Tensors.assertAllClose(
                "chunked decode", Arrays3.flatten(chunkedAudio), Arrays3.flatten(wholeAudio), 1e-5, 1e-5);
        assertThat(chunkedCodes).isDeepEqualTo(wholeCodes);
    }

    @MemorySensitive
    @Test
    void decode_fifty_times_leaves_nothing_on_the_weights_manager() {
        EncodecModel m = (EncodecModel) codec;
        long[][][] codes = new long[1][4][5];
        m.decode(codes);
        int baseline = m.weightsManager().getManagedArrays().size();
        for (int i = 0; i < 50; i++) {
            m.decode(codes);
        }
        m.encode(new float[1][1][3000]);
        assertThat(m.weightsManager().getManagedArrays()).hasSize(baseline);
    }

    @Test
    void refuses_codes_out_of_range() {
        long[][][] codes = Golden.inputCodes(CASE, "random_codes");
        codes[1][2][5] = 64;
        assertThatThrownBy(() -> codec.decode(codes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("codes: value 64 at [1, 2, 5] is out of range; allowed codes are 0..63 (cardinality 64)");
        codes[1][2][5] = -1;
        assertThatThrownBy(() -> codec.decode(codes)).hasMessageContaining("value -1");
    }

    @Test
    void refuses_the_wrong_number_of_codebooks() {
        long[][][] codes = new long[1][3][10];
        assertThatThrownBy(() -> codec.decode(codes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("codes: item 0 has 3 codebooks; this codec expects K = 4 (shape [B, 4, T])");
    }

    @Test
    void refuses_empty_and_ragged_input() {
        assertThatThrownBy(() -> codec.decode(new long[1][4][0])).hasMessageContaining("0 frames");
        long[][][] ragged = new long[1][4][10];
        ragged[0][3] = new long[9];
        assertThatThrownBy(() -> codec.decode(ragged)).hasMessageContaining("ragged");
        assertThatThrownBy(() -> codec.encode(new float[1][2][100]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 2 channels; this codec expects C = 1");
    }

    @Test
    void tokens_file_round_trip_and_checks(@org.junit.jupiter.api.io.TempDir Path dir) {
        long[][][] codes = Golden.inputCodes(CASE, "random_codes");
        Path f = dir.resolve("codes.safetensors");
        TokensFile.write(f, codes);
        assertThat(TokensFile.read(f, codec)).isDeepEqualTo(codes);

        codes[0][0][0] = 99;
        TokensFile.write(f, codes);
        assertThatThrownBy(() -> TokensFile.read(f, codec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokens: value 99 at [0, 0, 0] is out of range; allowed codes are 0..63 (cardinality 64)");

        // more frames than 30 minutes: refused from the shape, before anything is copied or decoded
        dev.musicgen.internal.weights.SafeTensorsWriter.write(
                f,
                java.util.Map.of(
                        "tokens",
                        dev.musicgen.internal.weights.TensorData.ofLongs(
                                "tokens", new long[] {1, 4, 100_000}, new long[400_000])));
        assertThatThrownBy(() -> TokensFile.read(f, codec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most [64, 32, 90000]");

        TokensFile.write(f, new long[1][8][5]);
        assertThatThrownBy(() -> TokensFile.read(f, codec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokens: item 0 has 8 codebooks; this codec expects K = 4 (shape [B, 4, T])");

        dev.musicgen.internal.weights.SafeTensorsWriter.write(
                f,
                java.util.Map.of(
                        "tokens",
                        dev.musicgen.internal.weights.TensorData.ofLongs("tokens", new long[] {4, 5}, new long[20])));
        assertThatThrownBy(() -> TokensFile.read(f, codec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokens in " + f + ": found rank 2 (shape [4, 5]); allowed is rank 3");
    }
}
