package dev.musicgen.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Batch formation and seeds, without Spark or a model: what makes a retried task write the same bytes. */
class PartitionGeneratorTest {
    /** Rows (id, prompt, duration, seed) with id, duration and seed columns. */
    static PartitionGenerator generator(int batchSize, boolean failFast) {
        PartitionGenerator.Config c = new PartitionGenerator.Config();
        c.settings = new GeneratorSettings("small", Map.of(), null, null, null, null, null, null);
        c.idIndex = 0;
        c.idCol = "id";
        c.promptIndex = 1;
        c.promptCol = "prompt";
        c.columns.put(RequestInput.DURATION, 2);
        c.columnNames.put(RequestInput.DURATION, "duration");
        c.columns.put(RequestInput.SEED, 3);
        c.columnNames.put(RequestInput.SEED, "seed");
        c.baseSeed = 11;
        c.batchSize = batchSize;
        c.failFast = failFast;
        return new PartitionGenerator(c);
    }

    static List<String> describe(List<PartitionGenerator.Unit> units) {
        List<String> out = new ArrayList<>();
        for (PartitionGenerator.Unit u : units) {
            StringBuilder b = new StringBuilder();
            for (PartitionGenerator.Item i : u.items) {
                b.append(i.id).append(i.error != null ? "!" : "").append(' ');
            }
            out.add(b.append("seed ").append(u.seed).toString());
        }
        return out;
    }

    static final List<Row> ROWS = List.of(
            RowFactory.create("e", "p", 1.0, null),
            RowFactory.create("b", "p", 1.0, null),
            RowFactory.create("x", "p", "nope", null),
            RowFactory.create("a", "p", 1.0, null),
            RowFactory.create("d", "p", 2.0, null),
            RowFactory.create("c", "p", 1.0, 5L),
            RowFactory.create("f", "p", 1.0, -1L),
            RowFactory.create("g", "p", 2.0, null));

    @Test
    void batches_follow_the_ids_not_the_order_rows_arrive_in() {
        List<String> first = describe(generator(2, false).units(ROWS.iterator(), 3));
        List<Row> shuffled = new ArrayList<>(ROWS);
        Collections.reverse(shuffled);
        assertThat(describe(generator(2, false).units(shuffled.iterator(), 7))).isEqualTo(first);

        // sorted a b c d e f g x: duration 1 without a seed: a b | e f; c has its own seed; d g (duration 2)
        assertThat(first)
                .containsExactly(
                        "a b seed " + Seeds.derive(11, "a"),
                        "c seed 5",
                        "d g seed " + Seeds.derive(11, "d"),
                        "e f seed " + Seeds.derive(11, "e"),
                        "x! seed 0");
    }

    @Test
    void batch_size_1_gives_each_row_its_own_seed() {
        List<String> units = describe(generator(1, false).units(ROWS.iterator(), 0));
        assertThat(units)
                .contains(
                        "a seed " + Seeds.derive(11, "a"),
                        "b seed " + Seeds.derive(11, "b"),
                        "c seed 5",
                        "f seed " + Seeds.derive(11, "f"));
    }

    @Test
    void without_an_id_column_the_identity_is_the_partition_and_position() {
        PartitionGenerator.Config c = new PartitionGenerator.Config();
        c.settings = new GeneratorSettings("small", Map.of(), null, null, null, null, null, null);
        c.promptIndex = 1;
        List<PartitionGenerator.Unit> units =
                new PartitionGenerator(c).units(ROWS.subList(0, 2).iterator(), 4);
        assertThat(units.get(0).seed).isEqualTo(Seeds.derive(0, "p4/r0"));
        assertThat(units.get(1).seed).isEqualTo(Seeds.derive(0, "p4/r1"));
    }

    @Test
    void fail_fast_names_the_first_bad_row() {
        assertThatThrownBy(() -> generator(2, true).units(ROWS.iterator(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("row x: duration (column " + "'duration') must be a number, but is: nope");
    }

    @Test
    void derived_seeds_are_stable_and_valid() {
        assertThat(Seeds.derive(0, "a"))
                .isEqualTo(Seeds.derive(0, "a"))
                .isNotEqualTo(Seeds.derive(1, "a"))
                .isNotEqualTo(Seeds.derive(0, "b"));
        for (int i = 0; i < 1000; i++) {
            assertThat(Seeds.derive(i, "row " + i)).isBetween(0L, (long) Integer.MAX_VALUE);
        }
    }
}
