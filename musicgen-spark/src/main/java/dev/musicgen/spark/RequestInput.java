package dev.musicgen.spark;

import dev.musicgen.GenerationRequest;
import dev.musicgen.InputAudio;
import dev.musicgen.NormalizationStrategy;
import dev.musicgen.OutputFormat;
import java.math.BigDecimal;
import java.util.Locale;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;

/**
 * The inputs of a {@link GenerationRequest} that a row may set, each with its Spark param names ({@code topK} for the
 * value of every row, {@code topKCol} for a per-row column) and its column name in the example job's CSV
 * ({@code top_k}, as Replicate names it). What a row leaves unset keeps {@link GenerationRequest}'s default.
 */
enum RequestInput {
    DURATION("duration", "duration", Kind.DOUBLE),
    SEED("seed", "seed", Kind.LONG),
    TEMPERATURE("temperature", "temperature", Kind.DOUBLE),
    TOP_K("topK", "top_k", Kind.INT),
    TOP_P("topP", "top_p", Kind.DOUBLE),
    CLASSIFIER_FREE_GUIDANCE("classifierFreeGuidance", "classifier_free_guidance", Kind.DOUBLE),
    INPUT_AUDIO("inputAudio", "input_audio", Kind.AUDIO),
    CONTINUATION("continuation", "continuation", Kind.BOOLEAN),
    CONTINUATION_START("continuationStart", "continuation_start", Kind.DOUBLE),
    CONTINUATION_END("continuationEnd", "continuation_end", Kind.DOUBLE),
    EXTEND_STRIDE("extendStride", "extend_stride", Kind.DOUBLE),
    NORMALIZATION_STRATEGY("normalizationStrategy", "normalization_strategy", Kind.STRING),
    OUTPUT_FORMAT("outputFormat", "output_format", Kind.STRING);

    /** How a value is read from a cell. */
    enum Kind {
        DOUBLE,
        LONG,
        INT,
        BOOLEAN,
        STRING,
        AUDIO
    }

    final String param;
    final String csvName;
    final Kind kind;

    RequestInput(String param, String csvName, Kind kind) {
        this.param = param;
        this.csvName = csvName;
        this.kind = kind;
    }

    /** The name of the Spark param that names this input's column. */
    String colParam() {
        return param + "Col";
    }

    /** Whether a column of this type can hold this input. */
    boolean accepts(DataType t) {
        switch (kind) {
            case DOUBLE:
            case LONG:
            case INT:
                return t instanceof NumericType || t instanceof StringType;
            case BOOLEAN:
                return t instanceof BooleanType || t instanceof StringType;
            case AUDIO:
                return t instanceof StringType || t instanceof BinaryType;
            default:
                return t instanceof StringType;
        }
    }

    String acceptedTypes() {
        switch (kind) {
            case DOUBLE:
            case LONG:
            case INT:
                return "a numeric or string column";
            case BOOLEAN:
                return "a boolean or string column";
            case AUDIO:
                return "a string (path or URI) or binary (encoded file) column";
            default:
                return "a string column";
        }
    }

    /**
     * A cell as this input's value: Double, Long, Integer, Boolean, String or InputAudio; null for a null or blank cell
     * (the input is then unset for the row).
     *
     * @throws IllegalArgumentException naming the input, the column and the value when the cell cannot be read
     */
    Object read(Object cell, String column) {
        if (cell == null || cell instanceof String && ((String) cell).isBlank()) {
            return null;
        }
        try {
            switch (kind) {
                case DOUBLE:
                    return cell instanceof Number
                            ? ((Number) cell).doubleValue()
                            : Double.parseDouble(((String) cell).trim());
                case LONG:
                    return integral(cell, Long.MIN_VALUE, Long.MAX_VALUE);
                case INT:
                    return (int) integral(cell, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case BOOLEAN:
                    return cell instanceof Boolean ? cell : bool((String) cell);
                case AUDIO:
                    return cell instanceof byte[] ? InputAudio.of((byte[]) cell) : InputAudio.parse((String) cell);
                default:
                    return cell.toString().trim();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    param + " (column '" + column + "') must be " + expected() + ", but is: " + cell, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(param + " (column '" + column + "'): " + e.getMessage(), e);
        }
    }

    private String expected() {
        return kind == Kind.DOUBLE ? "a number" : kind == Kind.BOOLEAN ? "true or false" : "a whole number";
    }

    private static long integral(Object cell, long min, long max) {
        BigDecimal v =
                cell instanceof Number ? new BigDecimal(cell.toString()) : new BigDecimal(((String) cell).trim());
        long l = v.longValueExact(); // ArithmeticException for 2.5 or out of range
        if (l < min || l > max) {
            throw new ArithmeticException("out of range");
        }
        return l;
    }

    private static Boolean bool(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("1") || v.equals("yes")) {
            return Boolean.TRUE;
        }
        if (v.equals("false") || v.equals("0") || v.equals("no")) {
            return Boolean.FALSE;
        }
        throw new NumberFormatException(s);
    }

    /** Sets this input on {@code b} (not SEED: seeds are chosen per batch). */
    void apply(GenerationRequest.Builder b, Object value) {
        switch (this) {
            case DURATION:
                b.duration((Double) value);
                break;
            case TEMPERATURE:
                b.temperature((Double) value);
                break;
            case TOP_K:
                b.topK((Integer) value);
                break;
            case TOP_P:
                b.topP((Double) value);
                break;
            case CLASSIFIER_FREE_GUIDANCE:
                b.classifierFreeGuidance((Double) value);
                break;
            case INPUT_AUDIO:
                b.inputAudio((InputAudio) value);
                break;
            case CONTINUATION:
                b.continuation((Boolean) value);
                break;
            case CONTINUATION_START:
                b.continuationStart((Double) value);
                break;
            case CONTINUATION_END:
                b.continuationEnd((Double) value);
                break;
            case EXTEND_STRIDE:
                b.extendStride((Double) value);
                break;
            case NORMALIZATION_STRATEGY:
                b.normalizationStrategy(NormalizationStrategy.fromName((String) value));
                break;
            case OUTPUT_FORMAT:
                b.outputFormat(OutputFormat.fromName((String) value));
                break;
            default:
                throw new IllegalStateException("seed is set per batch, not by apply");
        }
    }
}
