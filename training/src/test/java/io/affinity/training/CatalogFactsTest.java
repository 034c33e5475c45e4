package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.recommender.ItemFacts;
import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Item facts learned from the lines: counts and the typical (median) price paid. */
@UnitTest
class CatalogFactsTest {
    @TempDir
    Path dir;

    private Map<String, ItemFacts> facts(String... rows) throws Exception {
        Path input = Files.writeString(dir.resolve("orders.csv"),
                "customer_id,order_id,timestamp,item_id,quantity,unit_price\n" + String.join("\n", rows) + "\n");
        Transactions tx = TransactionLoader.load(List.of(input), IngestOptions.defaults().withFormat("generic"))
                .transactions();
        return CatalogFacts.of(tx).items().stream().collect(Collectors.toMap(ItemFacts::itemId, Function.identity()));
    }

    /**
     * The mean of the two middle prices, computed in binary, is 2.8899999999999997 for 2.46 and 3.32: search showed
     * that, and {@code price:2.89} or {@code price:[2.89 TO 5]} missed the item.
     */
    @Test
    void medianOfAnEvenCountIsTheDecimalMidpoint() throws Exception {
        Map<String, ItemFacts> f = facts(
                "c1,o1,2011-05-01 10:00:00,MUG,1,2.46",
                "c2,o2,2011-05-02 10:00:00,MUG,1,3.32",
                "c1,o1,2011-05-01 10:00:00,JAR,1,0.28",
                "c2,o2,2011-05-02 10:00:00,JAR,1,0.29",
                "c1,o1,2011-05-01 10:00:00,PLATE,1,1.25",
                "c2,o2,2011-05-02 10:00:00,PLATE,1,1.65",
                "c3,o3,2011-05-03 10:00:00,PLATE,1,9.99");
        assertEquals("2.89", Double.toString(f.get("MUG").typicalPrice()));
        assertEquals("0.285", Double.toString(f.get("JAR").typicalPrice()));
        assertEquals("1.65", Double.toString(f.get("PLATE").typicalPrice()), "an odd count: the middle price");
    }
}
