package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent;
import io.affinity.store.Invocation;
import io.affinity.store.Manifest;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.TrainingPipeline;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job as spark-submit runs it (its command line, in this JVM's Spark session): what it publishes, and that
 * bad input stops it with the file named and the model store untouched.
 */
@IntegrationTest
class SparkTrainTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price\n";

    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        LocalSpark.get(); // the job's getOrCreate() then finds the tests' session
    }

    record Run(int exit, String out, String err) {
    }

    /** The job's command line, as spark-submit runs it, in this JVM's Spark session. */
    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SparkTrain(new PrintStream(out, true, StandardCharsets.UTF_8)));
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true)); // --help
        cli.setExecutionExceptionHandler(SparkTrain.EXIT_CODES);
        int exit = cli.execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private Path orders() throws Exception {
        StringBuilder csv = new StringBuilder(HEADER);
        // two groups of customers with their own items, each bought together, over a few weeks
        for (int c = 0; c < 12; c++) {
            String group = c % 2 == 0 ? "A" : "B";
            for (int o = 0; o < 3; o++) {
                String order = "o" + c + "-" + o;
                String day = String.format("2024-02-%02d", 1 + c + 7 * o);
                csv.append("c").append(c).append(',').append(order).append(',').append(day).append(',')
                        .append(group).append("1,1,2.5\n");
                csv.append("c").append(c).append(',').append(order).append(',').append(day).append(',')
                        .append(group).append(o + 2).append(",2,4.0\n");
            }
        }
        csv.append("c0,bad,2024-03-01,A1,x,1\n"); // malformed: 1 of 73 rows, over the default 1% budget
        Path p = dir.resolve("orders.csv");
        Files.writeString(p, csv);
        return p;
    }

    @Test
    void publishesOneSnapshotWithProvenanceIngestReportAndConsent() throws Exception {
        Path orders = orders();
        Path consent = dir.resolve("consent.csv");
        // A CRM's Windows-1252 export: the third row's id is an address with an umlaut.
        Files.writeString(consent, "customer_id,channel,state,updated_at\nc0,email,confirmed,2026-10-01T12:00:00Z\n"
                + "c1,email,opted_out,\nj\u00fcrgen@example.de,sms,opted_in,\n", java.nio.charset.Charset.forName("windows-1252"));
        Path models = dir.resolve("models");
        // Read as UTF-8 it stops before any Spark work, naming the option that says otherwise.
        Run utf8 = run("--input", orders.toString(), "--models", models.toString(), "--consent", consent.toString());
        assertEquals(1, utf8.exit());
        assertTrue(utf8.err().contains("consent.csv:4: not valid UTF-8") && utf8.err().contains("--consent-encoding"),
                utf8.err());
        assertFalse(utf8.out().contains("ingest:"), utf8.out());
        Run r = run("--input", orders.toString(), "--models", models.toString(), "--consent", consent.toString(),
                "--consent-encoding", "windows-1252",
                "--error-budget", "0.05", "--min-support", "0.1", "--top-n", "5", "--als-rank", "4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("ingest: 73 rows read, 72 accepted, 36 orders, 12 customers"), r.out());
        // the ingest report, as train prints it: every row used or rejected, with the file:line of the first ones
        assertTrue(r.out().contains("Ingestion report\n  file " + orders + " [generic]: 73 rows read, 72 accepted"),
                r.out());
        assertTrue(r.out().contains("e.g. " + orders + ":74 (quantity 'x')"), r.out());
        // what the driver's heap will hold, said before the customers' lists are computed
        assertTrue(r.out().contains("driver: the snapshot it assembles will take about 1 MiB of its heap (12 customers, "),
                r.out());
        assertTrue(r.out().indexOf("driver: the snapshot") < r.out().indexOf("customers: 12 histories"), r.out());
        assertTrue(r.out().contains("published "), r.out());

        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            Map<String, Object> parameters = s.manifest().parameters();
            assertEquals("spark", parameters.get("engine"));
            assertEquals(List.of(orders.toString()), parameters.get("inputs"));
            assertEquals(5, ((Number) parameters.get("topN")).intValue());
            // what purchase ages count from, as train records it: the data's last order (c11's third), not the clock
            assertEquals("2024-02-26T00:00", s.manifest().sections().get("servedModel").get("recencyAsOf").asText());
            assertEquals(73, s.manifest().sections().get("ingestReport").get("rowsRead").asInt());
            assertTrue(s.manifest().sections().containsKey("consent"));
            assertEquals(Optional.of(Consent.State.CONFIRMED), s.consent("c0", Consent.Channel.EMAIL));
            assertEquals(Optional.of(Consent.State.OPTED_OUT), s.consent("c1", Consent.Channel.EMAIL));
            assertEquals(12, s.customerCount());
            assertFalse(s.precomputed("c0").orElseThrow().items().isEmpty());
            // as train records it: run-time consent changes older than the list may only restrict it
            assertEquals(Files.getLastModifiedTime(consent).toInstant(), s.consentAsOf().orElseThrow());
            // the customer's own time, where the list gives one, as train keeps it
            assertEquals(java.time.Instant.parse("2026-10-01T12:00:00Z"),
                    s.listedConsent("c0", Consent.Channel.EMAIL).orElseThrow().updatedAt());
            assertEquals(null, s.listedConsent("c1", Consent.Channel.EMAIL).orElseThrow().updatedAt());
            assertEquals(1, s.manifest().sections().get("consent").get("entriesWithTime").asInt());
            assertEquals("windows-1252", s.manifest().sections().get("consent").get("encoding").asText());
            assertEquals(Optional.of(Consent.State.OPTED_IN), s.consent("j\u00fcrgen@example.de", Consent.Channel.SMS));
        }
        // A rerun that leaves --consent out would forget the served list's opt-outs: refused before any Spark work.
        String served = ModelStore.open(models).currentVersion().orElseThrow();
        Run without = run("--input", orders.toString(), "--models", models.toString(), "--error-budget", "0.05");
        assertEquals(1, without.exit());
        assertTrue(without.err().contains("the served version " + served + " carries a consent list (3 customers) "
                + "and this run has no --consent"), without.err());
        assertFalse(without.out().contains("ingest:"), without.out());
        assertEquals(List.of(served), ModelStore.open(models).versions());
    }

    /** As train: one training run per store; a store another run holds is refused before any Spark work. */
    @Test
    void aStoreAnotherTrainingRunHoldsIsRefusedBeforeAnySparkWork() throws Exception {
        Path models = dir.resolve("models");
        try (ModelStore.TrainingLock nightly = ModelStore.open(models).lockForTraining("affinity train")) {
            Run r = run("--input", orders().toString(), "--models", models.toString(), "--error-budget", "0.05");
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("affinity spark-train: another training run holds the model store "),
                    r.err());
            assertTrue(r.err().contains("(affinity train, pid " + ProcessHandle.current().pid()), r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
            assertFalse(r.out().contains("ingest:"), r.out());
            assertEquals(List.of(), ModelStore.open(models).versions());
        }
    }

    /** As train: an excluded customer's rows are counted and unused, their consent row dropped, the list recorded. */
    @Test
    void anExcludedCustomerLeavesNoTraceInTheModel() throws Exception {
        Path orders = orders();
        Path consent = Files.writeString(dir.resolve("consent.csv"), "customer_id,channel,state\nc0,email,confirmed\n"
                + "c2,email,confirmed\n");
        Path erased = Files.writeString(dir.resolve("erased.csv"), "customer_id\nc2\n");
        Path models = dir.resolve("models");
        Run r = run("--input", orders.toString(), "--models", models.toString(), "--consent", consent.toString(),
                "--exclude-customers", erased.toString(), "--error-budget", "0.05", "--min-support", "0.1",
                "--top-n", "5", "--als-rank", "4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("ingest: 73 rows read, 66 accepted, 33 orders, 11 customers"), r.out());
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            assertTrue(s.customer("c2").isEmpty() && s.precomputed("c2").isEmpty() && s.profile("c2").isEmpty());
            assertTrue(s.listedConsent("c2", Consent.Channel.EMAIL).isEmpty());
            assertEquals(Optional.of(Consent.State.CONFIRMED), s.consent("c0", Consent.Channel.EMAIL));
            var section = s.manifest().sections().get("excludedCustomers");
            assertEquals(1, section.get("customers").asInt());
            assertEquals(6, section.get("rowsExcluded").asInt());
            assertEquals(1, section.get("consentCustomersDropped").asInt());
            assertEquals(6, s.manifest().sections().get("ingestReport").get("rejected").get("excluded_customer")
                    .get("count").asInt());
        }
        // A rerun that leaves the list out would profile c2 again: refused before any Spark work, as train does.
        String served = ModelStore.open(models).currentVersion().orElseThrow();
        Run without = run("--input", orders.toString(), "--models", models.toString(), "--consent",
                consent.toString(), "--error-budget", "0.05", "--min-support", "0.1", "--top-n", "5", "--als-rank",
                "4");
        assertEquals(1, without.exit(), without.err());
        assertTrue(without.err().contains("the served version " + served + " was trained without 1 excluded "
                + "customers"), without.err());
        assertFalse(without.out().contains("ingest:"), without.out());
        // So would a stale, shorter copy of the list: refused by size unless said, as train does
        Path none = Files.writeString(dir.resolve("none.csv"), "customer_id\n");
        Run shorter = run("--input", orders.toString(), "--models", models.toString(), "--consent",
                consent.toString(), "--exclude-customers", none.toString(), "--error-budget", "0.05",
                "--min-support", "0.1", "--top-n", "5", "--als-rank", "4");
        assertEquals(1, shorter.exit(), shorter.err());
        assertTrue(shorter.err().contains("this run's list " + none + " names 0"), shorter.err());
        assertTrue(shorter.err().contains("--allow-fewer-excluded-customers"), shorter.err());
        assertFalse(shorter.out().contains("ingest:"), shorter.out());
        assertEquals(List.of(served), ModelStore.open(models).versions());
    }

    /**
     * As train: an id holding most orders (a shop's guest-checkout id) is warned about without being shown, and the
     * layout, dialect, guest ids and time zone the run read its exports with are in the manifest, so that it can be
     * repeated.
     */
    @Test
    void aGuestCheckoutIdIsWarnedAboutAndHowTheExportsWereReadIsRecorded() throws Exception {
        StringBuilder csv = new StringBuilder("Kunde;Beleg;Datum;Artikel;Menge;Preis\n");
        for (int o = 0; o < 40; o++) {
            String customer = o < 25 ? "0" : "shopper-" + o % 5;
            String day = String.format("%02d.05.2011 10:00", 10 + o % 9);
            csv.append(customer).append(";o").append(o).append(';').append(day).append(";A;1;1,50\n");
            csv.append(customer).append(";o").append(o).append(';').append(day).append(";B").append(o % 4)
                    .append(";1;2,25\n");
        }
        Path orders = Files.writeString(dir.resolve("german.csv"), csv);
        String[] layout = {"--input", orders.toString(), "--columns",
                "customer=Kunde,order=Beleg,timestamp=Datum,item=Artikel,quantity=Menge,price=Preis",
                "--timestamp-format", "dd.MM.yyyy HH:mm", "--delimiter", ";", "--decimal-comma", "--min-support",
                "0.1", "--als-rank", "2"};
        Run warned = run(concat(layout, "--models", dir.resolve("m1").toString()));
        assertEquals(0, warned.exit(), warned.err());
        assertTrue(warned.out().contains("warning: one customer id holds 62.5% of the orders that name a customer "
                + "(25 of 40)"), warned.out());
        assertTrue(warned.out().contains("80 rows read, 80 accepted, 40 orders, 6 customers"), warned.out());

        Run listed = run(concat(layout, "--guest-customers", "0", "--time-zone", "Europe/Berlin", "--models",
                dir.resolve("m2").toString()));
        assertEquals(0, listed.exit(), listed.err());
        assertFalse(listed.out().contains("one customer id holds"), listed.out());
        assertTrue(listed.out().contains("80 rows read, 80 accepted, 40 orders, 5 customers"), listed.out());
        try (Snapshot s = ModelStore.open(dir.resolve("m2")).openCurrent()) {
            Map<String, Object> p = s.manifest().parameters();
            assertEquals(List.of("0"), p.get("guestCustomers"));
            assertEquals("columns", p.get("format"));
            assertEquals("customer=Kunde,order=Beleg,timestamp=Datum,item=Artikel,quantity=Menge,price=Preis",
                    p.get("columns"));
            assertEquals("dd.MM.yyyy HH:mm", p.get("timestampFormat"));
            assertEquals(";", p.get("delimiter"));
            assertEquals(true, p.get("decimalComma"));
            assertEquals("Europe/Berlin", p.get("timeZone"));
            assertTrue(s.customer("0").isEmpty(), "the guest id's orders are anonymous baskets");
        }
    }

    /**
     * As train: an export in euros, pounds and francs stops without exchange rates, naming the currencies, a bad
     * rates line stops before any Spark work naming file:line, and with rates the reporting currency and the rates
     * file (name, size, SHA-256) are in the manifest, with the rows per currency.
     */
    @Test
    void amountsInSeveralCurrenciesAreConvertedAndRecordedAsTrainDoes() throws Exception {
        StringBuilder csv = new StringBuilder("customer_id,order_id,timestamp,item_id,quantity,unit_price,currency\n");
        String[][] shops = {{"EUR", "10.00"}, {"GBP", "8.50"}, {"CHF", "9.60"}};
        for (int c = 0; c < 12; c++) {
            String[] shop = shops[c % 3];
            for (int o = 0; o < 3; o++) {
                String day = String.format("2024-02-%02d", 1 + c + 7 * o);
                csv.append("c").append(c).append(",o").append(c).append('-').append(o).append(',').append(day)
                        .append(",A1,1,").append(shop[1]).append(',').append(shop[0]).append('\n');
                csv.append("c").append(c).append(",o").append(c).append('-').append(o).append(',').append(day)
                        .append(",A").append(o + 2).append(",2,").append(shop[1]).append(',').append(shop[0])
                        .append('\n');
            }
        }
        Path orders = Files.writeString(dir.resolve("shops.csv"), csv);
        Path models = dir.resolve("models");
        Run mixed = run("--input", orders.toString(), "--models", models.toString());
        assertEquals(1, mixed.exit());
        assertTrue(mixed.err().contains("the exports hold amounts in 3 currencies (CHF 24 rows, EUR 24 rows, GBP 24 "
                + "rows), and no exchange rates convert them"), mixed.err());
        Path bad = Files.writeString(dir.resolve("bad.csv"), "currency,rate\nGBP,1.17\nGBP,1.18\n");
        Run badRates = run("--input", orders.toString(), "--models", models.toString(), "--currency", "EUR",
                "--exchange-rates", bad.toString());
        assertEquals(1, badRates.exit());
        assertTrue(badRates.err().contains("--exchange-rates " + bad + ":3: GBP is given twice"), badRates.err());
        assertFalse(badRates.out().contains("ingest:"), badRates.out());
        assertFalse(Files.exists(models.resolve("CURRENT")));

        Path rates = Files.writeString(dir.resolve("rates.csv"), "currency,rate\nGBP,1.17\nCHF,1.04\n");
        Run converted = run("--input", orders.toString(), "--models", models.toString(), "--currency", "EUR",
                "--exchange-rates", rates.toString(), "--min-support", "0.1", "--als-rank", "2");
        assertEquals(0, converted.exit(), converted.err());
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            Map<String, Object> p = s.manifest().parameters();
            assertEquals("EUR", p.get("currency"));
            @SuppressWarnings("unchecked")
            Map<String, Object> file = (Map<String, Object>) p.get("exchangeRates");
            assertEquals("rates.csv", file.get("file"));
            assertEquals(Files.size(rates), ((Number) file.get("bytes")).longValue());
            assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(rates))), file.get("sha256"));
            var currencies = s.manifest().sections().get("ingestReport").get("currencies");
            assertEquals("EUR", currencies.get("reportingCurrency").asText());
            assertEquals(24, currencies.get("rows").get("GBP").asInt());
        }
    }

    /**
     * As train's: every file read (a directory's files too) with its size and SHA-256, and the command line as given,
     * so that an auditor can tell whether the files at hand are the ones trained on, and run it again. Spark's
     * manifest listed the inputs as given only: a directory or a glob named no file, and no content was pinned.
     */
    @Test
    void theManifestPinsEveryFileReadBySizeAndSha256AndRecordsTheCommand() throws Exception {
        Path exports = Files.createDirectories(dir.resolve("exports"));
        List<String> lines = Files.readAllLines(orders());
        int half = lines.indexOf(lines.stream().filter(l -> l.startsWith("c6,")).findFirst().orElseThrow());
        Path first = Files.write(exports.resolve("2024-01.csv"), lines.subList(0, half));
        List<String> rest = new java.util.ArrayList<>(List.of(lines.get(0)));
        rest.addAll(lines.subList(half, lines.size()));
        Path second = Files.write(exports.resolve("2024-02.csv"), rest);
        Path models = dir.resolve("models");
        String[] args = {"--input", exports.toString(), "--models", models.toString(), "--error-budget", "0.05",
                "--min-support", "0.1", "--als-rank", "2"};
        Run r = run(args);
        assertEquals(0, r.exit(), r.err());
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            List<Manifest.InputFile> inputs = s.manifest().inputs();
            assertEquals(2, inputs.size(), inputs.toString());
            for (int k = 0; k < 2; k++) {
                Path file = List.of(first, second).get(k);
                assertTrue(inputs.get(k).path().endsWith(file.toString()), inputs.get(k).path());
                assertEquals(Files.size(file), inputs.get(k).bytes());
                assertEquals(TrainingPipeline.sha256(file), inputs.get(k).sha256());
            }
            Invocation invocation = Invocation.of(s.manifest().sections().get(Invocation.SECTION)).orElseThrow();
            assertEquals(new Invocation("spark-train", List.of(args), Path.of("").toAbsolutePath().toString()),
                    invocation);
        }
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    @Test
    void anOrderSequenceExportTrainsWithSequenceNumbersAsDays() throws Exception {
        Path orders = dir.resolve("sequence.csv");
        StringBuilder csv = new StringBuilder("customer_id,order_id,sequence,item_id,quantity,unit_price\n");
        for (int c = 0; c < 6; c++) {
            csv.append("s").append(c).append(",o").append(c).append("a,3,A,1,1\n");
            csv.append("s").append(c).append(",o").append(c).append("a,3,B,1,1\n");
            csv.append("s").append(c).append(",o").append(c).append("b,").append(10 + c).append(",A,1,1\n");
        }
        Files.writeString(orders, csv);
        Path models = dir.resolve("models");
        Run r = run("--input", orders.toString(), "--models", models.toString(), "--min-support", "0.1",
                "--als-rank", "2");
        assertEquals(0, r.exit(), r.err());
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            assertTrue(s.orderSequenceOnly());
            // sequence 3 is 1970-01-04 and 12 is 1970-01-13, as single-machine training stores them
            // (B is a non-product code, rejected: s2's history is A, in the orders of sequence 3 and 12)
            io.affinity.recommender.PurchasedItem a = s.customer("s2").orElseThrow().items().get(0);
            assertEquals("A", a.itemId());
            assertEquals(2, a.orderCount());
            assertEquals(LocalDate.of(1970, 1, 13), a.lastPurchased());
        }
        // --no-activate publishes a second version and leaves CURRENT on the first, for a canary
        String first = ModelStore.open(models).currentVersion().orElseThrow();
        Run again = run("--input", orders.toString(), "--models", models.toString(), "--min-support", "0.1",
                "--als-rank", "2", "--no-activate");
        assertEquals(0, again.exit(), again.err());
        assertEquals(2, ModelStore.open(models).versions().size());
        assertEquals(first, ModelStore.open(models).currentVersion().orElseThrow());
        assertTrue(again.out().contains(", not activated"), again.out());
    }

    @Test
    void theHelpStatesTheDefaultsTheJobUses() {
        Run help = run("--help");
        assertEquals(0, help.exit());
        SparkModelOptions d = SparkModelOptions.DEFAULTS;
        String text = help.out().replaceAll("\\s+", " "); // picocli wraps the descriptions
        for (String expected : List.of("--min-support=<minSupport>", "(default: " + d.minSupport() + ")",
                "(default: " + d.maxRulesPerItem() + ")", "(default: " + d.topN() + ";",
                "(without validation: " + d.newItemWeight() + ")",
                "(without validation: " + d.repeatHalfLifeDays() + ")",
                "(default: " + ListTuning.DEFAULT_VALIDATION_DAYS + ")")) {
            assertTrue(text.contains(expected), expected + " in\n" + help.out());
        }
    }

    @Test
    void badInputStopsTheJobNamingTheFileAndLeavesTheStoreAsItWas() throws Exception {
        Path orders = orders();
        Path models = dir.resolve("models");
        Run overBudget = run("--input", orders.toString(), "--models", models.toString());
        assertEquals(1, overBudget.exit());
        assertTrue(overBudget.err().contains("malformed_quantity at " + orders + ":74 (quantity 'x')"),
                overBudget.err());
        // what was read and rejected explains the failure: the report first, as train prints it
        assertTrue(overBudget.err().startsWith("Ingestion report\n"), overBudget.err());
        assertTrue(overBudget.err().contains(String.format(java.util.Locale.ROOT, "  %-38s %,12d", "rows read", 73)),
                overBudget.err());
        // a store that cannot be made: one line naming it, not the JDK's stack trace
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run noStore = run("--input", orders.toString(), "--models", file.resolve("models").toString());
        assertEquals(1, noStore.exit());
        assertTrue(noStore.err().startsWith("affinity spark-train: " + file.resolve("models") + ": "), noStore.err());
        assertTrue(noStore.err().strip().toLowerCase(java.util.Locale.ROOT).endsWith("not a directory"),
                noStore.err());
        assertFalse(noStore.err().strip().contains("\n"), noStore.err());
        Run missing = run("--input", dir.resolve("nope.csv").toString(), "--models", models.toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("input file " + dir.resolve("nope.csv") + " does not exist"), missing.err());
        Run badOption = run("--input", orders.toString(), "--models", models.toString(), "--top-n", "-1");
        assertEquals(1, badOption.exit());
        assertTrue(badOption.err().contains("--top-n must be in 0..1000, was -1"), badOption.err());
        // catalogue files fail before any distributed work (no ingest line), with train's messages
        Path noCatalog = dir.resolve("no-catalog.csv");
        Run missingCatalog = run("--input", orders.toString(), "--models", models.toString(), "--catalog",
                noCatalog.toString());
        assertEquals(1, missingCatalog.exit());
        assertTrue(missingCatalog.err().contains("--catalog: file " + noCatalog + " does not exist"),
                missingCatalog.err());
        Run directory = run("--input", orders.toString(), "--models", models.toString(), "--catalog",
                dir.toString());
        assertTrue(directory.err().contains("--catalog: " + dir + " is a directory, not a file"), directory.err());
        Path catalog = Files.writeString(dir.resolve("catalog.csv"), "item_id,price\nA1,1.60\nA2,-1\n");
        Run badCatalog = run("--input", orders.toString(), "--models", models.toString(), "--error-budget", "0.05",
                "--catalog", catalog.toString());
        assertEquals(1, badCatalog.exit());
        assertTrue(badCatalog.err().contains(catalog + ":3: price must be a number >= 0, was '-1'"),
                badCatalog.err());
        assertFalse(badCatalog.out().contains("ingest:"), badCatalog.out());
        assertFalse(Files.exists(models.resolve("CURRENT")), "nothing published");
    }
}
