package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code affinity evaluate} on an export without timestamps: 80 customers, 6 orders each, numbered by a
 * per-customer {@code sequence} column (the generic-sequence layout, detected from the header).
 */
class EvaluateCommandTest {
    @TempDir
    Path out;

    private static Path fixture() throws URISyntaxException {
        return Path.of(EvaluateCommandTest.class.getResource("/sequence-orders.csv").toURI());
    }

    @Test
    void lastBasketSplitRunsOnAnOrderSequence() throws Exception {
        int code = AffinityCli.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                "--report", out.toString());
        assertEquals(0, code);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode facts = report.get("facts");
        assertEquals(80, facts.get("testCustomers").asInt(), "every customer's last order is held out");
        assertEquals(0, facts.get("testCustomersWithoutHistory").asInt());
        JsonNode rf = report.get("models").get("repeat-frequency").get("metrics");
        assertTrue(rf.get("ndcg@10").asDouble() > 0, "customers rebuy staples: repeat frequency finds some");
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
    }

    @Test
    void timeSplitOnAnOrderSequenceIsAClearError() throws Exception {
        int code = AffinityCli.run("evaluate", "--input", fixture().toString(), "--split", "time", "--cutoff",
                "1970-01-05", "--report", out.toString());
        assertEquals(1, code);
        assertTrue(!Files.exists(out.resolve("report.json")));
    }
}
