package dev.musicgen.spark;

import dev.musicgen.GeneratedAudio;
import dev.musicgen.GenerationRequest;
import dev.musicgen.MusicGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a task runs on its partition: every row becomes a request (or an error), the requests are grouped into batches
 * deterministically, and each batch runs through the executor's shared generator. Rows come out batch by batch, so a
 * partition holds one batch of audio in memory at a time (its input rows are held to sort and group them).
 *
 * <p>Batches: rows are ordered by their identity (the id column's value, then the position in the partition), and
 * rows with the same sampling settings and seed fill a batch in that order up to the batch size; rows with input
 * audio run alone, as {@link MusicGenerator#generate(List)} would run them. A retried task sees the same rows, so it
 * forms the same batches with the same seeds and writes the same bytes.
 */
final class PartitionGenerator implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PartitionGenerator.class);

    /** Everything a task needs, snapshotted from the transformer's params on the driver. */
    static final class Config implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        GeneratorSettings settings;
        int promptIndex;
        String promptCol;
        int idIndex = -1;
        String idCol;
        final EnumMap<RequestInput, Integer> columns = new EnumMap<>(RequestInput.class);
        final EnumMap<RequestInput, String> columnNames = new EnumMap<>(RequestInput.class);
        final EnumMap<RequestInput, Object> values = new EnumMap<>(RequestInput.class);
        long baseSeed;
        int batchSize = 1;
        String outputDir;
        boolean failFast;
    }

    private final Config c;

    PartitionGenerator(Config config) {
        this.c = config;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        TaskContext task = TaskContext.get();
        return new Rows(units(input, task == null ? 0 : task.partitionId()));
    }

    /** The partition's rows as batches (and error rows), in identity order; fails on a bad row with failFast. */
    List<Unit> units(Iterator<Row> input, int partition) {
        List<Item> items = new ArrayList<>();
        int position = 0;
        while (input.hasNext()) {
            items.add(plan(input.next(), position++, partition));
        }
        if (c.idIndex >= 0) {
            items.sort(
                    Comparator.comparing((Item i) -> i.id == null ? "" : i.id).thenComparingInt(i -> i.position));
        }
        for (Item i : items) {
            if (i.error != null && c.failFast) {
                throw new IllegalArgumentException("row " + i.identity + ": " + i.error);
            }
        }
        return units(items);
    }

    /** One input row: its request (validated, without a derived seed) or why it has none. */
    static final class Item {
        final Row row;
        final int position;
        final String id;
        final String identity;
        GenerationRequest request;
        String error;

        Item(Row row, int position, String id, String identity) {
            this.row = row;
            this.position = position;
            this.id = id;
            this.identity = identity;
        }
    }

    Item plan(Row row, int position, int partition) {
        String id = null;
        if (c.idIndex >= 0 && !row.isNullAt(c.idIndex)) {
            id = row.get(c.idIndex).toString();
        }
        String identity =
                c.idIndex >= 0 ? (id == null ? "(null id #" + position + ")" : id) : "p" + partition + "/r" + position;
        Item item = new Item(row, position, id, identity);
        try {
            if (c.outputDir != null) {
                checkFileName(id);
            }
            GenerationRequest.Builder b = GenerationRequest.builder();
            Object prompt = row.get(c.promptIndex);
            b.prompt(prompt == null ? null : prompt.toString());
            for (RequestInput in : RequestInput.values()) {
                Object v = null;
                Integer col = c.columns.get(in);
                if (col != null) {
                    v = in.read(row.get(col), c.columnNames.get(in));
                }
                if (v == null) {
                    v = c.values.get(in);
                }
                if (v == null) {
                    continue;
                }
                if (in == RequestInput.SEED) {
                    if ((Long) v != -1L) { // -1: "no seed", as in the Java API; derived below, never random
                        b.seed((Long) v);
                    }
                } else {
                    in.apply(b, v);
                }
            }
            item.request = b.build();
        } catch (IllegalArgumentException e) {
            item.error = message(e);
        }
        return item;
    }

    private void checkFileName(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(
                    "id (column '" + c.idCol + "') is empty: rows need an id to name their " + "file in outputDir");
        }
        if (id.equals(".")
                || id.equals("..")
                || id.contains("/")
                || id.contains("\\")
                || id.indexOf('\0') >= 0
                || id.length() > 200) {
            throw new IllegalArgumentException("id (column '" + c.idCol + "') must be usable as a file name (no / or "
                    + "\\, not . or .., at most 200 characters), but is: " + id);
        }
    }

    /** A batch to generate, or one row that failed before generation. */
    static final class Unit {
        final List<Item> items = new ArrayList<>();
        long seed;
    }

    /** Batches in the order of their first row; each error row is a unit of its own. */
    List<Unit> units(List<Item> items) {
        List<Unit> units = new ArrayList<>();
        Map<BatchKey, Unit> open = new LinkedHashMap<>();
        for (Item i : items) {
            if (i.error != null || c.batchSize == 1 || i.request.inputAudio().isPresent()) {
                Unit u = new Unit();
                u.items.add(i);
                units.add(u);
                continue;
            }
            BatchKey key = BatchKey.of(i.request);
            Unit u = open.get(key);
            if (u == null) {
                u = new Unit();
                open.put(key, u);
                units.add(u);
            }
            u.items.add(i);
            if (u.items.size() == c.batchSize) {
                open.remove(key);
            }
        }
        for (Unit u : units) {
            Item first = u.items.get(0);
            if (first.error == null) {
                OptionalLong s = first.request.seed();
                u.seed = s.isPresent() ? s.getAsLong() : Seeds.derive(c.baseSeed, first.identity);
            }
        }
        return units;
    }

    /** The settings {@link MusicGenerator#generate(List)} requires to be equal within one batched forward. */
    record BatchKey(
            double duration,
            double temperature,
            int topK,
            double topP,
            double cfg,
            double extendStride,
            boolean multiBandDiffusion,
            OptionalLong seed) {
        static BatchKey of(GenerationRequest r) {
            return new BatchKey(
                    r.duration(),
                    r.temperature(),
                    r.topK(),
                    r.topP(),
                    r.classifierFreeGuidance(),
                    r.extendStride(),
                    r.multiBandDiffusion(),
                    r.seed());
        }
    }

    /** Generates unit by unit as rows are pulled. */
    private final class Rows implements Iterator<Row> {
        private final Iterator<Unit> units;
        private final Deque<Row> ready = new ArrayDeque<>();

        Rows(List<Unit> units) {
            this.units = units.iterator();
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && units.hasNext()) {
                run(units.next(), ready);
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.removeFirst();
        }
    }

    private void run(Unit u, Deque<Row> out) {
        Item first = u.items.get(0);
        if (first.error != null) {
            out.add(row(first, null, null, null, null, first.error));
            return;
        }
        List<GenerationRequest> rs = new ArrayList<>();
        for (Item i : u.items) {
            rs.add(i.request.toBuilder().seed(u.seed).build());
        }
        MusicGenerator gen = GeneratorCache.get(c.settings);
        List<GeneratedAudio> audio;
        try {
            audio = gen.generate(rs);
        } catch (IllegalArgumentException e) {
            // a bad input only this row (or batch) has: an unreadable input audio, a melody on a non-melody model
            if (c.failFast) {
                throw new IllegalArgumentException("row " + first.identity + ": " + message(e), e);
            }
            for (Item i : u.items) {
                out.add(row(i, null, null, null, null, message(e)));
            }
            return;
        }
        LOG.debug("generated {} row(s) from {} with seed {}", rs.size(), first.identity, u.seed);
        for (int k = 0; k < rs.size(); k++) {
            Item i = u.items.get(k);
            GeneratedAudio a = audio.get(k);
            double seconds = a.timings().get("total").toNanos() / 1e9;
            Object payload;
            try {
                payload = c.outputDir == null ? a.toBytes(rs.get(k).outputFormat()) : write(i, a, rs.get(k));
            } catch (IllegalArgumentException e) { // e.g. a format that cannot hold this audio
                if (c.failFast) {
                    throw new IllegalArgumentException("row " + i.identity + ": " + message(e), e);
                }
                out.add(row(i, null, null, null, null, message(e)));
                continue;
            }
            out.add(row(i, payload, a.seed(), a.durationSeconds(), seconds, null));
        }
    }

    /** Writes {@code outputDir/<id>.<ext>} atomically (temp file + rename): a killed task leaves no partial file. */
    private String write(Item i, GeneratedAudio a, GenerationRequest r) {
        Path dir = Path.of(c.outputDir);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create outputDir " + dir + ": " + e.getMessage(), e);
        }
        Path target = dir.resolve(i.id + "." + r.outputFormat().extension());
        a.writeTo(target, r.outputFormat());
        return target.toString();
    }

    private static Row row(Item i, Object payload, Long seed, Double duration, Double seconds, String error) {
        int n = i.row.length();
        Object[] v = new Object[n + 5];
        for (int k = 0; k < n; k++) {
            v[k] = i.row.get(k);
        }
        v[n] = payload;
        v[n + 1] = seed;
        v[n + 2] = duration;
        v[n + 3] = seconds;
        v[n + 4] = error;
        return RowFactory.create(v);
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
