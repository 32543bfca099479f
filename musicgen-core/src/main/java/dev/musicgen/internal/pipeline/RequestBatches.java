package dev.musicgen.internal.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Groups the requests of one {@code generate(List)} call into batches that run as one forward: each batch is led by
 * the first request not yet placed and takes every later one that can run with it. Order within a batch is the
 * callers'; every request lands in exactly one batch.
 */
public final class RequestBatches {
    private RequestBatches() {}

    /**
     * Runs every batch and returns the results in the order of {@code items}.
     *
     * @param run one result per item of the batch it is given, in that order
     */
    public static <T, R> List<R> run(List<T> items, BiPredicate<T, T> together, Function<List<T>, List<R>> run) {
        List<R> out = new ArrayList<>(Collections.nCopies(items.size(), null));
        for (List<Integer> batch : group(items, together)) {
            List<R> results = run.apply(batch.stream().map(items::get).toList());
            for (int k = 0; k < batch.size(); k++) {
                out.set(batch.get(k), results.get(k));
            }
        }
        return out;
    }

    /**
     * @param items the requests, in the caller's order
     * @param together whether the second can join a batch led by the first
     * @return the batches, as indexes into {@code items}, in the order of their first request
     */
    public static <T> List<List<Integer>> group(List<T> items, BiPredicate<T, T> together) {
        LinkedList<Integer> pending = new LinkedList<>();
        for (int i = 0; i < items.size(); i++) {
            pending.add(i);
        }
        List<List<Integer>> batches = new ArrayList<>();
        while (!pending.isEmpty()) {
            int first = pending.removeFirst();
            List<Integer> batch = new ArrayList<>(List.of(first));
            for (Iterator<Integer> it = pending.iterator(); it.hasNext(); ) {
                int j = it.next();
                if (together.test(items.get(first), items.get(j))) {
                    batch.add(j);
                    it.remove();
                }
            }
            batches.add(batch);
        }
        return batches;
    }
}
