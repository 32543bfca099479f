package dev.musicgen.internal.lm;

/**
 * How the LM cuts a long input (a continuation prompt's prefill, teacher forcing) into blocks so that no full-size
 * temporary is allocated: attention over blocks of queries, the feed-forward over blocks of rows. Rows are
 * independent, so the result is that of one block; only the peak memory and the speed change. Fixed per model at load
 * ({@link #DEFAULT} in production; tests load a model with small blocks to prove the blocked path).
 *
 * @param maxScoreElements score elements per block of queries in attention ({@code [N, H, rows, Tk]})
 * @param ffnBlockRows rows per block of the feed-forward
 */
record Blocking(long maxScoreElements, int ffnBlockRows) {
    /** 8 MB of fp32 scores; a {@code [512, ffn]} activation stays around 8 MB on the released models. */
    static final Blocking DEFAULT = new Blocking(1L << 21, 512);

    Blocking {
        if (maxScoreElements < 1 || ffnBlockRows < 1) {
            throw new IllegalArgumentException("maxScoreElements and ffnBlockRows must be >= 1, but are "
                    + maxScoreElements + " and " + ffnBlockRows);
        }
    }
}
