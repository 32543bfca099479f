package dev.musicgen.internal.nn;

import ai.djl.engine.Engine;
import ai.djl.util.Utils;
import dev.musicgen.MusicGenException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine the way this SDK needs it: usage tracking off first ({@link UsageTracking}), a note on
 * the first run that libtorch is being unpacked (a ~445 MB one-time step that otherwise looks like a hang), and a
 * message that says what happened when the engine is missing from the class path.
 */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    private Engines() {}

    /** The PyTorch engine, started on first use. */
    public static Engine pytorch() {
        UsageTracking.optOut();
        noteFirstRun();
        try {
            return Engine.getEngine(F.ENGINE);
        } catch (IllegalArgumentException e) {
            if (!Engine.hasEngine(F.ENGINE)) {
                throw new MusicGenException(missingEngineMessage(), e);
            }
            throw e;
        }
    }

    /**
     * Why the engine can be missing although its jar is there: DJL registers engines through
     * {@code META-INF/services/ai.djl.engine.EngineProvider}, which several of its jars ship; packaging that keeps one
     * copy of same-named files (maven-assembly's jar-with-dependencies) drops the PyTorch entry.
     */
    static String missingEngineMessage() {
        return "DJL's PyTorch engine (ai.djl.pytorch:pytorch-engine) was not found on the class path. If it is a "
                + "dependency, the application was probably packaged into one jar in a way that keeps only one copy of "
                + "each META-INF/services file (e.g. maven-assembly-plugin's jar-with-dependencies), which drops the "
                + "engine's registration: package with maven-shade-plugin and its ServicesResourceTransformer (see "
                + "the README's 'Packaging your application' section)";
    }

    private static boolean noted;

    private static synchronized void noteFirstRun() {
        if (noted) {
            return;
        }
        noted = true;
        if (System.getProperty("ai.djl.pytorch.native_helper") != null
                || System.getenv("PYTORCH_LIBRARY_PATH") != null) {
            return; // the user supplies libtorch: nothing is unpacked
        }
        Path dir = Utils.getEngineCacheDir("pytorch");
        if (!hasEntries(dir)) {
            LOG.info(
                    "first run: unpacking libtorch's native libraries (~445 MB) into {} (once; set DJL_CACHE_DIR to "
                            + "put them elsewhere)",
                    dir);
        }
    }

    private static boolean hasEntries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return true; // unreadable: say nothing rather than something wrong
        }
    }
}
