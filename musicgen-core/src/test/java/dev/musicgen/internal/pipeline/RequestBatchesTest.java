package dev.musicgen.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class RequestBatchesTest {
    @Test
    void groups_by_the_first_request_not_yet_placed_and_keeps_the_callers_order() {
        // null: cannot be batched (like a request with input audio)
        List<String> items = java.util.Arrays.asList("a", "b", null, "a", "b", "a", null);
        List<List<Integer>> batches = RequestBatches.group(items, (x, y) -> x != null && Objects.equals(x, y));
        assertThat(batches).containsExactly(List.of(0, 3, 5), List.of(1, 4), List.of(2), List.of(6));
    }

    @Test
    void runs_every_batch_and_puts_the_results_back_in_place() {
        List<String> items = List.of("x", "y", "x");
        List<List<String>> calls = new ArrayList<>();
        List<String> out = RequestBatches.run(items, String::equals, batch -> {
            calls.add(batch);
            return batch.stream().map(s -> s.toUpperCase() + batch.size()).toList();
        });
        assertThat(out).containsExactly("X2", "Y1", "X2");
        assertThat(calls).containsExactly(List.of("x", "x"), List.of("y"));
    }
}
