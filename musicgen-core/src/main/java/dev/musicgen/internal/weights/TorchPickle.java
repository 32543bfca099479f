package dev.musicgen.internal.weights;

import dev.musicgen.CheckpointException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * A safe unpickler for {@code torch.save} payloads. Every global the pickle names is looked up in an allow-list of
 * data-only constructors (tensor rebuild functions, typed storages, {@code OrderedDict}, omegaconf containers, a few
 * type markers); anything else is refused with its name. Nothing is ever executed: globals only ever build plain
 * Java values.
 */
final class TorchPickle {
    /** A Python class or function reference that is only ever used as a value (e.g. omegaconf's type metadata). */
    record PyGlobal(String module, String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("refusing to call " + module + "." + name + " while unpickling");
        }

        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A torch typed-storage class, e.g. {@code torch.FloatStorage}; only used inside persistent ids. */
    record StorageType(String name, DType dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("refusing to construct torch." + name + " directly");
        }
    }

    /** A storage named by a persistent id: bytes live in {@code <root>/data/<key>}. */
    record Storage(DType dtype, String key, long numel) {}

    /** An object whose state is kept as a map (omegaconf containers and nodes, {@code OrderedDict} metadata). */
    static final class PyObject {
        final String module;
        final String name;
        Map<Object, Object> state = new HashMap<>();

        PyObject(String module, String name) {
            this.module = module;
            this.name = name;
        }

        @SuppressWarnings("unchecked")
        public void __setstate__(HashMap<?, ?> s) {
            state = (Map<Object, Object>) s;
        }

        String qualifiedName() {
            return module + "." + name;
        }
    }

    /** {@code OrderedDict}/{@code defaultdict}: a map whose pickled attributes (e.g. {@code _metadata}) are dropped. */
    static final class PyDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        public void __setstate__(HashMap<?, ?> ignored) {
            // state_dict._metadata (per-module versions) carries nothing we need
        }
    }

    private static final Set<String> OMEGACONF = Set.of(
            "omegaconf.dictconfig.DictConfig",
            "omegaconf.listconfig.ListConfig",
            "omegaconf.base.ContainerMetadata",
            "omegaconf.base.Metadata",
            "omegaconf.nodes.AnyNode",
            "omegaconf.nodes.StringNode",
            "omegaconf.nodes.IntegerNode",
            "omegaconf.nodes.FloatNode",
            "omegaconf.nodes.BooleanNode",
            "omegaconf.nodes.EnumNode",
            "omegaconf.nodes.BytesNode",
            "omegaconf.nodes.PathNode",
            "omegaconf.nodes.ValueNode");

    /** Builtin types that only appear as values (omegaconf's ref_type/object_type, defaultdict factories). */
    private static final Set<String> TYPE_MARKERS = Set.of(
            "typing.Any",
            "builtins.dict",
            "builtins.list",
            "builtins.int",
            "builtins.long",
            "builtins.float",
            "builtins.str",
            "builtins.bool",
            "builtins.tuple",
            "builtins.object",
            "builtins.bytes",
            "pathlib.Path",
            "pathlib.PosixPath");

    private final Map<String, IObjectConstructor> extra;

    /**
     * @param extra additional allowed globals for callers that need them (e.g. demucs checkpoints), keyed by
     *     "module.name"; each must build data only.
     */
    TorchPickle(Map<String, IObjectConstructor> extra) {
        this.extra = Map.copyOf(extra);
    }

    Object load(byte[] pickle, Function<Storage, TorchStorage> storages, String source) {
        SafeUnpickler u = new SafeUnpickler(storages, source);
        try {
            return toJava(u.load(new ByteArrayInputStream(pickle)));
        } catch (CheckpointException e) {
            throw e;
        } catch (StackOverflowError e) {
            // the unpickler's own structures (e.g. hashing a set that holds itself) recurse; nothing was executed
            throw new CheckpointException("refusing to load " + source + ": the pickle nests or references itself "
                    + "too deeply to be a checkpoint");
        } catch (PickleException | IOException | ClassCastException | IndexOutOfBoundsException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
                if (root instanceof CheckpointException) {
                    throw (CheckpointException) root;
                }
            }
            throw new CheckpointException("cannot unpickle " + source + ": " + e.getMessage(), e);
        } finally {
            u.close();
        }
    }

    IObjectConstructor resolve(String module, String name, String source) {
        if (module.equals("__builtin__")) {
            module = "builtins";
        }
        String q = module + "." + name;
        IObjectConstructor c = extra.get(q);
        if (c != null) {
            return c;
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            DType dt = DType.fromTorchStorage(name);
            if (dt != null) {
                return new StorageType(name, dt);
            }
        }
        switch (q) {
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return TorchPickle::rebuildTensor;
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return args -> args[0];
            case "collections.OrderedDict":
                return args -> {
                    PyDict d = new PyDict();
                    if (args.length == 1 && args[0] instanceof Collection) {
                        for (Object kv : (Collection<?>) args[0]) {
                            Object[] pair = kv instanceof Object[] ? (Object[]) kv : ((List<?>) kv).toArray();
                            d.put(pair[0], pair[1]);
                        }
                    }
                    return d;
                };
            case "collections.defaultdict":
                return args -> new PyDict();
            case "builtins.set":
            case "builtins.frozenset":
                return args -> args.length == 0 ? new HashSet<>() : new HashSet<>((Collection<?>) args[0]);
            default:
                break;
        }
        if (OMEGACONF.contains(q)) {
            final String m = module;
            return args -> new PyObject(m, name);
        }
        if (TYPE_MARKERS.contains(q)) {
            return new PyGlobal(module, name);
        }
        throw new CheckpointException("refusing to load " + source + ": it references the Python global '" + q
                + "', which is not on the allow-list of data-only types (nothing was executed)");
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof TorchStorage)) {
            throw new PickleException("unexpected arguments to _rebuild_tensor");
        }
        TorchStorage storage = (TorchStorage) args[0];
        long offset = ((Number) args[1]).longValue();
        long[] size = longs(args[2]);
        long[] stride = longs(args[3]);
        return storage.view(offset, size, stride);
    }

    private static long[] longs(Object tuple) {
        Object[] a = tuple instanceof Object[] ? (Object[]) tuple : ((List<?>) tuple).toArray();
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = ((Number) a[i]).longValue();
        }
        return out;
    }

    /** Deeper structures are refused: checkpoints nest a few levels (config dicts inside the state). */
    static final int MAX_DEPTH = 100;

    /** Converts pickled containers into plain Java: maps, lists, strings, numbers, booleans, null, TensorData. */
    static Object toJava(Object o) {
        return new Converter().toJava(o, 0);
    }

    /**
     * One conversion: {@code open} holds the containers on the path from the root (a second visit is a cycle), and
     * {@code done} the converted ones, so that a container shared many times (a "billion laughs" pickle) converts once.
     */
    private static final class Converter {
        private final Set<Object> open = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private final Map<Object, Object> done = new java.util.IdentityHashMap<>();

        private Object toJava(Object o, int depth) {
            if (depth > MAX_DEPTH) {
                throw new PickleException("the pickle nests containers deeper than " + MAX_DEPTH + " levels");
            }
            boolean container = o instanceof PyObject || o instanceof Map || o instanceof Object[] || o instanceof List;
            if (!container) {
                return convert(o, depth);
            }
            if (done.containsKey(o)) {
                return done.get(o);
            }
            if (!open.add(o)) {
                throw new PickleException("the pickle holds a container that contains itself (a reference cycle)");
            }
            try {
                Object converted = convert(o, depth);
                done.put(o, converted);
                return converted;
            } finally {
                open.remove(o);
            }
        }

        private Object convert(Object o, int depth) {
            if (o instanceof PyObject) {
                PyObject p = (PyObject) o;
                Object content = p.state.get("_content");
                switch (p.name) {
                    case "DictConfig":
                    case "ListConfig":
                        return toJava(content, depth + 1);
                    case "ContainerMetadata":
                    case "Metadata":
                        return null;
                    default:
                        return toJava(p.state.get("_val"), depth + 1);
                }
            }
            if (o instanceof Map) {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                    out.put(e.getKey(), toJava(e.getValue(), depth + 1));
                }
                return out;
            }
            if (o instanceof Object[] || o instanceof List) {
                List<Object> out = new ArrayList<>();
                for (Object x : o instanceof Object[] ? java.util.Arrays.asList((Object[]) o) : (List<?>) o) {
                    out.add(toJava(x, depth + 1));
                }
                return out;
            }
            if (o instanceof PyGlobal) {
                return o.toString();
            }
            return o;
        }
    }

    private final class SafeUnpickler extends Unpickler {
        private final Function<Storage, TorchStorage> storages;
        private final String source;
        private final Map<String, TorchStorage> seen = new HashMap<>();

        SafeUnpickler(Function<Storage, TorchStorage> storages, String source) {
            this.storages = storages;
            this.source = source;
        }

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            switch (key) {
                case Opcodes.GLOBAL: {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    stack.add(resolve(module, name, source));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.STACK_GLOBAL: {
                    String name = (String) stack.pop();
                    String module = (String) stack.pop();
                    stack.add(resolve(module, name, source));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.BUILD: {
                    // handled here rather than by reflective __setstate__ calls: only our own state holders accept it
                    Object state = stack.pop();
                    Object target = stack.peek();
                    if (target instanceof PyObject && state instanceof HashMap) {
                        ((PyObject) target).__setstate__((HashMap<?, ?>) state);
                    } else if (target instanceof TorchCheckpoint.BuildTarget) {
                        // a caller's extra global (e.g. numpy.dtype) that takes its state as plain data
                        ((TorchCheckpoint.BuildTarget) target).setState(toJava(state));
                    } else if (!(target instanceof PyDict)) {
                        throw new CheckpointException("refusing to load " + source + ": BUILD on unexpected "
                                + (target == null ? "null" : target.getClass().getSimpleName()));
                    }
                    return NO_RETURN_VALUE;
                }
                case Opcodes.INST:
                case Opcodes.EXT1:
                case Opcodes.EXT2:
                case Opcodes.EXT4:
                    throw new CheckpointException("refusing to load " + source + ": pickle opcode " + key
                            + " (class instantiation by name / extension registry) is not allowed");
                default:
                    return super.dispatch(key);
            }
        }

        @Override
        protected Object persistentLoad(Object pid) {
            Object[] t = pid instanceof Object[] ? (Object[]) pid : null;
            if (t == null || t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType)) {
                throw new CheckpointException("refusing to load " + source + ": unsupported persistent id "
                        + java.util.Arrays.deepToString(t == null ? new Object[] {pid} : t));
            }
            StorageType st = (StorageType) t[1];
            String storageKey = String.valueOf(t[2]);
            long numel = ((Number) t[4]).longValue();
            return seen.computeIfAbsent(storageKey, k -> storages.apply(new Storage(st.dtype(), k, numel)));
        }

        InputStream in() {
            return input;
        }
    }
}
