package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.Words;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code affinity customers} on the bundled May-June 2011 sample: May calibrates, June is the holdout. */
@IntegrationTest
class CustomersCommandTest {
    @TempDir
    Path out;

    @Test
    void writesProfilesAndReportWithHoldout() throws Exception {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
            code = AffinityCli.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                    "2011-05-31", "--holdout-end", "2011-06-30", "--time-unit", "weeks", "--output", out.toString());
        } finally {
            System.setErr(saved);
        }
        String err = stderr.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, err);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        // June's returns are the holdout's: not netted against May's purchases, and every return counted once (the
        // ingest report's 902 netted and 278 unmatched, netting every return of the export)
        JsonNode returns = report.get("returns");
        long after = returns.get("datedAfterCalibrationEnd").asLong();
        assertTrue(after > 0, returns.toString());
        assertEquals(902 + 278, returns.get("nettedAgainstCalibration").asLong()
                + returns.get("matchingNoCalibrationPurchase").asLong() + after, returns.toString());
        assertTrue(err.contains(String.format(java.util.Locale.ROOT, "%,d made after --calibration-end "
                + "2011-05-31 not netted against calibration purchases", after)), err);
        assertEquals("weeks", report.get("timeUnit").asText());
        // what a rerun needs, as train's manifest and evaluate's report record it: the files by size and SHA-256,
        // the build, and the command as typed
        JsonNode input = report.get("inputs").get(0);
        assertEquals(EndToEndTest.SAMPLE.toAbsolutePath().normalize().toString(), input.get("path").asText());
        assertEquals(Files.size(EndToEndTest.SAMPLE), input.get("bytes").asLong());
        assertEquals(64, input.get("sha256").asText().length(), input.toString());
        assertEquals(io.affinity.store.Manifest.Software.current().affinityVersion(),
                report.at("/software/affinityVersion").asText());
        assertEquals(List.of("--input", EndToEndTest.SAMPLE.toString(), "--calibration-end", "2011-05-31",
                "--holdout-end", "2011-06-30", "--time-unit", "weeks", "--output", out.toString()),
                io.affinity.store.Invocation.of(report.get("invocation")).orElseThrow().arguments());
        for (String p : List.of("r", "alpha", "a", "b")) {
            assertTrue(report.get("bgNbd").get(p).asDouble() > 0, p);
        }
        for (String p : List.of("p", "q", "v")) {
            assertTrue(report.get("gammaGamma").get(p).asDouble() > 0, p);
        }
        int customers = report.get("customers").asInt();
        assertTrue(customers > 1000, "customers " + customers);
        assertEquals(30, report.get("holdout").get("days").asInt());
        assertTrue(report.get("holdout").get("bgNbd").get("mae").asDouble() >= 0);
        List<String> lines = Files.readAllLines(out.resolve("profiles.csv"));
        assertEquals(customers + 1, lines.size());
        assertTrue(lines.get(0).startsWith("customer_id,") && lines.get(0).endsWith("holdout_naive"));
    }

    /**
     * evaluate and customers say which rows they did not use and why, as train does: they printed only what was
     * accepted, so rows rejected within the error budget (a malformed quantity, a bad date) vanished without a
     * trace from the user's view.
     */
    @Test
    void evaluateAndCustomersReportTheRowsTheyRejectedWithReasonAndLine() throws Exception {
        List<String> rows = fortyCustomersOrders();
        rows.set(7, rows.get(7).replace(",1,2.5", ",lots,2.5")); // file line 8: malformed quantity
        rows.set(20, rows.get(20).replace("2011-", "2011/")); // file line 21: malformed timestamp
        Path orders = Files.write(out.resolve("orders.csv"), rows);
        for (String[] args : new String[][] {
            {"evaluate", "--input", orders.toString(), "--split", "last-basket"},
            {"customers", "--input", orders.toString(), "--calibration-end", "2011-06-30", "--output",
                out.resolve("c").toString()},
        }) {
            java.io.PrintStream saved = System.err;
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code;
            try {
                System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
                code = AffinityCli.run(args);
            } finally {
                System.setErr(saved);
            }
            String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertTrue(text.contains("480 rows read, 478 accepted"), args[0] + ": " + text);
            assertTrue(text.contains("malformed_quantity") && text.contains("orders.csv:8 (quantity 'lots')"),
                    args[0] + ": " + text);
            assertTrue(text.contains("malformed_timestamp") && text.contains("orders.csv:21"), args[0] + ": " + text);
        }
    }

    /**
     * {@code --exclude-customers} on the verbs that profile: the listed customers are neither in profiles.csv nor
     * in a trained model, every row of theirs is reported as excluded, and a list that cannot be used stops the verb
     * before any work, naming the option or the file and line.
     */
    @Test
    void excludedCustomersAreNeitherProfiledNorTrained() throws Exception {
        List<String> rows = fortyCustomersOrders();
        Path orders = Files.write(out.resolve("orders.csv"), rows);
        Path erased = Files.writeString(out.resolve("erased.csv"), "customer_id,requested_at\nc3,2026-11-01\n"
                + "c7,2026-11-02\n");
        CommandErrorsTest.Run profiled = CommandErrorsTest.run("customers", "--input", orders.toString(),
                "--calibration-end", "2011-06-30", "--exclude-customers", erased.toString(), "--output",
                out.resolve("c").toString());
        assertEquals(0, profiled.code(), profiled.err());
        List<String> profiles = Files.readAllLines(out.resolve("c").resolve("profiles.csv"));
        assertEquals(39, profiles.size(), "header and 38 customers");
        assertTrue(profiles.stream().noneMatch(l -> l.startsWith("c3,") || l.startsWith("c7,")), profiles.toString());

        Path models = out.resolve("models");
        CommandErrorsTest.Run trained = CommandErrorsTest.run("train", "--input", orders.toString(), "--recommender",
                "rules", "--exclude-customers", erased.toString(), "--models", models.toString());
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.out().contains("480 rows read, 456 accepted"), trained.out());
        assertTrue(trained.out().contains("excluded_customer"), trained.out());
        try (io.affinity.store.Snapshot s = io.affinity.store.ModelStore.open(models).openCurrent()) {
            assertTrue(s.customer("c3").isEmpty() && s.customer("c7").isEmpty() && s.customer("c4").isPresent());
            JsonNode section = s.manifest().sections().get("excludedCustomers");
            assertEquals(2, section.get("customers").asInt());
            assertEquals(24, section.get("rowsExcluded").asInt());
        }

        CommandErrorsTest.run("train", "--input", orders.toString(), "--exclude-customers",
                out.resolve("nope.csv").toString(), "--models", models.toString())
                .failsWith("--exclude-customers", "nope.csv does not exist");
        Files.writeString(erased, "id\nc3\n");
        CommandErrorsTest.run("customers", "--input", orders.toString(), "--calibration-end", "2011-06-30",
                "--exclude-customers", erased.toString(), "--output", out.resolve("d").toString())
                .failsWith("erased.csv:1: the header needs a column 'customer_id'");
    }

    /** A consent list's objection to profiling, as train honours it: the customer is not profiled. */
    @Test
    void aCustomerObjectingToProfilingInTheConsentListIsNotProfiled() throws Exception {
        Path orders = Files.write(out.resolve("orders.csv"), fortyCustomersOrders());
        Path consent = Files.writeString(out.resolve("consent.csv"), "customer_id,channel,state\nc5,profiling,opted_out\n"
                + "c6,email,opted_out\n");
        // the verb's progress goes to the process's standard error
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream progress = new java.io.ByteArrayOutputStream();
        CommandErrorsTest.Run profiled;
        try {
            System.setErr(new java.io.PrintStream(progress, true, java.nio.charset.StandardCharsets.UTF_8));
            profiled = CommandErrorsTest.run("customers", "--input", orders.toString(), "--calibration-end",
                    "2011-06-30", "--consent", consent.toString(), "--output", out.resolve("c").toString());
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, profiled.code(), profiled.err());
        String printed = progress.toString(java.nio.charset.StandardCharsets.UTF_8);
        List<String> profiles = Files.readAllLines(out.resolve("c").resolve("profiles.csv"));
        assertEquals(40, profiles.size(), "header and 39 customers");
        assertTrue(profiles.stream().noneMatch(l -> l.startsWith("c5,")), "the objector is not profiled");
        assertTrue(profiles.stream().anyMatch(l -> l.startsWith("c6,")), "an e-mail opt-out is no objection");
        assertTrue(printed.contains("affinity customers: consent: 1 customer(s) object to profiling (1 by the "
                + "list's profiling,opted_out, 0 by a run-time change in the consent journal); 1 of them have orders "
                + "in the transactions"), printed);

        // The servers' journal, written by the servers' own code: c7 objected through the API, and c5 withdrew the
        // list's objection after the list was written (a day ago), so c5 is profiled again and c7 is not.
        Files.setLastModifiedTime(consent, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(1))));
        Path journal = out.resolve("consent.journal");
        try (io.affinity.api.ConsentJournal j = io.affinity.api.ConsentJournal.open(journal)) {
            j.record("c7", io.affinity.recommender.Consent.Channel.PROFILING,
                    io.affinity.recommender.Consent.State.OPTED_OUT);
            j.record("c5", io.affinity.recommender.Consent.Channel.PROFILING,
                    io.affinity.recommender.Consent.State.OPTED_IN);
        }
        progress.reset();
        try {
            System.setErr(new java.io.PrintStream(progress, true, java.nio.charset.StandardCharsets.UTF_8));
            profiled = CommandErrorsTest.run("customers", "--input", orders.toString(), "--calibration-end",
                    "2011-06-30", "--consent", consent.toString(), "--consent-journal", journal.toString(),
                    "--output", out.resolve("j").toString());
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, profiled.code(), profiled.err());
        printed = progress.toString(java.nio.charset.StandardCharsets.UTF_8);
        profiles = Files.readAllLines(out.resolve("j").resolve("profiles.csv"));
        assertTrue(profiles.stream().noneMatch(l -> l.startsWith("c7,")), "the journal's objector is not profiled");
        assertTrue(profiles.stream().anyMatch(l -> l.startsWith("c5,")), "a withdrawn objection is profiled again");
        assertTrue(printed.contains("affinity customers: consent: 1 customer(s) object to profiling (0 by the "
                + "list's profiling,opted_out, 1 by a run-time change in the consent journal; 1 objection(s) of the "
                + "list withdrawn at run time after it was written (profiled again)); 1 of them have orders"), printed);
        assertTrue(printed.contains("affinity customers: consent journal: " + journal.toAbsolutePath() + ", 2 "
                + "change(s) through sequence 2; 2 customer(s) changed their profiling consent at run time"), printed);
        assertFalse(Words.containsWord(printed, "c7") || printed.contains("c5,"), "no customer id printed");
        CommandErrorsTest.run("customers", "--input", orders.toString(), "--calibration-end", "2011-06-30",
                "--consent-journal", out.resolve("missing.journal").toString(), "--output", out.resolve("k").toString())
                .failsWith("--consent-journal: file " + out.resolve("missing.journal") + " does not exist");

        Files.writeString(consent, "id,channel,state\nc5,profiling,opted_out\n");
        CommandErrorsTest.run("customers", "--input", orders.toString(), "--calibration-end", "2011-06-30",
                "--consent", consent.toString(), "--output", out.resolve("d").toString())
                .failsWith("consent.csv");
        CommandErrorsTest.run("customers", "--input", orders.toString(), "--calibration-end", "2011-06-30",
                "--consent-encoding", "windows-1252", "--output", out.resolve("e").toString())
                .failsWith("--consent-encoding applies to the --consent file");
    }

    /**
     * An erasure is a retrain with {@code --exclude-customers}; the exports still hold the customer, so a later
     * retrain that leaves the option out (README's nightly job has none) would publish their history and profile
     * again. It is refused, naming the served version and the way out, and nothing is published; a list with the
     * header only, with --allow-fewer-excluded-customers, says "nobody" on purpose.
     */
    @Test
    void aRetrainWithoutTheServedVersionsExclusionListIsRefused() throws Exception {
        Path orders = Files.write(out.resolve("orders.csv"), fortyCustomersOrders());
        Path erased = Files.writeString(out.resolve("erased.csv"), "customer_id\nc3\n");
        Path models = out.resolve("models");
        assertEquals(0, CommandErrorsTest.run("train", "--input", orders.toString(), "--recommender", "rules",
                "--exclude-customers", erased.toString(), "--models", models.toString()).code());
        String served = io.affinity.store.ModelStore.open(models).currentVersion().orElseThrow();

        CommandErrorsTest.Run nightly = CommandErrorsTest.run("train", "--input", orders.toString(), "--recommender",
                "rules", "--models", models.toString());
        nightly.failsWith("the served version " + served + " was trained without 1 excluded customers",
                "this run has no --exclude-customers", "--exclude-customers FILE");
        // as a word: the served version's random hex suffix may hold the letters c3 (20261126-130255-31ac32 did)
        assertFalse(Words.containsWord(nightly.err(), "c3"),
                "no customer id in the refusal: " + nightly.err());
        assertEquals(1, io.affinity.store.ModelStore.open(models).versions().size(), "nothing published");

        Path nobody = Files.writeString(out.resolve("nobody.csv"), "customer_id\n");
        assertEquals(0, CommandErrorsTest.run("train", "--input", orders.toString(), "--recommender", "rules",
                "--exclude-customers", nobody.toString(), "--allow-fewer-excluded-customers", "--models",
                models.toString()).code());
        try (io.affinity.store.Snapshot s = io.affinity.store.ModelStore.open(models).openCurrent()) {
            assertTrue(s.customer("c3").isPresent(), "excluding nobody was said, so done");
        }
        assertEquals(0, CommandErrorsTest.run("train", "--input", orders.toString(), "--recommender", "rules",
                "--models", models.toString()).code(), "from a version that excluded nobody, no list is needed");
    }

    /** A header and 480 rows: 40 customers, 4 orders each (January to July 2011), 3 of 12 items per order. */
    private static List<String> fortyCustomersOrders() {
        List<String> rows = new java.util.ArrayList<>(List.of("customer_id,order_id,timestamp,item_id,quantity,unit_price"));
        for (int c = 0; c < 40; c++) {
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 3; i++) {
                    rows.add("c" + c + ",o" + c + "-" + o + ",2011-0" + (1 + o * 2) + "-1" + (c % 9) + ","
                            + "I" + ((c + i + o) % 12) + ",1,2.5");
                }
            }
        }
        return rows;
    }

    @Test
    void aCalibrationPeriodTooShortToFitIsRefused() {
        CommandErrorsTest.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "2011-05-03", "--output", out.toString()).failsWith("calibration period of 3 days (data start "
                + "2011-05-01)", "use --calibration-end 2011-05-28 or later");
        assertTrue(!Files.exists(out.resolve("report.json")));
    }

    @Test
    void aHoldoutPastTheDataIsRefused() {
        CommandErrorsTest.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "2011-06-10", "--holdout-end", "2012-06-10", "--output", out.toString())
                .failsWith("--holdout-end 2012-06-10 is after the data's last transaction (2011-06-30)");
    }

    @Test
    void aDegenerateFitIsWarnedAboutAndRecorded() throws Exception {
        CommandErrorsTest.Run r = CommandErrorsTest.run("customers", "--input", EndToEndTest.SAMPLE.toString(),
                "--calibration-end", "2011-05-31", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode warnings = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("warnings");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).asText().startsWith("BG/NBD fit is degenerate"), warnings.toString());
    }

    /**
     * The console accounts for every customer and shows each fitted parameter as a number: the ingest line counted
     * 1,634 customers and the next said "profiled 1,073" with no word of the 561 first seen after --calibration-end
     * (only report.json had them), and a BG/NBD a of 5.1e-7 was printed as "a=0.0000".
     */
    @Test
    void theConsoleSaysWhichCustomersWereNotProfiledAndPrintsSmallParametersAsNumbers() throws Exception {
        java.io.PrintStream savedOut = System.out;
        java.io.PrintStream savedErr = System.err;
        java.io.ByteArrayOutputStream both = new java.io.ByteArrayOutputStream();
        int code;
        try {
            java.io.PrintStream capture = new java.io.PrintStream(both, true, java.nio.charset.StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            // a calibration end whose fit lands on a limiting case (a near 0): 2011-06-01 did too while June's
            // returns were netted against May's purchases
            code = AffinityCli.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                    "2011-05-31", "--holdout-end", "2011-06-30", "--output", out.toString());
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        String text = both.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        int profiled = report.get("customers").asInt();
        int after = report.get("customersFirstSeenAfterCalibration").asInt();
        assertTrue(after > 0, report.toString());
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "fitted and profiled %,d customers; %,d more "
                + "first bought after --calibration-end 2011-05-31 and are not profiled", profiled, after)), text);
        double a = report.get("bgNbd").get("a").asDouble();
        assertTrue(a > 0 && a < 1e-4, "the sample's May calibration ends on a limiting case: " + a);
        String bgLine = text.lines().filter(l -> l.startsWith("BG/NBD")).findFirst().orElseThrow();
        assertTrue(!bgLine.contains("a=0.0000 "), bgLine);
        assertTrue(bgLine.contains(String.format(java.util.Locale.ROOT, "a=%.4g", a)), bgLine);
    }

    @Test
    void badDateIsAClearError() {
        int code = AffinityCli.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "31/05/2011", "--output", out.toString());
        assertEquals(1, code);
        assertTrue(!Files.exists(out.resolve("report.json")));
    }
}
