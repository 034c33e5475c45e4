package io.affinity.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Test kind (JUnit tag {@value TestKinds#FUZZ}). Seeded random inputs generated in bulk (hundreds of databases,
 * files, requests or command lines, each of its own shape), checked against a contract or a reference
 * implementation: the fuzz tests, and property tests of that size. A test whose randomness only picks keys or values
 * out of a small fixture is a unit test.
 *
 * <p>On test classes only: a class has exactly one kind ({@link OneKindPerTestClass} checks).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(TestKinds.FUZZ)
public @interface FuzzTest {
}
