package dev.musicgen.spark;

import dev.musicgen.GenerationRequest;
import dev.musicgen.MusicGenerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Text (and melody, or continuation) to music for every row of a DataFrame: a Spark ML {@link Transformer}, as DJL's
 * Spark extension has one per task.
 *
 * <pre>{@code
 * Dataset<Row> out = new MusicGenTransformer()
 *         .setModel("small")              // a version, a Hub repo id, or a directory on every executor
 *         .setIdCol("id").setPromptCol("prompt").setDurationCol("duration").setSeedCol("seed")
 *         .setBatchSize(4)
 *         .transform(prompts);            // + audio (WAV bytes), used_seed, audio_duration, seconds, error
 * }</pre>
 *
 * <p><b>Inputs.</b> Every input of {@link GenerationRequest} has a param for one value for all rows ({@code duration},
 * {@code topK}, {@code classifierFreeGuidance}, ...) and a param naming a per-row column ({@code durationCol},
 * {@code topKCol}, ...; numeric or string columns; a null cell falls back to the value param). An input set neither
 * way keeps {@link GenerationRequest}'s default. {@code inputAudioCol} takes a path or URI (string) or an encoded file
 * (binary). Seeds are per row only ({@code seedCol}); a row without one (null or -1) gets
 * {@link Seeds#derive(long, String) Seeds.derive(baseSeed, identity)}, never a random one, where the identity is the
 * {@code idCol} value (or, without {@code idCol}, the partition and position of the row).
 *
 * <p><b>Outputs</b> (appended to the input columns): the audio, as the encoded file ({@code audioCol}, binary, WAV or
 * MP3 per {@code outputFormat}) or, with {@code outputDir} set, the path of {@code outputDir/<id>.<ext>}
 * ({@code fileCol}); the seed used ({@code usedSeedCol}), the audio's length in seconds ({@code audioDurationCol}), the
 * seconds the generation took ({@code secondsCol}: conditioning + generation + decoding of the batch the row ran in,
 * not counting the wait for the generator), and {@code errorCol}: null on success, else why the row has no audio.
 *
 * <p><b>Executors.</b> Each executor JVM builds one {@link MusicGenerator} per model settings on its first row and
 * shares it with all its later tasks; it is closed when the JVM exits. Generations on one generator run one at a time,
 * each using the executor's cores through libtorch's threads, so give executors several cores rather than running
 * several single-core executors per machine (each would load its own model).
 *
 * <p><b>Batches.</b> With {@code batchSize > 1}, rows of a partition with equal sampling settings are generated
 * together ({@link MusicGenerator#generate(List)}), in the order of their identity; a batch's seed is the first row's.
 * As in audiocraft, a row's audio then depends on its batch-mates (text padding is not masked): batch size 1 (the
 * default) gives exactly what one {@code generate} call gives for the row's request and seed.
 *
 * <p><b>Errors.</b> A row whose inputs are invalid (an out-of-range value, an unreadable input audio, a cell that is
 * not a number) gets its message in {@code errorCol} and the job goes on; {@code failFast} makes it fail the task
 * instead. Other failures (the model cannot load, the engine fails, the output directory cannot be written) fail the
 * task, which Spark retries; a retry forms the same batches with the same seeds, and files are written atomically, so
 * it writes the same bytes.
 */
public final class MusicGenTransformer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;

    private final Param<String> model;
    private final StringArrayParam localRepos;
    private final BooleanParam offline;
    private final Param<String> cacheDir;
    private final Param<String> computeType;
    private final Param<String> device;
    private final BooleanParam stemSeparation;
    private final Param<String> demucsCheckpoint;

    private final Param<String> idCol;
    private final Param<String> promptCol;
    private final EnumMap<RequestInput, Param<String>> columnParams = new EnumMap<>(RequestInput.class);
    private final EnumMap<RequestInput, Param<Object>> valueParams = new EnumMap<>(RequestInput.class);
    private final LongParam baseSeed;
    private final IntParam batchSize;
    private final Param<String> outputDir;
    private final BooleanParam failFast;

    private final Param<String> audioCol;
    private final Param<String> fileCol;
    private final Param<String> usedSeedCol;
    private final Param<String> audioDurationCol;
    private final Param<String> secondsCol;
    private final Param<String> errorCol;

    public MusicGenTransformer() {
        this(Identifiable$.MODULE$.randomUID("musicgen"));
    }

    @SuppressWarnings("unchecked")
    public MusicGenTransformer(String uid) {
        this.uid = uid;
        model = new Param<>(
                this,
                "model",
                "the model: a version (small, medium, large, melody, stereo-small, ...), a "
                        + "Hugging Face repo id, or a directory present on every executor");
        localRepos = new StringArrayParam(
                this,
                "localRepos",
                "repo ids served from local directories, as ID=DIR "
                        + "(e.g. the T5 or EnCodec a checkpoint names), on every executor");
        offline = new BooleanParam(this, "offline", "never use the network (default: HF_HUB_OFFLINE of the executor)");
        cacheDir = new Param<>(
                this,
                "cacheDir",
                "the Hugging Face hub cache on the executors (default: HF_HUB_CACHE, "
                        + "$HF_HOME/hub, ~/.cache/huggingface/hub)");
        computeType = new Param<>(this, "computeType", "FLOAT32 or FLOAT16_WEIGHTS (default: MusicGenerator's)");
        device = new Param<>(
                this, "device", "cpu, gpu, gpuN or auto (default: MUSICGEN_DEVICE of the executor, " + "else auto)");
        stemSeparation = new BooleanParam(
                this,
                "stemSeparation",
                "separate melody inputs with HTDemucs first " + "(default: MusicGenerator's, true)");
        demucsCheckpoint = new Param<>(this, "demucsCheckpoint", "a local htdemucs checkpoint, on every executor");

        idCol = new Param<>(
                this,
                "idCol",
                "a column that identifies each row: it orders batches, derives seeds and "
                        + "names output files (required with outputDir)");
        promptCol = new Param<>(this, "promptCol", "the text prompt column (string)");
        for (RequestInput in : RequestInput.values()) {
            columnParams.put(
                    in,
                    new Param<>(
                            this,
                            in.colParam(),
                            "a per-row column for " + in.param + " ("
                                    + in.acceptedTypes() + "; null cells use "
                                    + (valueParam(in) ? in.param + ", else " : "")
                                    + "GenerationRequest's default)"));
            if (!valueParam(in)) {
                continue;
            }
            String doc = in.param + " of every row without a " + in.colParam() + " value (default: "
                    + "GenerationRequest's)";
            Param<?> p;
            switch (in.kind) {
                case DOUBLE:
                    p = new DoubleParam(this, in.param, doc);
                    break;
                case INT:
                    p = new IntParam(this, in.param, doc);
                    break;
                case BOOLEAN:
                    p = new BooleanParam(this, in.param, doc);
                    break;
                default:
                    p = new Param<String>(this, in.param, doc);
            }
            valueParams.put(in, (Param<Object>) p);
        }
        baseSeed = new LongParam(this, "baseSeed", "rows without a seed get one derived from this and their identity");
        batchSize = new IntParam(
                this,
                "batchSize",
                "rows generated together (>= 1); 1 gives exactly what a single " + "generate call gives",
                ParamValidators.gtEq(1));
        outputDir = new Param<>(
                this,
                "outputDir",
                "write each row's audio to outputDir/<id>.<ext> (a directory all "
                        + "executors share) and put its path in fileCol, instead of the bytes in audioCol");
        failFast = new BooleanParam(this, "failFast", "fail the task on a bad row instead of filling errorCol");
        audioCol = new Param<>(this, "audioCol", "output: the encoded audio (binary), without outputDir");
        fileCol = new Param<>(this, "fileCol", "output: the written file's path (string), with outputDir");
        usedSeedCol = new Param<>(this, "usedSeedCol", "output: the seed used (long)");
        audioDurationCol = new Param<>(this, "audioDurationCol", "output: the audio's length in seconds (double)");
        secondsCol = new Param<>(this, "secondsCol", "output: seconds the generation took (double)");
        errorCol = new Param<>(this, "errorCol", "output: null, or why the row has no audio (string)");

        setDefault(localRepos, new String[0]);
        setDefault(promptCol, "prompt");
        setDefault(baseSeed, 0L);
        setDefault(batchSize, 1);
        setDefault(failFast, false);
        setDefault(audioCol, "audio");
        setDefault(fileCol, "file");
        setDefault(usedSeedCol, "used_seed");
        setDefault(audioDurationCol, "audio_duration");
        setDefault(secondsCol, "seconds");
        setDefault(errorCol, "error");
    }

    /** Seeds come per row only; input audio per row only. */
    private static boolean valueParam(RequestInput in) {
        return in != RequestInput.SEED && in != RequestInput.INPUT_AUDIO;
    }

    public static MLReader<MusicGenTransformer> read() {
        return new DefaultParamsReadable<MusicGenTransformer>() {}.read();
    }

    public static MusicGenTransformer load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- transform ----

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in);
        PartitionGenerator.Config cfg = config(in);
        return dataset.toDF().mapPartitions(new PartitionGenerator(cfg), Encoders.row(out));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        config(schema); // validates the params against the input's columns
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        boolean files = isDefined(outputDir);
        String[][] outputs = {
            {files ? getFileCol() : getAudioCol(), files ? fileCol.name() : audioCol.name()},
            {getUsedSeedCol(), usedSeedCol.name()},
            {getAudioDurationCol(), audioDurationCol.name()},
            {getSecondsCol(), secondsCol.name()},
            {getErrorCol(), errorCol.name()},
        };
        DataType[] types = {
            files ? DataTypes.StringType : DataTypes.BinaryType,
            DataTypes.LongType,
            DataTypes.DoubleType,
            DataTypes.DoubleType,
            DataTypes.StringType
        };
        for (int i = 0; i < outputs.length; i++) {
            String name = outputs[i][0];
            if (Arrays.asList(schema.fieldNames()).contains(name)) {
                throw new IllegalArgumentException(outputs[i][1] + " '" + name + "' is already a column of the input; "
                        + "choose another output column name");
            }
            fields.add(DataTypes.createStructField(name, types[i], true));
        }
        return DataTypes.createStructType(fields);
    }

    /** The task's view of the params, checked against the input schema. */
    PartitionGenerator.Config config(StructType schema) {
        PartitionGenerator.Config c = new PartitionGenerator.Config();
        Map<String, String> repos = new LinkedHashMap<>();
        for (String spec : getLocalRepos()) {
            Map.Entry<String, String> e = GeneratorSettings.parseLocalRepo(spec);
            repos.put(e.getKey(), e.getValue());
        }
        c.settings = new GeneratorSettings(
                isDefined(model) ? getModel() : null,
                repos,
                (Boolean) opt(offline),
                opt(cacheDir),
                opt(computeType),
                opt(device),
                (Boolean) opt(stemSeparation),
                opt(demucsCheckpoint));
        c.promptCol = getPromptCol();
        c.promptIndex = column(schema, promptCol, getPromptCol());
        if (!(schema.fields()[c.promptIndex].dataType() instanceof StringType)) {
            throw new IllegalArgumentException("promptCol '" + getPromptCol() + "' must be a string column, but is "
                    + schema.fields()[c.promptIndex].dataType().simpleString());
        }
        if (isDefined(idCol)) {
            c.idCol = getIdCol();
            c.idIndex = column(schema, idCol, getIdCol());
        }
        GenerationRequest.Builder probe = GenerationRequest.builder().prompt("probe");
        for (RequestInput in : RequestInput.values()) {
            Param<String> cp = columnParams.get(in);
            if (isDefined(cp)) {
                int i = column(schema, cp, $(cp));
                DataType t = schema.fields()[i].dataType();
                if (!in.accepts(t)) {
                    throw new IllegalArgumentException(cp.name() + " '" + $(cp) + "' must be " + in.acceptedTypes()
                            + ", but is " + t.simpleString());
                }
                c.columns.put(in, i);
                c.columnNames.put(in, $(cp));
            }
            Param<Object> vp = valueParams.get(in);
            if (vp != null && isDefined(vp)) {
                c.values.put(in, $(vp));
                if (in != RequestInput.CONTINUATION) { // continuation needs a row's input audio
                    in.apply(probe, $(vp));
                }
            }
        }
        probe.build(); // a bad value for all rows fails here, on the driver, naming it
        c.baseSeed = getBaseSeed();
        c.batchSize = getBatchSize();
        c.failFast = getFailFast();
        if (isDefined(outputDir)) {
            if (!isDefined(idCol)) {
                throw new IllegalArgumentException("outputDir is set but idCol is not: output files are named "
                        + "<id>.<ext>, so rows need an id column");
            }
            c.outputDir = Path.of(getOutputDir()).toAbsolutePath().toString();
        }
        return c;
    }

    private static int column(StructType schema, Param<String> p, String name) {
        List<String> names = Arrays.asList(schema.fieldNames());
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(
                    p.name() + " '" + name + "' is not a column of the input; its columns " + "are " + names);
        }
        return i;
    }

    private <T> T opt(Param<T> p) {
        return isDefined(p) ? $(p) : null;
    }

    @Override
    public MusicGenTransformer copy(ParamMap extra) {
        return (MusicGenTransformer) defaultCopy(extra);
    }

    // ---- params: the model ----

    public Param<String> model() {
        return model;
    }

    public String getModel() {
        return $(model);
    }

    public MusicGenTransformer setModel(String value) {
        return (MusicGenTransformer) set(model, value);
    }

    public StringArrayParam localRepos() {
        return localRepos;
    }

    public String[] getLocalRepos() {
        return $(localRepos);
    }

    /** Entries {@code ID=DIR}, as the CLI's {@code --local-repo}. */
    public MusicGenTransformer setLocalRepos(String... value) {
        return (MusicGenTransformer) set(localRepos, value);
    }

    public BooleanParam offline() {
        return offline;
    }

    public boolean getOffline() {
        return (Boolean) $(offline);
    }

    public MusicGenTransformer setOffline(boolean value) {
        return (MusicGenTransformer) set(offline, value);
    }

    public Param<String> cacheDir() {
        return cacheDir;
    }

    public String getCacheDir() {
        return $(cacheDir);
    }

    public MusicGenTransformer setCacheDir(String value) {
        return (MusicGenTransformer) set(cacheDir, value);
    }

    public Param<String> computeType() {
        return computeType;
    }

    public String getComputeType() {
        return $(computeType);
    }

    public MusicGenTransformer setComputeType(String value) {
        return (MusicGenTransformer) set(computeType, value);
    }

    public Param<String> device() {
        return device;
    }

    public String getDevice() {
        return $(device);
    }

    public MusicGenTransformer setDevice(String value) {
        return (MusicGenTransformer) set(device, value);
    }

    public BooleanParam stemSeparation() {
        return stemSeparation;
    }

    public boolean getStemSeparation() {
        return (Boolean) $(stemSeparation);
    }

    public MusicGenTransformer setStemSeparation(boolean value) {
        return (MusicGenTransformer) set(stemSeparation, value);
    }

    public Param<String> demucsCheckpoint() {
        return demucsCheckpoint;
    }

    public String getDemucsCheckpoint() {
        return $(demucsCheckpoint);
    }

    public MusicGenTransformer setDemucsCheckpoint(String value) {
        return (MusicGenTransformer) set(demucsCheckpoint, value);
    }

    // ---- params: rows ----

    public Param<String> idCol() {
        return idCol;
    }

    public String getIdCol() {
        return $(idCol);
    }

    public MusicGenTransformer setIdCol(String value) {
        return (MusicGenTransformer) set(idCol, value);
    }

    public Param<String> promptCol() {
        return promptCol;
    }

    public String getPromptCol() {
        return $(promptCol);
    }

    public MusicGenTransformer setPromptCol(String value) {
        return (MusicGenTransformer) set(promptCol, value);
    }

    public LongParam baseSeed() {
        return baseSeed;
    }

    public long getBaseSeed() {
        return (Long) $(baseSeed);
    }

    public MusicGenTransformer setBaseSeed(long value) {
        return (MusicGenTransformer) set(baseSeed, value);
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public int getBatchSize() {
        return (Integer) $(batchSize);
    }

    public MusicGenTransformer setBatchSize(int value) {
        return (MusicGenTransformer) set(batchSize, value);
    }

    public Param<String> outputDir() {
        return outputDir;
    }

    public String getOutputDir() {
        return $(outputDir);
    }

    public MusicGenTransformer setOutputDir(String value) {
        return (MusicGenTransformer) set(outputDir, value);
    }

    public BooleanParam failFast() {
        return failFast;
    }

    public boolean getFailFast() {
        return (Boolean) $(failFast);
    }

    public MusicGenTransformer setFailFast(boolean value) {
        return (MusicGenTransformer) set(failFast, value);
    }

    // ---- params: per-row columns ----

    /** Names the per-row column of {@code in}. */
    MusicGenTransformer setCol(RequestInput in, String value) {
        return (MusicGenTransformer) set(columnParams.get(in), value);
    }

    public Param<String> durationCol() {
        return columnParams.get(RequestInput.DURATION);
    }

    public MusicGenTransformer setDurationCol(String value) {
        return setCol(RequestInput.DURATION, value);
    }

    public Param<String> seedCol() {
        return columnParams.get(RequestInput.SEED);
    }

    public MusicGenTransformer setSeedCol(String value) {
        return setCol(RequestInput.SEED, value);
    }

    public Param<String> temperatureCol() {
        return columnParams.get(RequestInput.TEMPERATURE);
    }

    public MusicGenTransformer setTemperatureCol(String value) {
        return setCol(RequestInput.TEMPERATURE, value);
    }

    public Param<String> topKCol() {
        return columnParams.get(RequestInput.TOP_K);
    }

    public MusicGenTransformer setTopKCol(String value) {
        return setCol(RequestInput.TOP_K, value);
    }

    public Param<String> topPCol() {
        return columnParams.get(RequestInput.TOP_P);
    }

    public MusicGenTransformer setTopPCol(String value) {
        return setCol(RequestInput.TOP_P, value);
    }

    public Param<String> classifierFreeGuidanceCol() {
        return columnParams.get(RequestInput.CLASSIFIER_FREE_GUIDANCE);
    }

    public MusicGenTransformer setClassifierFreeGuidanceCol(String value) {
        return setCol(RequestInput.CLASSIFIER_FREE_GUIDANCE, value);
    }

    public Param<String> inputAudioCol() {
        return columnParams.get(RequestInput.INPUT_AUDIO);
    }

    public MusicGenTransformer setInputAudioCol(String value) {
        return setCol(RequestInput.INPUT_AUDIO, value);
    }

    public Param<String> continuationCol() {
        return columnParams.get(RequestInput.CONTINUATION);
    }

    public MusicGenTransformer setContinuationCol(String value) {
        return setCol(RequestInput.CONTINUATION, value);
    }

    public Param<String> continuationStartCol() {
        return columnParams.get(RequestInput.CONTINUATION_START);
    }

    public MusicGenTransformer setContinuationStartCol(String value) {
        return setCol(RequestInput.CONTINUATION_START, value);
    }

    public Param<String> continuationEndCol() {
        return columnParams.get(RequestInput.CONTINUATION_END);
    }

    public MusicGenTransformer setContinuationEndCol(String value) {
        return setCol(RequestInput.CONTINUATION_END, value);
    }

    public Param<String> extendStrideCol() {
        return columnParams.get(RequestInput.EXTEND_STRIDE);
    }

    public MusicGenTransformer setExtendStrideCol(String value) {
        return setCol(RequestInput.EXTEND_STRIDE, value);
    }

    public Param<String> normalizationStrategyCol() {
        return columnParams.get(RequestInput.NORMALIZATION_STRATEGY);
    }

    public MusicGenTransformer setNormalizationStrategyCol(String value) {
        return setCol(RequestInput.NORMALIZATION_STRATEGY, value);
    }

    public Param<String> outputFormatCol() {
        return columnParams.get(RequestInput.OUTPUT_FORMAT);
    }

    public MusicGenTransformer setOutputFormatCol(String value) {
        return setCol(RequestInput.OUTPUT_FORMAT, value);
    }

    // ---- params: one value for every row ----

    private MusicGenTransformer setValue(RequestInput in, Object value) {
        return (MusicGenTransformer) set(valueParams.get(in), value);
    }

    public DoubleParam duration() {
        return (DoubleParam) (Param<?>) valueParams.get(RequestInput.DURATION);
    }

    public MusicGenTransformer setDuration(double seconds) {
        return setValue(RequestInput.DURATION, seconds);
    }

    public DoubleParam temperature() {
        return (DoubleParam) (Param<?>) valueParams.get(RequestInput.TEMPERATURE);
    }

    public MusicGenTransformer setTemperature(double value) {
        return setValue(RequestInput.TEMPERATURE, value);
    }

    public IntParam topK() {
        return (IntParam) (Param<?>) valueParams.get(RequestInput.TOP_K);
    }

    public MusicGenTransformer setTopK(int value) {
        return setValue(RequestInput.TOP_K, value);
    }

    public DoubleParam topP() {
        return (DoubleParam) (Param<?>) valueParams.get(RequestInput.TOP_P);
    }

    public MusicGenTransformer setTopP(double value) {
        return setValue(RequestInput.TOP_P, value);
    }

    public DoubleParam classifierFreeGuidance() {
        return (DoubleParam) (Param<?>) valueParams.get(RequestInput.CLASSIFIER_FREE_GUIDANCE);
    }

    public MusicGenTransformer setClassifierFreeGuidance(double value) {
        return setValue(RequestInput.CLASSIFIER_FREE_GUIDANCE, value);
    }

    public BooleanParam continuation() {
        return (BooleanParam) (Param<?>) valueParams.get(RequestInput.CONTINUATION);
    }

    public MusicGenTransformer setContinuation(boolean value) {
        return setValue(RequestInput.CONTINUATION, value);
    }

    public DoubleParam continuationStart() {
        return (DoubleParam) (Param<?>) valueParams.get(RequestInput.CONTINUATION_START);
    }

    public MusicGenTransformer setContinuationStart(double seconds) {
        return setValue(RequestInput.CONTINUATION_START, seconds);
    }

    public DoubleParam continuationEnd() {
        return (DoubleParam) (Param<?>) valueParams.get(RequestInput.CONTINUATION_END);
    }

    public MusicGenTransformer setContinuationEnd(double seconds) {
        return setValue(RequestInput.CONTINUATION_END, seconds);
    }

    public DoubleParam extendStride() {
        return (DoubleParam) (Param<?>) valueParams.get(RequestInput.EXTEND_STRIDE);
    }

    public MusicGenTransformer setExtendStride(double seconds) {
        return setValue(RequestInput.EXTEND_STRIDE, seconds);
    }

    @SuppressWarnings("unchecked") // created as a Param<String>, kept with the others as Param<Object>
    public Param<String> normalizationStrategy() {
        return (Param<String>) (Param<?>) valueParams.get(RequestInput.NORMALIZATION_STRATEGY);
    }

    /** loudness, clip, peak or rms. */
    public MusicGenTransformer setNormalizationStrategy(String value) {
        return setValue(RequestInput.NORMALIZATION_STRATEGY, value);
    }

    @SuppressWarnings("unchecked") // created as a Param<String>, kept with the others as Param<Object>
    public Param<String> outputFormat() {
        return (Param<String>) (Param<?>) valueParams.get(RequestInput.OUTPUT_FORMAT);
    }

    /** wav or mp3. */
    public MusicGenTransformer setOutputFormat(String value) {
        return setValue(RequestInput.OUTPUT_FORMAT, value);
    }

    // ---- params: output columns ----

    public Param<String> audioCol() {
        return audioCol;
    }

    public String getAudioCol() {
        return $(audioCol);
    }

    public MusicGenTransformer setAudioCol(String value) {
        return (MusicGenTransformer) set(audioCol, value);
    }

    public Param<String> fileCol() {
        return fileCol;
    }

    public String getFileCol() {
        return $(fileCol);
    }

    public MusicGenTransformer setFileCol(String value) {
        return (MusicGenTransformer) set(fileCol, value);
    }

    public Param<String> usedSeedCol() {
        return usedSeedCol;
    }

    public String getUsedSeedCol() {
        return $(usedSeedCol);
    }

    public MusicGenTransformer setUsedSeedCol(String value) {
        return (MusicGenTransformer) set(usedSeedCol, value);
    }

    public Param<String> audioDurationCol() {
        return audioDurationCol;
    }

    public String getAudioDurationCol() {
        return $(audioDurationCol);
    }

    public MusicGenTransformer setAudioDurationCol(String value) {
        return (MusicGenTransformer) set(audioDurationCol, value);
    }

    public Param<String> secondsCol() {
        return secondsCol;
    }

    public String getSecondsCol() {
        return $(secondsCol);
    }

    public MusicGenTransformer setSecondsCol(String value) {
        return (MusicGenTransformer) set(secondsCol, value);
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public String getErrorCol() {
        return $(errorCol);
    }

    public MusicGenTransformer setErrorCol(String value) {
        return (MusicGenTransformer) set(errorCol, value);
    }
}
