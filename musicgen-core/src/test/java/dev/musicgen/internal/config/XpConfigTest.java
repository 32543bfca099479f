package dev.musicgen.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.internal.weights.TorchCheckpoint;
import dev.musicgen.testing.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XpConfigTest {
    @Test
    void fixture_lm_config_parses_with_interpolations_resolved() {
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("models", "musicgen_mono", "state_dict.bin"))) {
            XpConfig cfg = XpConfig.parse((String) ck.rootMap().get("xp.cfg"));
            assertThat(cfg.getInt("transformer_lm.dim")).isEqualTo(64);
            assertThat(cfg.getInt("transformer_lm.card")).isEqualTo(64);
            assertThat(cfg.getIntArray("codebooks_pattern.delay.delays")).containsExactly(0, 1, 2, 3);
            assertThat(cfg.getInt("dataset.segment_duration")).isEqualTo(30);
            // ${sample_rate} resolves to the integer node, keeping its type
            assertThat(cfg.get("generate.audio.sample_rate")).isEqualTo(32000);
            assertThat(cfg.get("metrics.chroma_cosine.chroma_base.sample_rate")).isEqualTo(32000);
            assertThat(cfg.getList("fuser.cross")).containsExactly("description");
            assertThat(cfg.getString("conditioners.description.t5.name")).isEqualTo("tiny/t5-a");
            assertThat(cfg.get("datasource.train")).as("??? is missing").isNull();
            assertThat(cfg.getDouble("classifier_free_guidance.inference_coef")).isEqualTo(3.0);
        }
    }

    @Test
    void mbd_omegaconf_objects_become_a_config() {
        try (TorchCheckpoint ck = TorchCheckpoint.open(Fixtures.path("mbd", "model", "mbd_musicgen_32khz.th"))) {
            Map<?, ?> band = (Map<?, ?>) ck.rootMap().get(0);
            XpConfig cfg = XpConfig.of((Map<?, ?>) band.get("cfg"));
            assertThat(cfg.has("schedule")).isTrue();
            assertThat(cfg.getInt("schedule.num_steps")).isEqualTo(1000);
        }
    }

    @Test
    void interpolation_forms() {
        XpConfig cfg = XpConfig.parse("a: 3\nb: ${a}\nc: x${a}y\nd: ${b}\ne: ${missing.key}\nl:\n- ${a}\n- 2\n");
        assertThat(cfg.get("b")).isEqualTo(3);
        assertThat(cfg.get("c")).isEqualTo("x3y");
        assertThat(cfg.get("d")).isEqualTo(3);
        assertThat(cfg.get("e")).isNull();
        assertThat(cfg.getIntArray("l")).containsExactly(3, 2);
        assertThatThrownBy(() -> cfg.getInt("nope")).hasMessageContaining("'nope'");
        assertThatThrownBy(() -> XpConfig.parse("x: ${y}\ny: ${x}\n")).hasMessageContaining("cycle");
    }

    @Test
    void exponential_interpolations_are_bounded_in_time_and_size() {
        // k0 = "ab", k(i+1) = "${ki}${ki}": 2^40 characters if expanded naively
        StringBuilder yaml = new StringBuilder("k0: ab\n");
        for (int i = 1; i <= 40; i++) {
            yaml.append('k')
                    .append(i)
                    .append(": ${k")
                    .append(i - 1)
                    .append("}${k")
                    .append(i - 1)
                    .append("}\n");
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> XpConfig.parse(yaml.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expand past");
        assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
        // a chain that stays small is fine, and shared references resolve once
        XpConfig ok = XpConfig.parse("a: x\nb: ${a}${a}\nc: ${b}${b}\nd: ${c}-${c}\n");
        assertThat(ok.get("d")).isEqualTo("xxxx-xxxx");
    }

    @Test
    void malformed_yaml_is_one_clear_line() {
        assertThatThrownBy(() -> XpConfig.parse("a: [1, 2\nb: {"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("xp.cfg is not valid YAML")
                .hasMessageNotContaining("\n");
    }
}
