package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Stage;
import io.affinity.recommender.CustomerProfile.Strategy;
import io.affinity.recommender.CustomerProfile.Tier;
import io.affinity.testing.UnitTest;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The value records' documented bounds, at the bound: the extreme valid value is accepted (a rule that always holds,
 * a free item, everything returned, every buyer moved up) and the first value past it refused. Values at a bound
 * are real data, and a constructor that refuses one fails a whole snapshot's load.
 */
@UnitTest
class ValueBoundsTest {
    private static final LocalDate DAY = LocalDate.of(2011, 5, 1);

    @Test
    void associationRules() {
        accepts(() -> rule(1, 1, 1, 1e-9, 0)); // support and confidence 1: in every basket; conviction 0
        refuses(() -> rule(0, 0.5, 0.5, 1, 1));
        refuses(() -> rule(1, 0, 0.5, 1, 1));
        refuses(() -> rule(1, 1.0000001, 0.5, 1, 1));
        refuses(() -> rule(1, 0.5, 0, 1, 1));
        refuses(() -> rule(1, 0.5, 1.0000001, 1, 1));
        refuses(() -> rule(1, 0.5, 0.5, 0, 1));
        refuses(() -> rule(1, 0.5, 0.5, 1, -1e-9));
        // the antecedent is copied and every id in it checked
        refuses(() -> new AssociationRule(List.of("A", " "), "C", 1, 0.5, 0.5, 1, 0, 1));
    }

    @Test
    void itemsPopularItemsAndPurchases() {
        accepts(() -> new ItemFacts("A", "", "", 0, 0, 0, 0, 0)); // a free item, never ordered, cost 0
        refuses(() -> new ItemFacts("A", "", "", -0.01, 0, 0, 0));
        refuses(() -> new ItemFacts("A", "", "", 1, -1, 0, 0));
        refuses(() -> new ItemFacts("A", "", "", 1, 0, -1, 0));
        refuses(() -> new ItemFacts("A", "", "", 1, 0, 0, -0.5));
        refuses(() -> new ItemFacts("A", "", "", 1, 0, 0, 0, -0.01));
        accepts(() -> new PopularItem("A", 1, 0));
        refuses(() -> new PopularItem("A", 0, 0));
        refuses(() -> new PopularItem("A", 1, -1));
        accepts(() -> new PurchasedItem("A", 1, 2, DAY, 2)); // everything returned
        assertTrue(new PurchasedItem("A", 1, 2, DAY, 2).returnedAll());
        assertFalse(new PurchasedItem("A", 1, 2, DAY, 1.5).returnedAll());
        refuses(() -> new PurchasedItem("A", 0, 2, DAY, 0));
        refuses(() -> new PurchasedItem("A", 1, 0, DAY, 0));
        refuses(() -> new PurchasedItem("A", 1, 2, DAY, 2.5));
        refuses(() -> new PurchasedItem("A", 1, 2, DAY, -1));
        accepts(() -> new CustomerHistory(1, List.of(new PurchasedItem("A", 1, 1, DAY)), 1));
        refuses(() -> new CustomerHistory(0, List.of(), 0));
    }

    @Test
    void tradeUpsSettingsAndPrecomputedLists() {
        accepts(() -> new TradeUp("B", TradeUp.ALL, 3, 3, true)); // every buyer moved up
        refuses(() -> new TradeUp("B", TradeUp.ALL, 0, 3, true));
        refuses(() -> new TradeUp("B", TradeUp.ALL, 4, 3, true));
        accepts(() -> new RecommenderSettings(1, 0));
        refuses(() -> new RecommenderSettings(0, 1));
        refuses(() -> new RecommenderSettings(1, -0.01));
        refuses(() -> new RecommenderSettings(1, Double.NaN));
        // equal scores are a tie, not disorder
        PrecomputedRecommendations tie = new PrecomputedRecommendations("m", List.of(
                new PrecomputedItem("A", 0.5, false, "m", null), new PrecomputedItem("B", 0.5, false, "m", null)));
        assertEquals(2, tie.items().size());
        refuses(() -> new PrecomputedRecommendations("m", List.of(new PrecomputedItem("A", 0.4, false, "m", null),
                new PrecomputedItem("B", 0.5, false, "m", null))));
    }

    @Test
    void customerProfiles() {
        accepts(() -> profile(0, 1, 1, 0, 0, 0));
        accepts(() -> profile(0, 1, 5, 1, 0, 1));
        refuses(() -> profile(-1, 1, 3, 0.5, 0, 0.5));
        refuses(() -> profile(0, 0, 3, 0.5, 0, 0.5));
        refuses(() -> profile(0, 1, 0, 0.5, 0, 0.5));
        refuses(() -> profile(0, 1, 6, 0.5, 0, 0.5));
        refuses(() -> profile(0, 1, 3, 1.01, 0, 0.5));
        refuses(() -> profile(0, 1, 3, -0.01, 0, 0.5));
        refuses(() -> profile(0, 1, 3, 0.5, 0, 1.01));
        refuses(() -> profile(0, 1, 3, 0.5, 0, -0.01));
        // each of monetary, expectedTransactions90, expectedSpend, expectedValue12 and priceIndex: never negative
        for (int field = 1; field <= 5; field++) {
            int f = field;
            refuses(() -> profile(0, 1, 3, 0.5, f, 0.5));
        }
    }

    /** A profile with {@code negative} naming which of its five non-negative amounts is -1 (0: none). */
    private static CustomerProfile profile(int recencyDays, int transactions, int score, double pAlive, int negative,
                                           double cheaperVariantShare) {
        double[] amounts = {0, 0, 0, 0, 0};
        if (negative > 0) {
            amounts[negative - 1] = -1;
        }
        return new CustomerProfile(recencyDays, transactions, amounts[0], score, score, score, "s", pAlive, amounts[1],
                amounts[2], amounts[3], Tier.GOLD, Stage.ACTIVE, Strategy.PROTECT, amounts[4], cheaperVariantShare,
                PriceSensitivity.MEDIUM, List.of());
    }

    private static AssociationRule rule(long supportCount, double support, double confidence, double lift,
                                        double conviction) {
        return new AssociationRule(List.of("A"), "B", supportCount, support, confidence, lift, 0, conviction);
    }

    private static void accepts(Executable e) {
        assertDoesNotThrow(e);
    }

    private static void refuses(Executable e) {
        assertThrows(IllegalArgumentException.class, e);
    }
}
