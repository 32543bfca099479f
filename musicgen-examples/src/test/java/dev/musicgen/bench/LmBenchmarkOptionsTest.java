package dev.musicgen.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.ComputeType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark's command line: defaults, lists, the compute labels (int8 where the build has it) and refusals. */
class LmBenchmarkOptionsTest {
    @Test
    void defaults_are_the_documented_ones() {
        LmBenchmark b = LmBenchmark.parse();
        assertThat(b.size).isEqualTo(Shapes.LmSize.SMALL);
        assertThat(b.computes).extracting(Compute::label).containsExactly("fp32", "f16");
        assertThat(b.kvs).containsExactly(0, 250, 500, 1000, 1500);
        assertThat(b.durations()).containsExactly(8, 30);
        assertThat(b.phases)
                .containsExactly(LmBenchmark.PhaseName.STEPS, LmBenchmark.PhaseName.GEN, LmBenchmark.PhaseName.LOAD);
        assertThat(b.reps).isEqualTo(15);
        assertThat(b.genReps).isEqualTo(1);
        assertThat(b.contend).isFalse();
        assertThat(b.json).isNull();
        assertThat(LmBenchmark.parse("--model", "large").durations()).containsExactly(30);
    }

    @Test
    void parses_lists_and_flags() {
        LmBenchmark b = LmBenchmark.parse(
                "--model",
                "MEDIUM",
                "--compute",
                "fp32,f16,int8",
                "--kv",
                "0,1500",
                "--durations",
                "0.5,8",
                "--phases",
                "steps,floor",
                "--reps",
                "3",
                "--gen-reps",
                "2",
                "--contend",
                "--json",
                "figures.json",
                "--out",
                "summary.md");
        assertThat(b.size).isEqualTo(Shapes.LmSize.MEDIUM);
        assertThat(b.computes).extracting(Compute::label).containsExactly("fp32", "f16", "int8");
        assertThat(b.computes.get(0).type()).isEqualTo(ComputeType.FLOAT32);
        assertThat(b.computes.get(1).type()).isEqualTo(ComputeType.FLOAT16_WEIGHTS);
        assertThat(b.kvs).containsExactly(0, 1500);
        assertThat(b.durations()).containsExactly(0.5, 8);
        assertThat(b.phases).containsExactly(LmBenchmark.PhaseName.STEPS, LmBenchmark.PhaseName.FLOOR);
        assertThat(b.reps).isEqualTo(3);
        assertThat(b.genReps).isEqualTo(2);
        assertThat(b.contend).isTrue();
        assertThat(b.json).isEqualTo(Path.of("figures.json"));
        assertThat(b.out).isEqualTo(Path.of("summary.md"));
        assertThat(b.commandLineText())
                .endsWith("LmBenchmark --model medium --compute fp32,f16,int8 --kv 0,1500"
                        + " --phases steps,floor --reps 3 --contend");
    }

    @Test
    void int8_is_the_int8_compute_type_where_the_build_has_one() {
        Compute int8 = Compute.parse("int8");
        ComputeType constant = List.of(ComputeType.values()).stream()
                .filter(t -> t.name().equals("INT8_WEIGHTS"))
                .findFirst()
                .orElse(null);
        assertThat(int8.type()).isEqualTo(constant);
        assertThat(int8.available()).isEqualTo(constant != null);
        assertThat(int8.jvmOptions()).containsExactly("--add-modules", "jdk.incubator.vector");
        assertThat(Compute.parse("f16").jvmOptions()).isEmpty();
        Compute missing = new Compute("int8", null);
        assertThat(missing.unavailableReason()).isEqualTo("int8 not available in this build");
        assertThatThrownBy(missing::require).hasMessage("int8 not available in this build");
        assertThat(Compute.byName("NO_SUCH_TYPE")).isNull();
    }

    @Test
    void refuses_bad_values_naming_option_and_value() {
        assertThatThrownBy(() -> LmBenchmark.parse("--compute", "fp32,bf16"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--compute takes fp32, f16 and int8 (comma-separated), but got: bf16");
        assertThatThrownBy(() -> LmBenchmark.parse("--gen-reps", "0"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--gen-reps must be at least 1, but is: 0");
        assertThatThrownBy(() -> LmBenchmark.parse("--reps", "0")).hasMessage("--reps must be at least 1, but is: 0");
        assertThatThrownBy(() -> LmBenchmark.parse("--kv", "0,-1"))
                .hasMessage("--kv takes KV lengths of 0 or more, but is: [0, -1]");
        assertThatThrownBy(() -> LmBenchmark.parse("--durations", "8,0"))
                .hasMessage("--durations takes positive seconds, but is: [8.0, 0.0]");
        assertThatThrownBy(() -> LmBenchmark.parse("--model", "huge"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("huge");
        assertThatThrownBy(() -> LmBenchmark.parse("--phase", "steps", "--compute", "fp32,f16"))
                .hasMessage("--phase runs one compute type, but got: [fp32, f16]");
    }

    @Test
    void the_summary_names_what_was_not_measured() {
        LmBenchmark b = LmBenchmark.parse("--compute", "f16,int8", "--kv", "0,250");
        String md = LmSummary.markdown(b, BenchJsonTest.ONE_OF_EACH);
        assertThat(md)
                .contains("| FLOAT16_WEIGHTS | | | | \n| | step | – | 64.60 | ")
                .contains("| | GEMM floor | – | 52.60 | ")
                .contains("| | bandwidth floor | – | 44.80 | ")
                .contains("NOT MEASURED: int8 all: int8 not available in this build")
                .contains("| f16 | 8 s | 1 | 403 | 80.00 | 21.80 | 0.57 | 22.50 | 50.60 | 1941 | 1514 |");
    }
}
