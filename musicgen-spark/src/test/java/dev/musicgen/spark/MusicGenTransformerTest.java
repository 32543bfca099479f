package dev.musicgen.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.MusicGenerator;
import dev.musicgen.OutputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformer in Spark local mode on the tiny fixture model, against the Java API. */
class MusicGenTransformerTest {
    @TempDir
    static Path tmp;

    static SparkSession spark;
    static MusicGenerator reference;

    /** Per-row request inputs, typed as a DataFrame built in code would type them. */
    static final StructType TYPED = new StructType()
            .add("id", DataTypes.StringType)
            .add("prompt", DataTypes.StringType)
            .add("duration", DataTypes.DoubleType)
            .add("seed", DataTypes.LongType)
            .add("temperature", DataTypes.DoubleType)
            .add("top_k", DataTypes.IntegerType)
            .add("cfg", DataTypes.DoubleType)
            .add("format", DataTypes.StringType);

    @BeforeAll
    static void start() {
        spark = TinyModel.spark();
        reference = TinyModel.reference(tmp.resolve("reference-cache"));
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    static MusicGenTransformer typed(String cache) {
        return TinyModel.transformer(tmp.resolve(cache))
                .setIdCol("id")
                .setDurationCol("duration")
                .setSeedCol("seed")
                .setTemperatureCol("temperature")
                .setTopKCol("top_k")
                .setClassifierFreeGuidanceCol("cfg")
                .setOutputFormatCol("format");
    }

    /** The request the Java API gets for a TYPED row, with the seed the transformer reported. */
    static GenerationRequest request(Row r, long seed) {
        GenerationRequest.Builder b =
                GenerationRequest.builder().prompt(r.getString(1)).seed(seed);
        if (!r.isNullAt(2)) {
            b.duration(r.getDouble(2));
        }
        if (!r.isNullAt(4)) {
            b.temperature(r.getDouble(4));
        }
        if (!r.isNullAt(5)) {
            b.topK(r.getInt(5));
        }
        if (!r.isNullAt(6)) {
            b.classifierFreeGuidance(r.getDouble(6));
        }
        if (!r.isNullAt(7)) {
            b.outputFormat(OutputFormat.fromName(r.getString(7)));
        }
        return b.build();
    }

    static Map<String, Row> byId(List<Row> rows) {
        Map<String, Row> m = new HashMap<>();
        rows.forEach(r -> m.put(r.getString(0), r));
        return m;
    }

    static Object get(Row r, String col) {
        return r.get(r.fieldIndex(col));
    }

    @Test
    void batch_size_1_gives_exactly_what_a_single_generate_call_gives() {
        List<Row> in = List.of(
                RowFactory.create("a", "lo-fi beat with a warm bass", 1.0, 7L, 1.0, 50, 3.0, "wav"),
                RowFactory.create("b", "ambient pad", 0.5, null, 0.7, 10, 1.0, null),
                RowFactory.create("c", "drum and bass", 1.5, 123L, null, null, null, "mp3"),
                RowFactory.create("d", "solo piano", 0.75, -1L, 1.2, 1, 0.0, "wav"),
                RowFactory.create("e", "90s rock", null, 5L, null, 250, null, null));
        Dataset<Row> df = spark.createDataFrame(in, TYPED).repartition(2);
        List<Row> out = typed("batch1-cache").transform(df).collectAsList();

        assertThat(out).hasSize(in.size());
        Map<String, Row> byId = byId(out);
        for (Row r : in) {
            Row o = byId.get(r.getString(0));
            assertThat(get(o, "error")).as("error of " + r.getString(0)).isNull();
            long seed = (Long) get(o, "used_seed");
            boolean explicit = !r.isNullAt(3) && r.getLong(3) != -1;
            assertThat(seed)
                    .as("seed of " + r.getString(0))
                    .isEqualTo(explicit ? r.getLong(3) : Seeds.derive(0, r.getString(0)));
            GenerationRequest req = request(r, seed);
            GeneratedAudio a = reference.generate(req);
            assertThat((byte[]) get(o, "audio"))
                    .as("audio of " + r.getString(0))
                    .isEqualTo(a.toBytes(req.outputFormat()));
            assertThat((Double) get(o, "audio_duration")).isEqualTo(a.durationSeconds());
            assertThat((Double) get(o, "seconds")).isPositive();
        }
        // row e left its duration to GenerationRequest's default
        assertThat((Double) get(byId.get("e"), "audio_duration"))
                .isEqualTo(GenerationRequest.builder().prompt("x").build().duration());
    }

    @Test
    void larger_batches_give_what_the_java_api_gives_for_the_same_batch() {
        // ids out of order: batches follow the ids, not the input order; f samples differently so runs apart
        List<Row> in = List.of(
                RowFactory.create(
                        "c", "drum and bass with a long description of the mix", 1.0, null, null, 50, null, null),
                RowFactory.create("a", "lo-fi", 1.0, null, null, 50, null, null),
                RowFactory.create("e", "ambient", 1.0, null, null, 50, null, null),
                RowFactory.create("f", "funk", 1.0, null, 0.5, 50, null, null),
                RowFactory.create("b", "a slow blues in e minor", 1.0, null, null, 50, null, null),
                RowFactory.create("d", "techno", 1.0, null, null, 50, null, null));
        Dataset<Row> df = spark.createDataFrame(in, TYPED).repartition(1);
        List<Row> out = typed("batch2-cache")
                .setBatchSize(2)
                .setBaseSeed(42)
                .transform(df)
                .collectAsList();

        Map<String, Row> byId = byId(out);
        Map<String, Row> inById = byId(in);
        List<List<String>> batches = List.of(List.of("a", "b"), List.of("c", "d"), List.of("e"), List.of("f"));
        for (List<String> batch : batches) {
            long seed = Seeds.derive(42, batch.get(0));
            List<GenerationRequest> rs = new ArrayList<>();
            for (String id : batch) {
                assertThat(get(byId.get(id), "error")).isNull();
                assertThat((Long) get(byId.get(id), "used_seed"))
                        .as("seed of " + id)
                        .isEqualTo(seed);
                rs.add(request(inById.get(id), seed));
            }
            List<GeneratedAudio> expected = reference.generate(rs);
            for (int k = 0; k < batch.size(); k++) {
                assertThat((byte[]) get(byId.get(batch.get(k)), "audio"))
                        .as("audio of " + batch.get(k))
                        .isEqualTo(expected.get(k).toBytes(OutputFormat.WAV));
            }
        }
    }

    @Test
    void a_bad_row_fills_the_error_column_and_the_others_go_on() throws Exception {
        Path garbage = Files.write(tmp.resolve("garbage.wav"), new byte[] {1, 2, 3, 4, 5});
        StructType strings = new StructType()
                .add("id", DataTypes.StringType)
                .add("prompt", DataTypes.StringType)
                .add("duration", DataTypes.StringType)
                .add("input_audio", DataTypes.StringType)
                .add("continuation", DataTypes.StringType);
        List<Row> in = List.of(
                RowFactory.create("ok", "lo-fi beat", "0.5", null, null),
                RowFactory.create("neg", "lo-fi beat", "-1", null, null),
                RowFactory.create("nan", "lo-fi beat", "abc", null, null),
                RowFactory.create("noprompt", null, "0.5", null, null),
                RowFactory.create(
                        "missing", "lo-fi beat", "1", tmp.resolve("missing.wav").toString(), "true"),
                RowFactory.create("corrupt", "lo-fi beat", "1", garbage.toString(), "true"));
        Dataset<Row> df = spark.createDataFrame(in, strings).repartition(2);
        MusicGenTransformer t = TinyModel.transformer(tmp.resolve("bad-cache"))
                .setIdCol("id")
                .setDurationCol("duration")
                .setInputAudioCol("input_audio")
                .setContinuationCol("continuation");
        Map<String, Row> out = byId(t.transform(df).collectAsList());

        assertThat(get(out.get("ok"), "error")).isNull();
        assertThat((byte[]) get(out.get("ok"), "audio")).isNotEmpty();
        assertThat((String) get(out.get("neg"), "error"))
                .contains("duration must be > 0")
                .contains("-1");
        assertThat((String) get(out.get("nan"), "error"))
                .contains("duration")
                .contains("column 'duration'")
                .contains("abc");
        assertThat((String) get(out.get("noprompt"), "error")).contains("prompt or inputAudio is required");
        assertThat((String) get(out.get("missing"), "error")).contains("missing.wav");
        assertThat((String) get(out.get("corrupt"), "error")).contains("garbage.wav");
        for (String id : List.of("neg", "nan", "noprompt", "missing", "corrupt")) {
            assertThat(get(out.get(id), "audio")).as("audio of " + id).isNull();
            assertThat(get(out.get(id), "used_seed")).as("seed of " + id).isNull();
        }

        // failFast: the first bad row (by id) fails the task, and the job after Spark's retry
        Dataset<Row> failing = t.setFailFast(true)
                .transform(df.filter("id in ('ok', 'corrupt')").repartition(1));
        assertThatThrownBy(failing::collectAsList)
                .isInstanceOf(SparkException.class)
                .hasMessageContaining("row corrupt")
                .hasMessageContaining("garbage.wav");
    }

    @Test
    void one_generator_per_executor_jvm() {
        List<Row> in = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            in.add(RowFactory.create("r" + i, "prompt " + i, 0.5, null, null, null, null, null));
        }
        Dataset<Row> df = spark.createDataFrame(in, TYPED).repartition(4);
        MusicGenTransformer t = typed("count-cache");
        GeneratorSettings key = t.config(TYPED).settings;
        assertThat(GeneratorCache.builds(key)).isZero();

        assertThat(t.transform(df).filter("error is null").count()).isEqualTo(8);
        assertThat(GeneratorCache.builds(key))
                .as("builds after 4 tasks on 2 threads")
                .isEqualTo(1);
        assertThat(t.copy(new org.apache.spark.ml.param.ParamMap())
                        .transform(df)
                        .count())
                .isEqualTo(8);
        assertThat(GeneratorCache.builds(key)).as("builds after a second job").isEqualTo(1);
    }

    static final AtomicInteger INJECTED = new AtomicInteger();

    @Test
    void a_retried_task_writes_the_same_files() throws Exception {
        List<Row> in = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            in.add(RowFactory.create(
                    "r" + i, "prompt number " + i, 0.5 * i, null, null, 20, null, i == 4 ? "mp3" : null));
        }
        Dataset<Row> df = spark.createDataFrame(in, TYPED).repartition(1);
        Path clean = tmp.resolve("out-clean");
        Path retried = tmp.resolve("out-retried");

        Dataset<Row> first = typed("retry-cache").setOutputDir(clean.toString()).transform(df);
        assertThat(first.filter("error is null").count()).isEqualTo(4);

        // the first attempt dies after r1..r3 are written (r3 was generated before it is handed on)
        Dataset<Row> out = typed("retry-cache").setOutputDir(retried.toString()).transform(df);
        Dataset<Row> dying = out.map(
                (MapFunction<Row, Row>) r -> {
                    if (TaskContext.get().attemptNumber() == 0 && r.getString(0).equals("r3")) {
                        INJECTED.incrementAndGet();
                        throw new IllegalStateException("injected failure of the first attempt");
                    }
                    return r;
                },
                Encoders.row(out.schema()));
        List<Row> rows = dying.collectAsList();

        assertThat(INJECTED.get()).isEqualTo(1);
        assertThat(rows).hasSize(4).allSatisfy(r -> assertThat(get(r, "error")).isNull());
        List<String> names = list(clean);
        assertThat(names).containsExactly("r1.wav", "r2.wav", "r3.wav", "r4.mp3");
        assertThat(list(retried)).as("no temp files left").isEqualTo(names);
        for (String n : names) {
            assertThat(Files.readAllBytes(retried.resolve(n))).as(n).isEqualTo(Files.readAllBytes(clean.resolve(n)));
        }
        for (Row r : rows) {
            assertThat((String) get(r, "file"))
                    .isEqualTo(retried.resolve(get(r, "id") + (r.getString(0).equals("r4") ? ".mp3" : ".wav"))
                            .toString());
        }
    }

    static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void params_are_checked_against_the_input_on_the_driver() {
        StructType s = new StructType()
                .add("id", DataTypes.StringType)
                .add("text", DataTypes.StringType)
                .add("blob", DataTypes.BinaryType)
                .add("error", DataTypes.StringType);
        Path cache = tmp.resolve("unused");
        assertThatThrownBy(() -> TinyModel.transformer(cache).transformSchema(s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("promptCol 'prompt'")
                .hasMessageContaining("[id, text, blob, error]");
        assertThatThrownBy(() -> TinyModel.transformer(cache)
                        .setPromptCol("text")
                        .setDurationCol("blob")
                        .transformSchema(s))
                .hasMessageContaining("durationCol 'blob' must be a numeric or string column");
        assertThatThrownBy(
                        () -> TinyModel.transformer(cache).setPromptCol("text").transformSchema(s))
                .hasMessageContaining("errorCol 'error' is already a column");
        assertThatThrownBy(() -> TinyModel.transformer(cache)
                        .setPromptCol("text")
                        .setErrorCol("err")
                        .setDuration(-2)
                        .transformSchema(s))
                .hasMessageContaining("duration must be > 0");
        assertThatThrownBy(() -> TinyModel.transformer(cache)
                        .setPromptCol("text")
                        .setErrorCol("err")
                        .setOutputDir("x")
                        .transformSchema(s))
                .hasMessageContaining("idCol");
        assertThatThrownBy(() -> new MusicGenTransformer()
                        .setPromptCol("text")
                        .setErrorCol("err")
                        .transformSchema(s))
                .hasMessageContaining("model must name");
        assertThatThrownBy(() -> new MusicGenTransformer().setBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");

        StructType ok = TinyModel.transformer(cache)
                .setPromptCol("text")
                .setErrorCol("err")
                .transformSchema(s);
        assertThat(Arrays.copyOfRange(ok.fieldNames(), 4, 9))
                .containsExactly("audio", "used_seed", "audio_duration", "seconds", "err");
    }

    @Test
    void saves_and_loads_as_a_pipeline_stage() throws Exception {
        MusicGenTransformer t = TinyModel.transformer(tmp.resolve("c"))
                .setIdCol("id")
                .setBatchSize(3)
                .setDuration(2.5)
                .setTopKCol("k")
                .setNormalizationStrategy("peak")
                .setFailFast(true);
        String path = tmp.resolve("saved").toString();
        t.save(path);
        MusicGenTransformer u = MusicGenTransformer.load(path);
        assertThat(u.uid()).isEqualTo(t.uid());
        assertThat(u.getBatchSize()).isEqualTo(3);
        assertThat(u.getLocalRepos()).containsExactly(TinyModel.localRepos());
        assertThat((Double) u.getOrDefault(u.duration())).isEqualTo(2.5);
        assertThat(u.getOrDefault(u.topKCol())).isEqualTo("k");
        assertThat(u.getOrDefault(u.normalizationStrategy())).isEqualTo("peak");
        assertThat(u.getFailFast()).isTrue();
        assertThat(u.config(new StructType()
                                .add("id", DataTypes.StringType)
                                .add("prompt", DataTypes.StringType)
                                .add("k", DataTypes.IntegerType))
                        .settings)
                .isEqualTo(t.config(new StructType()
                                .add("id", DataTypes.StringType)
                                .add("prompt", DataTypes.StringType)
                                .add("k", DataTypes.IntegerType))
                        .settings);
    }
}
