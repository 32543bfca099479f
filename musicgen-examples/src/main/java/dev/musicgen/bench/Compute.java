package dev.musicgen.bench;

import dev.musicgen.ComputeType;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * A compute type as the benchmark's command line names it: {@code fp32} ({@link ComputeType#FLOAT32}), {@code f16}
 * ({@link ComputeType#FLOAT16_WEIGHTS}) or {@code int8} ({@code ComputeType.INT8_WEIGHTS}, looked up by name so that
 * a build without it still runs the others and reports "int8 not available in this build").
 *
 * @param label the name on the command line and in the JSON records
 * @param type the compute type, or null where this build does not have it
 */
record Compute(String label, ComputeType type) {
    static final String INT8_NAME = "INT8_WEIGHTS";

    static Compute parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "fp32":
                return new Compute("fp32", ComputeType.FLOAT32);
            case "f16":
                return new Compute("f16", ComputeType.FLOAT16_WEIGHTS);
            case "int8":
                return new Compute("int8", byName(INT8_NAME));
            default:
                throw new IllegalArgumentException(
                        "--compute takes fp32, f16 and int8 (comma-separated), but got: " + text);
        }
    }

    /** The constant named {@code name}, or null where this build's {@link ComputeType} has none. */
    static ComputeType byName(String name) {
        for (ComputeType t : ComputeType.values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    boolean available() {
        return type != null;
    }

    /** Why a figure for this compute type is missing. */
    String unavailableReason() {
        return label + " not available in this build";
    }

    /** The compute type; fails with {@link #unavailableReason} where the build has none. */
    ComputeType require() {
        if (type == null) {
            throw new IllegalStateException(unavailableReason());
        }
        return type;
    }

    /** JVM options a child measuring this compute type needs: int8 runs on the incubating Vector API. */
    List<String> jvmOptions() {
        return label.equals("int8") ? List.of("--add-modules", "jdk.incubator.vector") : List.of();
    }

    /**
     * Approximate bytes per weight element of the LM's matrices in this compute type (fp32 4, fp16 2, int8 1 plus its
     * scales), for the "weights (MB)" columns; relative to the fp16 checkpoint that {@link RandomWeights} describes.
     */
    double widthOverF16() {
        if (type == ComputeType.FLOAT32) {
            return 2;
        }
        return label.equals("int8") ? 0.5 : 1;
    }

    /** The enum's name, or the label where the build has none. */
    String displayName() {
        return type == null ? label : type.name();
    }

    @Override
    public String toString() {
        return label;
    }

    /** picocli: one element of {@code --compute}. */
    static final class Converter implements CommandLine.ITypeConverter<Compute> {
        @Override
        public Compute convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
