package dev.musicgen.internal.pipeline;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Runs a generation with torch's grad mode off. Grad mode is per thread and on by default: the engine turned it off on
 * the thread that loaded it only. On another thread some kernels take their autograd-capable path and the audio
 * differs in the last bits, so every call runs with it off, as on the loading thread, and the caller's mode is
 * restored afterwards.
 */
public final class GradMode {
    private GradMode() {}

    /** {@code body}'s result, computed with grad mode off on this thread. */
    public static <T> T off(Supplier<T> body) {
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            JniUtils.setGradMode(false);
        }
        try {
            return body.get();
        } finally {
            if (gradMode) {
                JniUtils.setGradMode(true);
            }
        }
    }
}
