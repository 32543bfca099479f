package dev.musicgen.bench;

import dev.musicgen.bench.Figures.Figure;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Benchmarks of the MusicGen LM on the shapes of musicgen-small/-medium/-large with random weights (no download). Not
 * a test: a main with warm-up and medians. Each phase runs per compute type in a fresh child JVM (so peak RSS and JIT
 * state belong to that measurement alone), which hands its typed {@code Figures} back as JSON; the parent prints a
 * Markdown summary ({@code LmSummary}) and, with {@code --json}, writes every figure as a flat JSON record.
 *
 * <pre>
 * java -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.LmBenchmark --model small
 *   [--compute fp32,f16,int8] [--kv 0,250,500,1000,1500] [--durations 8,30] [--phases steps,floor,gen,load]
 *   [--reps 15] [--gen-reps 1] [--contend] [--json figures.json] [--out summary.md]
 *   [--wait-load 1.0 --wait-minutes 20]
 * </pre>
 *
 * Phases: {@code steps} ({@code StepPhase}: the decode step against its GEMM and bandwidth floors), {@code floor}
 * ({@code SyntheticFloorPhase}), {@code gen} ({@code GenerationPhase}: T5, end to end, memory), {@code load}
 * ({@code LoadPhase}). {@code --contend} adds a steps run with one competing busy process ({@link BusySpin}).
 * Threads: libtorch's defaults (intra-op = cores) unless {@code -Dai.djl.pytorch.num_threads=N} is given; it is
 * passed on to the children.
 */
@Command(
        name = "LmBenchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Benchmarks the MusicGen LM at the released shapes with random weights (no download).")
public final class LmBenchmark implements Callable<Integer> {
    /** The phases, each a {@link LmRun.Phase} run in a child JVM. */
    enum PhaseName {
        STEPS(new StepPhase()),
        FLOOR(new SyntheticFloorPhase()),
        GEN(new GenerationPhase()),
        LOAD(new LoadPhase());

        final LmRun.Phase phase;

        PhaseName(LmRun.Phase phase) {
            this.phase = phase;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            defaultValue = "small",
            description = "small, medium or large (default: ${DEFAULT-VALUE})")
    Shapes.LmSize size;

    @Option(
            names = "--compute",
            split = ",",
            defaultValue = "fp32,f16",
            converter = Compute.Converter.class,
            description = "compute types: fp32, f16, int8 (default: ${DEFAULT-VALUE})")
    List<Compute> computes;

    @Option(
            names = "--kv",
            split = ",",
            defaultValue = "0,250,500,1000,1500",
            description = "KV lengths of the decode step (default: ${DEFAULT-VALUE})")
    int[] kvs;

    @Option(
            names = "--durations",
            split = ",",
            description = "seconds of audio of the end-to-end runs (default: 8,30 for small, 30 otherwise)")
    double[] durations;

    @Option(
            names = "--phases",
            split = ",",
            defaultValue = "steps,gen,load",
            description = "steps, floor, gen, load (default: ${DEFAULT-VALUE})")
    List<PhaseName> phases;

    @Option(names = "--reps", defaultValue = "15", description = "timed repetitions (default: ${DEFAULT-VALUE})")
    int reps;

    @Option(
            names = "--gen-reps",
            defaultValue = "1",
            description = "generations per duration in one JVM (default: ${DEFAULT-VALUE})")
    int genReps;

    @Option(names = "--contend", description = "also measure the decode step with one competing busy process")
    boolean contend;

    @Option(names = "--json", description = "write every figure to this file as a list of flat JSON records")
    Path json;

    @Option(names = "--out", description = "write the Markdown summary to this file")
    Path out;

    @Option(
            names = "--wait-load",
            defaultValue = "0",
            description = "before each phase, wait until the 1-minute load average is below this (0: do not wait)")
    double waitLoad;

    @Option(names = "--wait-minutes", defaultValue = "20", description = "wait at most this long for --wait-load")
    double waitMinutes;

    @Option(names = "--phase", hidden = true, description = "child JVM: run this one phase")
    PhaseName phase;

    @Option(names = "--result-file", hidden = true, description = "child JVM: write the figures here")
    Path resultFile;

    @Option(names = "--contended", hidden = true, description = "child JVM: a busy process competes")
    boolean contended;

    private final PrintStream console;

    public LmBenchmark() {
        this(System.out);
    }

    LmBenchmark(PrintStream console) {
        this.console = console;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new LmBenchmark()).execute(args));
    }

    static CommandLine commandLine(LmBenchmark b) {
        return new CommandLine(b).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** Parses and checks {@code args} (for tests); throws {@link ParameterException} as the command line would. */
    static LmBenchmark parse(String... args) {
        LmBenchmark b = new LmBenchmark();
        commandLine(b).parseArgs(args);
        b.validate();
        return b;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        return phase != null ? runChild() : orchestrate();
    }

    void validate() {
        require(reps >= 1, "--reps must be at least 1, but is: " + reps);
        require(genReps >= 1, "--gen-reps must be at least 1, but is: " + genReps);
        require(
                kvs.length > 0 && Arrays.stream(kvs).allMatch(k -> k >= 0),
                "--kv takes KV lengths of 0 or more, but is: " + Arrays.toString(kvs));
        require(
                Arrays.stream(durations()).allMatch(d -> d > 0 && Double.isFinite(d)),
                "--durations takes positive seconds, but is: " + Arrays.toString(durations));
        require(!computes.isEmpty(), "--compute needs at least one of fp32, f16, int8");
        require(!phases.isEmpty(), "--phases needs at least one of steps, floor, gen, load");
        require(phase == null || computes.size() == 1, "--phase runs one compute type, but got: " + computes);
        require(waitMinutes >= 0, "--wait-minutes must be 0 or more, but is: " + waitMinutes);
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec != null ? spec.commandLine() : commandLine(this), message);
        }
    }

    /** The durations given, or the default: 8 and 30 s for small (the end-to-end targets), 30 s otherwise. */
    double[] durations() {
        if (durations != null) {
            return durations;
        }
        return size == Shapes.LmSize.SMALL ? new double[] {8, 30} : new double[] {30};
    }

    LmRun run(Compute c, boolean busy) {
        return new LmRun(size, c, kvs, durations(), reps, genReps, busy, console);
    }

    /** In the child JVM: one phase, its figures to {@code --result-file} (or standard output). */
    private int runChild() throws Exception {
        Compute c = computes.get(0);
        List<Figure> figures = c.available()
                ? phase.phase.run(run(c, contended))
                : List.of(new Figures.Failure(size.label(), c.label(), phase.label(), c.unavailableReason()));
        for (Figure f : figures) {
            console.println("= " + BenchJson.line(f));
        }
        if (resultFile != null) {
            BenchJson.write(resultFile, figures);
        }
        return 0;
    }

    private int orchestrate() throws Exception {
        console.println("# LmBenchmark " + size.label() + ", compute " + computes + ", phases "
                + phases.stream().map(PhaseName::label).collect(Collectors.toList())
                + (contend ? ", steps also with one competing busy process" : ""));
        console.println(Machine.describe());
        List<Figure> figures = new ArrayList<>();
        for (Compute c : computes) {
            if (!c.available()) {
                console.println("## " + c.unavailableReason());
                figures.add(new Figures.Failure(size.label(), c.label(), "all", c.unavailableReason()));
                continue;
            }
            if (phases.contains(PhaseName.STEPS)) {
                figures.addAll(child(PhaseName.STEPS, c, false));
            }
            if (contend) {
                figures.addAll(child(PhaseName.STEPS, c, true));
            }
            for (PhaseName p : List.of(PhaseName.FLOOR, PhaseName.GEN)) {
                if (phases.contains(p)) {
                    figures.addAll(child(p, c, false));
                }
            }
        }
        if (phases.contains(PhaseName.LOAD)) {
            for (Compute c : computes) { // one JVM each: VmHWM is per process and mappings outlive a close
                if (c.available()) {
                    figures.addAll(child(PhaseName.LOAD, c, false));
                }
            }
        }
        String summary = LmSummary.markdown(this, figures);
        console.println();
        console.println(summary);
        if (out != null) {
            Files.writeString(out, summary, StandardCharsets.UTF_8);
            console.println("summary written to " + out);
        }
        if (json != null) {
            BenchJson.write(json, figures);
            console.println(figures.size() + " figures written to " + json);
        }
        boolean crashed = figures.stream()
                .anyMatch(f -> f instanceof Figures.Failure
                        && ((Figures.Failure) f).message().startsWith("child JVM exited"));
        return crashed ? 1 : 0;
    }

    private List<Figure> child(PhaseName p, Compute c, boolean busy) throws Exception {
        waitForQuiet();
        List<String> args = new ArrayList<>(List.of(
                "--phase",
                p.label(),
                "--model",
                size.name().toLowerCase(Locale.ROOT),
                "--compute",
                c.label(),
                "--kv",
                join(kvs),
                "--durations",
                Arrays.stream(durations()).mapToObj(LmBenchmark::number).collect(Collectors.joining(",")),
                "--reps",
                Integer.toString(reps),
                "--gen-reps",
                Integer.toString(genReps)));
        if (busy) {
            args.add("--contended");
        }
        console.println("## " + p.label() + " " + size.label() + " " + c.displayName()
                + (busy ? " with one competing busy process" : "") + " (child JVM)");
        Process spinner = busy ? ChildJvm.startBusy(120) : null;
        try {
            return ChildJvm.runPhase(
                    c.jvmOptions(),
                    LmBenchmark.class,
                    args,
                    size.label(),
                    c.label(),
                    p.label() + (busy ? " (contended)" : ""),
                    console);
        } finally {
            if (spinner != null) {
                ChildJvm.stop(spinner);
            }
        }
    }

    /** On a shared machine: waits (at most {@code --wait-minutes}) until the 1-minute load average is below X. */
    private void waitForQuiet() throws InterruptedException {
        if (waitLoad <= 0) {
            return;
        }
        long deadline = System.nanoTime() + (long) (waitMinutes * 60e9);
        while (System.nanoTime() < deadline) {
            if (Machine.load1() < waitLoad) {
                return;
            }
            console.println("  waiting for load < " + waitLoad + " (now " + Machine.loadavg() + ")");
            Thread.sleep(15_000);
        }
        console.println("  load stayed at " + Machine.loadavg() + "; measuring anyway");
    }

    /** The options as a command line (for the summary). */
    String commandLineText() {
        StringBuilder b = new StringBuilder("java -cp musicgen-examples/target/musicgen.jar ")
                .append(LmBenchmark.class.getName())
                .append(" --model ")
                .append(size.name().toLowerCase(Locale.ROOT))
                .append(" --compute ")
                .append(computes.stream().map(Compute::label).collect(Collectors.joining(",")))
                .append(" --kv ")
                .append(join(kvs))
                .append(" --phases ")
                .append(phases.stream().map(PhaseName::label).collect(Collectors.joining(",")));
        if (phases.contains(PhaseName.GEN)) {
            b.append(" --durations ")
                    .append(Arrays.stream(durations())
                            .mapToObj(LmBenchmark::number)
                            .collect(Collectors.joining(",")))
                    .append(" --gen-reps ")
                    .append(genReps);
        }
        b.append(" --reps ").append(reps);
        if (contend) {
            b.append(" --contend");
        }
        return b.toString();
    }

    private static String join(int[] v) {
        return Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String number(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
