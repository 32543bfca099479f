package dev.musicgen.spark;

import dev.musicgen.ComputeType;
import dev.musicgen.MusicGenerator;
import dev.musicgen.MusicGeneratorBuilder;
import dev.musicgen.device.DeviceSelector;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How an executor builds its {@link MusicGenerator}: the model and where its files come from. Serializable, so the
 * driver ships it with each task; equal settings share one generator per executor JVM ({@link GeneratorCache}).
 *
 * <p>This is the only class of the module that uses {@link MusicGeneratorBuilder}.
 */
final class GeneratorSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String model;
    private final Map<String, String> localRepos;
    private final Boolean offline;
    private final String cacheDir;
    private final String computeType;
    private final String device;
    private final Boolean stemSeparation;
    private final String demucsCheckpoint;

    /**
     * @param model            a version name, a Hub repo id or a directory (on every executor)
     * @param localRepos       repo id to directory, as the CLI's {@code --local-repo ID=DIR}
     * @param offline          null: the builder's default ({@code HF_HUB_OFFLINE})
     * @param cacheDir         null: the Hub cache of the executor's environment ({@code HF_HUB_CACHE}, {@code HF_HOME})
     * @param computeType      null: the builder's default
     * @param device           null: {@code MUSICGEN_DEVICE} of the executor, else auto
     * @param stemSeparation   null: the builder's default
     * @param demucsCheckpoint null: downloaded on the first melody
     */
    GeneratorSettings(
            String model,
            Map<String, String> localRepos,
            Boolean offline,
            String cacheDir,
            String computeType,
            String device,
            Boolean stemSeparation,
            String demucsCheckpoint) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must name a version (small, melody, ...), a Hub repo id or a "
                    + "directory, but is: " + (model == null ? "unset" : "'" + model + "'"));
        }
        this.model = model;
        this.localRepos = Collections.unmodifiableMap(new LinkedHashMap<>(localRepos));
        this.offline = offline;
        this.cacheDir = cacheDir;
        this.computeType =
                computeType == null ? null : parseComputeType(computeType).name();
        this.device = device;
        if (device != null) {
            DeviceSelector.named(device); // refuse a bad name on the driver, not on every executor
        }
        this.stemSeparation = stemSeparation;
        this.demucsCheckpoint = demucsCheckpoint;
    }

    /** Parses {@code ID=DIR} (the CLI's {@code --local-repo}). */
    static Map.Entry<String, String> parseLocalRepo(String spec) {
        int eq = spec == null ? -1 : spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException(
                    "localRepos entries must be ID=DIR (e.g. t5-base=/models/t5-base), " + "but one is: " + spec);
        }
        return Map.entry(spec.substring(0, eq).trim(), spec.substring(eq + 1).trim());
    }

    static ComputeType parseComputeType(String name) {
        try {
            return ComputeType.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "computeType must be one of FLOAT32, FLOAT16_WEIGHTS, but is: " + name, e);
        }
    }

    String model() {
        return model;
    }

    /** Loads the model (minutes for the large ones). */
    MusicGenerator build() {
        MusicGeneratorBuilder b = MusicGenerator.builder().model(model);
        localRepos.forEach((id, dir) -> b.localRepo(id, Path.of(dir)));
        if (offline != null) {
            b.offline(offline);
        }
        if (cacheDir != null) {
            b.cacheDir(Path.of(cacheDir));
        }
        if (computeType != null) {
            b.computeType(ComputeType.valueOf(computeType));
        }
        if (device != null) {
            b.device(DeviceSelector.named(device));
        }
        if (stemSeparation != null) {
            b.stemSeparation(stemSeparation);
        }
        if (demucsCheckpoint != null) {
            b.demucsCheckpoint(Path.of(demucsCheckpoint));
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GeneratorSettings)) {
            return false;
        }
        GeneratorSettings s = (GeneratorSettings) o;
        return model.equals(s.model)
                && localRepos.equals(s.localRepos)
                && Objects.equals(offline, s.offline)
                && Objects.equals(cacheDir, s.cacheDir)
                && Objects.equals(computeType, s.computeType)
                && Objects.equals(device, s.device)
                && Objects.equals(stemSeparation, s.stemSeparation)
                && Objects.equals(demucsCheckpoint, s.demucsCheckpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                model, localRepos, offline, cacheDir, computeType, device, stemSeparation, demucsCheckpoint);
    }

    @Override
    public String toString() {
        return "GeneratorSettings[model=" + model + (localRepos.isEmpty() ? "" : ", localRepos=" + localRepos)
                + (offline == null ? "" : ", offline=" + offline) + (cacheDir == null ? "" : ", cacheDir=" + cacheDir)
                + (computeType == null ? "" : ", computeType=" + computeType)
                + (device == null ? "" : ", device=" + device) + "]";
    }
}
