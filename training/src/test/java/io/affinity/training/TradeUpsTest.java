package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Tier;
import io.affinity.recommender.TradeUp;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trade-up counting on a hand-made export whose answers are known (see the table in {@link #rows()}). */
@IntegrationTest
class TradeUpsTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price,description";

    @TempDir
    Path dir;

    /**
     * Items: CUP_R "RED TEA CUP" 1.00, CUP_B "BLUE TEA CUP" 1.50 and CUP_W "WHITE TEA CUP" 1.05 (one family),
     * LAN_G "GLASS LANTERN" 3.00 and LAN_M "METAL LANTERN" 6.00 (two families, one derived category "lantern"),
     * SPOON 5.00 (another category). Customers:
     * <ul>
     *   <li>c1-c3: CUP_R on day 1, CUP_B and SPOON on day 10; LAN_G on day 2, LAN_M on day 20 (movers both ways)</li>
     *   <li>c4: CUP_R on day 1, CUP_B on day 10 (a mover)</li>
     *   <li>c5: CUP_R and CUP_B in one order (a buyer, not a mover)</li>
     *   <li>c6: CUP_B on day 1, CUP_R on day 10 (moved down, not up)</li>
     *   <li>c7: CUP_R on day 1, CUP_W on day 5 (only 5% pricier: a variant, not a move up)</li>
     *   <li>c8: LAN_G only</li>
     *   <li>c9-c20: SPOON only</li>
     * </ul>
     * So CUP_R -> CUP_B: 4 movers of 7 buyers (rate 0.57, while 6 of all 20 customers bought CUP_B: 0.30);
     * LAN_G -> LAN_M: 3 of 4 (0.75 against 3 of 20); nothing else reaches 3 movers.
     */
    private static List<String> rows() {
        List<String> r = new ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            r.add(row(c, 1, "CUP_R", 1.00, "RED TEA CUP"));
            r.add(row(c, 2, "LAN_G", 3.00, "GLASS LANTERN"));
            r.add(row(c, 10, "CUP_B", 1.50, "BLUE TEA CUP"));
            r.add(row(c, 10, "SPOON", 5.00, "SPOON"));
            r.add(row(c, 20, "LAN_M", 6.00, "METAL LANTERN"));
        }
        r.add(row(4, 1, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(4, 10, "CUP_B", 1.50, "BLUE TEA CUP"));
        r.add(row(5, 3, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(5, 3, "CUP_B", 1.50, "BLUE TEA CUP"));
        r.add(row(6, 1, "CUP_B", 1.50, "BLUE TEA CUP"));
        r.add(row(6, 10, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(7, 1, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(7, 5, "CUP_W", 1.05, "WHITE TEA CUP"));
        r.add(row(8, 2, "LAN_G", 3.00, "GLASS LANTERN"));
        for (int c = 9; c <= 20; c++) {
            r.add(row(c, 4, "SPOON", 5.00, "SPOON"));
        }
        return r;
    }

    private static String row(int customer, int day, String item, double price, String description) {
        return "c" + customer + ",o" + customer + "-" + day + ",2011-05-" + String.format("%02d", day) + "," + item
                + ",1," + price + "," + description;
    }

    private Transactions load() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(rows());
        Path input = Files.write(dir.resolve("orders.csv"), lines);
        return TransactionLoader.load(List.of(input), IngestOptions.defaults().withFormat("generic")).transactions();
    }

    private static Map<String, List<TradeUp>> find(Transactions tx, Map<String, CustomerProfile> profiles,
                                                   TradeUpParameters p) {
        Map<String, List<TradeUp>> out = new TreeMap<>();
        TradeUps.find(tx, CatalogFacts.of(tx).items(), profiles, p, out::put);
        return out;
    }

    private static CustomerProfile profile(Tier tier, PriceSensitivity sensitivity) {
        return new CustomerProfile(1, 2, 10, 3, 3, 3, "loyal", 0.9, 1, 5, 20, tier, CustomerProfile.Stage.ACTIVE,
                CustomerProfile.Strategy.ENHANCE, 1, Double.NaN, sensitivity, List.of());
    }

    @Test
    void countsDistinctCustomersWhoLaterBoughtAPricierItemOfTheSameFamilyOrCategory() throws Exception {
        Map<String, List<TradeUp>> ups = find(load(), Map.of(), TradeUpParameters.DEFAULTS);
        assertEquals(Map.of(
                "CUP_R", List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 7, true)),
                "LAN_G", List.of(new TradeUp("LAN_M", TradeUp.ALL, 3, 4, false))), ups);
        assertEquals(4.0 / 7, ups.get("CUP_R").get(0).rate(), 1e-12);
    }

    @Test
    void thresholdsDecideWhatIsAMoveUp() throws Exception {
        Transactions tx = load();
        // One mover is enough: c6's move down is still not counted, c7's 5% step is not a move at 10%...
        Map<String, List<TradeUp>> one = find(tx, Map.of(), new TradeUpParameters(0.10, 1, 10, 1.0));
        assertEquals(List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 7, true)), one.get("CUP_R"));
        assertTrue(!one.containsKey("CUP_B") && !one.containsKey("CUP_W") && !one.containsKey("SPOON"), one.toString());
        // ... but is at 4%, and ranks below the stronger move.
        Map<String, List<TradeUp>> small = find(tx, Map.of(), new TradeUpParameters(0.04, 1, 10, 1.0));
        assertEquals(List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 7, true), new TradeUp("CUP_W", TradeUp.ALL, 1, 7, true)),
                small.get("CUP_R"));
        // A 100% step leaves only the lanterns (6.00 vs 3.00); per-segment cap 1 keeps the strongest only.
        assertEquals(Map.of("LAN_G", List.of(new TradeUp("LAN_M", TradeUp.ALL, 3, 4, false))),
                find(tx, Map.of(), new TradeUpParameters(1.0, 1, 1, 1.0)));
        assertEquals(List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 7, true)),
                find(tx, Map.of(), new TradeUpParameters(0.04, 1, 1, 1.0)).get("CUP_R"));
    }

    @Test
    void aMoveNoMoreLikelyThanTheTargetsPopularityIsNotKept() throws Exception {
        Transactions tx = load();
        // CUP_R -> CUP_B: rate 4/7 = 0.571 vs base 6/20 = 0.30, lift 1.90; LAN_G -> LAN_M: 0.75 vs 0.15, lift 5.
        assertEquals(java.util.Set.of("CUP_R", "LAN_G"), find(tx, Map.of(), new TradeUpParameters(0.10, 1, 10, 1.9)).keySet());
        assertEquals(java.util.Set.of("LAN_G"), find(tx, Map.of(), new TradeUpParameters(0.10, 1, 10, 1.91)).keySet());
        assertEquals(java.util.Set.of(), find(tx, Map.of(), new TradeUpParameters(0.10, 1, 10, 5.0)).keySet());
    }

    @Test
    void segmentsCountOnlyTheirOwnCustomers() throws Exception {
        Map<String, CustomerProfile> profiles = new HashMap<>();
        for (int c = 1; c <= 3; c++) {
            profiles.put("c" + c, profile(Tier.GOLD, PriceSensitivity.HIGH));
        }
        for (int c = 4; c <= 7; c++) {
            profiles.put("c" + c, profile(Tier.LEAD, PriceSensitivity.LOW));
        }
        for (int c = 9; c <= 10; c++) { // gold and price-sensitive, bought only spoons: 5 such customers in all
            profiles.put("c" + c, profile(Tier.GOLD, PriceSensitivity.HIGH));
        }
        Map<String, List<TradeUp>> ups = find(load(), profiles, TradeUpParameters.DEFAULTS);
        // Gold: 3 of 3 buyers moved, 3 of the 5 gold customers bought CUP_B (1.0 > 0.6). Lead customers: 1 mover
        // (c4) of 4 buyers, below the minimum of 3: not kept.
        assertEquals(List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 7, true),
                new TradeUp("CUP_B", "tier:gold", 3, 3, true),
                new TradeUp("CUP_B", "price:high", 3, 3, true)), ups.get("CUP_R"));
        // c8 has no profile: a buyer for all customers only.
        assertEquals(List.of(new TradeUp("LAN_M", TradeUp.ALL, 3, 4, false),
                new TradeUp("LAN_M", "tier:gold", 3, 3, false),
                new TradeUp("LAN_M", "price:high", 3, 3, false)), ups.get("LAN_G"));
    }

    @Test
    void trainingPublishesTheTradeUps() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(rows());
        Path input = Files.write(dir.resolve("orders.csv"), lines);
        TrainingParameters p = new TrainingParameters(List.of(input), "generic", 0.2, 0.1, 1.0, 3, 100, 10, 0.01);
        new TrainingPipeline(p, line -> { }).run(dir.resolve("models"));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals(new TradeUp("CUP_B", TradeUp.ALL, 4, 7, true), s.tradeUps("CUP_R").get(0));
            assertEquals(new TradeUp("LAN_M", TradeUp.ALL, 3, 4, false), s.tradeUps("LAN_G").get(0));
            assertEquals(List.of(), s.tradeUps("SPOON"));
            assertEquals(2, s.manifest().counts().upsell());
            assertEquals(0.10, s.manifest().sections().get("upsell").get("minPriceIncrease").doubleValue(), 0);
        }
    }
}
