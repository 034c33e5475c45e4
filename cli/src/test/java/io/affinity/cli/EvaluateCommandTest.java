package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.evaluation.PerCustomerMetrics;
import io.affinity.training.evaluation.Rankings;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code affinity evaluate} on an export without timestamps: 80 customers, 6 orders each, numbered by a
 * per-customer {@code sequence} column (the generic-sequence layout, detected from the header).
 */
@IntegrationTest
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
        // The data it measured, as train's manifest records it: path, size and SHA-256 of each input.
        JsonNode input = report.get("inputs").get(0);
        assertEquals(fixture().toAbsolutePath().normalize().toString(), input.get("path").asText());
        assertEquals(Files.size(fixture()), input.get("bytes").asLong());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(fixture()))), input.get("sha256").asText());
        assertEquals(0, facts.get("testCustomersWithoutHistory").asInt());
        // and the command as typed, to run it again (with the build it names)
        assertEquals(new io.affinity.store.Invocation("evaluate", java.util.List.of("--input", fixture().toString(),
                "--split", "last-basket", "--report", out.toString()), Path.of("").toAbsolutePath().toString()),
                io.affinity.store.Invocation.of(report.get("invocation")).orElseThrow());
        assertTrue(report.at("/software/affinityVersion").asText().startsWith("0."), report.get("software").toString());
        JsonNode rf = report.get("models").get("repeat-frequency").get("metrics");
        assertTrue(rf.get("ndcg@10").asDouble() > 0, "customers rebuy staples: repeat frequency finds some");
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));

        // Per-customer values of every model, in the file report.json points to; no customer ids in it.
        JsonNode entry = report.get("perCustomer");
        Path file = out.resolve(entry.get("file").asText());
        assertEquals(PerCustomerMetrics.FILE, file.getFileName().toString());
        PerCustomerMetrics pc = PerCustomerMetrics.read(file, report.get("testCustomersFingerprint").asText(),
                entry.get("csvSha256").asText());
        assertEquals(80, pc.customers());
        List<String> ids = new ArrayList<>();
        for (int c = 0; c < 80; c++) {
            ids.add(String.format("C%03d", c));
        }
        assertEquals(PerCustomerMetrics.fingerprint(ids), report.get("testCustomersFingerprint").asText(),
                "the SHA-256 of the test customers' ids, sorted");
        String csv = new String(new java.util.zip.GZIPInputStream(Files.newInputStream(file)).readAllBytes());
        assertTrue(!csv.contains("C0"), "no ids in the file");
        List<String> models = new ArrayList<>();
        report.get("models").fieldNames().forEachRemaining(models::add);
        assertEquals(models, List.copyOf(pc.byModel().keySet()));
        for (String model : models) {
            for (String metric : List.of("ndcg@10", "recall@10", "hitrate@10")) {
                // The fixture's customers first appear in id order, so the file's rows (sorted by id) are in the
                // order the evaluation summed them: the mean is the aggregate to the last bit.
                double sum = 0;
                for (double v : pc.values(model, metric)) {
                    sum += v;
                }
                assertEquals(report.get("models").get(model).get("metrics").get(metric).asDouble(), sum / 80, 0,
                        model + " " + metric);
            }
            JsonNode interval = report.get("models").get(model).get("intervals95").get("ndcg@10");
            assertTrue(interval.get(0).asDouble() < interval.get(1).asDouble(), model + " " + interval);
        }
        JsonNode versus = report.get("servedDifferences");
        assertTrue(versus.size() >= 1, report.toString());
        assertEquals(report.get("served").asText(), versus.get(0).get("served").asText());
        assertEquals(80, versus.get(0).get("customers").asInt());
    }

    /**
     * {@code --rankings}: every model's lists, in the per-customer file's rows, recorded in report.json with the
     * SHA-256 of their text; the per-customer NDCG@10 recomputed from them against each customer's held-out last order
     * (read here from the fixture) is the file's.
     */
    @Test
    void rankingsAreTheListsThePerCustomerValuesCameFrom() throws Exception {
        CommandErrorsTest.run("evaluate", "--input", fixture().toString(), "--split", "last-basket", "--rankings")
                .failsWith("--rankings writes into the --report directory: give --report DIR");
        int code = AffinityCli.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                "--report", out.toString(), "--rankings");
        assertEquals(0, code);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode entry = report.get("rankings");
        assertEquals(Rankings.FILE, entry.get("file").asText());
        byte[] text = new java.util.zip.GZIPInputStream(Files.newInputStream(out.resolve(Rankings.FILE)))
                .readAllBytes();
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text)), entry.get("sha256").asText());
        assertTrue(!new String(text, java.nio.charset.StandardCharsets.UTF_8).contains("C0"), "no customer ids");

        // each customer's last order (highest sequence) is the truth; customers sorted by id are the rows
        java.util.TreeMap<String, java.util.TreeMap<Integer, java.util.Set<String>>> orders = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(fixture()).subList(1, 1731)) {
            String[] f = line.split(",");
            orders.computeIfAbsent(f[0], k -> new java.util.TreeMap<>())
                    .computeIfAbsent(Integer.parseInt(f[2]), k -> new java.util.TreeSet<>()).add(f[3]);
        }
        List<java.util.Set<String>> truth = orders.values().stream().map(o -> o.lastEntry().getValue()).toList();
        JsonNode entryPc = report.get("perCustomer");
        PerCustomerMetrics pc = PerCustomerMetrics.read(out.resolve(PerCustomerMetrics.FILE),
                report.get("testCustomersFingerprint").asText(), entryPc.get("csvSha256").asText());
        List<String> lines = new String(text, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(report.get("models").size() * 80, lines.size(), "one line per model and customer");
        for (String line : lines) {
            JsonNode l = new ObjectMapper().readTree(line);
            int row = l.get("row").asInt();
            List<String> all = new ArrayList<>();
            l.get("all").forEach(i -> all.add(i.asText()));
            assertTrue(all.size() <= 20 && all.size() == new java.util.HashSet<>(all).size(), line);
            double dcg = 0;
            double ideal = 0;
            for (int r = 0; r < 10; r++) {
                double discount = 1 / (Math.log(r + 2) / Math.log(2));
                dcg += r < all.size() && truth.get(row).contains(all.get(r)) ? discount : 0;
                ideal += r < truth.get(row).size() ? discount : 0;
            }
            assertEquals(pc.values(l.get("model").asText(), "ndcg@10")[row], dcg / ideal, 1e-12, line);
        }
    }

    /**
     * Objections to profiling, in the consent list or made through the API (the servers' journal), are honoured as
     * {@code train} and {@code customers} honour them: the objector's orders are anonymous baskets, so no model of
     * theirs is built or measured and per-customer.csv.gz and the rankings hold no row of theirs. {@code evaluate} had
     * no such option: every objector was modelled, measured and written.
     */
    @Test
    void customersObjectingToProfilingAreNeitherModelledNorMeasured() throws Exception {
        Path consent = Files.writeString(out.resolve("consent.csv"), "customer_id,channel,state\n"
                + "\u00a0C005,profiling,opted_out\nC006,email,opted_out\n");
        Path journal = out.resolve("consent.journal");
        try (io.affinity.api.ConsentJournal j = io.affinity.api.ConsentJournal.open(journal)) {
            j.record("C007", io.affinity.recommender.Consent.Channel.PROFILING,
                    io.affinity.recommender.Consent.State.OPTED_OUT);
        }
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream progress = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new java.io.PrintStream(progress, true, java.nio.charset.StandardCharsets.UTF_8));
            code = AffinityCli.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                    "--report", out.resolve("r").toString(), "--rankings", "--consent", consent.toString(),
                    "--consent-journal", journal.toString());
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, code);
        String printed = progress.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(printed.contains("affinity evaluate: consent: 2 customer(s) object to profiling (1 by the list's "
                + "profiling,opted_out, 1 by a run-time change in the consent journal); 2 of them have orders in the "
                + "transactions, whose 12 order(s) are read as anonymous baskets"), printed);
        assertTrue(!printed.contains("C005") && !printed.contains("C007"), "no customer id printed");

        JsonNode report = new ObjectMapper().readTree(out.resolve("r").resolve("report.json").toFile());
        assertEquals(78, report.at("/facts/testCustomers").asInt(), "the two objectors are not test customers");
        List<String> ids = new ArrayList<>();
        for (int c = 0; c < 80; c++) {
            if (c != 5 && c != 7) {
                ids.add(String.format("C%03d", c));
            }
        }
        assertEquals(PerCustomerMetrics.fingerprint(ids), report.get("testCustomersFingerprint").asText());
        JsonNode section = report.get("profilingObjections");
        assertEquals(2, section.get("customers").asInt(), section.toString());
        assertEquals(1, section.get("byConsentList").asInt());
        assertEquals(1, section.get("byConsentJournal").asInt());
        assertEquals(12, section.get("ordersAnonymised").asInt());
        PerCustomerMetrics pc = PerCustomerMetrics.read(out.resolve("r").resolve(PerCustomerMetrics.FILE),
                report.get("testCustomersFingerprint").asText(), report.at("/perCustomer/csvSha256").asText());
        assertEquals(78, pc.customers());
        long rankingLines = new String(new java.util.zip.GZIPInputStream(Files.newInputStream(out.resolve("r")
                .resolve(Rankings.FILE))).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().count();
        assertEquals(report.get("models").size() * 78L, rankingLines);

        // without a list or a journal, nothing is said or recorded about objections
        assertEquals(0, AffinityCli.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                "--report", out.resolve("plain").toString()));
        JsonNode plain = new ObjectMapper().readTree(out.resolve("plain").resolve("report.json").toFile());
        assertEquals(80, plain.at("/facts/testCustomers").asInt());
        assertTrue(!plain.has("profilingObjections"), plain.toString());
        CommandErrorsTest.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                "--consent-journal", out.resolve("missing.journal").toString())
                .failsWith("--consent-journal: file " + out.resolve("missing.journal") + " does not exist");
    }

    @Test
    void reusedOrderNumbersStopEvaluationUnlessTheErrorBudgetIsRaisedAsForTrain() throws Exception {
        StringBuilder conflicts = new StringBuilder();
        for (int i = 1; i <= 20; i++) { // 20 of 1,750 rows (1.14%): each order already belongs to customer C000
            conflicts.append(String.format("X%03d,S00001,1,P00,1,1.50%n", i));
        }
        Path f = Files.writeString(out.resolve("reused.csv"), Files.readString(fixture()) + conflicts);
        CommandErrorsTest.run("evaluate", "--input", f.toString(), "--split", "last-basket")
                .failsWith("20 of 1,750 rows are malformed or conflicting", "order_customer_conflict at " + f + ":1732");
        CommandErrorsTest.run("evaluate", "--input", f.toString(), "--split", "last-basket", "--error-budget", "1.5")
                .failsWith("--error-budget must be a share in [0, 1], was 1.5");
        CommandErrorsTest.Run ok = CommandErrorsTest.run("evaluate", "--input", f.toString(), "--split",
                "last-basket", "--error-budget", "0.05");
        assertEquals(0, ok.code(), ok.err());
    }

    /**
     * evaluate's rules model mines with the confidence and lift given, as train's validation does with train's
     * options (both were a fixed 0.05 and 1.0): report.json records them, and a bad value gets train's message.
     */
    @Test
    void theRulesConfidenceAndLiftAreTheOnesGivenAndCheckedAsTrainChecksThem() throws Exception {
        int code = AffinityCli.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                "--min-confidence", "0.3", "--min-lift", "1.5", "--report", out.toString());
        assertEquals(0, code);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(0.3, report.at("/settings/minConfidence").asDouble(), report.get("settings").toString());
        assertEquals(1.5, report.at("/settings/minLift").asDouble(), report.get("settings").toString());
        JsonNode rules = report.at("/models/rules/parameters");
        assertEquals(0.3, rules.get("minConfidence").asDouble(), rules.toString());
        assertEquals(1.5, rules.get("minLift").asDouble(), rules.toString());

        CommandErrorsTest.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                "--min-confidence", "1.5").failsWith("--min-confidence must be in [0, 1], was 1.5");
        CommandErrorsTest.run("train", "--input", fixture().toString(), "--models", out.resolve("m").toString(),
                "--min-confidence", "1.5").failsWith("--min-confidence must be in [0, 1], was 1.5");
        CommandErrorsTest.run("evaluate", "--input", fixture().toString(), "--split", "last-basket",
                "--min-lift", "-1").failsWith("--min-lift must be finite and >= 0, was -1.0");
        CommandErrorsTest.run("train", "--input", fixture().toString(), "--models", out.resolve("m").toString(),
                "--min-lift", "-1").failsWith("--min-lift must be finite and >= 0, was -1.0");
    }

    @Test
    void timeSplitOnAnOrderSequenceIsAClearError() throws Exception {
        int code = AffinityCli.run("evaluate", "--input", fixture().toString(), "--split", "time", "--cutoff",
                "1970-01-05", "--report", out.toString());
        assertEquals(1, code);
        assertTrue(!Files.exists(out.resolve("report.json")));
    }

    @Test
    void aValidationPeriodBeforeTheDataIsRefusedNamingTheDates() {
        CommandErrorsTest.run("evaluate", "--input", EndToEndTest.SAMPLE.toString(), "--split", "time", "--cutoff",
                "2011-06-01", "--test-days", "90", "--report", out.toString())
                .failsWith("the validation period starts before any training data: validation 2011-03-03 to "
                        + "2011-05-31", "the data run from 2011-05-01 to 2011-06-30", "use --cutoff 2011-07-31 or later");
        assertTrue(!Files.exists(out.resolve("report.json")));
    }

    @Test
    void aTestPeriodAfterTheDataIsRefused() {
        CommandErrorsTest.run("evaluate", "--input", EndToEndTest.SAMPLE.toString(), "--split", "time", "--cutoff",
                "2011-08-01", "--test-days", "10").failsWith("the test period starts after the last order",
                "Use --cutoff 2011-06-21 or earlier");
    }

    @Test
    void aTestPeriodRunningPastTheDataIsRefusedNamingWhatFits() {
        // The sample's last day is 2011-06-30: 14 days from 2011-06-20 would hold only 11 days of purchases.
        CommandErrorsTest.run("evaluate", "--input", EndToEndTest.SAMPLE.toString(), "--split", "time", "--cutoff",
                "2011-06-20", "--test-days", "14", "--report", out.toString())
                .failsWith("the test period runs past the data's last day 2011-06-30",
                        "test 2011-06-20 to 2011-07-03", "only 11 of the 14 days",
                        "Use --cutoff 2011-06-17 or earlier, or --test-days 11 or fewer");
        assertTrue(!Files.exists(out.resolve("report.json")));
    }

    @Test
    void timeSplitOptionsAreRejectedWithTheLastBasketSplit() throws Exception {
        for (String[] option : new String[][] {{"--cutoff", "2011-06-01"}, {"--test-days", "30"},
                {"--no-season-window"}}) {
            List<String> args = new ArrayList<>(List.of("evaluate", "--input", fixture().toString(), "--split",
                    "last-basket"));
            args.addAll(List.of(option));
            CommandErrorsTest.run(args.toArray(String[]::new))
                    .failsWith(option[0] + " applies to --split time only");
        }
        CommandErrorsTest.run("evaluate", "--input", fixture().toString(), "--split", "random")
                .failsWith("--split must be time or last-basket");
    }
}
