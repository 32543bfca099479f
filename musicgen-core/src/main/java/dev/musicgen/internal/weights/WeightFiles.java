package dev.musicgen.internal.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The weight files of a Hugging Face model directory (an LM, a T5, an EnCodec): {@code model.safetensors}, a sharded
 * {@code model.safetensors.index.json}, or {@code pytorch_model.bin}, preferred in that order, opened as tensors
 * whose files stay open (mapped) until the caller closes them.
 */
public final class WeightFiles {
    /** The names looked for, in order of preference. */
    public static final List<String> HF_NAMES =
            List.of("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin");

    private WeightFiles() {}

    /** The first of {@link #HF_NAMES} that is a file in {@code dir}, or null when there is none. */
    public static Path find(Path dir) {
        for (String name : HF_NAMES) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The tensors of {@code file}: a {@code .bin} through the allow-listed torch unpickler, otherwise safetensors (a
     * single file or an index). What must be closed once the tensors are read is added to {@code toClose}.
     */
    public static Map<String, TensorData> open(Path file, List<AutoCloseable> toClose) {
        if (file.getFileName().toString().endsWith(".bin")) {
            TorchCheckpoint ck = TorchCheckpoint.open(file);
            toClose.add(ck);
            return ck.tensors(null);
        }
        return SafeTensorsFile.openAll(file, toClose);
    }

    /** Closes every file in {@code toClose} and empties it; read-only mappings fail in no way a caller could act on. */
    public static void closeAll(List<AutoCloseable> toClose) {
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception ignored) {
                // read-only files; nothing to recover
            }
        }
        toClose.clear();
    }
}
