package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

@UnitTest
class RecommenderTest {
    private static final LocalDate DAY = LocalDate.of(2011, 5, 1);

    /** Teacups: green/pink/roses bought together; jam jar with pink only in a 2-item rule. */
    private static final ModelSnapshot MODEL = InMemoryModelSnapshot.builder("v1")
            .item(item("GREEN")).item(item("PINK")).item(item("ROSES")).item(item("JAR")).item(item("BAG"))
            .rule(rule(List.of("GREEN"), "PINK", 0.7, 3.0))
            .rule(rule(List.of("GREEN"), "ROSES", 0.6, 2.5))
            .rule(rule(List.of("PINK"), "GREEN", 0.65, 3.0))
            .rule(rule(List.of("GREEN"), "BAG", 0.9, 0.8)) // below lift 1: never a reason
            .rule(rule(List.of("GREEN", "PINK"), "JAR", 0.8, 4.0))
            .customer("c1", new CustomerHistory(4, List.of(
                    new PurchasedItem("GREEN", 3, 12, DAY), new PurchasedItem("BAG", 1, 1, DAY.minusDays(90))), 2))
            .popular(new PopularItem("BAG", 100, 50)).popular(new PopularItem("GREEN", 80, 40))
            .popular(new PopularItem("JAR", 10, 5))
            .build();

    private final Recommender recommender = new Recommender(MODEL, RecommenderSettings.DEFAULTS);

    @Test
    void basketGetsConsequentsOfFiredRulesExcludingBasketItems() {
        Recommendations r = recommender.forBasket(List.of("GREEN"), 2);
        assertEquals(List.of("PINK", "ROSES"), ids(r));
        assertEquals(RecommendationSource.RULES, r.items().get(0).source());
        assertEquals(List.of("GREEN"), r.items().get(0).explanation().rule().antecedent());
        // in words, the items by their names: a shopper does not know the codes
        assertEquals("in 70.0% of baskets with green thing (lift 3.0)", r.items().get(0).explanation().summary());
        assertEquals("in 80.0% of baskets with green thing + pink thing (lift 4.0)",
                recommender.forBasket(List.of("GREEN", "PINK"), 1).items().get(0).explanation().summary());
        assertFalse(r.fallback());
    }

    @Test
    void basketAnswersShortOfRulesAreFilledWithPopularItemsNotInTheBasket() {
        Recommendations r = recommender.forBasket(List.of("GREEN"), 10);
        // Rules first; then BAG (GREEN is in the basket, JAR is popular too); nothing proposed twice.
        assertEquals(List.of("PINK", "ROSES", "BAG", "JAR"), ids(r));
        assertEquals(RecommendationSource.POPULAR, r.items().get(2).source());
        assertEquals("popular: bought by 50 customers in 100 orders", r.items().get(2).explanation().summary());
        assertFalse(r.fallback(), "rules fired: not a fallback");
        // A known item without rules (ROSES has none) still gets a full answer, not an empty one.
        Recommendations noRules = recommender.forBasket(List.of("ROSES"), 2);
        assertEquals(List.of("BAG", "GREEN"), ids(noRules));
        assertFalse(noRules.fallback(), "the basket was understood; only unknown baskets are a fallback");
    }

    @Test
    void multiItemRuleFiresOnlyWhenWholeAntecedentIsInBasket() {
        assertEquals(List.of("JAR", "ROSES"), ids(recommender.forBasket(List.of("GREEN", "PINK"), 2)));
        assertFalse(recommender.forBasket(List.of("PINK"), 10).items().stream()
                .anyMatch(r -> r.itemId().equals("JAR") && r.source() == RecommendationSource.RULES));
    }

    @Test
    void unknownBasketItemsAreReportedAndOnlyUnknownFallsBackToPopular() {
        Recommendations partly = recommender.forBasket(List.of("GREEN", "NOPE"), 2);
        assertEquals(List.of("NOPE"), partly.unknownItems());
        assertFalse(partly.fallback());
        Recommendations none = recommender.forBasket(List.of("NOPE"), 2);
        assertTrue(none.fallback());
        assertEquals(List.of("BAG", "GREEN"), ids(none));
    }

    @Test
    void limitIsRespected() {
        assertEquals(List.of("PINK"), ids(recommender.forBasket(List.of("GREEN"), 1)));
        assertThrows(IllegalArgumentException.class, () -> recommender.forBasket(List.of("GREEN"), 0));
    }

    @Test
    void boughtTogetherUsesPairRulesOnlyAndRejectsUnknownItems() {
        assertEquals(List.of("PINK", "ROSES"), ids(recommender.boughtTogether("GREEN", 10)), "never filled with best sellers");
        assertEquals(List.of(), ids(recommender.boughtTogether("ROSES", 10)), "no rules: empty, not popular items");
        assertThrows(UnknownItemException.class, () -> recommender.boughtTogether("NOPE", 10));
    }

    /**
     * "Bought before in 1 order(s)" for an item the customer sent back in full reads as "you have it and liked it":
     * the explanation says what was returned (histories count what was bought, returns included, README "Returns
     * and the recommenders").
     */
    @Test
    void aRepeatExplanationSaysWhatTheCustomerReturned() {
        ModelSnapshot returned = InMemoryModelSnapshot.builder("v1")
                .item(item("GREEN")).item(item("BAG")).item(item("JAR")).item(item("CUP"))
                .customer("c1", new CustomerHistory(4, List.of(
                        new PurchasedItem("GREEN", 3, 32, DAY, 8), new PurchasedItem("BAG", 1, 12, DAY, 12),
                        new PurchasedItem("JAR", 1, 2.5, DAY, 0), new PurchasedItem("CUP", 1, 1, DAY, 1)), 4))
                .build();
        Recommendations r = new Recommender(returned, RecommenderSettings.DEFAULTS).forCustomer("c1", 4);
        assertEquals("bought before in 3 order(s), last on 2011-05-01, 8 of 32 units returned",
                r.items().get(0).explanation().summary());
        assertEquals(8, r.items().get(0).explanation().purchase().returnedQuantity());
        assertEquals("bought before in 1 order(s), last on 2011-05-01, all 12 units returned",
                r.items().get(1).explanation().summary());
        assertEquals("bought before in 1 order(s), last on 2011-05-01", r.items().get(2).explanation().summary());
        assertEquals("bought before in 1 order(s), last on 2011-05-01, the 1 unit returned",
                r.items().get(3).explanation().summary());
        assertThrows(IllegalArgumentException.class, () -> new PurchasedItem("BAG", 1, 12, DAY, 13));
        assertThrows(IllegalArgumentException.class, () -> new PurchasedItem("BAG", 1, 12, DAY, -1));
    }

    @Test
    void customerGetsNewItemsFirstThenRepeatsThenPopular() {
        Recommendations r = recommender.forCustomer("c1", 10);
        assertEquals(List.of("PINK", "ROSES", "GREEN", "BAG", "JAR"), ids(r));
        assertEquals(List.of(RecommendationSource.RULES, RecommendationSource.RULES, RecommendationSource.REPEAT,
                RecommendationSource.REPEAT, RecommendationSource.POPULAR),
                r.items().stream().map(Recommendation::source).toList());
        assertEquals(0.75, r.items().get(2).score(), 1e-12);
        assertFalse(r.fallback());
    }

    @Test
    void unknownCustomerGetsPopularItemsMarkedAsFallback() {
        Recommendations r = recommender.forCustomer("stranger", 2);
        assertTrue(r.fallback());
        assertEquals(List.of("BAG", "GREEN"), ids(r));
        assertEquals("v1", r.modelVersion());
    }

    private static List<String> ids(Recommendations r) {
        return r.items().stream().map(Recommendation::itemId).toList();
    }

    private static ItemFacts item(String id) {
        return new ItemFacts(id, id.toLowerCase(java.util.Locale.ROOT) + " thing", "", 1.5, 10, 5, 20);
    }

    private static AssociationRule rule(List<String> antecedent, String consequent, double confidence, double lift) {
        return new AssociationRule(antecedent, consequent, 10, 0.1, confidence, lift, 0.05, 2.0);
    }
}
