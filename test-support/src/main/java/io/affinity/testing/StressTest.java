package io.affinity.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test kind (JUnit tag {@value TestKinds#STRESS}). Hammers concurrency or load on purpose to shake out races: many
 * threads or requests while the state changes under them, or a run at realistic scale (bounded in count and time,
 * loopback only).
 *
 * <p>On test classes only: a class has exactly one kind ({@link OneKindPerTestClass} checks).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(TestKinds.STRESS)
public @interface StressTest {
}
