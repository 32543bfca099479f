package dev.musicgen.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * JUnit tag {@code slow}: a test that takes a second or more on a 2-core machine (many generations, a large model
 * stage, or waiting on timeouts). Still part of {@code mvn verify}; {@code -DexcludedGroups=slow} leaves them out.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
public @interface Slow {}
