package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.evaluation.PerCustomerMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code affinity compare}: the real command, in process, on reports shaped like evaluate's. */
@IntegrationTest
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

    /** Same counts, other data: the inputs' digests tell them apart (reports before they were recorded: no claim). */
    @Test
    void reportsOfDifferentInputFilesAreFlaggedAsNotComparable() throws Exception {
        ObjectNode a = report("2011-09-01T00:00", 0.3120, "tifu-knn");
        ObjectNode b = report("2011-09-01T00:00", 0.3120, "tifu-knn");
        a.putArray("inputs").addObject().put("path", "/data/orders.csv").put("bytes", 100).put("sha256", "aa");
        b.putArray("inputs").addObject().put("path", "/data/orders.csv").put("bytes", 100).put("sha256", "bb");
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", write("a", a).toString(), write("b", b).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("WARNING: the reports measured different things"), r.out());
        assertTrue(r.out().contains("inputs: base /data/orders.csv (100 bytes, sha256 aa), new /data/orders.csv "
                + "(100 bytes, sha256 bb)"), r.out());
        ObjectNode moved = report("2011-09-01T00:00", 0.3120, "tifu-knn");
        moved.putArray("inputs").addObject().put("path", "/elsewhere/o.csv").put("bytes", 100).put("sha256", "aa");
        CommandErrorsTest.Run same = CommandErrorsTest.run("compare", write("c", a).toString(),
                write("d", moved).toString());
        assertTrue(same.out().contains("comparable:"), "a copy elsewhere is the same data: " + same.out());
        CommandErrorsTest.Run old = CommandErrorsTest.run("compare", write("e", a).toString(),
                write("f", report("2011-09-01T00:00", 0.3120, "tifu-knn")).toString());
        assertTrue(old.out().contains("comparable:"), old.out());
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
    void settingsThatDifferBeyondTheProtocolAreNamedWithoutCallingTheReportsIncomparable() throws Exception {
        // Same split, cutoff, test days and data, other model settings: the comparison is about exactly that change,
        // so the reports stay comparable, but the reader must be told what changed (README: every setting that
        // differs is named). Before, a --seed or --ease-max-items change went unmentioned.
        ObjectNode changed = report("2011-09-01T00:00", 0.3128, "tifu-knn");
        ((ObjectNode) changed.get("settings")).put("seed", 7).put("easeMaxItems", 1000).put("seasonWindow", false);
        ObjectNode base = report("2011-09-01T00:00", 0.3120, "tifu-knn");
        ((ObjectNode) base.get("settings")).put("easeMaxItems", 2500).put("seasonWindow", true);
        Path a = write("a", base);
        Path b = write("b", changed);
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("comparable: same split, cutoff, test period and data counts"), r.out());
        assertFalse(r.out().contains("WARNING"), r.out());
        assertTrue(r.out().contains("settings that differ (the change being compared): settings.seed: base 42, new 7; "
                + "settings.easeMaxItems: base 2500, new 1000; settings.seasonWindow: base true, new false"), r.out());

        JsonNode o = JSON.readTree(CommandErrorsTest.run("compare", a.toString(), b.toString(), "--json").out());
        assertTrue(o.get("comparable").asBoolean(), o.toString());
        assertEquals(java.util.List.of("settings.seed: base 42, new 7", "settings.easeMaxItems: base 2500, new 1000",
                "settings.seasonWindow: base true, new false"),
                JSON.convertValue(o.get("changedSettings"), java.util.List.class), o.toString());

        // A report written before a setting was recorded says so rather than hiding the difference.
        ObjectNode old = report("2011-09-01T00:00", 0.3120, "tifu-knn");
        CommandErrorsTest.Run vsOld = CommandErrorsTest.run("compare", write("old", old).toString(), b.toString());
        assertTrue(vsOld.out().contains("settings.seasonWindow: base absent, new false"), vsOld.out());
        // Identical settings: no such line.
        CommandErrorsTest.Run same = CommandErrorsTest.run("compare", a.toString(), a.toString());
        assertFalse(same.out().contains("settings that differ"), same.out());
    }

    /**
     * Reports made by different builds or JVMs: the difference may come from the code, not from a setting, so the
     * reader is told, as for a setting (the repro audit's leftover: report.json records `software` since then).
     */
    @Test
    void reportsOfAnotherBuildOrJvmSayIt() throws Exception {
        ObjectNode base = report("2011-09-01T00:00", 0.3120, "tifu-knn");
        base.putObject("software").put("affinityVersion", "0.1.0-SNAPSHOT+e15b427").put("javaVersion", "25.0.3");
        ObjectNode changed = report("2011-09-01T00:00", 0.3128, "tifu-knn");
        changed.putObject("software").put("affinityVersion", "0.1.0-SNAPSHOT+8ba234d").put("javaVersion", "25.0.3");
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", write("a", base).toString(),
                write("b", changed).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("comparable: same split, cutoff, test period and data counts"), r.out());
        assertTrue(r.out().contains("settings that differ (the change being compared): software.affinityVersion: "
                + "base 0.1.0-SNAPSHOT+e15b427, new 0.1.0-SNAPSHOT+8ba234d"), r.out());
        assertFalse(r.out().contains("javaVersion"), "the same JVM is no difference: " + r.out());
        CommandErrorsTest.Run vsOld = CommandErrorsTest.run("compare",
                write("old", report("2011-09-01T00:00", 0.3120, "tifu-knn")).toString(), write("b", changed).toString());
        assertTrue(vsOld.out().contains("software.affinityVersion: base absent, new 0.1.0-SNAPSHOT+8ba234d"),
                vsOld.out());
    }

    private static double[] random(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble();
        }
        return v;
    }

    /** The same values with each pair of neighbours swapped: nearly the same mean, customers up and down. */
    private static double[] neighboursSwapped(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i + 1 < out.length; i += 2) {
            double t = out[i];
            out[i] = out[i + 1];
            out[i + 1] = t;
        }
        return out;
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).sum() / v.length;
    }

    /**
     * A report as evaluate writes it since per-customer files: tifu-knn and blend with the given per-customer
     * ndcg@10 (recall@10 the same values halved), aggregates their means, customers c0, c1, ... unless given.
     */
    private Path paired(String name, double[] tifu, double[] blend, java.util.List<String> ids) throws Exception {
        ObjectNode r = report("2011-09-01T00:00", mean(blend), "blend");
        ObjectNode models = (ObjectNode) r.get("models");
        ((ObjectNode) models.get("tifu-knn").get("metrics")).put("ndcg@10", mean(tifu)).put("recall@10",
                mean(tifu) / 2);
        ((ObjectNode) models.get("blend").get("metrics")).put("recall@10", mean(blend) / 2);
        java.util.Map<String, double[][]> byModel = new java.util.LinkedHashMap<>();
        byModel.put("tifu-knn", new double[][] {tifu, java.util.Arrays.stream(tifu).map(x -> x / 2).toArray()});
        byModel.put("blend", new double[][] {blend, java.util.Arrays.stream(blend).map(x -> x / 2).toArray()});
        PerCustomerMetrics pc = new PerCustomerMetrics(PerCustomerMetrics.fingerprint(ids),
                java.util.List.of("ndcg@10", "recall@10"), byModel);
        Path d = Files.createDirectories(dir.resolve(name));
        String sha;
        try (var out = Files.newOutputStream(d.resolve(PerCustomerMetrics.FILE))) {
            sha = pc.write(out);
        }
        r.put("testCustomersFingerprint", pc.testCustomersFingerprint());
        r.putObject("perCustomer").put("file", PerCustomerMetrics.FILE).put("csvSha256", sha)
                .put("customers", pc.customers());
        return write(name, r);
    }

    private static java.util.List<String> ids(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "c" + i).sorted().toList();
    }

    /** 300 customers: tifu-knn the same in both reports, the blend better in NEW for every single customer. */
    private Path[] betterBlendForEveryCustomer() throws Exception {
        double[] tifu = random(300, 1);
        double[] blend = random(300, 2);
        double[] gain = random(300, 3);
        double[] better = blend.clone();
        for (int i = 0; i < better.length; i++) {
            better[i] += 0.01 + 0.02 * gain[i];
        }
        return new Path[] {paired("a", tifu, blend, ids(300)), paired("b", tifu.clone(), better, ids(300))};
    }

    @Test
    void pairedReportsGetAnIntervalPerDifferenceAndAStarWhenItExcludesZero() throws Exception {
        Path[] ab = betterBlendForEveryCustomer();
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("paired over the 300 test customers both reports share"), r.out());
        String blend = r.out().lines().filter(l -> l.startsWith("blend *")).findFirst().orElseThrow();
        // every customer gains 0.01 to 0.03 in ndcg@10 (half that in recall@10): intervals inside those ranges
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(\\+0\\.0\\d{3} \\[\\+(0\\.\\d{4}), "
                + "\\+(0\\.\\d{4})\\] \\*\\)").matcher(blend);
        assertTrue(m.find(), blend);
        assertTrue(Double.parseDouble(m.group(1)) >= 0.01 && Double.parseDouble(m.group(2)) <= 0.03, blend);
        assertTrue(m.find(), "recall@10 too: " + blend);
        assertTrue(Double.parseDouble(m.group(1)) >= 0.005 && Double.parseDouble(m.group(2)) <= 0.015, blend);
        String tifu = r.out().lines().filter(l -> l.startsWith("tifu-knn")).findFirst().orElseThrow();
        assertTrue(tifu.contains("(=)") && !tifu.contains("[") && !tifu.contains("*"), "identical: " + tifu);
        assertTrue(blend.endsWith("-"), "hitrate@10 and coverage@10 absent from both: " + blend);
        assertTrue(r.out().contains("* after an interval: it excludes 0"), r.out());

        JsonNode o = JSON.readTree(CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString(), "--json")
                .out());
        assertTrue(o.at("/pairedTest/made").asBoolean());
        assertEquals(300, o.at("/pairedTest/customers").asInt());
        JsonNode cell = o.at("/models/blend/ndcg@10");
        assertTrue(cell.get("interval95").get(0).asDouble() > 0.01, cell.toString());
        assertTrue(cell.get("significant").asBoolean());
        assertTrue(cell.get("pValue").asDouble() < 1e-10, "better for every customer: " + cell);
        JsonNode same = o.at("/models/tifu-knn/ndcg@10");
        assertEquals(0, same.get("interval95").get(0).asDouble());
        assertEquals(0, same.get("interval95").get(1).asDouble());
        assertFalse(same.get("significant").asBoolean());
        assertEquals(1, same.get("pValue").asDouble());
        assertTrue(o.at("/models/blend/coverage@10").get("interval95") == null, "no per-customer coverage");
    }

    /**
     * The gate a retraining pipeline runs before a canary: exit 3 when NEW's served model is worse than BASE's on the
     * metric beyond the noise (the paired interval below 0), 4 when the reports cannot tell (not comparable, or
     * not paired), 0 otherwise.
     */
    @Test
    void failIfWorseGatesOnTheServedModelsPairedDifference() throws Exception {
        Path[] ab = betterBlendForEveryCustomer();
        CommandErrorsTest.Run better = CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString(),
                "--fail-if-worse", "ndcg@10");
        assertEquals(0, better.code(), better.err());
        assertTrue(better.out().contains("gate ndcg@10: passed: served blend -> blend"), better.out());
        CommandErrorsTest.Run worse = CommandErrorsTest.run("compare", ab[1].toString(), ab[0].toString(),
                "--fail-if-worse", "ndcg@10");
        assertEquals(3, worse.code(), worse.out());
        assertTrue(worse.out().contains("gate ndcg@10: failed: served blend -> blend is worse beyond the noise"),
                worse.out());
        CommandErrorsTest.Run asJson = CommandErrorsTest.run("compare", ab[1].toString(), ab[0].toString(),
                "--fail-if-worse", "ndcg@10", "--json");
        assertEquals(3, asJson.code());
        assertTrue(JSON.readTree(asJson.out()).has("models"), "standard output stays one JSON document");
        assertTrue(asJson.err().startsWith("gate ndcg@10: failed"), asJson.err());
        // within the noise: passes (the interval straddles 0)
        double[] tifu = random(300, 1);
        double[] blend = random(300, 2);
        double[] shuffled = neighboursSwapped(blend);
        assertEquals(0, CommandErrorsTest.run("compare", paired("n1", tifu, blend, ids(300)).toString(),
                paired("n2", tifu, shuffled, ids(300)).toString(), "--fail-if-worse", "ndcg@10").code());
        // cannot tell: other test customers, or reports without per-customer files
        CommandErrorsTest.Run other = CommandErrorsTest.run("compare", ab[0].toString(),
                paired("c", tifu, blend, ids(301)).toString(), "--fail-if-worse", "ndcg@10");
        assertEquals(4, other.code(), other.out());
        assertTrue(other.out().contains("gate ndcg@10: cannot tell:"), other.out());
        CommandErrorsTest.Run old = CommandErrorsTest.run("compare",
                write("o1", report("2011-09-01T00:00", 0.3120, "blend")).toString(),
                write("o2", report("2011-09-01T00:00", 0.3020, "blend")).toString(), "--fail-if-worse", "ndcg@10");
        assertEquals(4, old.code(), old.out());
        CommandErrorsTest.Run typo = CommandErrorsTest.run("compare",
                write("o3", report("2011-09-01T00:00", 0.3120, "blend")).toString(),
                write("o4", report("2011-09-01T00:00", 0.3020, "blend")).toString(), "--fail-if-worse", "ndcg@11");
        assertEquals(1, typo.code(), "a metric neither report has is a typo, not 'cannot tell': " + typo.out());
        assertTrue(typo.err().contains("--fail-if-worse: neither report has a metric 'ndcg@11'"), typo.err());
        assertEquals(1, CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString(), "--fail-if-worse",
                "coverage@10").code(), "a metric without per-customer values cannot gate");
    }

    @Test
    void aDifferenceWithinTheNoiseGetsAnIntervalAroundZeroAndNoStar() throws Exception {
        // NEW's blend: the same values with customers' values shuffled among them: the mean is nearly the same,
        // some customers up and some down.
        double[] tifu = random(300, 1);
        double[] blend = random(300, 2);
        double[] shuffled = neighboursSwapped(blend);
        shuffled[0] += 0.01;
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", paired("a", tifu, blend, ids(300)).toString(),
                paired("b", tifu, shuffled, ids(300)).toString(), "--metrics", "ndcg@10");
        assertEquals(0, r.code(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("blend *")).findFirst().orElseThrow();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(-0\\.\\d{4}), \\+(0\\.\\d{4})\\]\\)$")
                .matcher(line);
        assertTrue(m.find(), "an interval from below to above 0 and no star: " + line);
    }

    @Test
    void reportsOfDifferentTestCustomersAreNotPairedAndSayWhy() throws Exception {
        double[] tifu = random(300, 1);
        double[] blend = random(300, 2);
        java.util.List<String> others = new java.util.ArrayList<>(ids(300));
        others.set(0, "someone-else");
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", paired("a", tifu, blend, ids(300)).toString(),
                paired("b", tifu, blend, others).toString(), "--metrics", "ndcg@10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no significance test: the reports were measured on different test customers "
                + "(testCustomersFingerprint differs)"), r.out());
        assertFalse(r.out().contains("["), "no intervals: " + r.out());
        assertTrue(r.out().contains("2 of 2 models identical"), r.out());
        JsonNode o = JSON.readTree(CommandErrorsTest.run("compare", dir.resolve("a").toString(),
                dir.resolve("b").toString(), "--json").out());
        assertFalse(o.at("/pairedTest/made").asBoolean());
        assertTrue(o.at("/pairedTest/reason").asText().contains("different test customers"), o.toString());
        assertTrue(o.at("/models/blend/ndcg@10").get("interval95") == null);
    }

    @Test
    void anOldReportWithoutPerCustomerFileStillComparesAndSaysWhyUntested() throws Exception {
        Path[] ab = betterBlendForEveryCustomer();
        Path old = write("old", report("2011-09-01T00:00", 0.3120, "tifu-knn"));
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", old.toString(), ab[1].toString(), "--metrics",
                "ndcg@10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no significance test: BASE " + old.resolve("report.json") + " has no "
                + "per-customer file (a report from before evaluate wrote per-customer.csv.gz; rerun evaluate "
                + "--report to get one)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("blend *") && l.contains("0.3120 -> ")
                && !l.contains("[")), r.out());
        assertFalse(r.out().contains("after an interval"), r.out());
    }

    @Test
    void aMissingOrAlteredPerCustomerFileIsNamedAndTheTableStillShown() throws Exception {
        Path[] ab = betterBlendForEveryCustomer();
        Path file = ab[1].resolve(PerCustomerMetrics.FILE);
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        CommandErrorsTest.Run r = CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no significance test: " + file + ", which " + ab[1].resolve("report.json")
                + " refers to, does not exist"), r.out());

        // The other report's file in its place: the SHA-256 its report.json records does not match.
        Files.copy(ab[0].resolve(PerCustomerMetrics.FILE), file);
        r = CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no significance test: " + file + ": its SHA-256"), r.out());
        assertTrue(r.out().contains("(the file belongs to another run or was changed)"), r.out());
        Files.write(file, bytes);
        assertTrue(CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString()).out().contains("paired over"));
    }

    @Test
    void differentSettingsAreNotPaired() throws Exception {
        Path[] ab = betterBlendForEveryCustomer();
        JsonNode r = JSON.readTree(ab[1].resolve("report.json").toFile());
        ((ObjectNode) r.get("settings")).put("testDays", 60);
        Files.writeString(ab[1].resolve("report.json"), JSON.writeValueAsString(r));
        CommandErrorsTest.Run run = CommandErrorsTest.run("compare", ab[0].toString(), ab[1].toString());
        assertTrue(run.out().contains("no significance test: the reports' settings.testDays differ"), run.out());
        assertTrue(run.out().contains("WARNING: the reports measured different things"), run.out());
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
