package dev.musicgen.spark;

import dev.musicgen.MusicGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link MusicGenerator} per executor JVM and settings: built on first use by whichever task needs it first (the
 * others wait for it), shared by every later task of the JVM, closed when the JVM exits. A generator runs one
 * generation at a time (its own lock), so the tasks of an executor take turns on it while libtorch's intra-op threads
 * use the executor's cores inside each forward.
 *
 * <p>A build that fails is not cached: the next task tries again (Spark retries the failed one).
 */
final class GeneratorCache {
    private static final Logger LOG = LoggerFactory.getLogger(GeneratorCache.class);
    private static final Map<GeneratorSettings, Slot> SLOTS = new ConcurrentHashMap<>();
    private static final AtomicBoolean HOOK = new AtomicBoolean();

    private GeneratorCache() {}

    /** The JVM's generator for {@code settings}, building it if this is the first call. */
    static MusicGenerator get(GeneratorSettings settings) {
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(GeneratorCache::closeAll, "musicgen-spark-close"));
        }
        return SLOTS.computeIfAbsent(settings, s -> new Slot()).get(settings);
    }

    /** How many times this JVM has built a generator for {@code settings} (1 once it is loaded). */
    static int builds(GeneratorSettings settings) {
        Slot s = SLOTS.get(settings);
        return s == null ? 0 : s.builds;
    }

    private static void closeAll() {
        List<Slot> slots = new ArrayList<>(SLOTS.values());
        SLOTS.clear();
        for (Slot s : slots) {
            s.close();
        }
    }

    /** One settings' generator; the monitor serializes its build. */
    private static final class Slot {
        private MusicGenerator generator;
        private int builds;

        synchronized MusicGenerator get(GeneratorSettings settings) {
            if (generator == null) {
                long t0 = System.nanoTime();
                generator = settings.build();
                builds++;
                LOG.info("built {} in {} ms for this executor", settings, (System.nanoTime() - t0) / 1_000_000);
            }
            return generator;
        }

        synchronized void close() {
            if (generator != null) {
                generator.close();
                generator = null;
            }
        }
    }
}
