package dev.musicgen.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The example job: one audio file per row of a CSV (or Parquet) table of prompts, and a results table.
 *
 * <pre>
 * java -jar musicgen-spark/target/musicgen-spark-local.jar --master local[2] --model small \
 *     --input prompts.csv --output out/
 * spark-submit --class dev.musicgen.spark.GenerateFromCsv musicgen-spark/target/musicgen-spark-job.jar \
 *     --model small --input /shared/prompts.csv --output /shared/out
 * </pre>
 *
 * The input has a header with {@code id} and {@code prompt} and any of {@code duration, seed, temperature, top_k,
 * top_p, classifier_free_guidance, normalization_strategy, output_format, input_audio, continuation,
 * continuation_start, continuation_end, extend_stride}; an empty cell keeps the default. Each good row is written to
 * {@code OUTPUT/<id>.wav} (or {@code .mp3}); {@code OUTPUT/results.csv} lists {@code id,seed,file,seconds,error} in the
 * input's order. Exit status: 0 when at least one row was generated (or the input is empty), 1 when every row failed
 * or the job failed, 2 for a usage error.
 */
public final class GenerateFromCsv {
    static final String USAGE = String.join(
            "\n",
            "Usage: GenerateFromCsv --model M --input FILE --output DIR [options]",
            "  --master URL          Spark master (default: spark-submit's, else local[*])",
            "  --model M             version (small, melody, ...), Hub repo id, or a directory on every executor",
            "  --local-repo ID=DIR   serve a repo id from a directory (repeatable)",
            "  --offline             never use the network",
            "  --cache-dir DIR       Hugging Face hub cache on the executors",
            "  --device D            cpu, gpu, gpuN or auto",
            "  --compute-type T      FLOAT32 or FLOAT16_WEIGHTS",
            "  --batch-size N        rows generated together (default 1: exactly what 'musicgen generate' writes)",
            "  --base-seed S         rows without a seed get one derived from S and their id (default 0)",
            "  --partitions N        tasks (default: the cluster's default parallelism)",
            "  --fail-fast           stop at the first bad row instead of reporting it in results.csv",
            "  --input FILE          CSV with a header (id,prompt,...) or Parquet (.parquet)",
            "  --output DIR          where <id>.wav|.mp3 and results.csv are written");

    private static final String ROW = "__musicgen_row";

    private GenerateFromCsv() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the job and returns its exit status (for tests: reuses and leaves a running session). */
    public static int run(String... args) {
        return run(System.out, System.err, args);
    }

    static int run(PrintStream out, PrintStream err, String... args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o.help) {
            out.println(USAGE);
            return 0;
        }
        boolean existing = SparkSession.getDefaultSession().isDefined();
        SparkSession.Builder b = SparkSession.builder().appName("musicgen GenerateFromCsv");
        String master = o.master != null ? o.master : System.getProperty("spark.master", "local[*]");
        b.master(master);
        if (master.startsWith("local")) {
            b.config("spark.ui.enabled", "false");
        }
        SparkSession spark = b.getOrCreate();
        try {
            return generate(spark, o, out);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) { // SparkException is checked in Java terms but thrown undeclared by Scala code
            err.println("error: the job failed: " + PartitionGenerator.message(rootCause(e)));
            return 1;
        } finally {
            if (!existing) {
                spark.stop();
            }
        }
    }

    static int generate(SparkSession spark, Options o, PrintStream out) {
        Dataset<Row> in = o.input.toLowerCase(Locale.ROOT).endsWith(".parquet")
                ? spark.read().parquet(o.input)
                : spark.read()
                        .option("header", "true")
                        .option("multiLine", "true")
                        .option("escape", "\"")
                        .csv(o.input);
        List<String> columns = Arrays.asList(in.columns());
        Set<String> known = new LinkedHashSet<>(List.of("id", "prompt"));
        for (RequestInput ri : RequestInput.values()) {
            known.add(ri.csvName);
        }
        if (!columns.contains("id") || !columns.contains("prompt")) {
            throw new IllegalArgumentException("--input " + o.input + " must have a header with the columns id and "
                    + "prompt, but has: " + columns);
        }
        for (String c : columns) {
            if (!known.contains(c)) {
                throw new IllegalArgumentException("--input " + o.input + " has an unknown column '" + c + "'; the "
                        + "columns are: " + String.join(", ", known));
            }
        }
        in = in.withColumn("id", col("id").cast("string"));
        List<Row> dups = in.filter(col("id").isNotNull())
                .groupBy("id")
                .count()
                .filter(col("count").gt(1))
                .limit(5)
                .collectAsList();
        if (!dups.isEmpty()) {
            List<String> ids = new ArrayList<>();
            dups.forEach(r -> ids.add(r.getString(0)));
            throw new IllegalArgumentException("--input " + o.input + " has duplicate ids (each names a file): " + ids);
        }
        Path dir = Path.of(o.output).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("--output " + o.output + " cannot be created: " + e.getMessage(), e);
        }
        int partitions =
                o.partitions != null ? o.partitions : spark.sparkContext().defaultParallelism();
        in = in.withColumn(ROW, monotonically_increasing_id()).repartition(partitions, col("id"));

        MusicGenTransformer t = new MusicGenTransformer()
                .setModel(o.model)
                .setLocalRepos(o.localRepos.toArray(new String[0]))
                .setIdCol("id")
                .setPromptCol("prompt")
                .setBatchSize(o.batchSize)
                .setBaseSeed(o.baseSeed)
                .setFailFast(o.failFast)
                .setOutputDir(dir.toString());
        if (o.offline) {
            t.setOffline(true);
        }
        if (o.cacheDir != null) {
            t.setCacheDir(o.cacheDir);
        }
        if (o.device != null) {
            t.setDevice(o.device);
        }
        if (o.computeType != null) {
            t.setComputeType(o.computeType);
        }
        for (RequestInput ri : RequestInput.values()) {
            if (columns.contains(ri.csvName)) {
                t.setCol(ri, ri.csvName);
            }
        }
        long t0 = System.nanoTime();
        List<Row> rows = new ArrayList<>(t.transform(in)
                .select(
                        col(ROW),
                        col("id"),
                        col(t.getUsedSeedCol()),
                        col(t.getFileCol()),
                        col(t.getSecondsCol()),
                        col(t.getErrorCol()))
                .collectAsList());
        double wall = (System.nanoTime() - t0) / 1e9;
        rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
        int ok = 0;
        StringBuilder csv = new StringBuilder("id,seed,file,seconds,error\n");
        for (Row r : rows) {
            boolean good = r.isNullAt(5);
            ok += good ? 1 : 0;
            csv.append(field(r.isNullAt(1) ? "" : r.getString(1)))
                    .append(',')
                    .append(r.isNullAt(2) ? "" : Long.toString(r.getLong(2)))
                    .append(',')
                    .append(
                            r.isNullAt(3)
                                    ? ""
                                    : field(Path.of(r.getString(3))
                                            .getFileName()
                                            .toString()))
                    .append(',')
                    .append(r.isNullAt(4) ? "" : String.format(Locale.ROOT, "%.3f", r.getDouble(4)))
                    .append(',')
                    .append(good ? "" : field(r.getString(5)))
                    .append('\n');
        }
        writeAtomically(dir.resolve("results.csv"), csv.toString());
        out.printf(
                Locale.ROOT,
                "generated %d of %d rows into %s in %.1f s (%.1f rows/min); %d failed%s%n",
                ok,
                rows.size(),
                dir,
                wall,
                wall > 0 ? ok * 60 / wall : 0.0,
                rows.size() - ok,
                rows.size() > ok ? " (see results.csv)" : "");
        return rows.isEmpty() || ok > 0 ? 0 : 1;
    }

    /** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static void writeAtomically(Path target, String text) {
        Path temp = target.resolveSibling(
                "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".part");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    /** The command line. */
    static final class Options {
        String master;
        String model;
        final List<String> localRepos = new ArrayList<>();
        boolean offline;
        String cacheDir;
        String device;
        String computeType;
        int batchSize = 1;
        long baseSeed;
        Integer partitions;
        boolean failFast;
        String input;
        String output;
        boolean help;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h":
                    case "--help":
                        o.help = true;
                        break;
                    case "--offline":
                        o.offline = true;
                        break;
                    case "--fail-fast":
                        o.failFast = true;
                        break;
                    case "--master":
                        o.master = value(args, ++i, a);
                        break;
                    case "--model":
                        o.model = value(args, ++i, a);
                        break;
                    case "--local-repo":
                        String spec = value(args, ++i, a);
                        GeneratorSettings.parseLocalRepo(spec);
                        o.localRepos.add(spec);
                        break;
                    case "--cache-dir":
                        o.cacheDir = value(args, ++i, a);
                        break;
                    case "--device":
                        o.device = value(args, ++i, a);
                        break;
                    case "--compute-type":
                        o.computeType = value(args, ++i, a);
                        break;
                    case "--batch-size":
                        o.batchSize = positive(value(args, ++i, a), a);
                        break;
                    case "--base-seed":
                        o.baseSeed = number(value(args, ++i, a), a);
                        break;
                    case "--partitions":
                        o.partitions = positive(value(args, ++i, a), a);
                        break;
                    case "--input":
                        o.input = value(args, ++i, a);
                        break;
                    case "--output":
                        o.output = value(args, ++i, a);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option: " + a);
                }
            }
            if (o.help) {
                return o;
            }
            if (o.model == null) {
                throw new IllegalArgumentException("--model is required");
            }
            if (o.input == null) {
                throw new IllegalArgumentException("--input is required");
            }
            if (o.output == null) {
                throw new IllegalArgumentException("--output is required");
            }
            if (!o.input.contains("://") && !Files.exists(Path.of(o.input))) {
                throw new IllegalArgumentException("--input " + o.input + " does not exist");
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static long number(String v, String option) {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a whole number, but is: " + v, e);
            }
        }

        private static int positive(String v, String option) {
            long n = number(v, option);
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(option + " must be >= 1, but is: " + v);
            }
            return (int) n;
        }
    }
}
