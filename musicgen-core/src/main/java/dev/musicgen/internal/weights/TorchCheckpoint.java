package dev.musicgen.internal.weights;

import dev.musicgen.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;

/**
 * A {@code torch.save} checkpoint ({@code state_dict.bin}, {@code compression_state_dict.bin},
 * {@code mbd_musicgen_32khz.th}, {@code pytorch_model.bin}) read without Python: the zip archive's
 * {@code data.pkl} goes through an allow-listed unpickler and tensors map the {@code data/<key>} entries lazily.
 * The archive's root folder name is taken from the file, never assumed.
 */
public final class TorchCheckpoint implements AutoCloseable {
    private static final byte[] LEGACY_MAGIC = {
        (byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8
    };

    private final Path path;
    private final FileChannel channel;
    private final Object root;

    private TorchCheckpoint(Path path, FileChannel channel, Object root) {
        this.path = path;
        this.channel = channel;
        this.root = root;
    }

    /**
     * An object built by one of the caller's extra globals that also accepts pickle's BUILD opcode (Python's
     * {@code __setstate__}), e.g. {@code numpy.dtype} whose state is a tuple. The state arrives as plain Java
     * (lists, maps, strings, numbers, null); implementations must only store data.
     */
    public interface BuildTarget {
        void setState(Object state);
    }

    public static TorchCheckpoint open(Path path) {
        return open(path, Map.of());
    }

    /** Opens with extra allowed globals (each must construct data only), e.g. for demucs checkpoints. */
    public static TorchCheckpoint open(Path path, Map<String, IObjectConstructor> extraGlobals) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot open checkpoint " + path + ": " + e.getMessage(), e);
        }
        try {
            checkNotLegacy(path, ch);
            ZipDirectory zip = ZipDirectory.read(path, ch);
            ZipDirectory.Entry pkl = null;
            for (ZipDirectory.Entry e : zip.entries().values()) {
                if (e.name().endsWith("/data.pkl")
                        && e.name().indexOf('/') == e.name().length() - 9) {
                    pkl = e;
                    break;
                }
            }
            if (pkl == null) {
                throw new CheckpointException("invalid checkpoint " + path
                        + ": the zip archive has no <root>/data.pkl entry (not a torch.save file)");
            }
            String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
            ZipDirectory.Entry order = zip.entries().get(prefix + "byteorder");
            if (order != null) {
                String bo = StandardCharsets.US_ASCII
                        .decode(zip.bytes(order))
                        .toString()
                        .trim();
                if (!bo.equals("little")) {
                    throw new CheckpointException("invalid checkpoint " + path + ": byte order '" + bo
                            + "' is not supported (only little-endian)");
                }
            }
            ByteBuffer pb = zip.bytes(pkl);
            byte[] pickle = new byte[pb.remaining()];
            pb.get(pickle);
            String source = path.toString();
            TorchPickle unpickler = new TorchPickle(extraGlobals);
            Object root = unpickler.load(
                    pickle,
                    s -> {
                        ZipDirectory.Entry e = zip.entries().get(prefix + "data/" + s.key());
                        if (e == null) {
                            throw new CheckpointException(
                                    "invalid checkpoint " + path + ": storage " + s.key() + " is referenced but "
                                            + prefix + "data/" + s.key() + " is missing from the archive");
                        }
                        return new TorchStorage(source, s.key(), s.dtype(), s.numel(), () -> zip.bytes(e));
                    },
                    source);
            return new TorchCheckpoint(path, ch, root);
        } catch (IOException e) {
            close(ch);
            throw new CheckpointException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static void checkNotLegacy(Path path, FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(LEGACY_MAGIC.length);
        ch.read(head, 0);
        byte[] h = head.array();
        if (head.position() >= 2 && h[0] == (byte) 0x80 && h[1] <= 5) {
            boolean legacy = head.position() == LEGACY_MAGIC.length && java.util.Arrays.equals(h, LEGACY_MAGIC);
            throw new CheckpointException("unsupported checkpoint " + path + ": "
                    + (legacy
                            ? "it uses torch's legacy (pre-1.6) serialization format"
                            : "it is a bare pickle, not a torch.save zip archive")
                    + "; re-save it with a current torch.save (zip format)");
        }
        if (head.position() < 4 || h[0] != 'P' || h[1] != 'K') {
            throw new CheckpointException(
                    "invalid checkpoint " + path
                            + ": not a zip archive (a torch.save file starts with 'PK'); is it truncated or of another format?");
        }
    }

    /** The unpickled object as plain Java: maps, lists, strings, numbers, booleans, null and {@link TensorData}. */
    public Object root() {
        return root;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> rootMap() {
        if (!(root instanceof Map)) {
            throw new CheckpointException("checkpoint " + path + " does not hold a dict at its root");
        }
        return (Map<String, Object>) root;
    }

    /**
     * The tensors under {@code key} of the root dict (e.g. {@code best_state}), or of the root itself when key is
     * null, flattened with dotted names; each tensor carries its name.
     */
    public Map<String, TensorData> tensors(String key) {
        Object node = key == null ? root : rootMap().get(key);
        if (node == null) {
            throw new CheckpointException("checkpoint " + path + " has no '" + key + "' entry; it has "
                    + rootMap().keySet());
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, Object node, Map<String, TensorData> out) {
        if (node instanceof TensorData) {
            TensorData t = (TensorData) node;
            out.put(prefix, t.named(prefix));
        } else if (node instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
                flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
            }
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        close(channel);
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
