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

    /** Rule and popular answers stop at the limit, and a popular fill-in never repeats an item already proposed. */
    @Test
    void popularFillInsStopAtTheLimitAndRepeatNothing() {
        // PINK fires one rule (=> GREEN); popular BAG, GREEN, JAR fill the rest, GREEN not twice
        assertEquals(List.of("GREEN", "BAG"), ids(recommender.forBasket(List.of("PINK"), 2)));
        assertEquals(List.of("GREEN", "BAG", "JAR"), ids(recommender.forBasket(List.of("PINK"), 3)));
        // c1: two rules' items, then the repeats GREEN and BAG; a limit of 3 cuts the repeats
        assertEquals(List.of("PINK", "ROSES", "GREEN"), ids(recommender.forCustomer("c1", 3)));
        assertEquals(List.of("PINK", "ROSES", "GREEN", "BAG", "JAR"), ids(recommender.forCustomer("c1", 9)));
        // a precomputed list shorter than the limit: popular items new to the customer fill it, up to the limit
        ModelSnapshot withList = InMemoryModelSnapshot.builder("v2")
                .item(item("GREEN")).item(item("PINK")).item(item("BAG")).item(item("JAR")).item(item("CUP"))
                .customer("c", new CustomerHistory(2, List.of(new PurchasedItem("GREEN", 2, 2, DAY)), 1))
                .precomputed("c", new PrecomputedRecommendations("blend", List.of(
                        new PrecomputedItem("PINK", 0.9, false, "blend", null))))
                .customer("d", new CustomerHistory(1, List.of(new PurchasedItem("GREEN", 1, 1, DAY)), 1))
                .popular(new PopularItem("GREEN", 90, 40)).popular(new PopularItem("BAG", 80, 30))
                .popular(new PopularItem("JAR", 70, 20)).popular(new PopularItem("CUP", 60, 10))
                .build();
        Recommender r = new Recommender(withList, RecommenderSettings.DEFAULTS);
        assertEquals(List.of("PINK", "BAG"), ids(r.forCustomer("c", 2)));
        assertEquals(List.of("PINK", "BAG", "JAR"), ids(r.forCustomer("c", 3)));
        // without a list and without rules: the repeat, then popular items up to the limit
        assertEquals(List.of("GREEN", "BAG"), ids(r.forCustomer("d", 2)));
    }

    /** Every entry point refuses a limit below 1, as forBasket does. */
    @Test
    void everyEntryPointRefusesALimitBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> recommender.boughtTogether("GREEN", 0));
        assertThrows(IllegalArgumentException.class, () -> recommender.forCustomer("c1", 0));
        assertThrows(IllegalArgumentException.class, () -> recommender.forCustomerRanked("c1", 0));
    }

    /**
     * "At or below" minLift (RecommenderSettings): a rule exactly at the minimum lift is no reason; just above it is.
     * Ties in confidence go to the higher lift, then to the consequent id (AssociationRule.BEST_FIRST).
     */
    @Test
    void aRuleAtTheMinimumLiftNeverFiresAndTiesAreBrokenByLiftThenId() {
        ModelSnapshot model = InMemoryModelSnapshot.builder("v3")
                .item(item("X")).item(item("A")).item(item("B")).item(item("C")).item(item("D")).item(item("E"))
                .rule(rule(List.of("X"), "E", 0.95, 1.0)) // at the minimum lift: strongest, yet no reason
                .rule(rule(List.of("X"), "A", 0.5, 2.0))
                .rule(rule(List.of("X"), "C", 0.5, 3.0))
                .rule(rule(List.of("X"), "B", 0.5, 3.0))
                .rule(rule(List.of("X"), "D", 0.6, 1.01))
                .build();
        Recommender r = new Recommender(model, new RecommenderSettings(50, 1.0));
        assertEquals(List.of("D", "B", "C", "A"), ids(r.boughtTogether("X", 10)));
        assertEquals(List.of("D", "B", "C", "A"), ids(r.forBasket(List.of("X"), 4)));
        assertEquals(List.of("E", "D", "B", "C", "A"),
                ids(new Recommender(model, new RecommenderSettings(50, 0.99)).boughtTogether("X", 10)));
    }

    /** Only the first historyItemsConsidered items of a history fire rules. */
    @Test
    void onlyTheConsideredHistoryItemsFireRules() {
        ModelSnapshot model = InMemoryModelSnapshot.builder("v4")
                .item(item("P")).item(item("Q")).item(item("R")).item(item("S"))
                .rule(rule(List.of("P"), "R", 0.5, 2.0))
                .rule(rule(List.of("Q"), "S", 0.9, 2.0))
                .customer("c", new CustomerHistory(3, List.of(new PurchasedItem("P", 3, 3, DAY),
                        new PurchasedItem("Q", 1, 1, DAY)), 2))
                .build();
        assertEquals(List.of("R"), ids(new Recommender(model, new RecommenderSettings(1, 1.0)).forCustomer("c", 1)));
        assertEquals(List.of("S", "R"),
                ids(new Recommender(model, new RecommenderSettings(2, 1.0)).forCustomer("c", 2)));
    }

    /**
     * A popular item's score is its share of the top item's customers (the list's order), not of its orders; by
     * orders only when no customer is identified.
     */
    @Test
    void popularScoresAreSharesOfTheTopItemsCustomers() {
        ModelSnapshot model = InMemoryModelSnapshot.builder("v5").item(item("P")).item(item("Q"))
                .popular(new PopularItem("P", 100, 10)).popular(new PopularItem("Q", 10, 5)).build();
        List<Recommendation> items = new Recommender(model, RecommenderSettings.DEFAULTS).forCustomer("nobody", 2)
                .items();
        assertEquals(1.0, items.get(0).score(), 1e-12);
        assertEquals(0.5, items.get(1).score(), 1e-12);
        ModelSnapshot anonymous = InMemoryModelSnapshot.builder("v6").item(item("P")).item(item("Q"))
                .popular(new PopularItem("P", 100, 0)).popular(new PopularItem("Q", 10, 0)).build();
        List<Recommendation> byOrders = new Recommender(anonymous, RecommenderSettings.DEFAULTS)
                .forCustomer("nobody", 2).items();
        assertEquals(List.of("P", "Q"), byOrders.stream().map(Recommendation::itemId).toList());
        assertEquals(0.1, byOrders.get(1).score(), 1e-12);
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
