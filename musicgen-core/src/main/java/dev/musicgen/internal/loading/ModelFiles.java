package dev.musicgen.internal.loading;

import dev.musicgen.internal.hub.HubRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The files of one MusicGen model on disk.
 *
 * @param name how the model is named in messages (version name, repo id or path)
 * @param lm the language model: an audiocraft {@code state_dict.bin}, or an HF transformers directory
 * @param codec the compression model: an audiocraft {@code compression_state_dict.bin} (full or pointer), or the same
 *     HF transformers directory
 */
public record ModelFiles(String name, Path lm, Path codec) {

    public ModelFiles {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lm, "lm");
        Objects.requireNonNull(codec, "codec");
    }

    /**
     * The files of a local model, by its layout: a directory with {@code state_dict.bin} +
     * {@code compression_state_dict.bin} (audiocraft), a directory with {@code config.json} (HF transformers), or a
     * {@code state_dict.bin} with its {@code compression_state_dict.bin} beside it.
     *
     * @throws IllegalArgumentException naming the path when it does not exist or holds neither layout
     */
    public static ModelFiles of(Path p) {
        String name = p.toString();
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("model directory " + p + " does not exist");
        }
        Path lm;
        Path codec;
        if (Files.isDirectory(p) && Files.exists(p.resolve(HubRepos.LM_FILE))) {
            lm = p.resolve(HubRepos.LM_FILE);
            codec = p.resolve(HubRepos.COMPRESSION_FILE);
        } else if (Files.isDirectory(p) && Files.exists(p.resolve("config.json"))) {
            lm = p;
            codec = p;
        } else if (Files.isRegularFile(p)) {
            lm = p;
            codec = p.resolveSibling(HubRepos.COMPRESSION_FILE);
        } else {
            throw new IllegalArgumentException("model directory " + p + " holds neither state_dict.bin "
                    + "(audiocraft layout) nor config.json (HF transformers layout)");
        }
        if (!Files.exists(codec)) {
            throw new IllegalArgumentException(
                    "model " + p + " has no " + HubRepos.COMPRESSION_FILE + " beside its state_dict.bin");
        }
        return new ModelFiles(name, lm, codec);
    }
}
