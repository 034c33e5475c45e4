package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Stage;
import io.affinity.recommender.CustomerProfile.Strategy;
import io.affinity.recommender.CustomerProfile.Tier;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Expected value, strategy and price shaping of next-best offers, on a model small enough to compute by hand. */
class NextBestOffersTest {
    private static final LocalDate DAY = LocalDate.of(2011, 5, 1);
    // Customer bought A (price 2) in 1 of 4 orders (repeat candidate: 0.25 x 1 = 0.25). Rules A => CHEAP (conf 0.5, price 2) and A => DEAR (conf 0.3, price 10).
    private static final InMemoryModelSnapshot MODEL = InMemoryModelSnapshot.builder("v")
            .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
            .item(new ItemFacts("CHEAP", "SMALL BAG", "", 2, 10, 10, 10))
            .item(new ItemFacts("DEAR", "LARGE LAMP", "", 10, 10, 10, 10))
            .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 10, 10))
            .rule(new AssociationRule(List.of("A"), "CHEAP", 50, 0.05, 0.5, 2, 0.01, 2))
            .rule(new AssociationRule(List.of("A"), "DEAR", 30, 0.03, 0.3, 2, 0.01, 1.5))
            .rule(new AssociationRule(List.of("A"), "B", 20, 0.02, 0.2, 2, 0.01, 1.2))
            .customer("C1", new CustomerHistory(4, 8, DAY.minusDays(90), DAY, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
            .build();
    private static final NextBestOffers NBO = new NextBestOffers(new Recommender(MODEL, RecommenderSettings.DEFAULTS), 0.5);

    static CustomerProfile profile(Strategy strategy, PriceSensitivity sensitivity, double e90) {
        return new CustomerProfile(1, 4, 8, 5, 5, 5, "champions", 1, e90, 2, 10, Tier.GOLD, Stage.ACTIVE, strategy, 1,
                Double.NaN, sensitivity, List.of());
    }

    @Test
    void expectedValueIsProbabilityTimesMarginAndThePricierItemWinsWithoutShaping() {
        List<NextBestOffers.Offer> offers = NBO.forCustomer("C1", Optional.empty(), 2);
        // DEAR: 0.3 x (10 x 0.5) = 1.5; CHEAP: 0.5 x (2 x 0.5) = 0.5
        assertEquals("DEAR", offers.get(0).itemId());
        assertEquals(1.5, offers.get(0).expectedValue(), 1e-12);
        assertEquals(0.5, offers.get(1).expectedValue(), 1e-12);
    }

    @Test
    void priceSensitiveCustomerSeesOffersNearTheirUsualPrice() {
        double activity = -Math.expm1(-2.0);
        List<NextBestOffers.Offer> offers = NBO.forCustomer("C1",
                Optional.of(profile(Strategy.RE_ENGINEER, PriceSensitivity.HIGH, 2.0)), 3);
        // usual price 2: DEAR scaled by 2/10 -> 0.3 x 5 x 0.2 = 0.3 (x activity); CHEAP stays 0.5 (x activity)
        assertEquals("CHEAP", offers.get(0).itemId());
        assertEquals(0.5 * activity, offers.get(0).expectedValue(), 1e-12);
        NextBestOffers.Offer dear = offers.stream().filter(o -> o.itemId().equals("DEAR")).findFirst().orElseThrow();
        assertEquals(0.3 * activity, dear.expectedValue(), 1e-12);
        assertTrue(dear.explanation().contains("price-sensitive"), dear.explanation());
    }

    @Test
    void strategiesShapeAndEndMeansNoOffers() {
        assertEquals(List.of(), NBO.forCustomer("C1", Optional.of(profile(Strategy.END, PriceSensitivity.MEDIUM, 1)), 3));
        NextBestOffers.Offer top = NBO.forCustomer("C1",
                Optional.of(profile(Strategy.ENHANCE, PriceSensitivity.LOW, 1)), 1).get(0);
        assertEquals("DEAR", top.itemId());
        assertEquals(0.3 * -Math.expm1(-1) * 5 * 1.2 * 1.25, top.expectedValue(), 1e-12); // cross-sell and premium
        assertTrue(top.explanation().contains("strategy enhance x1.20") && top.explanation().contains("premium"));
    }

    @Test
    void upsellOnlyPricierSameFamily() {
        // A (RED MUG, 2) -> B (BLUE MUG, 3) is the same family; DEAR and CHEAP are not.
        List<NextBestOffers.Offer> up = NBO.upsell("A", Optional.empty(), 5);
        assertEquals(1, up.size());
        assertEquals("B", up.get(0).itemId());
        assertThrows(UnknownItemException.class, () -> NBO.upsell("NOPE", Optional.empty(), 5));
        assertThrows(IllegalArgumentException.class, () -> new NextBestOffers(new Recommender(MODEL, RecommenderSettings.DEFAULTS), 0));
    }

    @Test
    void upsellAlsoOffersPricierItemsOfTheSameKindNamedByTheCaller() {
        // The catalogue says DEAR (10) and CHEAP (2) are of A's kind: only the pricier one qualifies; B stays as
        // the same-family candidate. DEAR is also bought with A, so its rule is the evidence: 0.3 x margin 5 = 1.5;
        // B: rule 0.2 x margin 1.5 = 0.3.
        List<NextBestOffers.Offer> up = NBO.upsell("A", Optional.empty(), 5, List.of("DEAR", "CHEAP", "NOPE"));
        assertEquals(List.of("DEAR", "B"), up.stream().map(NextBestOffers.Offer::itemId).toList());
        assertEquals(1.5, up.get(0).expectedValue(), 1e-12);
        assertEquals(0.3, up.get(1).expectedValue(), 1e-12);
        assertTrue(up.get(0).explanation().startsWith("same category"), up.get(0).explanation());
        assertTrue(up.get(1).explanation().startsWith("same family"), up.get(1).explanation());
    }
}
