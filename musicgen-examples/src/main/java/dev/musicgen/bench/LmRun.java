package dev.musicgen.bench;

import dev.musicgen.bench.Figures.Figure;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * What one phase of {@link LmBenchmark} measures, in one JVM: the LM shape, one compute type, the KV lengths, the
 * generation durations and repetitions, and where progress lines go.
 *
 * @param contended whether a competing busy process runs alongside (recorded in the figures)
 */
record LmRun(
        Shapes.LmSize size,
        Compute compute,
        int[] kvs,
        double[] durations,
        int reps,
        int genReps,
        boolean contended,
        PrintStream out) {
    /** One prompt with classifier-free guidance: the conditioned and the null row. */
    static final int BATCH = 2;
    /** Tokens of the benchmark's text prompt. */
    static final int PROMPT_TOKENS = 12;

    String model() {
        return size.label();
    }

    int maxKv() {
        return Arrays.stream(kvs).max().orElse(0);
    }

    /** A phase of the benchmark: one JVM, one compute type, typed figures out. */
    interface Phase {
        List<Figure> run(LmRun run) throws Exception;
    }
}
