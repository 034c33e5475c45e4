package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Tier;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.TradeUp;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.SingleMachine;
import io.affinity.training.TradeUpParameters;
import io.affinity.training.TradeUps;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trade-ups on Spark against known answers and against single-machine {@code TradeUps.find} on the same loader
 * result (see the table in {@link #rows()}): what counts as a move, the thresholds, per-segment lists and the
 * order of equally strong targets.
 */
@IntegrationTest
class SparkTradeUpsTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price,description";

    @TempDir
    static Path dir;
    private static Transactions tx;
    private static List<ItemFacts> items;
    private static Dataset<Row> indexed;
    /** At the defaults, with {@link #profiles()}: what both tests of the defaults look at (a Spark run each costs). */
    private static Map<String, List<TradeUp>> defaults;

    /**
     * Items: CUP_R "RED TEA CUP" 1.00, CUP_W "WHITE TEA CUP" 1.09 and CUP_G "GREEN TEA CUP" 1.11 (just below and
     * just above 10% more), CUP_B "BLUE TEA CUP" 1.50 (one family); lanterns of three families in one derived
     * category "lantern": LAN_G "GLASS LANTERN" 3.00, LAN_B "BRASS LANTERN" 4.00, LAN_M "METAL LANTERN" 6.00;
     * SPOON 5.00. Customers:
     * <ul>
     *   <li>c1-c3: CUP_R on day 1, CUP_B and SPOON on day 10; LAN_G on day 2, LAN_B and LAN_M in one order on day
     *       20 (movers to both lanterns, which tie; LAN_B to LAN_M in one basket is not a move)</li>
     *   <li>c4: CUP_R on day 1, CUP_B on day 10 (a mover)</li>
     *   <li>c5: CUP_R and CUP_B in one order (a buyer, not a mover)</li>
     *   <li>c6: CUP_B on day 1, CUP_R on day 10 (moved down, not up)</li>
     *   <li>c7: CUP_R on day 1, CUP_W on day 5 (9% pricier: not a move up at 10%)</li>
     *   <li>c8: LAN_G only</li>
     *   <li>c9-c20: SPOON only</li>
     *   <li>c21-c23: CUP_R on day 1, CUP_G on day 5 (11% pricier: movers)</li>
     * </ul>
     */
    private static List<String> rows() {
        List<String> r = new ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            r.add(row(c, 1, "CUP_R", 1.00, "RED TEA CUP"));
            r.add(row(c, 2, "LAN_G", 3.00, "GLASS LANTERN"));
            r.add(row(c, 10, "CUP_B", 1.50, "BLUE TEA CUP"));
            r.add(row(c, 10, "SPOON", 5.00, "SPOON"));
            r.add(row(c, 20, "LAN_M", 6.00, "METAL LANTERN"));
            r.add(row(c, 20, "LAN_B", 4.00, "BRASS LANTERN"));
        }
        r.add(row(4, 1, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(4, 10, "CUP_B", 1.50, "BLUE TEA CUP"));
        r.add(row(5, 3, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(5, 3, "CUP_B", 1.50, "BLUE TEA CUP"));
        r.add(row(6, 1, "CUP_B", 1.50, "BLUE TEA CUP"));
        r.add(row(6, 10, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(7, 1, "CUP_R", 1.00, "RED TEA CUP"));
        r.add(row(7, 5, "CUP_W", 1.09, "WHITE TEA CUP"));
        r.add(row(8, 2, "LAN_G", 3.00, "GLASS LANTERN"));
        for (int c = 9; c <= 20; c++) {
            r.add(row(c, 4, "SPOON", 5.00, "SPOON"));
        }
        for (int c = 21; c <= 23; c++) {
            r.add(row(c, 1, "CUP_R", 1.00, "RED TEA CUP"));
            r.add(row(c, 5, "CUP_G", 1.11, "GREEN TEA CUP"));
        }
        return r;
    }

    private static String row(int customer, int day, String item, double price, String description) {
        return "c" + customer + ",o" + customer + "-" + day + ",2011-05-" + String.format("%02d", day) + "," + item
                + ",1," + price + "," + description;
    }

    @BeforeAll
    static void load() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(rows());
        Path input = Files.write(dir.resolve("orders.csv"), lines);
        tx = TransactionLoader.load(List.of(input), IngestOptions.defaults().withFormat("generic")).transactions();
        items = SingleMachine.items(tx);
        SparkSession spark = LocalSpark.get();
        List<Row> numbers = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            numbers.add(RowFactory.create(items.get(i).itemId(), i));
        }
        Dataset<Row> itemNumbers = spark.createDataFrame(numbers, new StructType()
                .add(AcceptedLines.ITEM, DataTypes.StringType, false)
                .add(SparkModelStage.IDX, DataTypes.IntegerType, false));
        indexed = TestLines.of(spark, tx).withColumnRenamed(AcceptedLines.TIME, SparkModelStage.TIME_SECONDS)
                .join(itemNumbers, AcceptedLines.ITEM);
        defaults = both(profiles(), TradeUpParameters.DEFAULTS);
    }

    private static CustomerProfile profile(Tier tier, PriceSensitivity sensitivity) {
        return new CustomerProfile(1, 2, 10, 3, 3, 3, "loyal", 0.9, 1, 5, 20, tier, CustomerProfile.Stage.ACTIVE,
                CustomerProfile.Strategy.ENHANCE, 1, Double.NaN, sensitivity, List.of());
    }

    /** c1-c3, c9, c10 gold and price-sensitive; c4-c7 lead and not; c21-c23 iron, medium; c8 and the rest none. */
    private static Map<String, CustomerProfile> profiles() {
        Map<String, CustomerProfile> p = new LinkedHashMap<>();
        for (int c : new int[] {1, 2, 3, 9, 10}) {
            p.put("c" + c, profile(Tier.GOLD, PriceSensitivity.HIGH));
        }
        for (int c = 4; c <= 7; c++) {
            p.put("c" + c, profile(Tier.LEAD, PriceSensitivity.LOW));
        }
        for (int c = 21; c <= 23; c++) {
            p.put("c" + c, profile(Tier.IRON, PriceSensitivity.MEDIUM));
        }
        return p;
    }

    /**
     * The Spark job's trade-ups, in the order handed out, after checking that they and the summary are exactly
     * single-machine training's.
     */
    private static Map<String, List<TradeUp>> both(Map<String, CustomerProfile> profiles, TradeUpParameters p) {
        Dataset<Row> segments = null;
        if (!profiles.isEmpty()) {
            List<Row> rows = new ArrayList<>();
            profiles.forEach((id, profile) -> rows.add(CustomerProfiles.segmentRow(id, profile)));
            segments = LocalSpark.get().createDataFrame(rows, CustomerProfiles.SEGMENTS);
        }
        Map<String, List<TradeUp>> found = new LinkedHashMap<>();
        TradeUps.Summary summary = SparkTradeUps.find(indexed, items, segments, p, found::put);
        SingleMachine.TradeUpsFound expected = SingleMachine.tradeUps(tx, items, profiles, p);
        assertEquals(new ArrayList<>(expected.bySource().entrySet()), new ArrayList<>(found.entrySet()),
                "the single-machine trade-ups, in item order");
        assertEquals(expected.summary(), summary);
        return found;
    }

    @Test
    void movesUpWithinAFamilyOrACategoryAreCountedOncePerCustomer() {
        Map<String, List<TradeUp>> ups = new LinkedHashMap<>();
        defaults.forEach((item, list) -> ups.put(item, list.stream()
                .filter(t -> t.segment().equals(TradeUp.ALL)).toList()));
        // All customers: CUP_R: bought by 10 (c1-c7, c21-c23); to CUP_B c1-c4 (c5 in one basket, c6 moved down), to CUP_G
        // c21-c23 (11% more), not CUP_W (9% more). LAN_G: bought by 4, both lanterns of other families 3 each,
        // tied: by id. LAN_B to LAN_M in one basket is no move.
        assertEquals(Map.of(
                "CUP_R", List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 10, true),
                        new TradeUp("CUP_G", TradeUp.ALL, 3, 10, true)),
                "LAN_G", List.of(new TradeUp("LAN_B", TradeUp.ALL, 3, 4, false),
                        new TradeUp("LAN_M", TradeUp.ALL, 3, 4, false))), ups);
    }

    @Test
    void segmentsCountTheirOwnCustomersAndTheirOwnBaseRate() {
        Map<String, List<TradeUp>> ups = defaults;
        // Gold (5 customers): CUP_R to CUP_B 3 of 3 (base 3/5). Iron (3): CUP_R to CUP_G 3 of 3, but every iron
        // customer bought CUP_G: rate 1 is not above the base 1, not kept. Lead: one mover, below 3.
        assertEquals(List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 10, true),
                new TradeUp("CUP_G", TradeUp.ALL, 3, 10, true),
                new TradeUp("CUP_B", "tier:gold", 3, 3, true),
                new TradeUp("CUP_B", "price:high", 3, 3, true)), ups.get("CUP_R"));
        // c8 has no profile: a buyer of LAN_G among all customers only.
        assertEquals(List.of(new TradeUp("LAN_B", TradeUp.ALL, 3, 4, false),
                new TradeUp("LAN_M", TradeUp.ALL, 3, 4, false),
                new TradeUp("LAN_B", "tier:gold", 3, 3, false),
                new TradeUp("LAN_M", "tier:gold", 3, 3, false),
                new TradeUp("LAN_B", "price:high", 3, 3, false),
                new TradeUp("LAN_M", "price:high", 3, 3, false)), ups.get("LAN_G"));
        assertEquals(2, ups.size());
    }

    @Test
    void thresholdsAndTheCutPerSegment() {
        // one target per segment: the stronger cup, and of the tied lanterns the first by id
        Map<String, List<TradeUp>> one = both(profiles(), new TradeUpParameters(0.10, 3, 1, 1.0));
        assertEquals(List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 10, true),
                new TradeUp("CUP_B", "tier:gold", 3, 3, true),
                new TradeUp("CUP_B", "price:high", 3, 3, true)), one.get("CUP_R"));
        assertEquals(List.of(new TradeUp("LAN_B", TradeUp.ALL, 3, 4, false),
                new TradeUp("LAN_B", "tier:gold", 3, 3, false),
                new TradeUp("LAN_B", "price:high", 3, 3, false)), one.get("LAN_G"));
        // an 8% step makes c7's CUP_W a move, and one mover is enough: every counted move; without profiles,
        // all customers only
        Map<String, List<TradeUp>> all = both(Map.of(), new TradeUpParameters(0.08, 1, 10, 0.0));
        assertEquals(List.of(new TradeUp("CUP_B", TradeUp.ALL, 4, 10, true),
                new TradeUp("CUP_G", TradeUp.ALL, 3, 10, true),
                new TradeUp("CUP_W", TradeUp.ALL, 1, 10, true)), all.get("CUP_R"));
        assertFalse(all.containsKey("CUP_B"), "nothing pricier than CUP_B of its family was bought after it");
    }
}
