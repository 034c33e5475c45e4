package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Customer recommendations served from lists precomputed by the served model, and the paths around them. */
@UnitTest
class PrecomputedRecommenderTest {
    private static final LocalDate DAY = LocalDate.of(2011, 5, 1);
    private static final PurchasedItem GREEN_BOUGHT = new PurchasedItem("GREEN", 3, 12, DAY);

    /** c1 has a precomputed list; c2 only a history (rules path); anyone else is unknown. */
    private static final ModelSnapshot MODEL = InMemoryModelSnapshot.builder("v1")
            .item(item("GREEN")).item(item("PINK")).item(item("ROSES")).item(item("JAR")).item(item("BAG"))
            .rule(new AssociationRule(List.of("GREEN"), "PINK", 30, 0.1, 0.7, 3.0, 0.01, 2.0))
            .customer("c1", new CustomerHistory(4, List.of(GREEN_BOUGHT,
                    new PurchasedItem("BAG", 1, 1, DAY.minusDays(90))), 2))
            .customer("c2", new CustomerHistory(1, List.of(GREEN_BOUGHT), 1))
            .customer("c3", new CustomerHistory(1, List.of(new PurchasedItem("PINK", 1, 1, DAY)), 1))
            .precomputed("c3", new PrecomputedRecommendations("blend", List.of(
                    new PrecomputedItem("JAR", 0.5, false, "ease", null))))
            .precomputed("c1", new PrecomputedRecommendations("blend", List.of(
                    new PrecomputedItem("GREEN", 0.9, true, "repeat-frequency", GREEN_BOUGHT),
                    new PrecomputedItem("JAR", 0.8, false, "ease", null),
                    new PrecomputedItem("BAG", 0.7, true, "repeat-frequency", null),
                    new PrecomputedItem("ROSES", 0.6, false, "als", null))))
            .popular(new PopularItem("BAG", 100, 50)).popular(new PopularItem("PINK", 80, 40))
            .popular(new PopularItem("JAR", 10, 5))
            .build();

    private final Recommender recommender = new Recommender(MODEL, RecommenderSettings.DEFAULTS);

    @Test
    void newItemsFirstThenRepeatsEachInTheModelsOrder() {
        Recommendations r = recommender.forCustomer("c1", 4);
        assertEquals(List.of("JAR", "ROSES", "GREEN", "BAG"), ids(r));
        assertEquals(List.of(RecommendationSource.MODEL, RecommendationSource.MODEL, RecommendationSource.REPEAT,
                RecommendationSource.REPEAT), r.items().stream().map(Recommendation::source).toList());
        assertEquals(List.of(0.8, 0.6, 0.9, 0.7), r.items().stream().map(Recommendation::score).toList());
        assertFalse(r.fallback());
        assertEquals("v1", r.modelVersion());
        assertEquals("JAR description", r.items().get(0).description());
    }

    @Test
    void theLimitPicksTheModelsBestItemsBeforeOrderingThem() {
        // best three by score: GREEN (repeat), JAR (new), BAG (repeat); ROSES is fourth and drops out
        assertEquals(List.of("JAR", "GREEN", "BAG"), ids(recommender.forCustomer("c1", 3)));
        assertEquals(List.of("GREEN"), ids(recommender.forCustomer("c1", 1)));
    }

    @Test
    void explanationsNameTheModelAndForRepeatsThePurchaseHistory() {
        Recommendations r = recommender.forCustomer("c1", 4);
        Explanation jar = r.items().get(0).explanation();
        assertEquals(new Explanation.ModelEvidence("blend", "ease", "new"), jar.model());
        assertNull(jar.purchase());
        assertTrue(jar.summary().contains("blend") && jar.summary().contains("ease"), jar.summary());
        Explanation green = r.items().get(2).explanation();
        assertEquals(new Explanation.ModelEvidence("blend", "repeat-frequency", "repeat"), green.model());
        assertEquals(GREEN_BOUGHT, green.purchase());
        assertTrue(green.summary().contains("3 order(s)") && green.summary().contains(DAY.toString()),
                green.summary());
        Explanation bag = r.items().get(3).explanation();
        // BAG's purchase is missing (as in snapshots of capped histories): no "bought before" without the facts.
        assertNull(bag.purchase());
        assertEquals("a repeat purchase proposed by the blend model, mostly repeat-frequency; this model version has "
                + "no purchase details for it (retrain)", bag.summary());
    }

    @Test
    void aShortListIsFilledWithPopularItemsNotAlreadyListed() {
        Recommendations r = recommender.forCustomer("c1", 6);
        assertEquals(List.of("JAR", "ROSES", "GREEN", "BAG", "PINK"), ids(r)); // BAG and JAR listed already
        assertEquals(RecommendationSource.POPULAR, r.items().get(4).source());
    }

    @Test
    void popularFillInsSkipWhatTheCustomerAlreadyBought() {
        // c3's list holds JAR only; PINK is popular but c3 bought it, so the fill-in is BAG.
        assertEquals(List.of("JAR", "BAG"), ids(recommender.forCustomer("c3", 3)));
    }

    @Test
    void withoutAPrecomputedListTheRulesPathAnswersAndStrangersGetPopular() {
        Recommendations c2 = recommender.forCustomer("c2", 3);
        assertEquals(RecommendationSource.RULES, c2.items().get(0).source());
        assertEquals("PINK", c2.items().get(0).itemId());
        assertEquals(RecommendationSource.REPEAT, c2.items().get(1).source());
        assertNull(c2.items().get(1).explanation().model());
        Recommendations stranger = recommender.forCustomer("nobody", 2);
        assertTrue(stranger.fallback());
        assertEquals(List.of("BAG", "PINK"), ids(stranger));
    }

    @Test
    void precomputedListsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new PrecomputedRecommendations("blend", List.of(
                new PrecomputedItem("A", 0.1, false, "ease", null), new PrecomputedItem("B", 0.2, false, "ease", null))));
        assertThrows(IllegalArgumentException.class, () -> new PrecomputedRecommendations("blend", List.of(
                new PrecomputedItem("A", 0.2, false, "ease", null), new PrecomputedItem("A", 0.1, true, "ease", null))));
        assertThrows(IllegalArgumentException.class, () -> new PrecomputedItem("GREEN", 1, false, "ease", GREEN_BOUGHT));
        assertThrows(IllegalArgumentException.class, () -> new PrecomputedItem("A", Double.NaN, false, "ease", null));
        assertThrows(IllegalArgumentException.class, () -> InMemoryModelSnapshot.builder("v").precomputed("c",
                new PrecomputedRecommendations("blend", List.of(new PrecomputedItem("X", 1, false, "ease", null))))
                .build());
    }

    @Test
    void duplicatesAreFoundInShortAndInLongListsWhereverTheyAre() {
        for (int n : new int[] {2, 10, 24, 25, 60}) {
            for (int[] pair : new int[][] {{0, 1}, {0, n - 1}, {n / 2, n - 1}}) {
                if (pair[0] >= pair[1]) {
                    continue;
                }
                List<PrecomputedItem> items = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(new PrecomputedItem(i == pair[1] ? "I" + pair[0] : "I" + i, n - i, false, "ease", null));
                }
                assertThrows(IllegalArgumentException.class, () -> new PrecomputedRecommendations("blend", items),
                        () -> n + " items, duplicate at " + java.util.Arrays.toString(pair));
                items.set(pair[1], new PrecomputedItem("I" + pair[1], n - pair[1], false, "ease", null));
                assertEquals(n, new PrecomputedRecommendations("blend", items).items().size());
            }
        }
    }

    @Test
    void modelExplanationsAreTheSameWhenBuiltAgainAndCarryTheirOwnPurchase() {
        PrecomputedItem again = new PrecomputedItem("JAR", 0.5, true, "repeat-frequency", null);
        Explanation first = Explanation.ofModel("reranker", again);
        Explanation second = Explanation.ofModel("reranker", again);
        assertEquals(first, second);
        // No purchase facts (a snapshot of capped histories): the summary must not claim "bought before".
        assertEquals("a repeat purchase proposed by the repeat-frequency model and ranked by the learned re-ranker; "
                + "this model version has no purchase details for it (retrain)", first.summary());
        assertFalse(first.summary().contains("bought before"), first.summary());
        assertEquals("repeat", first.model().kind());
        PurchasedItem jar = new PurchasedItem("JAR", 3, 7.0, java.time.LocalDate.of(2011, 6, 9));
        Explanation withPurchase = Explanation.ofModel("reranker",
                new PrecomputedItem("JAR", 0.5, true, "repeat-frequency", jar));
        assertEquals("bought before in 3 order(s), last on 2011-06-09; proposed again by the repeat-frequency model "
                + "and ranked by the learned re-ranker", withPurchase.summary());
        assertEquals(jar, withPurchase.purchase());
        assertEquals(first.model(), withPurchase.model());
    }

    private static ItemFacts item(String id) {
        return new ItemFacts(id, id + " description", "", 1.0, 10, 5, 10);
    }

    private static List<String> ids(Recommendations r) {
        return r.items().stream().map(Recommendation::itemId).toList();
    }

    @Test
    void aModelsRepeatSaysWhatTheCustomerReturnedAndSoDoesItsOffer() {
        PurchasedItem sentBack = new PurchasedItem("GREEN", 1, 12, DAY, 12);
        ModelSnapshot model = InMemoryModelSnapshot.builder("v1").item(item("GREEN")).item(item("JAR"))
                .customer("c1", new CustomerHistory(2, List.of(sentBack), 1))
                .precomputed("c1", new PrecomputedRecommendations("blend", List.of(
                        new PrecomputedItem("GREEN", 0.9, true, "repeat-frequency", sentBack),
                        new PrecomputedItem("JAR", 0.8, false, "ease", null))))
                .build();
        Recommender returned = new Recommender(model, RecommenderSettings.DEFAULTS);
        Recommendation green = returned.forCustomer("c1", 2).items().get(1);
        assertEquals("bought before in 1 order(s), last on 2011-05-01, all 12 units returned; proposed again by the "
                + "blend model, mostly repeat-frequency", green.explanation().summary());
        NextBestOffers.Offer offer = new NextBestOffers(returned, 0.3).forCustomer("c1", java.util.Optional.empty(),
                2).stream().filter(o -> o.itemId().equals("GREEN")).findFirst().orElseThrow();
        assertTrue(offer.explanation().startsWith("bought before, all 12 units returned, proposed again by model "
                + "blend (from repeat-frequency); "), offer.explanation());
    }

    @Test
    void reRankedItemsNameTheProposingModelAndTheReRanker() {
        Explanation e = Explanation.ofModel("reranker", new PrecomputedItem("JAR", 0.8, false, "ease", null));
        assertEquals("new to you; proposed by the ease model and ranked by the learned re-ranker", e.summary());
        assertEquals("reranker", e.model().model());
        assertEquals("ease", e.model().source());
        Explanation blend = Explanation.ofModel("blend", new PrecomputedItem("JAR", 0.8, false, "ease", null));
        assertEquals("new to you; proposed by the blend model, mostly ease", blend.summary());
    }

    @Test
    void offersFromTheModelsListNameTheModelNotPopularity() {
        List<NextBestOffers.Offer> offers = new NextBestOffers(recommender, 0.3, item -> true)
                .forCustomer("c1", java.util.Optional.empty(), 4);
        NextBestOffers.Offer jar = offers.stream().filter(o -> o.itemId().equals("JAR")).findFirst().orElseThrow();
        assertEquals("model", jar.source());
        assertTrue(jar.explanation().startsWith("model blend (from ease); P(purchase) "), jar.explanation());
        NextBestOffers.Offer green = offers.stream().filter(o -> o.itemId().equals("GREEN")).findFirst()
                .orElseThrow();
        assertTrue(green.explanation().startsWith("bought before, proposed again by model blend (from "
                + "repeat-frequency); "), green.explanation());
    }

    @Test
    void anOfferFromTheModelsListCallsItsBaseTheModelsRelativeScoreNotARepeatRateOrAProbability() {
        // c1's list: GREEN 0.9 (the best, a repeat: c1 bought it in 3 of 4 orders), JAR 0.8 (new). Offers scale
        // model scores by the list's best, so GREEN's base is 1: it must not read as "repeat 1.000", a certain
        // repeat, when c1 bought GREEN in 3 of 4 orders, nor JAR's 0.889 as a probability the model gave.
        List<NextBestOffers.Offer> offers = new NextBestOffers(recommender, 0.3, item -> true)
                .forCustomer("c1", java.util.Optional.empty(), 4);
        NextBestOffers.Offer green = offers.stream().filter(o -> o.itemId().equals("GREEN")).findFirst()
                .orElseThrow();
        assertTrue(green.explanation().contains("P(purchase) 1.000 (model score relative to the customer's best "
                + "1.000 x activity 1.000)"), green.explanation());
        assertFalse(green.explanation().contains("repeat 1.000"), green.explanation());
        NextBestOffers.Offer jar = offers.stream().filter(o -> o.itemId().equals("JAR")).findFirst().orElseThrow();
        assertTrue(jar.explanation().contains("P(purchase) 0.889 (model score relative to the customer's best "
                + "0.889 x activity 1.000)"), jar.explanation());
    }
}
