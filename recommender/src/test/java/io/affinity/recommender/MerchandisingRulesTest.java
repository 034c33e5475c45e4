package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Strategy;
import io.affinity.testing.UnitTest;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Boost, pin and the category cap on next-best offers and upsell, on models small enough to rank by hand (margin
 * rate 0.5, no profile: expected value = probability x price x 0.5).
 */
@UnitTest
class MerchandisingRulesTest {
    private static final LocalDate DAY = LocalDate.of(2011, 5, 1);
    // C1 bought A in 1 of 4 orders. Candidates and values: DEAR 0.3 x 5 = 1.5, CHEAP 0.5 x 1 = 0.5,
    // B 0.2 x 1.5 = 0.3, A (repeat) 0.25 x 1 = 0.25. Z and N are no candidates: Z is bought by 1 of the 2
    // customers (popular share 0.5, value 0.5 x 2 = 1.0), N was never ordered.
    private static final InMemoryModelSnapshot MODEL = InMemoryModelSnapshot.builder("v")
            .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
            .item(new ItemFacts("CHEAP", "SMALL BAG", "", 2, 10, 10, 10))
            .item(new ItemFacts("DEAR", "LARGE LAMP", "", 10, 10, 10, 10))
            .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 10, 10))
            .item(new ItemFacts("Z", "GOLD STAR", "", 4, 3, 1, 3))
            .item(new ItemFacts("N", "NEW THING", "", 5, 0, 0, 0))
            .rule(new AssociationRule(List.of("A"), "CHEAP", 50, 0.05, 0.5, 2, 0.01, 2))
            .rule(new AssociationRule(List.of("A"), "DEAR", 30, 0.03, 0.3, 2, 0.01, 1.5))
            .rule(new AssociationRule(List.of("A"), "B", 20, 0.02, 0.2, 2, 0.01, 1.2))
            .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
            .customer("C2", new CustomerHistory(1, List.of(new PurchasedItem("Z", 1, 1, DAY)), 1))
            .build();
    private static final NextBestOffers NBO = new NextBestOffers(new Recommender(MODEL, RecommenderSettings.DEFAULTS), 0.5);
    private static final Map<String, String> CATEGORY = Map.of("DEAR", "x", "CHEAP", "x", "B", "y", "A", "y",
            "Z", "z", "N", "z");

    private static MerchandisingRules boost(Set<String> items) {
        return new MerchandisingRules(items::contains, "mugs", null, null, 0, null, 0, null);
    }

    private static MerchandisingRules pin(List<String> catalogue, int pinLimit) {
        return new MerchandisingRules(null, null, catalogue::contains, "p", pinLimit, catalogue, 0, null);
    }

    private static MerchandisingRules cap(int max) {
        return new MerchandisingRules(null, null, null, null, 0, null, max, CATEGORY::get);
    }

    private static List<String> ids(List<NextBestOffers.Offer> offers) {
        return offers.stream().map(NextBestOffers.Offer::itemId).toList();
    }

    @Test
    void withoutRulesTheAnswerIsTheRankedOne() {
        assertEquals(List.of("DEAR", "CHEAP", "B"), ids(NBO.forCustomer("C1", Optional.empty(), 3)));
        assertEquals(NBO.forCustomer("C1", Optional.empty(), 3),
                NBO.forCustomer("C1", Optional.empty(), 3, MerchandisingRules.NONE));
        assertFalse(MerchandisingRules.NONE.reorders());
        // A pin of zero items reorders nothing either.
        assertFalse(pin(List.of("B"), 0).reorders());
    }

    @Test
    void boostedOffersComeFirstInValueOrderAndSaySo() {
        List<NextBestOffers.Offer> offers = NBO.forCustomer("C1", Optional.empty(), 3, boost(Set.of("B", "A")));
        assertEquals(List.of("B", "A", "DEAR"), ids(offers));
        assertEquals(0.3, offers.get(0).expectedValue(), 1e-12, "the value is not changed by the boost");
        assertEquals("rules", offers.get(0).source());
        assertTrue(offers.get(0).explanation().startsWith("boosted: matches boost 'mugs'; rule [A] => B; P(purchase)"),
                offers.get(0).explanation());
        assertTrue(offers.get(1).explanation().startsWith("boosted: matches boost 'mugs'; bought before"),
                offers.get(1).explanation());
        assertTrue(offers.get(2).explanation().startsWith("rule [A] => DEAR"), offers.get(2).explanation());
    }

    @Test
    void pinnedOffersComeFirstThenCatalogueItemsAreInjected() {
        List<NextBestOffers.Offer> offers = NBO.forCustomer("C1", Optional.empty(), 3, pin(List.of("CHEAP", "Z"), 2));
        assertEquals(List.of("CHEAP", "Z", "DEAR"), ids(offers));
        assertEquals(NextBestOffers.PINNED_SOURCE, offers.get(0).source());
        assertTrue(offers.get(0).explanation().startsWith(
                "pinned: matches pin 'p' (ranked by expected value); rule [A] => CHEAP; P(purchase) 0.500"),
                offers.get(0).explanation());
        NextBestOffers.Offer z = offers.get(1);
        assertEquals(NextBestOffers.PINNED_SOURCE, z.source());
        assertEquals(1.0, z.expectedValue(), 1e-12);
        assertEquals(0.5, z.purchaseProbability(), 1e-12);
        assertEquals("pinned: matches pin 'p' (injected from the catalogue by popularity); popular; P(purchase) "
                + "0.500 (popular 0.500 x activity 1.000) x margin 2.00 (default margin rate: 50% of 4.00)"
                + NextBestOffers.NO_PROFILE_NOTE, z.explanation());
        assertEquals("rules", offers.get(2).source());
        // pinLimit 1: only the ranked match; the cap is min(pinLimit, limit).
        assertEquals(List.of("CHEAP", "DEAR", "B"), ids(NBO.forCustomer("C1", Optional.empty(), 3,
                pin(List.of("CHEAP", "Z"), 1))));
        assertEquals(List.of("CHEAP"), ids(NBO.forCustomer("C1", Optional.empty(), 1, pin(List.of("CHEAP", "Z"), 5))));
    }

    @Test
    void injectionSkipsWhatMayNotBeOfferedAndItemsNeverOrderedComeWithoutEvidence() {
        NextBestOffers withoutZ = new NextBestOffers(new Recommender(MODEL, RecommenderSettings.DEFAULTS), 0.5,
                item -> !item.equals("Z"));
        List<NextBestOffers.Offer> offers = withoutZ.forCustomer("C1", Optional.empty(), 2, pin(List.of("Z", "N"), 2));
        assertEquals(List.of("N", "DEAR"), ids(offers));
        assertEquals(0, offers.get(0).expectedValue(), 1e-12, "never ordered: no probability");
        assertTrue(offers.get(0).explanation().startsWith(
                "pinned: matches pin 'p' (injected from the catalogue by popularity); popular; P(purchase) 0.000"),
                offers.get(0).explanation());
    }

    @Test
    void theCategoryCapThinsTheRankingAndTheNextCandidatesFillTheLimit() {
        // Without the cap: DEAR, CHEAP (both x); with at most 1 per category CHEAP gives way to B, then A (y) too.
        assertEquals(List.of("DEAR", "B"), ids(NBO.forCustomer("C1", Optional.empty(), 2, cap(1))));
        assertEquals(List.of("DEAR", "B"), ids(NBO.forCustomer("C1", Optional.empty(), 4, cap(1))),
                "only two categories among the candidates: shorter than the limit");
        assertEquals(List.of("DEAR", "CHEAP", "B", "A"), ids(NBO.forCustomer("C1", Optional.empty(), 4, cap(2))));
        // Pinned offers count towards the cap, first: CHEAP pinned takes category x from DEAR.
        MerchandisingRules pinAndCap = new MerchandisingRules(null, null, "CHEAP"::equals, "p", 1, List.of("CHEAP"), 1,
                CATEGORY::get);
        assertEquals(List.of("CHEAP", "B"), ids(NBO.forCustomer("C1", Optional.empty(), 3, pinAndCap)));
    }

    @Test
    void orderIsPinnedThenBoostedThenTheRest() {
        MerchandisingRules all = new MerchandisingRules(Set.of("B")::contains, "b", "A"::equals, "a", 3, List.of("A"), 0, null);
        List<NextBestOffers.Offer> offers = NBO.forCustomer("C1", Optional.empty(), 4, all);
        assertEquals(List.of("A", "B", "DEAR", "CHEAP"), ids(offers));
        assertTrue(offers.get(0).explanation().startsWith("pinned: matches pin 'a' (ranked by expected value)"));
        assertTrue(offers.get(1).explanation().startsWith("boosted: matches boost 'b'"));
    }

    @Test
    void aCustomerWithStrategyEndGetsNoOffersWhateverTheRules() {
        CustomerProfile end = NextBestOffersTest.profile(Strategy.END, PriceSensitivity.MEDIUM, 1);
        assertEquals(List.of(), NBO.forCustomer("C1", Optional.of(end), 3, pin(List.of("Z"), 3)));
    }

    @Test
    void manyOffersUnderRulesDrawMoreCandidatesThanTheUsualCap() {
        // 600 rules from A, values falling with the index. Three of every four items share one category, so a cap
        // of 1 keeps X000 and every X(4k-1). The usual 200 candidates would give 51 offers; under rules 5 x the
        // limit are drawn (500), which gives the 100 asked for.
        InMemoryModelSnapshot.Builder b = InMemoryModelSnapshot.builder("many")
                .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
                .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1));
        for (int i = 0; i < 600; i++) {
            String id = String.format("X%03d", i);
            b.item(new ItemFacts(id, "THING " + i, "", 2, 10, 10, 10));
            b.rule(new AssociationRule(List.of("A"), id, 50, 0.05, 0.9 - i * 0.001, 2, 0.01, 2));
        }
        NextBestOffers many = new NextBestOffers(new Recommender(b.build(), RecommenderSettings.DEFAULTS), 0.5);
        MerchandisingRules shared = new MerchandisingRules(null, null, null, null, 0, null, 1,
                id -> id.startsWith("X") && Integer.parseInt(id.substring(1)) % 4 != 3 ? "shared" : id);
        List<String> got = ids(many.forCustomer("C1", Optional.empty(), 100, shared));
        assertEquals(100, got.size());
        assertEquals("X000", got.get(0));
        assertEquals("X003", got.get(1));
        assertEquals("X395", got.get(99));
    }

    @Test
    void invalidRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MerchandisingRules(x -> true, null, null, null, 0, null, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> new MerchandisingRules(null, null, x -> true, "p", 1, null, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new MerchandisingRules(null, null, null, null, -1, null, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new MerchandisingRules(null, null, null, null, 0, null, 1, null));
    }

    // Upsell of A (RED MUG, 2): observed trade-ups P (0.3 x 2 = 0.6) and B (0.2 x 1.5 = 0.3), then the fallback's
    // popular G (GREEN MUG, 6; share 1 x 3 = 3). Q (YELLOW LAMP, 8) is of another family and no candidate; X
    // (TINY MUG, 1) is cheaper than A.
    private static final InMemoryModelSnapshot TRADED = InMemoryModelSnapshot.builder("t")
            .item(new ItemFacts("A", "RED MUG", "", 2, 10, 10, 10))
            .item(new ItemFacts("B", "BLUE MUG", "", 3, 10, 10, 10))
            .item(new ItemFacts("P", "PINK MUG", "", 4, 10, 10, 10))
            .item(new ItemFacts("G", "GREEN MUG", "", 6, 10, 5, 10))
            .item(new ItemFacts("Q", "YELLOW LAMP", "", 8, 2, 1, 2))
            .item(new ItemFacts("X", "TINY MUG", "", 1, 2, 1, 2))
            .rule(new AssociationRule(List.of("A"), "B", 20, 0.02, 0.2, 2, 0.01, 1.2))
            .popular(new PopularItem("G", 10, 5))
            .tradeUp("A", new TradeUp("P", TradeUp.ALL, 3, 10, true))
            .tradeUp("A", new TradeUp("B", TradeUp.ALL, 2, 10, true))
            .customer("C1", new CustomerHistory(4, List.of(new PurchasedItem("A", 1, 4, DAY)), 1))
            .build();
    private static final NextBestOffers UP = new NextBestOffers(new Recommender(TRADED, RecommenderSettings.DEFAULTS), 0.5);

    @Test
    void upsellUnderRules() {
        assertEquals(List.of("P", "B", "G"), ids(UP.upsell("A", Optional.empty(), 3)));
        assertEquals(UP.upsell("A", Optional.empty(), 3, List.of()),
                UP.upsell("A", Optional.empty(), 3, List.of(), MerchandisingRules.NONE));
        List<NextBestOffers.Offer> boosted = UP.upsell("A", Optional.empty(), 3, List.of(), boost(Set.of("G")));
        assertEquals(List.of("G", "P", "B"), ids(boosted));
        assertTrue(boosted.get(0).explanation().startsWith("boosted: matches boost 'mugs'; "
                + NextBestOffers.HEURISTIC_NOTE), boosted.get(0).explanation());
        // The pin injects Q (pricier) but never X (cheaper than A: not an upsell).
        List<NextBestOffers.Offer> pinned = UP.upsell("A", Optional.empty(), 4, List.of(), pin(List.of("X", "Q", "B"), 3));
        assertEquals(List.of("B", "Q", "P", "G"), ids(pinned));
        assertTrue(pinned.get(0).explanation().startsWith(
                "pinned: matches pin 'p' (ranked among this item's upsell offers); 2 of 10 customers"),
                pinned.get(0).explanation());
        NextBestOffers.Offer q = pinned.get(1);
        assertEquals(NextBestOffers.PINNED_SOURCE, q.source());
        assertEquals("upsell", q.strategy());
        assertEquals(4.0, q.expectedValue(), 1e-12); // share 1/1 x activity 1 x margin 4
        assertEquals("pinned: matches pin 'p' (injected from the catalogue by popularity); 2.00 -> 8.00; "
                + "P(purchase) 1.000 (popular 1.000 x activity 1.000) x margin 4.00 (default margin rate: 50% of 8.00)",
                q.explanation());
        // Category cap: P and B share one.
        MerchandisingRules capped = new MerchandisingRules(null, null, null, null, 0, null, 1,
                Map.of("P", "m", "B", "m", "G", "g")::get);
        assertEquals(List.of("P", "G"), ids(UP.upsell("A", Optional.empty(), 3, List.of(), capped)));
    }

    @Test
    void theEngineOnAPlainListKeepsEachItemOnceAndInjectsOnlyWhatTheCallerAccepts() {
        // A ranking naming "b" twice (a repeat purchase and a rule can both propose it): pinned once, never again.
        List<String> ranked = List.of("a", "b", "c", "b", "d");
        MerchandisingRules pinB = new MerchandisingRules(null, null, Set.of("b", "x", "y")::contains, "p", 3,
                List.of("y", "b", "x"), 0, null);
        List<MerchandisingRules.Kept<String>> kept = pinB.select(ranked, s -> s, 5, item -> item.equals("x") ? null
                : item.toUpperCase());
        assertEquals(List.of("b", "Y", "a", "c", "d"), kept.stream().map(MerchandisingRules.Kept::entry).toList());
        assertEquals(List.of(MerchandisingRules.Mark.PINNED, MerchandisingRules.Mark.INJECTED,
                MerchandisingRules.Mark.RANKED, MerchandisingRules.Mark.RANKED, MerchandisingRules.Mark.RANKED),
                kept.stream().map(MerchandisingRules.Kept::mark).toList());
        // Boost, pin and cap together: pinned first, then boosted, the cap counting pinned entries.
        MerchandisingRules all = new MerchandisingRules(Set.of("d")::contains, "d", Set.of("c")::contains, "c", 1,
                List.of("c"), 1, Map.of("a", "1", "b", "2", "c", "1", "d", "3")::get);
        assertEquals(List.of("c", "d", "b"), all.select(ranked, s -> s, 4, item -> null).stream()
                .map(MerchandisingRules.Kept::entry).toList());
        // Ineligible entries (here "a" and "c") are neither pinned nor kept, and do not count towards the cap.
        assertEquals(List.of("b", "Y", "d"), pinB.select(ranked, s -> s, Set.of("b", "d")::contains, 5,
                item -> item.equals("x") ? null : item.toUpperCase()).stream().map(MerchandisingRules.Kept::entry)
                .toList());
        MerchandisingRules capOnly = new MerchandisingRules(null, null, null, null, 0, null, 1,
                Map.of("a", "1", "b", "2", "c", "1", "d", "3")::get);
        assertEquals(List.of("b", "c", "d"), capOnly.select(ranked, s -> s, item -> !item.equals("a"), 5, item -> null)
                .stream().map(MerchandisingRules.Kept::entry).toList());
    }

    /**
     * A pin passes over items whose category the pins have filled. It used to pin them and let the cap drop them,
     * so the answer had fewer pins than pinLimit although other matching items were eligible: found by
     * BusinessRulesFuzzTest, world seed 20261128, request 92 ({@code bought-together?pin=NOT (category:cat2)
     * &pinLimit=4&maxPerCategory=1&limit=8}: 2 pinned while a matching item of a third category was left out).
     */
    @Test
    void aPinPassesOverItemsOfACategoryThePinsHaveFilled() {
        List<String> ranked = List.of("a1", "a2", "b1", "c1");
        Map<String, String> category = Map.of("a1", "a", "a2", "a", "b1", "b", "c1", "c", "a3", "a", "d1", "d");
        MerchandisingRules pinAll = new MerchandisingRules(null, null, item -> true, "p", 3, List.of("a3", "d1"), 1,
                category::get);
        List<MerchandisingRules.Kept<String>> kept = pinAll.select(ranked, s -> s, 4, item -> item);
        assertEquals(List.of("a1", "b1", "c1"), kept.stream().map(MerchandisingRules.Kept::entry).toList());
        assertEquals(List.of(MerchandisingRules.Mark.PINNED, MerchandisingRules.Mark.PINNED,
                MerchandisingRules.Mark.PINNED), kept.stream().map(MerchandisingRules.Kept::mark).toList());
        // Injection too: with a2 the only ranked pin match beside a1, the catalogue's a3 is passed over for d1.
        MerchandisingRules pinA = new MerchandisingRules(null, null, Set.of("a1", "a2", "a3", "d1")::contains, "p", 2,
                List.of("a3", "d1"), 1, category::get);
        List<MerchandisingRules.Kept<String>> injected = pinA.select(ranked, s -> s, 4, item -> item);
        assertEquals(List.of("a1", "d1", "b1", "c1"), injected.stream().map(MerchandisingRules.Kept::entry).toList());
        assertEquals(MerchandisingRules.Mark.INJECTED, injected.get(1).mark());
    }

    /** The limit and the pin limit are exact: no entry past either, pinned from the ranking or injected. */
    @Test
    void theLimitAndThePinLimitAreExact() {
        List<String> ranked = List.of("a", "b", "c", "d", "e");
        MerchandisingRules pinBcd = new MerchandisingRules(null, null, Set.of("b", "c", "d")::contains, "p", 2,
                List.of("b", "c", "d"), 0, null);
        assertEquals(List.of("b", "c", "a", "d"), pinBcd.select(ranked, s -> s, 4, item -> item).stream()
                .map(MerchandisingRules.Kept::entry).toList());
        MerchandisingRules boostE = new MerchandisingRules(Set.of("e")::contains, "e", null, null, 0, null, 0, null);
        assertEquals(List.of("e", "a"), boostE.select(ranked, s -> s, 2, item -> item).stream()
                .map(MerchandisingRules.Kept::entry).toList());
        // the ranking holds no pinned item: the catalogue injects exactly pinLimit of its three
        MerchandisingRules pinXyz = new MerchandisingRules(null, null, Set.of("x", "y", "z")::contains, "p", 2,
                List.of("x", "y", "z"), 0, null);
        assertEquals(List.of("X", "Y", "a", "b", "c"), pinXyz.select(ranked, s -> s.toLowerCase(java.util.Locale.ROOT),
                5, item -> item.toUpperCase(java.util.Locale.ROOT)).stream().map(MerchandisingRules.Kept::entry)
                .toList());
    }
}
