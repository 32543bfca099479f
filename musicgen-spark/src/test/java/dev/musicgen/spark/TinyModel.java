package dev.musicgen.spark;

import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.device.DeviceSelector;
import dev.musicgen.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The tiny fixture model (musicgen_mono) fully offline, and the tests' shared Spark session. */
final class TinyModel {
    private TinyModel() {}

    static Path dir() {
        return Fixtures.path("models", "musicgen_mono");
    }

    /** The repos its checkpoint names, as ID=DIR. */
    static String[] localRepos() {
        return new String[] {
            "tiny/t5-a=" + Fixtures.path("models", "t5"), "tiny/encodec_32khz-a=" + Fixtures.path("encodec_hf", "model")
        };
    }

    /** The same as {@code --local-repo} options of the CLIs. */
    static List<String> localRepoArgs() {
        List<String> a = new ArrayList<>();
        for (String r : localRepos()) {
            a.add("--local-repo");
            a.add(r);
        }
        return a;
    }

    static MusicGenTransformer transformer(Path cacheDir) {
        return new MusicGenTransformer()
                .setModel(dir().toString())
                .setLocalRepos(localRepos())
                .setOffline(true)
                .setCacheDir(cacheDir.toString())
                .setDevice("cpu");
    }

    /** A generator of its own, built with the Java API, to compare with. */
    static MusicGenerator reference(Path cacheDir) {
        MusicGeneratorBuilder b = MusicGenerator.builder()
                .model(dir())
                .offline(true)
                .cacheDir(cacheDir)
                .device(DeviceSelector.cpu());
        for (String r : localRepos()) {
            Map.Entry<String, String> e = GeneratorSettings.parseLocalRepo(r);
            b.localRepo(e.getKey(), Path.of(e.getValue()));
        }
        return b.build();
    }

    /**
     * Local mode with 2 threads; a failed task is tried twice ({@code local[N,F]}: local mode ignores
     * spark.task.maxFailures), so a test can fail a first attempt and see the retry. One session for all tests.
     */
    static SparkSession spark() {
        return SparkSession.builder()
                .master("local[2,2]")
                .appName("musicgen-spark tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
