package dev.musicgen.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceSelectorTest {
    private static final DeviceInventory CPU_ONLY = new DeviceInventory("PyTorch", "2.7.1", 0, false);
    private static final DeviceInventory TWO_GPUS = new DeviceInventory("PyTorch", "2.7.1", 2, true);

    @Test
    void should_pick_first_gpu_or_cpu_in_auto() {
        assertThat(DeviceSelector.auto().select(CPU_ONLY)).isEqualTo(Device.cpu());
        assertThat(DeviceSelector.auto().select(TWO_GPUS)).isEqualTo(Device.gpu(0));
        assertThat(DeviceSelector.cpu().select(TWO_GPUS)).isEqualTo(Device.cpu());
        assertThat(DeviceSelector.gpu(1).select(TWO_GPUS)).isEqualTo(Device.gpu(1));
    }

    @Test
    void should_fail_for_missing_gpu_listing_what_the_engine_sees() {
        assertThatThrownBy(() -> DeviceSelector.gpu(3).select(TWO_GPUS))
                .isInstanceOfSatisfying(DeviceUnavailableException.class, e -> {
                    assertThat(e.requested()).isEqualTo(Device.gpu(3));
                    assertThat(e.inventory()).isEqualTo(TWO_GPUS);
                })
                .hasMessage("requested gpu(3) but PyTorch 2.7.1 sees [cpu(), gpu(0), gpu(1)];"
                        + " set MUSICGEN_DEVICE=gpu0, gpu1 or cpu");
        assertThatThrownBy(() -> DeviceSelector.gpu(0).select(new DeviceInventory("PyTorch", "2.7.1", 0, true)))
                .hasMessageContaining("no GPU is visible");
    }

    @Test
    void should_fail_clearly_for_gpu_on_this_cpu_only_engine_and_run_on_cpu() {
        Engine engine = Engine.getEngine(DeviceSelector.ENGINE);
        DeviceInventory inv = DeviceInventory.of(engine);
        // the CI box has no GPU; on a GPU machine this test only checks the CPU half
        if (inv.gpuCount() == 0) {
            assertThatThrownBy(() -> DeviceSelector.gpu(0).select(engine))
                    .isInstanceOf(DeviceUnavailableException.class)
                    .hasMessageStartingWith("requested gpu(0) but PyTorch 2.7.1")
                    .hasMessageContaining("sees [cpu()]")
                    .hasMessageContaining("MUSICGEN_DEVICE=cpu")
                    .hasMessageContaining("docs/DEVICES.md");
            assertThat(DeviceSelector.auto().select(engine)).isEqualTo(Device.cpu());
        }
        Device cpu = DeviceSelector.cpu().select();
        try (NDManager m = NDManager.newBaseManager(cpu, DeviceSelector.ENGINE)) {
            NDArray x = m.create(new float[] {1f, 2f, 3f});
            assertThat(x.sum().getFloat()).isEqualTo(6f);
            assertThat(x.getDevice()).isEqualTo(Device.cpu());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "cpu, cpu()",
        "CPU, cpu()",
        "cpu(), cpu()",
        "gpu, gpu(0)",
        "cuda, gpu(0)",
        "gpu1, gpu(1)",
        "gpu:1, gpu(1)",
        "cuda:1, gpu(1)",
        "' GPU(1) ', gpu(1)",
        "auto, gpu(0)"
    })
    void should_parse_device_names(String name, String expected) {
        assertThat(DeviceSelector.named(name).select(TWO_GPUS).toString()).isEqualTo(expected);
    }

    @Test
    void should_print_selectors_by_the_name_that_selects_them() {
        assertThat(DeviceSelector.named("cuda:1")).hasToString("gpu1");
        assertThat(DeviceSelector.auto()).hasToString("auto");
        assertThat(DeviceSelector.cpu()).hasToString("cpu");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tpu", "gpu-1", "cuda:x", "gpu 1", "mps", "cuda:"})
    void should_reject_bad_names_naming_value_and_allowed_forms(String name) {
        assertThatThrownBy(() -> DeviceSelector.named(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but is: '" + name + "'")
                .hasMessageContaining("auto, cpu, gpu, gpu<N>, gpu:<N>, cuda, cuda:<N>");
    }

    @Test
    void should_reject_blank_name_and_negative_index() {
        assertThatThrownBy(() -> DeviceSelector.named(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but is: ' '");
        assertThatThrownBy(() -> DeviceSelector.named(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but is: null");
        assertThatThrownBy(() -> DeviceSelector.gpu(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpu index must be >= 0, but is: -1");
    }

    @Test
    void should_read_musicgen_device_from_environment_defaulting_to_auto() {
        assertThat(DeviceSelector.fromEnvironment(Map.of())).isSameAs(DeviceSelector.auto());
        assertThat(DeviceSelector.fromEnvironment(Map.of("MUSICGEN_DEVICE", "")))
                .isSameAs(DeviceSelector.auto());
        assertThat(DeviceSelector.fromEnvironment(Map.of("MUSICGEN_DEVICE", "cuda:1"))
                        .select(TWO_GPUS))
                .isEqualTo(Device.gpu(1));
        assertThatThrownBy(() -> DeviceSelector.fromEnvironment(Map.of("MUSICGEN_DEVICE", "npu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("MUSICGEN_DEVICE: device name must be one of")
                .hasMessageContaining("'npu'");
    }

    @Test
    void should_find_named_strategies_from_providers() {
        DeviceSelectorProvider last = new DeviceSelectorProvider() {
            @Override
            public String name() {
                return "last-gpu";
            }

            @Override
            public DeviceSelector create() {
                return inv -> inv.gpuCount() > 0 ? Device.gpu(inv.gpuCount() - 1) : Device.cpu();
            }
        };

        assertThat(BuiltinSelectors.named("Last-GPU", List.of(last)).select(TWO_GPUS))
                .isEqualTo(Device.gpu(1));
        assertThat(BuiltinSelectors.named("gpu", List.of(last)).select(TWO_GPUS))
                .isEqualTo(Device.gpu(0));
        assertThatThrownBy(() -> BuiltinSelectors.named("first", List.of(last)))
                .hasMessageContaining("cuda:<N> (e.g. gpu1, cuda:1), last-gpu, but is: 'first'");
    }

    @Test
    void should_validate_inventory() {
        assertThat(TWO_GPUS.devices()).containsExactly(Device.cpu(), Device.gpu(0), Device.gpu(1));
        assertThat(CPU_ONLY.describe()).isEqualTo("PyTorch 2.7.1 (CPU-only build) sees [cpu()]");
        assertThatThrownBy(() -> new DeviceInventory("PyTorch", "2.7.1", -1, false))
                .hasMessage("gpuCount must be >= 0, but is: -1");
    }
}
