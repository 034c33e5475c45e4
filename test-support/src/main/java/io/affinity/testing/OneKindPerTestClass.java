package io.affinity.testing;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * The guard that keeps the grouping by kind from rotting: every test (a test method, or a parameterized or factory
 * method) must have exactly one kind, from its class's annotation ({@link UnitTest}, {@link IntegrationTest},
 * {@link StressTest}, {@link FuzzTest}). A class without one would silently drop out of {@code -Dgroups=unit} and
 * every other selection; a method tagged with a second kind would run in two of them.
 *
 * <p>Registered through {@code META-INF/services}, so the JUnit Platform loads it wherever this artifact is on the
 * test classpath (surefire, IDEs) and checks every test it discovers. It includes everything it accepts and throws
 * for a test without exactly one kind: a filter cannot fail a test, and quietly excluding one is what this prevents.
 */
public final class OneKindPerTestClass implements PostDiscoveryFilter {

    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        Optional<MethodSource> method = descriptor.getSource()
                .filter(MethodSource.class::isInstance).map(MethodSource.class::cast);
        if (method.isPresent()) {
            List<String> kinds = kinds(descriptor);
            if (kinds.size() != 1) {
                MethodSource m = method.get();
                throw new IllegalStateException(m.getClassName() + (kinds.isEmpty()
                        ? " has no test kind"
                        : "." + m.getMethodName() + " has " + kinds.size() + " test kinds " + kinds)
                        + ": annotate the class with exactly one of @UnitTest, @IntegrationTest, @StressTest or"
                        + " @FuzzTest (io.affinity.testing), and no test method with a kind tag (README, \"Tests\")");
            }
        }
        return FilterResult.included("one test kind");
    }

    /** The kind tags of a descriptor and its ancestors (its class, enclosing classes), sorted. */
    private static List<String> kinds(TestDescriptor descriptor) {
        TreeSet<String> kinds = new TreeSet<>();
        for (Optional<TestDescriptor> d = Optional.of(descriptor); d.isPresent(); d = d.get().getParent()) {
            d.get().getTags().stream().map(TestTag::getName).filter(TestKinds.ALL::contains).forEach(kinds::add);
        }
        return List.copyOf(kinds);
    }
}
