package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.testing.UnitTest;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cache answers exactly as the snapshot it fronts, whatever the collisions. */
@UnitTest
class CachedSnapshotTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 64, 4096})
    void answersLikeTheUnderlyingSnapshot(int slots) {
        InMemoryModelSnapshot.Builder b = InMemoryModelSnapshot.builder("v");
        for (int i = 0; i < 40; i++) {
            b.item(new ItemFacts("I" + i, "item " + i, "", 1, 1, 1, 1));
        }
        for (int i = 0; i < 40; i++) {
            b.rule(new AssociationRule(List.of("I" + i), "I" + ((i + 1) % 40), 5, 0.01, 0.5, 2, 0.001, 1.5));
        }
        InMemoryModelSnapshot model = b.build();
        CachedSnapshot cached = new CachedSnapshot(model, slots);
        Random rnd = new Random(slots);
        for (int n = 0; n < 2_000; n++) {
            String id = "I" + rnd.nextInt(45); // some unknown
            assertEquals(model.item(id), cached.item(id), id);
            assertEquals(model.rulesWithAntecedentItem(id), cached.rulesWithAntecedentItem(id), id);
        }
        assertEquals(Optional.empty(), cached.item("NOPE"));
        assertEquals("v", cached.version());
        assertEquals(model.ruleCount(), cached.ruleCount());
        assertThrows(IllegalArgumentException.class, () -> new CachedSnapshot(model, 0));
    }
}
