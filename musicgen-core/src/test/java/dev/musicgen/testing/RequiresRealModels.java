package dev.musicgen.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A test (an {@code *IT} class, run by failsafe in {@code mvn verify}) that needs released models: it runs when
 * {@link RealModels} finds every repo in {@link #value()}, and is skipped with the reason otherwise (tag
 * {@code real-models}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("real-models")
@ExtendWith(RequiresRealModels.Condition.class)
public @interface RequiresRealModels {
    /** Hub repo ids, e.g. {@code facebook/musicgen-small}. */
    String[] value();

    /** Enables the test when the models are there. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<RequiresRealModels> a =
                    AnnotationSupport.findAnnotation(context.getElement(), RequiresRealModels.class);
            if (a.isEmpty()) {
                return ConditionEvaluationResult.enabled("no @RequiresRealModels");
            }
            return RealModels.whyUnavailable(a.get().value())
                    .map(ConditionEvaluationResult::disabled)
                    .orElseGet(() -> ConditionEvaluationResult.enabled(
                            "real models in " + RealModels.root().orElseThrow()));
        }
    }
}
