package io.affinity.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test kind (JUnit tag {@value TestKinds#UNIT}). In process and small: one module's code (the modules below it as
 * libraries), no server, no second process, no real data; temporary files at most, model-store's own snapshots
 * included (they are that module's unit).
 *
 * <p>On test classes only: a class has exactly one kind ({@link OneKindPerTestClass} checks).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(TestKinds.UNIT)
public @interface UnitTest {
}
