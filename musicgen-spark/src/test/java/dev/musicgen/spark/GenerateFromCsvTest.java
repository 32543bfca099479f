package dev.musicgen.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.musicgen.cli.MusicGenCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example job's command-line contract, checked against what {@code musicgen generate} writes. */
class GenerateFromCsvTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        TinyModel.spark(); // the job reuses the running session (and leaves it running)
    }

    /** Runs the job; returns {exit status, stdout, stderr}. */
    static Object[] job(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = GenerateFromCsv.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
        return new Object[] {rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    static List<String> modelArgs() {
        List<String> a = new ArrayList<>(List.of("--model", TinyModel.dir().toString()));
        a.addAll(TinyModel.localRepoArgs());
        a.add("--offline");
        return a;
    }

    static String[] args(List<String> head, String... tail) {
        List<String> a = new ArrayList<>(head);
        a.addAll(List.of(tail));
        return a.toArray(new String[0]);
    }

    @Test
    void writes_what_musicgen_generate_writes_and_a_results_table() throws Exception {
        Path csv = Files.writeString(
                tmp.resolve("prompts.csv"),
                String.join(
                        "\n",
                        "id,prompt,duration,seed,temperature,top_k,top_p,classifier_free_guidance,normalization_strategy,"
                                + "output_format",
                        "a,\"lo-fi beat, warm\",1,7,,50,,,,",
                        "b,ambient pad,0.5,,0.7,10,0.9,1,peak,",
                        "c,\"drum \"\"and\"\" bass\",1,123,,,,,,mp3",
                        "bad,techno,-1,,,,,,,",
                        "d,soft piano,0.6,11,1.3,,,0,rms,wav",
                        ""));
        Path out = tmp.resolve("out");
        List<String> head = new ArrayList<>(List.of("--master", "local[2]"));
        head.addAll(modelArgs());
        Object[] r = job(args(head, "--batch-size", "1", "--input", csv.toString(), "--output", out.toString()));

        assertThat(r[0]).as("exit status; stderr: " + r[2]).isEqualTo(0);
        assertThat((String) r[1]).contains("generated 4 of 5 rows").contains("1 failed");
        long seedB = Seeds.derive(0, "b");
        List<String> results = Files.readAllLines(out.resolve("results.csv"));
        assertThat(results).hasSize(6);
        assertThat(results.get(0)).isEqualTo("id,seed,file,seconds,error");
        assertThat(results.get(1)).matches("a,7,a\\.wav,\\d+\\.\\d{3},");
        assertThat(results.get(2)).matches("b," + seedB + ",b\\.wav,\\d+\\.\\d{3},");
        assertThat(results.get(3)).matches("c,123,c\\.mp3,\\d+\\.\\d{3},");
        assertThat(results.get(4)).startsWith("bad,,,,\"duration must be > 0").endsWith("\"");
        assertThat(results.get(5)).matches("d,11,d\\.wav,\\d+\\.\\d{3},");
        assertThat(GenerateFromCsvTest.list(out)).containsExactly("a.wav", "b.wav", "c.mp3", "d.wav", "results.csv");

        // the same rows through the CLI's generate command
        Path ref = Files.createDirectories(tmp.resolve("cli"));
        check(out, ref, "a.wav", "-p", "lo-fi beat, warm", "-d", "1", "--seed", "7", "--top-k", "50");
        check(
                out,
                ref,
                "b.wav",
                "-p",
                "ambient pad",
                "-d",
                "0.5",
                "--seed",
                Long.toString(seedB),
                "--temperature",
                "0.7",
                "--top-k",
                "10",
                "--top-p",
                "0.9",
                "--cfg",
                "1",
                "--normalization",
                "peak");
        check(out, ref, "c.mp3", "-p", "drum \"and\" bass", "-d", "1", "--seed", "123");
        check(
                out,
                ref,
                "d.wav",
                "-p",
                "soft piano",
                "-d",
                "0.6",
                "--seed",
                "11",
                "--temperature",
                "1.3",
                "--cfg",
                "0",
                "--normalization",
                "rms");
    }

    static void check(Path out, Path ref, String file, String... generate) throws Exception {
        List<String> a = new ArrayList<>(List.of("generate"));
        a.addAll(modelArgs());
        a.addAll(List.of("--no-progress", "-o", ref.resolve(file).toString()));
        a.addAll(List.of(generate));
        assertThat(MusicGenCli.run(a.toArray(new String[0])))
                .as("musicgen " + a)
                .isEqualTo(0);
        assertThat(Files.readAllBytes(out.resolve(file)))
                .as(file + " as musicgen generate writes it")
                .isEqualTo(Files.readAllBytes(ref.resolve(file)));
    }

    static List<String> list(Path dir) throws Exception {
        return MusicGenTransformerTest.list(dir);
    }

    @Test
    void batches_and_a_table_where_every_row_fails() throws Exception {
        Path csv = Files.writeString(
                tmp.resolve("batch.csv"), "id,prompt,duration\nx,one,0.5\ny,two,0.5\nz,three," + "0.5\n");
        Path out = tmp.resolve("batch-out");
        Object[] r = job(args(
                modelArgs(),
                "--batch-size",
                "2",
                "--partitions",
                "1",
                "--base-seed",
                "9",
                "--input",
                csv.toString(),
                "--output",
                out.toString()));
        assertThat(r[0]).as("stderr: " + r[2]).isEqualTo(0);
        List<String> results = Files.readAllLines(out.resolve("results.csv"));
        long xy = Seeds.derive(9, "x");
        assertThat(results.get(1)).startsWith("x," + xy + ",x.wav,");
        assertThat(results.get(2)).startsWith("y," + xy + ",y.wav,");
        assertThat(results.get(3)).startsWith("z," + Seeds.derive(9, "z") + ",z.wav,");

        Path bad = Files.writeString(tmp.resolve("bad.csv"), "id,prompt,duration\nx,one,-1\ny,,1\n");
        Object[] failed = job(args(
                modelArgs(),
                "--input",
                bad.toString(),
                "--output",
                tmp.resolve("bad-out").toString()));
        assertThat(failed[0]).isEqualTo(1);
        assertThat(Files.readAllLines(tmp.resolve("bad-out").resolve("results.csv")))
                .hasSize(3);
    }

    @Test
    void reads_parquet_with_typed_columns() throws Exception {
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType)
                .add("prompt", DataTypes.StringType)
                .add("duration", DataTypes.DoubleType)
                .add("seed", DataTypes.LongType);
        Path parquet = tmp.resolve("prompts.parquet");
        TinyModel.spark()
                .createDataFrame(
                        List.of(RowFactory.create(1, "one", 0.5, 3L), RowFactory.create(2, "two", 0.5, null)), schema)
                .write()
                .parquet(parquet.toString());
        Path out = tmp.resolve("parquet-out");
        Object[] r = job(args(modelArgs(), "--input", parquet.toString(), "--output", out.toString()));
        assertThat(r[0]).as("stderr: " + r[2]).isEqualTo(0);
        List<String> results = Files.readAllLines(out.resolve("results.csv"));
        assertThat(results.subList(1, 3))
                .anySatisfy(l -> assertThat(l).startsWith("1,3,1.wav,"))
                .anySatisfy(l -> assertThat(l).startsWith("2," + Seeds.derive(0, "2") + ",2.wav,"));
    }

    @Test
    void a_model_that_cannot_load_fails_the_job_with_exit_1() throws Exception {
        Path csv = Files.writeString(tmp.resolve("one.csv"), "id,prompt\na,x\n");
        Object[] r = job(
                "--model",
                tmp.resolve("no-such-model").toString(),
                "--offline",
                "--input",
                csv.toString(),
                "--output",
                tmp.resolve("no-model-out").toString());
        assertThat(r[0]).isEqualTo(1);
        assertThat((String) r[2]).contains("error: the job failed").contains("no-such-model");
    }

    @Test
    void usage_errors_exit_2_before_generating() throws Exception {
        Path out = tmp.resolve("usage-out");
        assertThat(job(args(modelArgs(), "--output", out.toString()))[2])
                .asString()
                .contains("--input is required");
        Path typo = Files.writeString(tmp.resolve("typo.csv"), "id,prompt,tempreature\na,b,1\n");
        Object[] r = job(args(modelArgs(), "--input", typo.toString(), "--output", out.toString()));
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("unknown column 'tempreature'").contains("temperature");
        Path dup = Files.writeString(tmp.resolve("dup.csv"), "id,prompt\na,x\nb,y\na,z\n");
        r = job(args(modelArgs(), "--input", dup.toString(), "--output", out.toString()));
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("duplicate ids").contains("[a]");
        Path noId = Files.writeString(tmp.resolve("noid.csv"), "prompt\nx\n");
        r = job(args(modelArgs(), "--input", noId.toString(), "--output", out.toString()));
        assertThat(r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("id and prompt");
        assertThat(job(args(modelArgs(), "--input", noId.toString(), "--output", out.toString(), "--batch-size", "0"))[
                        0])
                .isEqualTo(2);
        assertThat(Files.exists(out.resolve("results.csv"))).isFalse();
    }
}
