package dev.musicgen.internal.nn;

import ai.djl.util.Utils;

/**
 * Keeps DJL from phoning home. DJL's usage tracking ({@code ai.djl.util.Ec2Utils.callHome}, run when the engine
 * class loads and whenever a HuggingFace tokenizer is created) opens connections to the cloud metadata address
 * {@code 169.254.169.254} and, on a cloud machine, reports to DJL's vendor; it stays quiet only when
 * {@code OPT_OUT_TRACKING} is {@code true} (DJL reads the environment variable first, then the system property) or
 * DJL itself is offline ({@code ai.djl.offline}). An embeddable library must not do that for its users, so this SDK
 * sets the system property {@code OPT_OUT_TRACKING=true} before it first touches the engine or a tokenizer.
 *
 * <p>The switch: a user who sets {@code OPT_OUT_TRACKING} (the environment variable or {@code -DOPT_OUT_TRACKING})
 * to anything decides; {@code OPT_OUT_TRACKING=false} turns DJL's tracking back on. See {@code docs/HUB.md}.
 */
public final class UsageTracking {
    /** The name DJL reads, as an environment variable and as a system property. */
    public static final String OPT_OUT = "OPT_OUT_TRACKING";

    private UsageTracking() {}

    /** Opts out of DJL's tracking unless the user decided already; cheap and idempotent. */
    public static void optOut() {
        if (System.getenv(OPT_OUT) == null && System.getProperty(OPT_OUT) == null) {
            synchronized (UsageTracking.class) {
                if (System.getProperty(OPT_OUT) == null) {
                    System.setProperty(OPT_OUT, "true");
                }
            }
        }
    }

    /** {@link #optOut()}, then {@code engineName}: for the constant that names the engine, so reading it opts out. */
    public static String optOutBefore(String engineName) {
        optOut();
        return engineName;
    }

    /** Whether DJL's tracking is off, asked the way {@code Ec2Utils.callHome} asks (its offline mode, the switch). */
    public static boolean isOff() {
        return Utils.isOfflineMode() || Boolean.parseBoolean(Utils.getEnvOrSystemProperty(OPT_OUT));
    }
}
