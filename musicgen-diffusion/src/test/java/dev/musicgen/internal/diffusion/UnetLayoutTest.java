package dev.musicgen.internal.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.TensorData;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The U-Net's key layout and config checks, against model.json of the shipped tiny checkpoint. */
class UnetLayoutTest {
    @Test
    void generated_layout_equals_the_shipped_model_state() throws Exception {
        JsonObject model = JsonParser.parseString(
                        Files.readString(MbdFixture.modelDir().resolve("model.json")))
                .getAsJsonObject()
                .getAsJsonObject("mbd_musicgen_32khz.th")
                .getAsJsonObject("bands")
                .getAsJsonObject("0");
        @SuppressWarnings("unchecked")
        Map<String, Object> cfgMap = new com.google.gson.Gson().fromJson(model.getAsJsonObject("cfg"), Map.class);
        DiffusionUnetConfig c = DiffusionUnetConfig.of(XpConfig.of(cfgMap));
        assertThat(c.channels()).containsExactly(4, 8, 8, 8);
        assertThat(c.codecDim()).isEqualTo(16);
        Map<String, String> want = new TreeMap<>();
        for (Map.Entry<String, com.google.gson.JsonElement> e :
                model.getAsJsonObject("model_state").entrySet()) {
            want.put(
                    e.getKey(),
                    e.getValue().getAsJsonObject().get("shape").toString().replace(" ", ""));
        }
        Map<String, String> got = new TreeMap<>();
        for (Map.Entry<String, TensorData> e : RandomMbdWeights.unetState(c, 1).entrySet()) {
            got.put(e.getKey(), java.util.Arrays.toString(e.getValue().shape()).replace(" ", ""));
        }
        assertThat(got).isEqualTo(want);
    }

    @Test
    void real_config_shapes() {
        DiffusionUnetConfig c = DiffusionUnetConfig.of(RandomMbdWeights.realConfig());
        assertThat(c.channels()).containsExactly(48, 192, 768, 3072);
        assertThat(c.bottleneck()).isEqualTo(3072);
    }

    @Test
    void unknown_or_unsupported_unet_options_are_refused() {
        Map<String, Object> unet = new LinkedHashMap<>(
                RandomMbdWeights.realConfig().child("diffusion_unet").asMap());
        unet.put("bilstm", true);
        unet.put("transformer", false);
        assertThatThrownBy(() -> DiffusionUnetConfig.of(XpConfig.of(Map.of("channels", 1, "diffusion_unet", unet))))
                .hasMessageStartingWith("diffusion_unet.bilstm=true is not supported");
        Map<String, Object> odd = new LinkedHashMap<>(
                RandomMbdWeights.realConfig().child("diffusion_unet").asMap());
        odd.put("attention_heads", 4);
        assertThatThrownBy(() -> DiffusionUnetConfig.of(XpConfig.of(Map.of("channels", 1, "diffusion_unet", odd))))
                .hasMessageStartingWith("diffusion_unet has keys DiffusionUnet does not take: [attention_heads]");
    }
}
