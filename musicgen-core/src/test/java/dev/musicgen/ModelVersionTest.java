package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.internal.hub.HubRepos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelVersionTest {

    @ParameterizedTest
    @CsvSource({
        "small, SMALL",
        "musicgen-small, SMALL",
        "facebook/musicgen-small, SMALL",
        " Small , SMALL",
        "melody-large, MELODY_LARGE",
        "melody_large, MELODY_LARGE",
        "facebook/musicgen-stereo-melody-large, STEREO_MELODY_LARGE",
        "stereo-large, STEREO_LARGE"
    })
    void should_parse_short_prefixed_and_repo_names(String name, ModelVersion expected) {
        assertThat(ModelVersion.fromName(name)).isEqualTo(expected);
    }

    @Test
    void should_map_every_version_to_its_facebook_repo() {
        assertThat(ModelVersion.values()).hasSize(10);
        assertThat(ModelVersion.LARGE.repoId()).isEqualTo("facebook/musicgen-large");
        assertThat(ModelVersion.STEREO_MELODY_LARGE.repoId()).isEqualTo("facebook/musicgen-stereo-melody-large");
        assertThat(ModelVersion.MELODY_LARGE.versionName()).isEqualTo("melody-large");
        for (ModelVersion v : ModelVersion.values()) {
            assertThat(ModelVersion.fromName(v.repoId())).isEqualTo(v);
            assertThat(v.approxParameters()).isPositive();
        }
    }

    @Test
    void should_know_stereo_and_melody() {
        assertThat(ModelVersion.STEREO_MELODY.isStereo()).isTrue();
        assertThat(ModelVersion.STEREO_MELODY.hasMelody()).isTrue();
        assertThat(ModelVersion.MELODY_LARGE.isStereo()).isFalse();
        assertThat(ModelVersion.MELODY_LARGE.hasMelody()).isTrue();
        assertThat(ModelVersion.LARGE.isStereo()).isFalse();
        assertThat(ModelVersion.LARGE.hasMelody()).isFalse();
        assertThat(ModelVersion.STEREO_SMALL.isStereo()).isTrue();
    }

    @Test
    void should_reject_unknown_names_listing_allowed_values() {
        assertThatThrownBy(() -> ModelVersion.fromName("huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but is: huge")
                .hasMessageContaining("small, medium, large, melody, melody-large, stereo-small");
        assertThatThrownBy(() -> ModelVersion.fromName(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but is: null");
        assertThatThrownBy(() -> ModelVersion.fromName("google/musicgen-small"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_map_legacy_t5_ids_and_name_companion_repos() {
        assertThat(HubRepos.t5Repo("t5-base")).isEqualTo("google-t5/t5-base");
        assertThat(HubRepos.T5_ALIASES)
                .containsEntry("t5-11b", "google-t5/t5-11b")
                .hasSize(5);
        assertThat(HubRepos.t5Repo("google-t5/t5-large")).isEqualTo("google-t5/t5-large");
        assertThat(HubRepos.ENCODEC_32KHZ).isEqualTo("facebook/encodec_32khz");
        assertThat(HubRepos.MBD).isEqualTo("facebook/multiband-diffusion");
        assertThatThrownBy(() -> HubRepos.t5Repo(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("T5 name");
    }
}
