package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code affinity compare}: the real command, in process, on reports shaped like evaluate's. */
class CompareCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A report of two models (tifu-knn and blend, the first served) with the given NDCG@10 of the blend. */
    private ObjectNode report(String cutoff, double blendNdcg, String served) {
        ObjectNode r = JSON.createObjectNode();
        r.putObject("settings").put("split", "time").put("cutoff", cutoff).put("testDays", 90).put("seed", 42);
        r.putObject("facts").put("split", "time split").put("items", 4724).put("customers", 5852)
                .put("testCustomers", 2833);
        r.put("served", served);
        ObjectNode models = r.putObject("models");
        models.putObject("tifu-knn").putObject("metrics").put("ndcg@10", 0.3162).put("recall@10", 0.1182);
        models.putObject("blend").putObject("metrics").put("ndcg@10", blendNdcg).put("recall@10", 0.1169);
        return r;
    }

    private Path write(String name, JsonNode report) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("report.json"), JSON.writeValueAsString(report));
        return d;
    }

    @Test
    void identicalReportsAreComparableAndEveryModelIsMarkedUnchanged() throws Exception {
        Path a = write("a", report("2011-09-01T00:00", 0.3120, "tifu-knn"));
        Path b = write("b", report("2011-09-01T00:00", 0.3120, "tifu-knn"));
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", a.toString(), b.toString(), "--metrics",
                "ndcg@10,recall@10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("comparable: same split, cutoff, test period and data counts"), r.out());
        assertTrue(r.out().contains("0.3120 (=)"), r.out());
        assertTrue(r.out().contains("2 of 2 models identical on these metrics"), r.out());
        assertFalse(r.out().contains("WARNING"), r.out());
    }

    @Test
    void aChangedMetricShowsItsDifferenceAndAChangedServedModelIsSaid() throws Exception {
        Path a = write("a", report("2011-09-01T00:00", 0.3120, "tifu-knn"));
        Path b = write("b", report("2011-09-01T00:00", 0.3220, "blend"));
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", a.resolve("report.json").toString(),
                b.toString(), "--metrics", "ndcg@10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("0.3120 -> 0.3220 (+0.0100)"), r.out());
        assertTrue(r.out().contains("1 of 2 models identical"), r.out());
        assertTrue(r.out().contains("the served model changed"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("blend *")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("tifu-knn (base *)")), r.out());
    }

    @Test
    void reportsOfDifferentSplitsAreFlaggedAsNotComparable() throws Exception {
        ObjectNode other = report("2011-06-03T00:00", 0.3120, "tifu-knn");
        ((ObjectNode) other.get("facts")).put("testCustomers", 1919);
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare",
                write("a", report("2011-09-01T00:00", 0.3120, "tifu-knn")).toString(), write("b", other).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("WARNING: the reports measured different things"), r.out());
        assertTrue(r.out().contains("settings.cutoff: base 2011-09-01T00:00, new 2011-06-03T00:00"), r.out());
        assertTrue(r.out().contains("facts.testCustomers: base 2833, new 1919"), r.out());
    }

    @Test
    void aModelInOneReportOnlyIsShownWithADash() throws Exception {
        ObjectNode withAls = report("2011-09-01T00:00", 0.3120, "tifu-knn");
        ((ObjectNode) withAls.get("models")).putObject("als").putObject("metrics").put("ndcg@10", 0.1584);
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare",
                write("a", report("2011-09-01T00:00", 0.3120, "tifu-knn")).toString(), write("b", withAls).toString(),
                "--metrics", "ndcg@10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("als") && l.contains("- -> 0.1584")), r.out());
        assertTrue(r.out().contains("2 of 3 models identical"), r.out());
    }

    @Test
    void jsonOutputCarriesBothValuesAndTheDifference() throws Exception {
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare",
                write("a", report("2011-09-01T00:00", 0.3120, "tifu-knn")).toString(),
                write("b", report("2011-09-01T00:00", 0.3128, "tifu-knn")).toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = JSON.readTree(r.out());
        assertTrue(o.get("comparable").asBoolean());
        JsonNode blend = o.at("/models/blend/ndcg@10");
        assertEquals(0.3120, blend.get("base").asDouble(), 0);
        assertEquals(0.3128, blend.get("new").asDouble(), 0);
        assertEquals(0.3128 - 0.3120, blend.get("difference").asDouble(), 1e-15);
        assertTrue(o.at("/models/blend/hitrate@10/base").isNull(), "absent metrics are null: " + o);
    }

    @Test
    void badInputIsOneLineNamingTheFileAndWhy() throws Exception {
        Path good = write("good", report("2011-09-01T00:00", 0.3120, "tifu-knn"));
        CommandErrorsTest.Run missing = CommandErrorsTest.run("compare", good.toString(),
                dir.resolve("nope.json").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("affinity compare: error: report " + dir.resolve("nope.json")
                + " does not exist"), missing.err());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        CommandErrorsTest.Run noReport = CommandErrorsTest.run("compare", good.toString(), empty.toString());
        assertEquals(1, noReport.code());
        assertTrue(noReport.err().contains("holds no report.json"), noReport.err());

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\n  \"models\": {,\n}");
        CommandErrorsTest.Run invalid = CommandErrorsTest.run("compare", good.toString(), broken.toString());
        assertEquals(1, invalid.code());
        assertTrue(invalid.err().contains(broken + ":2:"), invalid.err());
        assertTrue(invalid.err().contains("not valid JSON"), invalid.err());

        Path other = Files.writeString(dir.resolve("manifest.json"), "{\"formatVersion\": 5}");
        CommandErrorsTest.Run notReport = CommandErrorsTest.run("compare", good.toString(), other.toString());
        assertEquals(1, notReport.code());
        assertTrue(notReport.err().contains(other + ": not an evaluation report"), notReport.err());

        CommandErrorsTest.Run metric = CommandErrorsTest.run("compare", good.toString(), good.toString(),
                "--metrics", "ndcg@11");
        assertEquals(1, metric.code());
        assertTrue(metric.err().contains("--metrics: neither report has a metric 'ndcg@11'"), metric.err());
        assertTrue(metric.err().contains("ndcg@10"), "names metrics it has: " + metric.err());
    }
}
