package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --catalog} on {@code train} and {@code customers}, with the test catalogue {@code catalog-costs.csv}. */
@IntegrationTest
class CatalogCommandTest {
    @TempDir
    Path dir;

    static Path catalogue() throws Exception {
        return Path.of(CatalogCommandTest.class.getResource("/catalog-costs.csv").toURI());
    }

    @Test
    void customersRankTiersByMarginWhenTheCatalogueGivesCosts() throws Exception {
        int code = AffinityCli.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "2011-05-31", "--catalog", catalogue().toString(), "--output", dir.toString());
        assertEquals(0, code);
        JsonNode tiers = new ObjectMapper().readTree(dir.resolve("report.json").toFile()).get("tiers");
        assertTrue(tiers.get("basis").asText().startsWith("predicted margin"), tiers.toString());
        assertEquals(4, tiers.get("itemsWithCost").asInt());
        assertTrue(Files.readAllLines(dir.resolve("profiles.csv")).get(0).endsWith(",margin_share,expected_margin_12m"));
    }

    @Test
    void trainRecordsTheCatalogueAndServesItsSummary() throws Exception {
        Path orders = Files.write(dir.resolve("orders.csv"), List.of(
                "customer_id,order_id,timestamp,item_id,quantity,unit_price,description",
                "c1,o1,2011-05-01,85123A,2,2.95,HEART HOLDER", "c1,o1,2011-05-01,22423,1,12.75,CAKESTAND",
                "c2,o2,2011-05-02,85123A,1,2.95,HEART HOLDER", "c2,o2,2011-05-02,22423,1,12.75,CAKESTAND",
                "c3,o3,2011-05-03,99999,1,1.00,NOT IN THE CATALOGUE"));
        Path models = dir.resolve("models");
        int code = AffinityCli.run("train", "--input", orders.toString(), "--format", "generic", "--recommender",
                "rules", "--catalog", catalogue().toString(), "--models", models.toString());
        assertEquals(0, code);
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            assertEquals(1.20, s.item("85123A").orElseThrow().unitCost(), 1e-12);
            var served = ServedModels.of(s);
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> catalog = (Map<String, Object>) served.summary().get("catalog");
                assertEquals(2, ((JsonNode) catalog.get("matchedBoughtItems")).asInt());
                assertEquals(1, ((JsonNode) catalog.get("boughtItemsWithoutRow")).asInt());
                assertEquals(2, ((JsonNode) catalog.get("catalogItemsNeverBought")).asInt());
                assertTrue(!catalog.containsKey("rejectedSamples"), catalog.toString());
                // GET /v1/model is open to every caller (or every key holder): file names, not the training host's
                // directories (which name users, shares and layouts)
                assertEquals(catalogue().getFileName().toString(), ((JsonNode) catalog.get("path")).asText());
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> inputs = (List<Map<String, Object>>) served.summary().get("inputs");
                assertEquals("orders.csv", inputs.get(0).get("path"));
                assertEquals(Files.size(orders), inputs.get(0).get("bytes"));
            } finally {
                served.catalog().close();
            }
        }
    }

    @Test
    void aMissingCatalogueIsAClearError() {
        int code = AffinityCli.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "2011-05-31", "--catalog", dir.resolve("nope.csv").toString(), "--output", dir.toString());
        assertEquals(1, code);
    }
}
