package io.affinity.testing;

import java.util.List;

/**
 * The kinds a test class can be, as JUnit tags: what {@code -Dgroups} and {@code -DexcludedGroups} take. Each test
 * class declares exactly one, through its annotation ({@link UnitTest}, {@link IntegrationTest}, {@link StressTest},
 * {@link FuzzTest}), so that a class without one is visible rather than quietly taken for a unit test:
 * {@link OneKindPerTestClass} refuses it. README, "Tests", says which kind a test is.
 */
public final class TestKinds {
    public static final String UNIT = "unit";
    public static final String INTEGRATION = "integration";
    public static final String STRESS = "stress";
    public static final String FUZZ = "fuzz";

    /** Every kind, as its tag. */
    public static final List<String> ALL = List.of(UNIT, INTEGRATION, STRESS, FUZZ);

    private TestKinds() {
    }
}
