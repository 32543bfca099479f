package dev.musicgen.internal.loading;

import dev.musicgen.internal.hub.HubClient;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How models are found on the Hugging Face Hub, as the facade's builder and the CLI's options give it. A null field
 * leaves the setting to the environment ({@code HF_HUB_CACHE}, {@code HF_HOME}, {@code HF_HUB_OFFLINE}, ...): in
 * particular {@code offline} is null unless the user asked for a mode, so that {@code HF_HUB_OFFLINE=1} applies.
 *
 * @param cacheDir the hub cache, or null
 * @param offline true: never use the network; false or null: as the environment says (offline from any source
 *     wins, see docs/HUB.md)
 * @param localRepos repo ids served from local directories, in the order given
 */
public record HubChoices(Path cacheDir, Boolean offline, Map<String, Path> localRepos) {

    public HubChoices {
        localRepos = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(localRepos, "localRepos")));
    }

    /** Everything from the environment. */
    public static HubChoices fromEnvironment() {
        return new HubChoices(null, null, Map.of());
    }

    /** The one place a {@link HubClient} is configured from these settings. */
    HubClient client() {
        HubClient.Builder b = HubClient.builder();
        if (cacheDir != null) {
            b.cacheDir(cacheDir);
        }
        if (offline != null) {
            b.offline(offline);
        }
        localRepos.forEach(b::localRepo);
        return b.build();
    }
}
