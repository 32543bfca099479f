package dev.musicgen.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * JUnit tag {@code memory}: a test that measures memory (process RSS, live native arrays, file mappings) and so
 * depends on what else runs in the JVM or on the machine. Still part of {@code mvn verify};
 * {@code -DexcludedGroups=memory} leaves them out, {@code -Dgroups=memory} runs only them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("memory")
public @interface MemorySensitive {}
