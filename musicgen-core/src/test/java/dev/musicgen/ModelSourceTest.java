package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {
    @TempDir
    Path tmp;

    @Test
    void parses_version_names_in_every_spelling() {
        assertThat(ModelSource.parse("small")).isEqualTo(ModelSource.of(ModelVersion.SMALL));
        assertThat(ModelSource.parse(" Stereo_Melody-Large "))
                .isEqualTo(ModelSource.of(ModelVersion.STEREO_MELODY_LARGE));
        assertThat(ModelSource.parse("musicgen-melody")).isEqualTo(ModelSource.of(ModelVersion.MELODY));
        assertThat(ModelSource.parse("small").name()).isEqualTo("small");
    }

    @Test
    void parses_owner_slash_name_as_a_repo_id() {
        assertThat(ModelSource.parse("facebook/musicgen-small")).isEqualTo(ModelSource.repo("facebook/musicgen-small"));
        assertThat(ModelSource.parse("nobody/no-such-model").name()).isEqualTo("nobody/no-such-model");
    }

    @Test
    void an_existing_path_is_a_directory_even_when_named_like_a_version() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("small"));
        assertThat(ModelSource.parse(dir.toString())).isEqualTo(ModelSource.directory(dir));
        assertThat(ModelSource.parse(dir.toString()).name()).isEqualTo(dir.toString());
    }

    @Test
    void says_what_it_tried_when_nothing_fits() {
        assertThatThrownBy(() -> ModelSource.parse("tiny-huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("model must be a released version, a Hub repo id or a local directory, but "
                        + "is: 'tiny-huge'. Tried: ")
                .hasMessageContaining("a version (model version must be one of [small, medium")
                .hasMessageContaining("stereo-melody-large]")
                .hasMessageContaining("a local directory (tiny-huge does not exist)")
                .hasMessageContaining("a Hub repo id (a repo id is owner/name, e.g. facebook/musicgen-small)");
        Path missing = tmp.resolve("no-model");
        assertThatThrownBy(() -> ModelSource.parse(missing.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a version (it looks like a path)")
                .hasMessageContaining("a local directory (" + missing + " does not exist)")
                .hasMessageContaining("a Hub repo id (it looks like a path)");
        assertThatThrownBy(() -> ModelSource.parse("face book/musicgen--small"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a Hub repo id (a repo id is owner/name of letters, digits");
        assertThatThrownBy(() -> ModelSource.parse(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model must be a version name (e.g. small), a Hub repo id (e.g. facebook/musicgen-small) "
                        + "or a local directory, but is: ' '");
        assertThatThrownBy(() -> ModelSource.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("but is: null");
    }

    @Test
    void refuses_invalid_repo_ids_and_null_parts() {
        for (String bad :
                new String[] {"a//b", "-x/y", "x/y/z", "x--y/z", "x/..", "x/y.git", "", "x/" + "y".repeat(96)}) {
            assertThatThrownBy(() -> ModelSource.repo(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("model repo id must be 'owner/name'")
                    .hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> ModelSource.repo(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("but is: null");
        assertThatThrownBy(() -> ModelSource.of(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("model");
        assertThatThrownBy(() -> ModelSource.directory(null)).isInstanceOf(NullPointerException.class);
    }
}
