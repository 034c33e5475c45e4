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
 * must override every method.
 */
@UnitTest
class SnapshotWrappersTest {
    @Test
    void wrappersOverrideEveryModelSnapshotMethod() {
        for (Class<?> wrapper : List.of(CachedSnapshot.class, FilteredSnapshot.class, CustomerHiddenSnapshot.class)) {
            List<String> missing = new ArrayList<>();
            for (Method m : ModelSnapshot.class.getMethods()) {
                try {
                    wrapper.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(m.getName());
                }
            }
            assertTrue(missing.isEmpty(), wrapper.getSimpleName() + " does not delegate " + missing);
        }
    }
}
