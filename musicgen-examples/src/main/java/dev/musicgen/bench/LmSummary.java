package dev.musicgen.bench;

import dev.musicgen.bench.Figures.Figure;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The Markdown summary of an {@link LmBenchmark} run, from its typed figures (the tables of docs/PERFORMANCE.md). */
final class LmSummary {
    private static final String NONE = "–";

    private LmSummary() {}

    static String markdown(LmBenchmark options, List<Figure> figures) {
        Shapes.LmSize s = options.size;
        StringBuilder b = new StringBuilder();
        b.append("### ")
                .append(s.label())
                .append(" (dim ")
                .append(s.dim)
                .append(", ")
                .append(s.heads)
                .append(" heads, ")
                .append(s.layers)
                .append(" layers, ffn ")
                .append(s.ffn)
                .append(", 4 codebooks × 2048), batch 2 (CFG)\n\n");
        b.append(Machine.describe()).append("\n\n");
        b.append("Command: `").append(options.commandLineText()).append("`\n\n");
        stepTable(b, options, figures);
        for (Figures.LinearForm f : of(figures, Figures.LinearForm.class)) {
            b.append("\nfp32 projections in the `linear(x, W)` form instead of `W·xᵀ`: ")
                    .append(ms(f.ms()))
                    .append(" ms per step (projections only).\n");
        }
        for (Figures.StepsMemory f : of(figures, Figures.StepsMemory.class)) {
            b.append("\nPeak RSS of the ")
                    .append(f.compute())
                    .append(f.contended() ? " contended" : "")
                    .append(" steps run: ")
                    .append(mb(f.peakRssMb()))
                    .append(" MB for ")
                    .append(Math.round(f.weightsMb()))
                    .append(" MB of LM weights.\n");
        }
        generationTables(b, figures);
        for (Figures.T5 f : of(figures, Figures.T5.class)) {
            b.append("\nT5-base encode (2 × 12 tokens, fp32, ")
                    .append(f.compute())
                    .append(" run): ")
                    .append(ms(f.ms()))
                    .append(" ms median.\n");
        }
        List<Figures.Load> loads = of(figures, Figures.Load.class);
        if (!loads.isEmpty()) {
            b.append("\nCheckpoint load (random fp16 safetensors of the LM, warm page cache):\n\n| compute |"
                    + " file (GB) | open (ms) | LMModel.load (ms) | first step (ms) | peak RSS (MB) |\n"
                    + "|---|---|---|---|---|---|\n");
            for (Figures.Load f : loads) {
                b.append(row(
                        f.compute(),
                        ms(f.fileGb()),
                        ms(f.openMs()),
                        ms(f.loadMs()),
                        ms(f.firstStepMs()),
                        mb(f.peakRssMb())));
            }
        }
        for (Figures.Failure f : of(figures, Figures.Failure.class)) {
            b.append("\nNOT MEASURED: ")
                    .append(f.compute())
                    .append(' ')
                    .append(f.phase())
                    .append(": ")
                    .append(f.message())
                    .append('\n');
        }
        return b.toString();
    }

    private static void stepTable(StringBuilder b, LmBenchmark o, List<Figure> figures) {
        List<Figures.Step> steps = of(figures, Figures.Step.class);
        List<Figures.SyntheticFloor> synth = of(figures, Figures.SyntheticFloor.class);
        List<Figures.GenerationStep> inGen = of(figures, Figures.GenerationStep.class);
        if (steps.isEmpty() && synth.isEmpty() && inGen.isEmpty()) {
            return;
        }
        b.append("Decode step at batch 2 (CFG): LM step + CFG + top-k sampling (median ms) against its GEMM floor, the"
                + " same step's matrix products alone on the model's own weights (median ms), measured in alternating"
                + " blocks at each KV length; bandwidth floor = the bytes the step reads / the read bandwidth measured"
                + " right after:\n\n| compute | | ");
        for (int kv : o.kvs) {
            b.append("KV ").append(kv).append(" | ");
        }
        b.append("\n|---|---|").append("---|".repeat(o.kvs.length)).append('\n');
        for (Compute c : o.computes) {
            if (!c.available()) {
                continue;
            }
            String label = c.label();
            Predicate<Figures.Step> quiet = f -> f.compute().equals(label) && !f.contended();
            Predicate<Figures.Step> busy = f -> f.compute().equals(label) && f.contended();
            double longest = inGen.stream()
                    .filter(f -> f.compute().equals(label))
                    .mapToDouble(Figures.GenerationStep::durationS)
                    .max()
                    .orElse(-1);
            b.append("| ")
                    .append(c.displayName())
                    .append(" | | ")
                    .append("| ".repeat(o.kvs.length))
                    .append('\n');
            if (steps.stream().anyMatch(quiet)) {
                b.append(stepRow("| | step | ", o.kvs, steps, quiet, f -> ms(f.stepMs())));
                b.append(stepRow("| | GEMM floor | ", o.kvs, steps, quiet, f -> ms(f.floorMs())));
                b.append(stepRow("| | step / GEMM floor | ", o.kvs, steps, quiet, f -> ms(f.ratio())));
                b.append(stepRow("| | bandwidth floor | ", o.kvs, steps, quiet, f -> ms(f.bwFloorMs())));
            }
            if (steps.stream().anyMatch(busy)) {
                b.append(stepRow("| | step, one busy process competing | ", o.kvs, steps, busy, f -> ms(f.stepMs())));
                b.append(stepRow("| | its step / GEMM floor | ", o.kvs, steps, busy, f -> ms(f.ratio())));
            }
            if (longest > 0) {
                b.append(stepRow(
                        "| | in the " + seconds(longest) + " generation | ",
                        o.kvs,
                        inGen,
                        f -> f.compute().equals(label) && f.durationS() == longest,
                        f -> ms(f.ms())));
            }
            if (synth.stream().anyMatch(f -> f.compute().equals(label))) {
                b.append(stepRow(
                        "| | synthetic floor, bytes / bandwidth | ",
                        o.kvs,
                        synth,
                        f -> f.compute().equals(label),
                        f -> ms(f.ms()) + ", " + ms(f.bwFloorMs())));
            }
        }
    }

    private static <T extends Figure> String stepRow(
            String head, int[] kvs, List<T> figures, Predicate<T> which, Function<T, String> cell) {
        StringBuilder b = new StringBuilder(head);
        for (int kv : kvs) {
            Optional<T> f =
                    figures.stream().filter(which).filter(x -> kvOf(x) == kv).findFirst();
            b.append(f.map(cell).orElse(NONE)).append(" | ");
        }
        return b.append('\n').toString();
    }

    private static int kvOf(Figure f) {
        if (f instanceof Figures.Step) {
            return ((Figures.Step) f).kv();
        }
        if (f instanceof Figures.SyntheticFloor) {
            return ((Figures.SyntheticFloor) f).kv();
        }
        if (f instanceof Figures.GenerationStep) {
            return ((Figures.GenerationStep) f).kv();
        }
        return -1;
    }

    private static void generationTables(StringBuilder b, List<Figure> figures) {
        List<Figures.Generation> gens = of(figures, Figures.Generation.class);
        if (gens.isEmpty()) {
            return;
        }
        b.append("\nEnd to end (T5-base encode of a 12-token prompt + null row, LM steps with top-k 250 and CFG 3,"
                + " EnCodec decode of the tokens):\n\n| compute | audio | run | LM steps | T5 (ms) | LM (s) |"
                + " EnCodec (s) | total (s) | median step (ms) | peak RSS (MB) | weights (MB) |"
                + " load avg before/after |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Figures.Generation g : gens) {
            b.append(row(
                    g.compute(),
                    seconds(g.durationS()),
                    Integer.toString(g.rep()),
                    Integer.toString(g.steps()),
                    ms(g.t5Ms()),
                    ms(g.lmS()),
                    ms(g.codecS()),
                    ms(g.totalS()),
                    ms(g.medianStepMs()),
                    mb(g.peakRssMb()),
                    Long.toString(Math.round(g.weightsMb())),
                    g.loadBefore() + " / " + g.loadAfter()));
        }
        b.append("\nMemory during each generation (VmRSS in MB at LM step N; \"after\" = after the EnCodec decode, the"
                + " generation's state closed; KV = self-attention cache bytes written by the last step, which RSS"
                + " grows by because untouched cache pages cost nothing):\n\n| compute | audio | run | RSS by step |"
                + " after | KV written (MB) |\n|---|---|---|---|---|---|\n");
        for (Figures.Generation g : gens) {
            b.append(row(
                    g.compute(),
                    seconds(g.durationS()),
                    Integer.toString(g.rep()),
                    g.rssByStepMb().replace(",", ", "),
                    mb(g.rssAfterMb()),
                    Long.toString(Math.round(g.kvMb()))));
        }
    }

    private static <T extends Figure> List<T> of(List<Figure> figures, Class<T> type) {
        return figures.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    private static String ms(Double x) {
        return x == null || !Double.isFinite(x) ? NONE : String.format(Locale.ROOT, "%.2f", x);
    }

    private static String mb(Long x) {
        return x == null ? "n/a" : Long.toString(x);
    }

    private static String seconds(double s) {
        return (s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s)) + " s";
    }
}
