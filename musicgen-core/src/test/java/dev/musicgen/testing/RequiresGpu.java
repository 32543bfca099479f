package dev.musicgen.testing;

import ai.djl.engine.Engine;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test (an {@code *IT} class) that needs a GPU: it runs when the PyTorch engine sees one, which takes CUDA natives
 * (see docs/DEVICES.md; the default build ships CPU natives), and is skipped with the reason otherwise (tag
 * {@code gpu}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("gpu")
@ExtendWith(RequiresGpu.Condition.class)
public @interface RequiresGpu {
    /** Enables the test when the engine has a GPU. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            int gpus;
            try {
                gpus = Engine.getEngine("PyTorch").getGpuCount();
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                return ConditionEvaluationResult.disabled("no GPU: the PyTorch engine did not start (" + e + ")");
            }
            return gpus > 0
                    ? ConditionEvaluationResult.enabled(gpus + " GPU(s)")
                    : ConditionEvaluationResult.disabled("no GPU: the PyTorch engine sees none (the default build"
                            + " ships CPU natives; see docs/DEVICES.md for CUDA)");
        }
    }
}
