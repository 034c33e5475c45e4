package io.affinity.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test kind (JUnit tag {@value TestKinds#INTEGRATION}). Across a boundary: a real HTTP server on a port, a second
 * JVM, a CLI verb end to end, a published snapshot used outside model-store (by training's pipeline or the api), or
 * real data (the bundled sample; ../shared/data, skipped without it).
 *
 * <p>On test classes only: a class has exactly one kind ({@link OneKindPerTestClass} checks).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(TestKinds.INTEGRATION)
public @interface IntegrationTest {
}
