package dev.musicgen.internal.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.musicgen.internal.codec.Encodec;
import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.RepoResolver;
import dev.musicgen.spi.TokenDecoder;
import dev.musicgen.spi.TokenDecoderProvider;
import dev.musicgen.testing.Fixtures;
import dev.musicgen.testing.Slow;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The "mbd" token decoder as core finds it, with the tiny MusicGen models' codecs. */
class MbdTokenDecoderProviderTest {
    static TokenDecoderProvider provider() {
        for (TokenDecoderProvider p : ServiceLoader.load(TokenDecoderProvider.class)) {
            if (p.name().equals("mbd")) {
                return p;
            }
        }
        throw new AssertionError("no TokenDecoderProvider named mbd");
    }

    @Test
    void service_loader_finds_mbd() {
        assertThat(provider()).isInstanceOf(MbdTokenDecoderProvider.class);
    }

    @Slow
    @Test
    void decodes_stereo_tokens_of_the_tiny_stereo_model() {
        try (AudioCodec codec = Encodec.load(Fixtures.path("models", "musicgen_stereo"));
                TokenDecoder dec = provider().load(MbdFixture.modelDir(), codec, Device.cpu(), RepoResolver.none())) {
            assertThat(codec.numCodebooks()).isEqualTo(8);
            assertThat(dec.name()).isEqualTo("mbd");
            long[][] codes = MultiBandDiffusionDecodeTest.randomCodes(new Random(2), 8, 3, codec.cardinality());
            float[][][] a = dec.decode(new long[][][] {codes}, 17);
            assertThat(a).hasDimensions(1, 2);
            assertThat(a[0][0]).hasSize(3 * 640);
            assertThat(a[0][1]).hasSize(3 * 640);
            for (float[] ch : a[0]) {
                for (float v : ch) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
            assertThat(dec.decode(new long[][][] {codes}, 17)[0][1]).containsExactly(a[0][1]);
            long[][] mono = MultiBandDiffusionDecodeTest.randomCodes(new Random(2), 4, 3, codec.cardinality());
            assertThatThrownBy(() -> dec.decode(new long[][][] {mono}, 17))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("codes have 4 codebooks, but the model's codec has 8 (interleaved stereo)");
        }
    }

    @Test
    void decodes_mono_tokens_of_the_tiny_mono_model() {
        try (AudioCodec codec = Encodec.load(Fixtures.path("models", "musicgen_mono"));
                TokenDecoder dec = provider().load(MbdFixture.modelDir(), codec, Device.cpu(), RepoResolver.none())) {
            long[][] codes = MultiBandDiffusionDecodeTest.randomCodes(new Random(4), 4, 2, codec.cardinality());
            float[][][] a = dec.decode(new long[][][] {codes, codes}, 3);
            assertThat(a).hasDimensions(2, 1);
            assertThat(a[1][0]).hasSize(2 * 640);
        }
    }

    @Test
    void a_model_with_another_codec_is_refused() {
        AudioCodec other = MultiBandDiffusionDecodeTest.codec(32000, 1, 4, 2048);
        assertThatThrownBy(() -> provider().load(MbdFixture.modelDir(), other, Device.cpu(), RepoResolver.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the model's codec has 32000 Hz, 4 codebooks of 2048 per channel");
    }

    @Test
    void without_a_codec_beside_the_checkpoint_musicgen_smalls_is_resolved(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.copy(
                MbdFixture.modelDir().resolve(MultiBandDiffusion.CHECKPOINT),
                dir.resolve(MultiBandDiffusion.CHECKPOINT));
        java.util.List<String> asked = new java.util.ArrayList<>();
        RepoResolver resolver = (id, files) -> {
            asked.add(id + " " + String.join(",", files));
            return MbdFixture.modelDir();
        };
        try (MultiBandDiffusion mbd = MultiBandDiffusion.load(dir, Device.cpu(), resolver)) {
            assertThat(mbd.numCodebooks()).isEqualTo(4);
            assertThat(mbd.cardinality()).isEqualTo(64);
        }
        assertThat(asked).containsExactly("facebook/musicgen-small compression_state_dict.bin");
        assertThatThrownBy(() -> MultiBandDiffusion.load(dir, Device.cpu(), RepoResolver.none()))
                .hasMessageContaining("facebook/musicgen-small");
    }

    @Test
    void a_directory_without_the_checkpoint_is_refused() {
        AudioCodec codec = MultiBandDiffusionDecodeTest.codec(32000, 1, 4, 64);
        assertThatThrownBy(() -> provider()
                        .load(Fixtures.path("models", "musicgen_mono"), codec, Device.cpu(), RepoResolver.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no MultiBand Diffusion checkpoint at")
                .hasMessageContaining("mbd_musicgen_32khz.th");
    }
}
