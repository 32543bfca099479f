package dev.musicgen.internal.hub;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Repository ids and file names that MusicGen checkpoints refer to on the Hugging Face Hub.
 *
 * <p>audiocraft's {@code xp.cfg} names its text encoder by the legacy id ({@code t5-base}); the Hub
 * moved these models under {@code google-t5/} and only redirects the old ids. We map them here so
 * the cache folder is the one Python uses today ({@code models--google-t5--t5-base}).
 */
public final class HubRepos {

    /** Legacy T5 ids as written in audiocraft configs, mapped to their current Hub repositories. */
    public static final Map<String, String> T5_ALIASES = Map.of(
            "t5-small", "google-t5/t5-small",
            "t5-base", "google-t5/t5-base",
            "t5-large", "google-t5/t5-large",
            "t5-3b", "google-t5/t5-3b",
            "t5-11b", "google-t5/t5-11b");

    /**
     * The 32 kHz EnCodec in transformers format. The 589-byte {@code compression_state_dict.bin}
     * of melody-large and all stereo repos is a pointer to it: {@code {'pretrained': ...}}.
     */
    public static final String ENCODEC_32KHZ = "facebook/encodec_32khz";

    /** MultiBand Diffusion weights; MusicGen uses {@link #MBD_MUSICGEN_FILE} from it. */
    public static final String MBD = "facebook/multiband-diffusion";

    /** The MBD checkpoint for MusicGen's 32 kHz EnCodec (4 bands, omegaconf configs inside). */
    public static final String MBD_MUSICGEN_FILE = "mbd_musicgen_32khz.th";

    /** The LM checkpoint of an audiocraft-format MusicGen repository ({@code best_state} + {@code xp.cfg}). */
    public static final String LM_FILE = "state_dict.bin";

    /** The compression model (full EnCodec, or a pointer to {@link #ENCODEC_32KHZ}). */
    public static final String COMPRESSION_FILE = "compression_state_dict.bin";

    /** The two files every audiocraft-format MusicGen repository has. */
    public static final List<String> AUDIOCRAFT_FILES = List.of(LM_FILE, COMPRESSION_FILE);

    private HubRepos() {}

    /**
     * The repository for a T5 name as found in {@code xp.cfg} ({@code conditioners.description.t5.name}):
     * a legacy id is mapped through {@link #T5_ALIASES}, anything else (already {@code owner/name},
     * or a local path) is returned unchanged.
     */
    public static String t5Repo(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("T5 name is required (e.g. t5-base), but is: " + name);
        }
        String trimmed = name.trim();
        return T5_ALIASES.getOrDefault(trimmed.toLowerCase(Locale.ROOT), trimmed);
    }
}
