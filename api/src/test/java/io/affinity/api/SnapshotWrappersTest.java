package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.ModelSnapshot;
import io.affinity.testing.UnitTest;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API wraps snapshots (caching, per-request filtering). ModelSnapshot grows by default methods that return
 * "nothing"; a wrapper that forgets one silently serves less (no profiles, no precomputed lists). Every wrapper
 * extends ForwardingSnapshot, which must override every method.
 */
@UnitTest
class SnapshotWrappersTest {
    @Test
    void wrappersOverrideEveryModelSnapshotMethod() {
        // Each wrapper forwards through ForwardingSnapshot, which must override every method.
        for (Class<?> wrapper : List.of(CachedSnapshot.class, FilteredSnapshot.class, CustomerHiddenSnapshot.class)) {
            assertTrue(ForwardingSnapshot.class.isAssignableFrom(wrapper), wrapper.getSimpleName()
                    + " does not extend ForwardingSnapshot");
        }
        List<String> missing = new ArrayList<>();
        for (Method m : ModelSnapshot.class.getMethods()) {
            try {
                ForwardingSnapshot.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "ForwardingSnapshot does not delegate " + missing);
    }
}
