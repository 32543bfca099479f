package dev.musicgen.internal.demucs;

import dev.musicgen.CheckpointException;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;

/**
 * Reads a demucs model package the way {@code demucs.states.load_model} (demucs 4.0.1) does, without Python: the
 * {@code torch.save} dict {@code {klass, args, kwargs, state, training_args, metrics}}. The pickle names five globals
 * beyond plain torch tensors, each allowed here only to build data:
 * <ul>
 *   <li>{@code demucs.htdemucs.HTDemucs}: the value of {@code klass}, a class reference (never called);
 *   <li>{@code fractions.Fraction}: {@code kwargs['segment']} ({@code Fraction('39/5')}) → {@link Fraction};
 *   <li>{@code numpy.dtype}, {@code numpy.core.multiarray.scalar}, {@code _codecs.encode}: the numpy float64 test
 *       metrics in {@code metrics}, decoded to Java numbers.
 * </ul>
 */
final class States {
    static final String HTDEMUCS_CLASS = "demucs.htdemucs.HTDemucs";

    private States() {}

    /** An exact rational as {@code fractions.Fraction} pickles it. */
    record Fraction(long numerator, long denominator) {
        Fraction {
            if (denominator == 0) {
                throw new PickleException("fractions.Fraction with a zero denominator");
            }
            if (denominator < 0) {
                numerator = -numerator;
                denominator = -denominator;
            }
        }

        /** {@code Fraction.__reduce__} gives {@code (Fraction, (str(self),))}; a (numerator, denominator) pair too. */
        static Fraction construct(Object[] args) {
            if (args.length == 1 && args[0] instanceof String) {
                String s = ((String) args[0]).trim();
                int slash = s.indexOf('/');
                try {
                    return slash < 0
                            ? new Fraction(Long.parseLong(s), 1)
                            : new Fraction(
                                    Long.parseLong(s.substring(0, slash).trim()),
                                    Long.parseLong(s.substring(slash + 1).trim()));
                } catch (NumberFormatException e) {
                    throw new PickleException("fractions.Fraction('" + s + "') is not an integer ratio");
                }
            }
            if (args.length == 2 && args[0] instanceof Number && args[1] instanceof Number) {
                return new Fraction(((Number) args[0]).longValue(), ((Number) args[1]).longValue());
            }
            throw new PickleException("unsupported fractions.Fraction arguments " + java.util.Arrays.toString(args));
        }
    }

    /** A Python class used only as a value (the package's {@code klass}); calling it is refused. */
    record ClassRef(String qualifiedName) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("refusing to call " + qualifiedName + " while unpickling");
        }

        @Override
        public String toString() {
            return qualifiedName;
        }
    }

    /** {@code numpy.dtype(kind, align, copy)} plus its BUILD state {@code (version, byteorder, ...)}. */
    static final class NumpyDtype implements TorchCheckpoint.BuildTarget {
        final String kind;
        boolean bigEndian;

        NumpyDtype(Object[] args) {
            if (args.length < 1 || !(args[0] instanceof String)) {
                throw new PickleException("unsupported numpy.dtype arguments " + java.util.Arrays.toString(args));
            }
            kind = (String) args[0];
        }

        @Override
        public void setState(Object state) {
            // (3, '<', None, None, None, -1, -1, 0): the second item is the byte order
            if (state instanceof List && ((List<?>) state).size() > 1) {
                bigEndian = ">".equals(((List<?>) state).get(1));
            } else {
                throw new PickleException("unsupported numpy.dtype state " + state);
            }
        }
    }

    /** The allowed extra globals, each building plain data. */
    static Map<String, IObjectConstructor> globals() {
        return Map.of(
                HTDEMUCS_CLASS,
                new ClassRef(HTDEMUCS_CLASS),
                "fractions.Fraction",
                Fraction::construct,
                "numpy.dtype",
                NumpyDtype::new,
                "numpy.core.multiarray.scalar",
                States::numpyScalar,
                "_codecs.encode",
                States::codecsEncode);
    }

    /** {@code _codecs.encode(text, 'latin1')}: how protocol 2 pickles Python 3 bytes. */
    private static Object codecsEncode(Object[] args) {
        if (args.length != 2 || !(args[0] instanceof String) || !(args[1] instanceof String)) {
            throw new PickleException("unsupported _codecs.encode arguments " + java.util.Arrays.toString(args));
        }
        String enc = ((String) args[1])
                .toLowerCase(java.util.Locale.ROOT)
                .replace("-", "")
                .replace("_", "");
        if (!enc.equals("latin1") && !enc.equals("iso88591")) {
            throw new PickleException("_codecs.encode with encoding '" + args[1] + "' is not supported (only latin1)");
        }
        String s = (String) args[0];
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
                throw new PickleException("_codecs.encode: character U+" + Integer.toHexString(c) + " is not latin1");
            }
            out[i] = (byte) c;
        }
        return out;
    }

    /** {@code numpy.core.multiarray.scalar(dtype, raw bytes)} → a Java number (or boolean) decoded by dtype. */
    private static Object numpyScalar(Object[] args) {
        if (args.length != 2 || !(args[0] instanceof NumpyDtype)) {
            throw new PickleException("unsupported numpy scalar arguments " + java.util.Arrays.toString(args));
        }
        NumpyDtype dt = (NumpyDtype) args[0];
        byte[] raw;
        if (args[1] instanceof byte[]) {
            raw = (byte[]) args[1];
        } else if (args[1] instanceof String) {
            raw = (byte[]) codecsEncode(new Object[] {args[1], "latin1"});
        } else {
            throw new PickleException("numpy scalar data must be bytes, but is " + args[1]);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(dt.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        String k = dt.kind;
        int need;
        Object v;
        switch (k) {
            case "f8":
                need = 8;
                v = raw.length == need ? b.getDouble() : null;
                break;
            case "f4":
                need = 4;
                v = raw.length == need ? b.getFloat() : null;
                break;
            case "i8":
                need = 8;
                v = raw.length == need ? b.getLong() : null;
                break;
            case "i4":
                need = 4;
                v = raw.length == need ? b.getInt() : null;
                break;
            case "i2":
                need = 2;
                v = raw.length == need ? (int) b.getShort() : null;
                break;
            case "i1":
                need = 1;
                v = raw.length == need ? (int) b.get() : null;
                break;
            case "u1":
                need = 1;
                v = raw.length == need ? b.get() & 0xff : null;
                break;
            case "b1":
                need = 1;
                v = raw.length == need ? b.get() != 0 : null;
                break;
            default:
                throw new PickleException("numpy scalar of dtype '" + k + "' is not supported");
        }
        if (v == null) {
            throw new PickleException("numpy scalar of dtype '" + k + "' needs " + need + " bytes, got " + raw.length);
        }
        return v;
    }

    /** A demucs package: the model's constructor arguments and its state dict (tensors stay lazy, keep it open). */
    static final class Package implements AutoCloseable {
        final HTDemucsConfig config;
        final Map<String, TensorData> state;
        private final TorchCheckpoint checkpoint;

        private Package(HTDemucsConfig config, Map<String, TensorData> state, TorchCheckpoint checkpoint) {
            this.config = config;
            this.state = state;
            this.checkpoint = checkpoint;
        }

        @Override
        public void close() {
            checkpoint.close();
        }
    }

    /** Opens {@code path}; the returned package must stay open until its tensors are loaded. */
    static Package open(Path path) {
        TorchCheckpoint ck = TorchCheckpoint.open(path, globals());
        try {
            Map<String, Object> root = ck.rootMap();
            for (String key : List.of("klass", "kwargs", "state")) {
                if (!root.containsKey(key)) {
                    throw new CheckpointException("checkpoint " + path + " is not a demucs model package: it has no '"
                            + key + "' entry (it has " + root.keySet() + ")");
                }
            }
            Object klass = root.get("klass");
            if (!(klass instanceof ClassRef) || !HTDEMUCS_CLASS.equals(((ClassRef) klass).qualifiedName())) {
                throw new CheckpointException("checkpoint " + path + " holds a " + klass + " model; only "
                        + HTDEMUCS_CLASS + " is supported");
            }
            Object args = root.get("args");
            if (args instanceof List && !((List<?>) args).isEmpty()) {
                throw new CheckpointException("checkpoint " + path + " has positional args " + args
                        + "; HTDemucs packages keep every argument in kwargs");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> state = (Map<String, Object>) root.get("state");
            if (state.containsKey("__quantized")) {
                throw new CheckpointException("checkpoint " + path + " is a DiffQ-quantized demucs model, which is not"
                        + " supported (use the unquantized htdemucs weights)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = (Map<String, Object>) root.get("kwargs");
            HTDemucsConfig config;
            try {
                config = HTDemucsConfig.fromKwargs(kwargs);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException("checkpoint " + path + ": " + e.getMessage(), e);
            }
            return new Package(config, ck.tensors("state"), ck);
        } catch (RuntimeException e) {
            ck.close();
            throw e;
        }
    }
}
