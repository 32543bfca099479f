package dev.musicgen;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The released MusicGen checkpoints, each at {@code facebook/musicgen-<name>} on the Hugging Face Hub.
 *
 * <p>Approximate sizes (LM parameters; the audiocraft-format {@code state_dict.bin} is fp16, plus a
 * 236 MB {@code compression_state_dict.bin} where the repo has a full EnCodec, or a 589-byte pointer to
 * {@code facebook/encodec_32khz} where marked *; T5-base adds about 0.9 GB). Sizes not quoted from the
 * Hub pages are estimates and marked ≈.
 *
 * <table>
 *   <caption>MusicGen checkpoints</caption>
 *   <tr><th>version</th><th>LM params</th><th>channels</th><th>melody</th><th>state_dict.bin</th></tr>
 *   <tr><td>small</td><td>≈300 M</td><td>mono</td><td>no</td><td>≈0.8 GB</td></tr>
 *   <tr><td>medium</td><td>≈1.5 B</td><td>mono</td><td>no</td><td>3.68 GB</td></tr>
 *   <tr><td>large</td><td>≈3.3 B</td><td>mono</td><td>no</td><td>6.51 GB</td></tr>
 *   <tr><td>melody</td><td>≈1.5 B</td><td>mono</td><td>yes</td><td>2.77 GB</td></tr>
 *   <tr><td>melody-large *</td><td>≈3.3 B</td><td>mono</td><td>yes</td><td>4.9 GB</td></tr>
 *   <tr><td>stereo-small *</td><td>≈300 M</td><td>stereo</td><td>no</td><td>≈0.8 GB</td></tr>
 *   <tr><td>stereo-medium *</td><td>≈1.5 B</td><td>stereo</td><td>no</td><td>3.73 GB</td></tr>
 *   <tr><td>stereo-large *</td><td>≈3.3 B</td><td>stereo</td><td>no</td><td>6.58 GB</td></tr>
 *   <tr><td>stereo-melody *</td><td>≈1.5 B</td><td>stereo</td><td>yes</td><td>≈2.8 GB</td></tr>
 *   <tr><td>stereo-melody-large *</td><td>≈3.3 B</td><td>stereo</td><td>yes</td><td>≈4.9 GB</td></tr>
 * </table>
 */
public enum ModelVersion {
    SMALL("small", 300_000_000L),
    MEDIUM("medium", 1_500_000_000L),
    LARGE("large", 3_300_000_000L),
    MELODY("melody", 1_500_000_000L),
    MELODY_LARGE("melody-large", 3_300_000_000L),
    STEREO_SMALL("stereo-small", 300_000_000L),
    STEREO_MEDIUM("stereo-medium", 1_500_000_000L),
    STEREO_LARGE("stereo-large", 3_300_000_000L),
    STEREO_MELODY("stereo-melody", 1_500_000_000L),
    STEREO_MELODY_LARGE("stereo-melody-large", 3_300_000_000L);

    private static final String OWNER = "facebook/";
    private static final String PREFIX = "musicgen-";

    private final String versionName;
    private final long approxParameters;

    ModelVersion(String versionName, long approxParameters) {
        this.versionName = versionName;
        this.approxParameters = approxParameters;
    }

    /** The short name used by audiocraft and Replicate, e.g. {@code stereo-melody-large}. */
    public String versionName() {
        return versionName;
    }

    /** The Hub repository, e.g. {@code facebook/musicgen-stereo-melody-large}. */
    public String repoId() {
        return OWNER + PREFIX + versionName;
    }

    /** Two output channels (8 codebooks interleaved L/R). */
    public boolean isStereo() {
        return versionName.startsWith("stereo-");
    }

    /** Accepts a melody (chroma) condition. */
    public boolean hasMelody() {
        return versionName.contains("melody");
    }

    /** The LM's parameter count, rounded (see the table in the class comment). */
    public long approxParameters() {
        return approxParameters;
    }

    /**
     * Parses {@code small}, {@code musicgen-small} or {@code facebook/musicgen-small}
     * (case-insensitive; {@code _} may stand for {@code -}).
     *
     * @throws IllegalArgumentException naming the value and listing the allowed names
     */
    public static ModelVersion fromName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (n.startsWith(OWNER)) {
                n = n.substring(OWNER.length());
            }
            if (n.startsWith(PREFIX)) {
                n = n.substring(PREFIX.length());
            }
            for (ModelVersion v : values()) {
                if (v.versionName.equals(n)) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("model version must be one of [" + allowedNames()
                + "] (optionally prefixed with musicgen- or facebook/musicgen-), but is: " + name);
    }

    private static String allowedNames() {
        return Arrays.stream(values()).map(ModelVersion::versionName).collect(Collectors.joining(", "));
    }
}
