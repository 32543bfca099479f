package dev.musicgen.internal.t5;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The T5 tokenizer as audiocraft's {@code T5Conditioner.tokenize} uses it ({@code T5Tokenizer(entries, padding=True)},
 * sentencepiece), read from a local {@code tokenizer.json} with DJL's Hugging Face tokenizers: ids end with
 * {@code </s>}, rows are right-padded with id 0 to the longest row, nothing is truncated.
 *
 * <p>Deviation handled here: sentencepiece strips leading/trailing whitespace and collapses runs of whitespace before
 * it segments (after its nmt_nfkc normalization turns tabs and newlines into spaces), while the Hub's
 * {@code tokenizer.json} (Precompiled + Replace(" {2,}") + Metaspace) keeps a leading or trailing space as an extra
 * {@code ▁} token. {@link #normalizeWhitespace} does the sentencepiece part first.
 *
 * <p>A null or empty prompt is tokenized as {@code ""} (just {@code </s>}) and its whole attention-mask row is zero, as
 * audiocraft does for absent descriptions. The check is on the raw text: a prompt of blanks only keeps mask 1.
 *
 * <p>Holds a native tokenizer: close it.
 */
public final class T5Tokenizer implements AutoCloseable {
    /** The padding id of T5 vocabularies ({@code <pad>}). */
    public static final long PAD_ID = 0;

    /** Token ids and attention mask of a batch, both {@code [B][L]}, right-padded with {@link #PAD_ID} / 0. */
    public record TokenBatch(long[][] inputIds, long[][] attentionMask) {
        public int batchSize() {
            return inputIds.length;
        }

        /** Length L of every row (the longest tokenized prompt). */
        public int length() {
            return inputIds.length == 0 ? 0 : inputIds[0].length;
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final Path source;
    private boolean closed;

    private T5Tokenizer(HuggingFaceTokenizer tokenizer, Path source) {
        this.tokenizer = tokenizer;
        this.source = source;
    }

    /**
     * Loads {@code tokenizer.json} (a file, or a directory containing it) without touching the network.
     *
     * @throws IllegalArgumentException when the file does not exist
     */
    public static T5Tokenizer load(Path tokenizerJsonOrDir) {
        Path file = Files.isDirectory(tokenizerJsonOrDir)
                ? tokenizerJsonOrDir.resolve("tokenizer.json")
                : tokenizerJsonOrDir;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("T5 tokenizer file " + file + " does not exist (a T5 repo directory"
                    + " must contain tokenizer.json)");
        }
        TokenizerFileCheck.check(file);
        try {
            // padding/truncation off: we pad ourselves to the batch's longest row, and audiocraft never truncates
            dev.musicgen.internal.nn.UsageTracking.optOut(); // each new tokenizer would call home otherwise
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(
                    file, Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true"));
            return new T5Tokenizer(tok, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load T5 tokenizer " + file, e);
        }
    }

    /** The {@code tokenizer.json} this was read from. */
    public Path source() {
        return source;
    }

    /**
     * Sentencepiece's whitespace handling ({@code remove_extra_whitespaces}): strips leading and trailing whitespace
     * and collapses every run of whitespace (spaces, tabs, newlines, Unicode space separators) into one space.
     */
    public static String normalizeWhitespace(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        boolean pendingSpace = false;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = sb.length() > 0;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    /** Ids of one prompt, ending with {@code </s>}; null counts as {@code ""}. */
    public long[] encode(String text) {
        ensureOpen();
        String t = normalizeWhitespace(text == null ? "" : text);
        Encoding e = tokenizer.encode(t);
        return e.getIds();
    }

    /**
     * Tokenizes a batch as audiocraft's {@code T5Conditioner.tokenize}: padded to the longest row with id 0, mask 1
     * on real tokens, and rows whose prompt is null or {@code ""} get an all-zero mask.
     */
    public TokenBatch encodeBatch(List<String> texts) {
        ensureOpen();
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("texts must not be empty");
        }
        long[][] rows = new long[texts.size()][];
        int max = 0;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = encode(texts.get(i));
            max = Math.max(max, rows[i].length);
        }
        long[][] ids = new long[rows.length][max];
        long[][] mask = new long[rows.length][max];
        for (int i = 0; i < rows.length; i++) {
            Arrays.fill(ids[i], PAD_ID);
            System.arraycopy(rows[i], 0, ids[i], 0, rows[i].length);
            String raw = texts.get(i);
            if (raw != null && !raw.isEmpty()) {
                Arrays.fill(mask[i], 0, rows[i].length, 1L);
            }
        }
        return new TokenBatch(ids, mask);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("T5Tokenizer " + source + " is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }
}
