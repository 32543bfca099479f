package dev.musicgen.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The typed figures of {@link LmBenchmark}'s phases. A child JVM writes its figures as JSON ({@link BenchJson}), the
 * parent reads them back, prints the Markdown summary from them and writes them all with {@code --json}: one flat
 * record each, {@code {"kind": ..., "model": ..., "compute": ..., ...}} with the components' names in snake case
 * ({@code stepMs} → {@code step_ms}). Times in ms or s as named, memory in MB, {@code load} the load averages
 * (1, 5, 15 min) when the figure was taken; a null is a figure this run could not take.
 */
final class Figures {
    private Figures() {}

    /** Every figure names the LM shape ({@code musicgen-small}) and the compute label ({@code fp32}, {@code int8}). */
    sealed interface Figure
            permits Step, StepsMemory, SyntheticFloor, LinearForm, T5, Generation, GenerationStep, Load, Failure {
        String model();

        String compute();
    }

    /**
     * The decode step at one KV length (median and minimum of the timed steps) against its GEMM floor (the same step's
     * matrix products alone on the model's own weights, see {@link StepFloor}) and its bandwidth floor ({@code bytesMb}
     * the step must read over {@code readGbps}, the streaming read bandwidth measured right after). The floors are null
     * for a compute type without a {@code DecodeStepView}. {@code contended}: measured with one competing busy process.
     */
    record Step(
            String model,
            String compute,
            int kv,
            boolean contended,
            double stepMs,
            double stepMinMs,
            Double floorMs,
            Double floorMinMs,
            Double ratio,
            Integer products,
            Double bytesMb,
            Double readGbps,
            Double bwFloorMs,
            String load)
            implements Figure {}

    /** Peak RSS of a steps run and the LM's weights in this compute type. */
    record StepsMemory(String model, String compute, boolean contended, Long peakRssMb, double weightsMb)
            implements Figure {}

    /**
     * The synthetic floor: the step's products on separately allocated random weights, and the bandwidth floor of
     * their bytes (weights plus KV cache) at the measured read bandwidth.
     */
    record SyntheticFloor(
            String model,
            String compute,
            int kv,
            double ms,
            double minMs,
            double bwFloorMs,
            double weightsMb,
            double kvMb,
            double readGbps,
            String load)
            implements Figure {}

    /** fp32 projections in the {@code linear(x, W)} form instead of {@code W·xᵀ}, for comparison (no attention). */
    record LinearForm(String model, String compute, double ms) implements Figure {}

    /** T5-base encode of the 12-token prompt and the null row (median and minimum). */
    record T5(String model, String compute, double ms, double minMs, String load) implements Figure {}

    /**
     * One generation end to end: T5, the LM steps ({@code generate}), the EnCodec decode; peak RSS, VmRSS by LM step
     * ({@code "250:1830,403:1864"}) and after the decode, the self-attention cache bytes written.
     */
    record Generation(
            String model,
            String compute,
            double durationS,
            int rep,
            int steps,
            double t5Ms,
            double lmS,
            double codecS,
            double totalS,
            double medianStepMs,
            Long peakRssMb,
            String rssByStepMb,
            Long rssAfterMb,
            double kvMb,
            double weightsMb,
            String loadBefore,
            String loadAfter)
            implements Figure {}

    /** The LM step inside a generation around one KV length (median and minimum of about 20 steps). */
    record GenerationStep(String model, String compute, double durationS, int kv, double ms, double minMs)
            implements Figure {}

    /** Opening a random fp16 safetensors checkpoint of the LM, {@code LMModel.load} and the first step. */
    record Load(
            String model,
            String compute,
            double fileGb,
            double openMs,
            double loadMs,
            double firstStepMs,
            Long peakRssMb,
            String load)
            implements Figure {}

    /** A phase that produced no figures, and why ({@code "int8 not available in this build"}, a child's exit code). */
    record Failure(String model, String compute, String phase, String message) implements Figure {}

    /** The JSON {@code kind} of each record. */
    static final Map<String, Class<? extends Figure>> KINDS = kinds();

    private static Map<String, Class<? extends Figure>> kinds() {
        Map<String, Class<? extends Figure>> k = new LinkedHashMap<>();
        k.put("step", Step.class);
        k.put("steps_memory", StepsMemory.class);
        k.put("synthetic_floor", SyntheticFloor.class);
        k.put("linear_form", LinearForm.class);
        k.put("t5", T5.class);
        k.put("generation", Generation.class);
        k.put("generation_step", GenerationStep.class);
        k.put("load", Load.class);
        k.put("failure", Failure.class);
        return Map.copyOf(k);
    }

    static String kind(Figure f) {
        for (Map.Entry<String, Class<? extends Figure>> e : KINDS.entrySet()) {
            if (e.getValue() == f.getClass()) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("no kind for " + f.getClass());
    }

    /** {@code x} rounded to 2 decimals (figures are not more precise than that). */
    static double r2(double x) {
        return Double.isFinite(x) ? Math.round(x * 100) / 100.0 : x;
    }

    /** {@code x} rounded to 2 decimals, or null when it is not a number. */
    static Double r2OrNull(double x) {
        return Double.isFinite(x) ? r2(x) : null;
    }
}
