package io.affinity.recommender;

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
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Expected value, strategy and price shaping of next-best offers, on a model small enough to compute by hand. */
@UnitTest
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
            .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
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
    void catalogueCostGivesTheMarginAndTheExplanationSaysSo() {
        // Same model, but the catalogue gives costs: DEAR 10 - 9 = 1, CHEAP 2 - 0.5 = 1.5; B has none (3 x 0.5).
        InMemoryModelSnapshot costed = InMemoryModelSnapshot.builder("v")
                .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
                .item(new ItemFacts("CHEAP", "SMALL BAG", "", 2, 10, 10, 10, 0.5))
                .item(new ItemFacts("DEAR", "LARGE LAMP", "", 10, 10, 10, 10, 9))
                .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 10, 10))
                .rule(new AssociationRule(List.of("A"), "CHEAP", 50, 0.05, 0.5, 2, 0.01, 2))
                .rule(new AssociationRule(List.of("A"), "DEAR", 30, 0.03, 0.3, 2, 0.01, 1.5))
                .rule(new AssociationRule(List.of("A"), "B", 20, 0.02, 0.2, 2, 0.01, 1.2))
                .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
                .build();
        List<NextBestOffers.Offer> offers = new NextBestOffers(new Recommender(costed, RecommenderSettings.DEFAULTS), 0.5)
                .forCustomer("C1", Optional.empty(), 4);
        // CHEAP 0.5 x 1.5 = 0.75 now beats DEAR 0.3 x 1 = 0.3 (ranked without costs the other way round)
        assertEquals("CHEAP", offers.get(0).itemId());
        assertEquals(0.75, offers.get(0).expectedValue(), 1e-12);
        assertEquals(1.5, offers.get(0).margin(), 1e-12);
        assertTrue(offers.get(0).explanation().contains("margin 1.50 (catalogue cost: price 2.00 - cost 0.50)"),
                offers.get(0).explanation());
        NextBestOffers.Offer dear = offers.stream().filter(o -> o.itemId().equals("DEAR")).findFirst().orElseThrow();
        assertEquals(0.3, dear.expectedValue(), 1e-12);
        NextBestOffers.Offer b = offers.stream().filter(o -> o.itemId().equals("B")).findFirst().orElseThrow();
        assertEquals(0.2 * 1.5, b.expectedValue(), 1e-12);
        assertTrue(b.explanation().contains("margin 1.50 (default margin rate: 50% of 3.00)"), b.explanation());
    }

    /**
     * Without a profile (an unknown customer, one who returned all they bought, a model without value models) the
     * activity factor is 1, not an estimate: "x activity 1.000" alone read as a customer certain to buy again.
     */
    @Test
    void anOfferWithoutAProfileSaysItsActivityWasNotEstimated() {
        NextBestOffers.Offer noProfile = NBO.forCustomer("C1", Optional.empty(), 1).get(0);
        assertTrue(noProfile.explanation().endsWith("; no customer profile: activity 1 (not estimated), no strategy "
                + "or price shaping"), noProfile.explanation());
        NextBestOffers.Offer profiled = NBO.forCustomer("C1", Optional.of(profile(Strategy.HARVEST,
                PriceSensitivity.MEDIUM, 100)), 1).get(0);
        assertFalse(profiled.explanation().contains("no customer profile"), profiled.explanation());
    }

    @Test
    void explanationAmountsHaveTheCurrencysMinorDigits() {
        // Two decimals always printed 1650 yen as 1650.00 and 1.650 dinars as 1.65.
        InMemoryModelSnapshot priced = InMemoryModelSnapshot.builder("v")
                .item(new ItemFacts("A", "RED MUG", "", 1, 10, 10, 10))
                .item(new ItemFacts("H", "LAMP", "", 1650, 10, 10, 10))
                .rule(new AssociationRule(List.of("A"), "H", 50, 0.05, 0.5, 2, 0.01, 2))
                .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
                .build();
        Recommender recommender = new Recommender(priced, RecommenderSettings.DEFAULTS);
        String yen = new NextBestOffers(recommender, 0.3, item -> true, 0)
                .forCustomer("C1", Optional.empty(), 1).get(0).explanation();
        assertTrue(yen.contains("x margin 495 (default margin rate: 30% of 1650)"), yen);
        String dinars = new NextBestOffers(recommender, 0.3, item -> true, 3)
                .forCustomer("C1", Optional.empty(), 1).get(0).explanation();
        assertTrue(dinars.contains("x margin 495.000 (default margin rate: 30% of 1650.000)"), dinars);
        String unknown = new NextBestOffers(recommender, 0.3, item -> true)
                .forCustomer("C1", Optional.empty(), 1).get(0).explanation();
        assertTrue(unknown.contains("x margin 495.00 (default margin rate: 30% of 1650.00)"), unknown);
        assertEquals("2", NextBestOffers.amount(1.5, 0)); // half up, as in cents
        assertEquals("1.235", NextBestOffers.amount(1.2345, 3));
        assertThrows(IllegalArgumentException.class, () -> new NextBestOffers(recommender, 0.3, item -> true, -1));
        assertThrows(IllegalArgumentException.class, () -> new NextBestOffers(recommender, 0.3, item -> true, 9));
    }

    @Test
    void explanationAmountsRoundHalvesUp() {
        // 30% of 1.65 is 0.495: shown as 0.50, as a person checks it (%.2f on the double 0.49499999999999994 gave 0.49).
        InMemoryModelSnapshot halves = InMemoryModelSnapshot.builder("v")
                .item(new ItemFacts("A", "RED MUG", "", 1, 10, 10, 10))
                .item(new ItemFacts("H", "HALF LAMP", "", 1.65, 10, 10, 10))
                .rule(new AssociationRule(List.of("A"), "H", 50, 0.05, 0.5, 2, 0.01, 2))
                .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
                .build();
        NextBestOffers.Offer h = new NextBestOffers(new Recommender(halves, RecommenderSettings.DEFAULTS), 0.3)
                .forCustomer("C1", Optional.empty(), 1).get(0);
        assertTrue(h.explanation().contains("x margin 0.50 (default margin rate: 30% of 1.65)"), h.explanation());
        assertEquals("0.50", NextBestOffers.amount(0.3 * 1.65, 2));
        assertEquals("2.68", NextBestOffers.amount(2.675, 2)); // the double is 2.67499999999999982236431605997495353221893310546875
        assertEquals("0.49", NextBestOffers.amount(0.494, 2));
        assertEquals("-0.50", NextBestOffers.amount(-0.495, 2));
        assertEquals("1234567.00", NextBestOffers.amount(1234567, 2));
    }

    @Test
    void itemsThatMayNotBeOfferedAreSkippedAndTheNextOnesMoveUp() {
        // DEAR (out of stock, say) is the best offer without the predicate; with it, CHEAP then the repeat of A.
        NextBestOffers inStock = new NextBestOffers(new Recommender(MODEL, RecommenderSettings.DEFAULTS), 0.5,
                item -> !item.equals("DEAR"));
        List<String> ids = inStock.forCustomer("C1", Optional.empty(), 2).stream().map(NextBestOffers.Offer::itemId).toList();
        assertEquals(2, ids.size());
        assertEquals("CHEAP", ids.get(0));
        assertTrue(!ids.contains("DEAR"), ids.toString());
        // Upsell too: the trade-up to P is dropped, B (observed) remains.
        NextBestOffers tradedInStock = new NextBestOffers(new Recommender(TRADED, RecommenderSettings.DEFAULTS), 0.5,
                item -> !item.equals("P"));
        assertEquals("B", tradedInStock.upsell("A", Optional.empty(), 2).get(0).itemId());
        assertTrue(tradedInStock.upsell("A", Optional.empty(), 5).stream().noneMatch(o -> o.itemId().equals("P")));
    }

    @Test
    void anItemSoldBelowCostHasNoMargin() {
        ItemFacts loss = new ItemFacts("L", "LOSS LEADER", "", 2, 1, 1, 1, 2.5);
        assertEquals(0, loss.margin(0.3));
        assertEquals(0.6, new ItemFacts("P", "PLAIN", "", 2, 1, 1, 1).margin(0.3), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new ItemFacts("N", "", "", 2, 1, 1, 1, -1));
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

    /** Whatever the shaping (strategy weights, price fit), offers are listed by the expected value they report. */
    @Test
    void offersComeInTheOrderOfTheExpectedValueTheyReport() {
        for (Strategy strategy : Strategy.values()) {
            for (PriceSensitivity sensitivity : PriceSensitivity.values()) {
                List<NextBestOffers.Offer> offers = NBO.forCustomer("C1",
                        Optional.of(profile(strategy, sensitivity, 1.5)), 4);
                for (int i = 1; i < offers.size(); i++) {
                    assertTrue(offers.get(i - 1).expectedValue() >= offers.get(i).expectedValue(),
                            strategy + "/" + sensitivity + ": " + offers);
                }
                assertEquals(strategy == Strategy.END ? 0 : 4, offers.size(), strategy + "/" + sensitivity);
            }
        }
    }

    /**
     * The usual price is the median of the prices of what the customer bought (of two middle ones, their mean); an
     * offer at exactly the usual price is not shaped, and a customer without a priced history gets no shaping at all.
     */
    @Test
    void theUsualPriceIsTheMedianOfTheCustomersItems() {
        InMemoryModelSnapshot model = InMemoryModelSnapshot.builder("m")
                .item(new ItemFacts("H8", "EIGHT", "", 8, 10, 10, 10))
                .item(new ItemFacts("H2", "TWO", "", 2, 10, 10, 10))
                .item(new ItemFacts("H4", "FOUR", "", 4, 10, 10, 10))
                .item(new ItemFacts("H6", "SIX", "", 6, 10, 10, 10))
                .item(new ItemFacts("Z", "ZED", "", 10, 10, 10, 10))
                .item(new ItemFacts("W", "DOUBLE YOU", "", 5, 10, 10, 10))
                .rule(new AssociationRule(List.of("H8"), "Z", 40, 0.04, 0.4, 2, 0.01, 2))
                .rule(new AssociationRule(List.of("H8"), "W", 30, 0.03, 0.3, 2, 0.01, 2))
                .item(new ItemFacts("H0", "FREE GIFT", "", 0, 10, 10, 10))
                .customer("C", new CustomerHistory(4, List.of(new PurchasedItem("H8", 1, 1, DAY),
                        new PurchasedItem("H0", 1, 1, DAY), new PurchasedItem("H2", 1, 1, DAY),
                        new PurchasedItem("H4", 1, 1, DAY), new PurchasedItem("H6", 1, 1, DAY)), 5))
                .popular(new PopularItem("Z", 10, 10))
                .build();
        NextBestOffers nbo = new NextBestOffers(new Recommender(model, RecommenderSettings.DEFAULTS), 0.5);
        double activity = -Math.expm1(-1.0);
        // usual price: the median of 8, 2, 4, 6 is 5 (H0 has no price: not part of it, and never offered); Z (10) is
        // scaled by 5/10
        List<NextBestOffers.Offer> sensitive = nbo.forCustomer("C", Optional.of(profile(Strategy.HARVEST,
                PriceSensitivity.HIGH, 1.0)), 7);
        assertEquals(6, sensitive.size(), sensitive.toString());
        assertTrue(sensitive.stream().noneMatch(o -> o.itemId().equals("H0")), sensitive.toString());
        NextBestOffers.Offer z = offer(sensitive, "Z");
        assertEquals(0.4 * activity * 5 * 0.5, z.expectedValue(), 1e-12);
        assertEquals(0.4 * activity, z.purchaseProbability(), 1e-12);
        assertTrue(z.explanation().contains("price-sensitive: usual 5.00 vs 10.00 x0.50"), z.explanation());
        // W costs exactly the usual price: no premium for a value customer (only above the usual price)
        NextBestOffers.Offer w = offer(nbo.forCustomer("C", Optional.of(profile(Strategy.HARVEST,
                PriceSensitivity.LOW, 1.0)), 6), "W");
        assertEquals(0.3 * activity * 2.5, w.expectedValue(), 1e-12);
        assertFalse(w.explanation().contains("premium"), w.explanation());
        // a customer the model does not know has no usual price: the popular Z is not scaled down
        NextBestOffers.Offer popular = offer(nbo.forCustomer("NEW", Optional.of(profile(Strategy.HARVEST,
                PriceSensitivity.HIGH, 1.0)), 1), "Z");
        assertEquals(activity * 5, popular.expectedValue(), 1e-12);
    }

    /** Offers of equal expected value are listed by item id, as everywhere else (no dependence on arrival order). */
    @Test
    void offersOfEqualValueAreListedByItemId() {
        // Z1: 0.5 x margin 1; A1: 0.25 x margin 2; the recommender proposes Z1 first (higher confidence)
        InMemoryModelSnapshot model = InMemoryModelSnapshot.builder("t")
                .item(new ItemFacts("H", "HAT", "", 2, 10, 10, 10))
                .item(new ItemFacts("Z1", "ZIP", "", 2, 10, 10, 10))
                .item(new ItemFacts("A1", "APRON", "", 4, 10, 10, 10))
                .rule(new AssociationRule(List.of("H"), "Z1", 50, 0.05, 0.5, 2, 0.01, 2))
                .rule(new AssociationRule(List.of("H"), "A1", 25, 0.025, 0.25, 2, 0.01, 2))
                .customer("C", new CustomerHistory(4, List.of(new PurchasedItem("H", 1, 1, DAY)), 1)) // H: 0.25 x 1
                .build();
        List<NextBestOffers.Offer> offers = new NextBestOffers(new Recommender(model, RecommenderSettings.DEFAULTS),
                0.5).forCustomer("C", Optional.empty(), 2);
        assertEquals(List.of("A1", "Z1"), offers.stream().map(NextBestOffers.Offer::itemId).toList());
        assertEquals(offers.get(0).expectedValue(), offers.get(1).expectedValue(), 0);
    }

    /**
     * A popular candidate's P(purchase) is the share of all customers who bought it times the customer's activity,
     * in next-best offers and in the upsell fallback; the fallback is ranked by expected value and cut at the limit,
     * and an observed trade-up to an item no pricier than the item is no upsell.
     */
    @Test
    void popularSharesActivityAndTheUpsellFallbacksOrderAndLimit() {
        // 4 customers; BLUE MUG bought by 2 of them, PINK MUG by 1 (but in more orders: listed first as popular)
        InMemoryModelSnapshot model = InMemoryModelSnapshot.builder("p")
                .item(new ItemFacts("R", "RED MUG", "", 2, 10, 1, 10))
                .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 2, 10))
                .item(new ItemFacts("P", "PINK MUG", "", 5, 30, 1, 10))
                .item(new ItemFacts("S", "SAME PRICE", "", 2, 10, 1, 10))
                .tradeUp("R", new TradeUp("S", TradeUp.ALL, 3, 4, false))
                .customer("C1", new CustomerHistory(1, List.of(new PurchasedItem("R", 1, 1, DAY)), 1))
                .customer("C2", new CustomerHistory(1, List.of(new PurchasedItem("B", 1, 1, DAY)), 1))
                .customer("C3", new CustomerHistory(1, List.of(new PurchasedItem("B", 1, 1, DAY)), 1))
                .customer("C4", new CustomerHistory(1, List.of(new PurchasedItem("P", 1, 1, DAY)), 1))
                .popular(new PopularItem("P", 30, 2)).popular(new PopularItem("B", 10, 2))
                .build();
        NextBestOffers nbo = new NextBestOffers(new Recommender(model, RecommenderSettings.DEFAULTS), 0.5);
        double activity = -Math.expm1(-1.0);
        Optional<CustomerProfile> profile = Optional.of(profile(Strategy.HARVEST, PriceSensitivity.MEDIUM, 1.0));
        NextBestOffers.Offer blue = offer(nbo.forCustomer("NEW", profile, 2), "B");
        assertEquals(0.5 * activity, blue.purchaseProbability(), 1e-12);
        assertEquals(0.5 * activity * 1.5, blue.expectedValue(), 1e-12);
        // upsell of R: the popular list names P first, but B is worth more (0.5 x 1.5 = 0.75 against 0.25 x 2.5);
        // the observed move to S is to no pricier item
        List<NextBestOffers.Offer> up = nbo.upsell("R", profile, 5);
        assertEquals(List.of("B", "P"), up.stream().map(NextBestOffers.Offer::itemId).toList(), up.toString());
        assertEquals(0.5 * activity, up.get(0).purchaseProbability(), 1e-12);
        assertEquals(0.5 * activity * 1.5, up.get(0).expectedValue(), 1e-12);
        assertEquals(0.25 * activity * 2.5, up.get(1).expectedValue(), 1e-12);
        assertEquals(List.of("B"), nbo.upsell("R", profile, 1).stream().map(NextBestOffers.Offer::itemId).toList());
    }

    private static NextBestOffers.Offer offer(List<NextBestOffers.Offer> offers, String itemId) {
        return offers.stream().filter(o -> o.itemId().equals(itemId)).findFirst().orElseThrow(
                () -> new AssertionError(itemId + " not offered: " + offers));
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
        assertTrue(up.get(0).explanation().startsWith(NextBestOffers.HEURISTIC_NOTE + ": same category"),
                up.get(0).explanation());
        assertTrue(up.get(1).explanation().startsWith(NextBestOffers.HEURISTIC_NOTE + ": same family"),
                up.get(1).explanation());
    }

    // A (RED MUG, 2) was traded up from: to PINK MUG (4) by 3 of 10 customers, to BLUE MUG (3) by 2 of 10; among
    // gold-tier customers to BLUE MUG by 3 of 4. A rule A => B (0.2) and popular DEAR remain for the fallback.
    private static final InMemoryModelSnapshot TRADED = InMemoryModelSnapshot.builder("t")
            .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
            .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 10, 10))
            .item(new ItemFacts("P", "PINK MUG", "", 4, 10, 10, 10))
            .item(new ItemFacts("G", "GREEN MUG", "", 6, 10, 5, 10))
            .rule(new AssociationRule(List.of("A"), "B", 20, 0.02, 0.2, 2, 0.01, 1.2))
            .popular(new PopularItem("G", 10, 5))
            .tradeUp("A", new TradeUp("P", TradeUp.ALL, 3, 10, true))
            .tradeUp("A", new TradeUp("B", TradeUp.ALL, 2, 10, true))
            .tradeUp("A", new TradeUp("B", "tier:gold", 3, 4, true))
            .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
            .build();
    private static final NextBestOffers TRADED_NBO = new NextBestOffers(new Recommender(TRADED, RecommenderSettings.DEFAULTS), 0.5);

    private static CustomerProfile tiered(Tier tier, double e90) {
        return new CustomerProfile(1, 4, 8, 5, 5, 5, "champions", 1, e90, 2, 10, tier, Stage.ACTIVE, Strategy.ENHANCE, 1,
                Double.NaN, PriceSensitivity.MEDIUM, List.of());
    }

    @Test
    void observedTradeUpsComeFirstRankedByRateTimesMargin() {
        List<NextBestOffers.Offer> up = TRADED_NBO.upsell("A", Optional.empty(), 2);
        // P: 0.3 x margin 2 = 0.6; B: 0.2 x margin 1.5 = 0.3.
        assertEquals(List.of("P", "B"), up.stream().map(NextBestOffers.Offer::itemId).toList());
        assertEquals(0.6, up.get(0).expectedValue(), 1e-12);
        assertEquals(0.3, up.get(1).expectedValue(), 1e-12);
        assertEquals(NextBestOffers.TRADE_UP_SOURCE, up.get(0).source());
        assertTrue(up.get(0).explanation().startsWith(
                "3 of 10 customers who bought RED MUG (A) later moved up to PINK MUG (P) (all customers)"),
                up.get(0).explanation());
    }

    @Test
    void tradeUpMarginComesFromTheCatalogueCostWhereGiven() {
        // As TRADED, but P (price 4) costs 3.8: margin 0.2, so B (0.2 x 1.5 = 0.3) now beats P (0.3 x 0.2 = 0.06).
        InMemoryModelSnapshot costed = InMemoryModelSnapshot.builder("t")
                .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
                .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 10, 10))
                .item(new ItemFacts("P", "PINK MUG", "", 4, 10, 10, 10, 3.8))
                .tradeUp("A", new TradeUp("P", TradeUp.ALL, 3, 10, true))
                .tradeUp("A", new TradeUp("B", TradeUp.ALL, 2, 10, true))
                .build();
        List<NextBestOffers.Offer> up = new NextBestOffers(new Recommender(costed, RecommenderSettings.DEFAULTS), 0.5)
                .upsell("A", Optional.empty(), 2);
        assertEquals(List.of("B", "P"), up.stream().map(NextBestOffers.Offer::itemId).toList());
        assertEquals(0.3 * 0.2, up.get(1).expectedValue(), 1e-12);
        assertTrue(up.get(1).explanation().endsWith("x margin 0.20 (catalogue cost: price 4.00 - cost 3.80)"),
                up.get(1).explanation());
        assertTrue(up.get(0).explanation().endsWith("x margin 1.50 (default margin rate: 50% of 3.00)"),
                up.get(0).explanation());
    }

    @Test
    void theCustomersOwnSegmentIsPreferredThenAllCustomers() {
        double activity = -Math.expm1(-2.0);
        List<NextBestOffers.Offer> gold = TRADED_NBO.upsell("A", Optional.of(tiered(Tier.GOLD, 2.0)), 2);
        // B among gold customers: 0.75 x 1.5 = 1.125 beats P's all-customer 0.3 x 2 = 0.6 (both x activity).
        assertEquals(List.of("B", "P"), gold.stream().map(NextBestOffers.Offer::itemId).toList());
        assertEquals(0.75 * activity * 1.5, gold.get(0).expectedValue(), 1e-12);
        assertTrue(gold.get(0).explanation().startsWith(
                "3 of 4 customers who bought RED MUG (A) later moved up to BLUE MUG (B) (similar customers)"),
                gold.get(0).explanation());
        List<NextBestOffers.Offer> lead = TRADED_NBO.upsell("A", Optional.of(tiered(Tier.LEAD, 2.0)), 2);
        assertEquals(List.of("P", "B"), lead.stream().map(NextBestOffers.Offer::itemId).toList());
        assertTrue(lead.get(1).explanation().startsWith("2 of 10 customers"), lead.get(1).explanation());
    }

    /**
     * Upsell is a shop page's endpoint (the {@code recommendations} scope, a key every visitor can read), and its
     * explanation may be shown to the shopper ("why am I seeing this?"). It named the customer's own tier or
     * price-sensitivity band ("(segment: lead tier)"): the retailer's internal judgement of them, which that scope
     * does not otherwise give, told to the shopper and to anyone holding the page's key and an id. It now says
     * "similar customers" for either, whatever the tier or band.
     */
    @Test
    void anUpsellExplanationNamesNoClassificationOfTheCustomer() {
        InMemoryModelSnapshot.Builder b = InMemoryModelSnapshot.builder("t")
                .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
                .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 10, 10))
                .item(new ItemFacts("P", "PINK MUG", "", 4, 10, 10, 10))
                .tradeUp("A", new TradeUp("P", TradeUp.ALL, 3, 10, true));
        for (Tier tier : Tier.values()) {
            b.tradeUp("A", new TradeUp("B", TradeUp.tierSegment(tier), 3, 4, true));
        }
        for (PriceSensitivity band : PriceSensitivity.values()) {
            b.tradeUp("A", new TradeUp("P", TradeUp.priceSegment(band), 4, 5, true));
        }
        NextBestOffers nbo = new NextBestOffers(new Recommender(b.build(), RecommenderSettings.DEFAULTS), 0.5);
        for (Tier tier : Tier.values()) {
            for (PriceSensitivity band : PriceSensitivity.values()) {
                CustomerProfile p = new CustomerProfile(1, 4, 8, 5, 5, 5, "champions", 1, 2.0, 2, 10, tier,
                        Stage.ACTIVE, Strategy.ENHANCE, 1, Double.NaN, band, List.of());
                List<NextBestOffers.Offer> up = nbo.upsell("A", Optional.of(p), 2);
                assertEquals(List.of("B", "P"), up.stream().map(NextBestOffers.Offer::itemId).sorted().toList());
                for (NextBestOffers.Offer o : up) {
                    String why = o.explanation();
                    // the segment's own counts: the tier's 3 of 4 to B, the band's 4 of 5 to P
                    assertTrue(why.startsWith(o.itemId().equals("B") ? "3 of 4 customers" : "4 of 5 customers"), why);
                    assertTrue(why.contains(" (similar customers); "), why);
                    String lower = why.toLowerCase(java.util.Locale.ROOT);
                    for (String named : List.of("tier", "segment", "sensitiv", "platinum", "gold", "iron", "lead",
                            "low", "medium", "high")) {
                        assertFalse(lower.contains(named), named + " in " + why);
                    }
                }
            }
        }
    }

    @Test
    void theHeuristicFillsTheRestLabelledAsSuch() {
        List<NextBestOffers.Offer> up = TRADED_NBO.upsell("A", Optional.empty(), 5);
        // B is not repeated by the fallback (its rule); popular G (same family, 6) is the fallback's offer.
        assertEquals(List.of("P", "B", "G"), up.stream().map(NextBestOffers.Offer::itemId).toList());
        assertEquals("popular", up.get(2).source());
        assertTrue(up.get(2).explanation().startsWith(NextBestOffers.HEURISTIC_NOTE), up.get(2).explanation());
        // Without observed trade-ups (B has none), only the fallback answers.
        List<NextBestOffers.Offer> fromB = TRADED_NBO.upsell("B", Optional.empty(), 5);
        assertEquals(List.of("G"), fromB.stream().map(NextBestOffers.Offer::itemId).toList());
        assertTrue(fromB.get(0).explanation().startsWith(NextBestOffers.HEURISTIC_NOTE), fromB.get(0).explanation());
    }
}
