package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import io.affinity.training.ingest.IngestException;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.IngestResult;
import io.affinity.training.ingest.RejectReason;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark ingestion against the single-machine loader on the same files: the same report (counts, samples,
 * file statistics) and the same accepted lines with the same order attributes. The loader's own tests pin the
 * rules; agreeing with it on every rule's fixture and on messy random exports pins the Spark path to them.
 */
@IntegrationTest
class SparkIngestParityTest {
    private static final String UCI_II_HEADER =
            "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n";
    private static final String GENERIC_HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price\n";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void everyRejectReasonIsCountedAndSampledAsTheLoaderDoes() throws Exception {
        Path f = write("rules.csv", UCI_II_HEADER
                + "100,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
                + "100,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
                + "C101,85123A,HEART,-6,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"
                + "102,85123A,HEART,-1,2010-12-01 09:00:00,0,,United Kingdom\n"
                + "A103,B,Adjust bad debt,1,2010-12-01 09:00:00,-100,,United Kingdom\n"
                + "104,85123A,HEART,0,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"
                + "104,85123B,HEART,1,2010-12-01 09:00:00,0,17850,United Kingdom\n"
                + "104,POST,POSTAGE,1,2010-12-01 09:00:00,18,17850,United Kingdom\n"
                + "104,gift_0001_20,Voucher,1,2010-12-01 09:00:00,17.39,,United Kingdom\n"
                + "104,85123A,HEART,x,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"
                + "104,85123A,HEART,1,2010-12-01 09:00:00,2;55,17850,United Kingdom\n"
                + "104,85123A,HEART,1,01/12/2010 09:00,2.55,17850,United Kingdom\n"
                + "104,,HEART,1,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"
                + "104,85123A,HEART,1,2010-12-01 09:00:00,2.55,17850\n"
                + "105,22041,\"RECORD FRAME 7\"\" SINGLE, SIZE\",48,2010-12-01 10:00:00,2.1,,France\n"
                + "106,22041,FRAME,2,2010-12-02 10:00:00,2.1,12680.0,France\n"
                + "C107,22041,FRAME,-2,2010-12-03 10:00:00,2.1,12680,France\n");
        SparkIngest.Result spark = assertSameAsLoader(IngestOptions.defaults().withErrorBudget(1.0)
                .withExcludedCustomers(java.util.Set.of("12680")), f);
        assertEquals(2, spark.report().rejectedCount(RejectReason.EXCLUDED_CUSTOMER), "its cancellation included");
        // the fixture reaches every reason but the two that need several files or customers (next test)
        for (RejectReason r : RejectReason.values()) {
            if (r != RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE && r != RejectReason.ORDER_CUSTOMER_CONFLICT
                    && r != RejectReason.MALFORMED_SEQUENCE && r != RejectReason.MALFORMED_ID_TOO_LONG
                    && r != RejectReason.MALFORMED_CURRENCY && r != RejectReason.NO_EXCHANGE_RATE) { // (currencies below)
                assertTrue(spark.report().rejectedCount(r) > 0, r.code());
            }
        }
    }

    @Test
    void ordersClaimedByTwoCustomersAndOverlappingExportsAsTheLoaderDoes() throws Exception {
        Path a = write("collide.csv", GENERIC_HEADER
                + ",1,2024-01-05,A1,1,1\n"
                + "alice@example.com,1,2024-01-05,A2,1,1\n"
                + "alice@example.com,2,2024-02-05,B1,1,1\n"
                + "bob@example.com,1,2024-03-05,C1,1,1\n"
                + "NULL,1,2024-01-05,A3,1,1\n"
                + "bob@example.com,3,2024-04-05,D1,1,1\n");
        Path b = write("other-store.csv", GENERIC_HEADER
                + "carol@example.com,2,2024-05-05,E1,1,1\n"
                + "alice@example.com,2,2024-02-05,B1,1,1\n");
        SparkIngest.Result spark = assertSameAsLoader(IngestOptions.defaults().withErrorBudget(1.0), a, b);
        assertEquals(2, spark.report().rejectedCount(RejectReason.ORDER_CUSTOMER_CONFLICT));
        assertEquals(1, spark.report().rejectedCount(RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE));
        assertFalse(spark.report().toString().contains("bob@"), "no customer id in the report");

        // over the budget: the same message as the loader's, naming the first conflict
        IngestException loader = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(a, b), IngestOptions.defaults()));
        IngestException onSpark = assertThrows(IngestException.class,
                () -> SparkIngest.load(LocalSpark.get(), List.of(a.toString(), b.toString()), IngestOptions.defaults(),
                        StandardCharsets.UTF_8));
        assertEquals(loader.getMessage(), onSpark.getMessage());
    }

    /**
     * {@code --currency} and {@code --exchange-rates}: a shop selling in euros, pounds and francs, two files, dated
     * rates, a return in pounds, a row without a rate and a cell that is no code, converted by the same row reader;
     * without rates both stop with the same message.
     */
    @Test
    void amountsInSeveralCurrenciesAreConvertedOrStopTheLoadAsTheLoaderDoes() throws Exception {
        String header = "customer_id,order_id,timestamp,item_id,quantity,unit_price,currency\n";
        Path eu = write("eu.csv", header
                + "de-1,1001,2024-03-01 10:00:00,MUG,2,10.00,EUR\n"
                + "de-1,1002,2024-04-01 10:00:00,LAMP,1,120,eur\n"
                + "fr-1,1003,2024-04-02 10:00:00,MUG,1,10.00,EUR\n"
                + "fr-1,1004,2024-04-03 10:00:00,MUG,1,10.00,EURO\n");
        Path ukCh = write("uk-ch.csv", header
                + "uk-1,2001,2024-03-02 10:00:00,MUG,2,8.50,GBP\n"
                + "uk-1,2002,2024-04-02 10:00:00,MUG,1,8.50,GBP\n"
                + "uk-1,2003,2024-04-20 10:00:00,MUG,-1,8.50,GBP\n"
                + "uk-2,2004,2024-02-01 10:00:00,LAMP,1,99,GBP\n"
                + "ch-1,3001,2024-03-03 10:00:00,MUG,2,9.60,CHF\n"
                + "us-1,4001,2024-03-05 10:00:00,MUG,1,11.00,USD\n");
        Path rates = write("rates.csv", "currency,date,rate\nGBP,2024-03-01,1.15\nGBP,2024-04-01,1.17\n"
                + "CHF,2024-01-01,1.05\n");
        IngestOptions options = IngestOptions.defaults().withErrorBudget(1.0)
                .withCurrency("EUR", io.affinity.training.ingest.ExchangeRates.read(rates, "EUR"));
        SparkIngest.Result spark = assertSameAsLoader(options, eu, ukCh);
        assertEquals(2, spark.report().rejectedCount(RejectReason.NO_EXCHANGE_RATE), "GBP before March, USD");
        assertEquals(1, spark.report().rejectedCount(RejectReason.MALFORMED_CURRENCY));
        assertEquals(java.util.Map.of("CHF", 1L, "EUR", 3L, "GBP", 4L, "USD", 1L),
                spark.report().currencies().rows());

        IngestException loader = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(eu, ukCh), IngestOptions.defaults().withErrorBudget(1.0)));
        IngestException onSpark = assertThrows(IngestException.class,
                () -> SparkIngest.load(LocalSpark.get(), List.of(eu.toString(), ukCh.toString()),
                        IngestOptions.defaults().withErrorBudget(1.0), StandardCharsets.UTF_8));
        assertEquals(loader.getMessage(), onSpark.getMessage());
        // Spark stops once the rows are classified, as the loader once they are read: before the returns' netting
        // and the report's passes (which ran first until the thirtieth session), so without the report
        assertTrue(loader.report().isPresent());
        assertTrue(onSpark.report().isEmpty(), "stopped before the report was counted");
        assertTrue(onSpark.getMessage().startsWith("the exports hold amounts in 4 currencies (CHF 1 row, EUR 3 rows, "
                + "GBP 4 rows, USD 1 row)"), onSpark.getMessage());
    }

    /**
     * Converted prices are rounded to the reporting currency's minor unit, a half up, on both: cents for euros (8.50
     * GBP at 1.15 is 9.775, so 9.78; a screw at 0.004 GBP keeps its tenth of a cent, 0.00468 so 0.005), whole yen
     * for yen (8.50 GBP at 190.37 is 1,618.145, so 1,618). The doubles' products (9.774999999999999, 3.8295...)
     * were the prices until the thirty-first session.
     */
    @Test
    void convertedPricesAreRoundedToTheReportingCurrencysMinorUnitAsTheLoaderRoundsThem() throws Exception {
        String header = "customer_id,order_id,timestamp,item_id,quantity,unit_price,currency\n";
        Path uk = write("uk.csv", header
                + "uk-1,2001,2024-03-02 10:00:00,MUG,2,8.50,GBP\n"
                + "uk-1,2001,2024-03-02 10:00:00,LAMP,3,3.33,GBP\n"
                + "uk-2,2002,2024-04-02 10:00:00,SCREW,500,0.004,GBP\n"
                + "uk-2,2002,2024-04-02 10:00:00,POT,1,19.99,GBP\n");
        Path de = write("de.csv", header + "de-1,1001,2024-04-03 10:00:00,MUG,1,9.99,EUR\n");
        Path toEuros = write("eur.csv", "currency,date,rate\nGBP,2024-03-01,1.15\nGBP,2024-04-01,1.17\n");
        Path toYen = write("jpy.csv", "currency,date,rate\nGBP,2024-03-01,190.37\nGBP,2024-04-01,191.02\n"
                + "EUR,2024-01-01,161.24\n");
        String[][] expected = {
                {"EUR", "2001 MUG 9.78", "2001 LAMP 3.83", "2002 SCREW 0.005", "2002 POT 23.39", "1001 MUG 9.99"},
                {"JPY", "2001 MUG 1618.0", "2001 LAMP 634.0", "2002 SCREW 0.8", "2002 POT 3818.0", "1001 MUG 1611.0"},
        };
        for (String[] e : expected) {
            Path rates = e[0].equals("EUR") ? toEuros : toYen;
            IngestOptions options = IngestOptions.defaults()
                    .withCurrency(e[0], io.affinity.training.ingest.ExchangeRates.read(rates, e[0]));
            assertSameAsLoader(options, uk, de);
            Transactions tx = TransactionLoader.load(List.of(uk, de), options).transactions();
            List<String> prices = new ArrayList<>();
            for (int o = 0; o < tx.orderCount(); o++) {
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    prices.add(tx.orderId(o) + " " + tx.itemId(tx.itemOfLine(l)) + " " + tx.unitPriceOfLine(l));
                }
            }
            prices.sort(null);
            List<String> want = new ArrayList<>(List.of(e).subList(1, e.length));
            want.sort(null);
            assertEquals(want, prices, e[0]);
        }
    }

    /** {@code --time-zone}: an export written in UTC for a shop in Berlin, converted by the same row reader. */
    @Test
    void timestampsWithAnOffsetAreConvertedToTheShopsZoneAsTheLoaderDoes() throws Exception {
        Path utc = write("utc.csv", GENERIC_HEADER
                + "c1,1,2011-05-06T22:30:00Z,A1,1,1\n"
                + "c1,2,2011-05-07T07:00:00+00:00,A2,1,1\n"
                + "c2,3,2011-01-10 23:30:00Z,A1,1,1\n"
                + "c2,4,2011-05-07 21:45:00,A2,1,1\n");
        IngestOptions berlin = IngestOptions.defaults().withTimeZone(java.time.ZoneId.of("Europe/Berlin"));
        SparkIngest.Result spark = assertSameAsLoader(berlin, utc);
        assertEquals(new io.affinity.training.ingest.IngestReport.TimeOffsets(3, "Europe/Berlin"),
                spark.report().timeOffsets());
        assertSameAsLoader(IngestOptions.defaults(), utc);
    }

    /**
     * An order keyed in across midnight, written newest line first and interleaved with another: placed at its
     * earliest line's time (23:59:30 on 1 May), as on one machine, not at its first line's.
     */
    @Test
    void anOrdersTimeIsItsEarliestLinesWhateverTheirOrderAsTheLoaderDoes() throws Exception {
        Path f = write("newest-first.csv", GENERIC_HEADER
                + "c1,o2,2011-05-02 00:00:40,A4,1,1\n"
                + "c2,o3,2011-05-02 09:00:00,A1,1,1\n"
                + "c1,o2,2011-05-01 23:59:30,A2,1,1\n"
                + "c1,o2,2011-05-02 00:00:10,A3,1,1\n");
        SparkIngest.Result spark = assertSameAsLoader(IngestOptions.defaults(), f);
        long placed = LocalDateTime.of(2011, 5, 1, 23, 59, 30).toEpochSecond(java.time.ZoneOffset.UTC);
        List<Row> rows = spark.accepted().filter(org.apache.spark.sql.functions.col(AcceptedLines.ORDER)
                .equalTo("o2")).collectAsList();
        assertEquals(3, rows.size());
        for (Row r : rows) {
            assertEquals(placed, r.<Long>getAs(AcceptedLines.TIME).longValue(), r.toString());
        }
    }

    @Test
    void theBundledSampleLoadsAsOnOneMachine() throws Exception {
        Path sample = Path.of("..", "data", "sample", "online-retail-2011-05-06.csv.gz");
        assertTrue(Files.isRegularFile(sample), "the project ships its sample");
        SparkIngest.Result spark = assertSameAsLoader(IngestOptions.defaults(), sample);
        assertTrue(spark.report().rowsAccepted() > 10_000, "a real load: " + spark.report().rowsAccepted());
        // the sample's returns are netted, and some orders go entirely: kept quantities are compared line by line
        assertTrue(spark.report().returns().netted() > 100 && spark.report().returns().ordersReturnedInFull() > 10,
                spark.report().returns().toString());
    }

    @Test
    void messyRandomExportsAcrossFilesAndGzipLoadAsTheLoaderDoes() throws Exception {
        Random random = new Random(20261125);
        for (int round = 0; round < 3; round++) {
            List<Path> files = new ArrayList<>();
            for (int f = 0; f < 3; f++) {
                files.add(messyExport(random, "messy-" + round + "-" + f + ".csv" + (f == 1 ? ".gz" : ""), f));
            }
            assertSameAsLoader(IngestOptions.defaults().withErrorBudget(1.0).withSamplesPerReason(3),
                    files.toArray(Path[]::new));
        }
    }

    /**
     * train's --exclude-customers and --guest-customers on messy exports: excluded customers' rows (also of orders
     * others claim, and their cancellations) and guest ids' orders, counted and resolved as the loader does.
     */
    @Test
    void excludedAndGuestCustomersInMessyExportsLoadAsTheLoaderDoes() throws Exception {
        Random random = new Random(20261126);
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            files.add(messyExport(random, "excluded-" + f + ".csv", f));
        }
        SparkIngest.Result spark = assertSameAsLoader(IngestOptions.defaults().withErrorBudget(1.0)
                .withSamplesPerReason(3).withExcludedCustomers(java.util.Set.of("13005", "13011", "13030"))
                .withGuestCustomers(List.of("13003", "13020")), files.toArray(Path[]::new));
        assertTrue(spark.report().rejectedCount(RejectReason.EXCLUDED_CUSTOMER) > 20,
                spark.report().toText());
        assertTrue(spark.report().rejectedCount(RejectReason.ORDER_CUSTOMER_CONFLICT) > 0, spark.report().toText());
    }

    @Test
    void aPatternLoadsTheFilesItMatchesInNameOrder() throws Exception {
        Random random = new Random(7);
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            files.add(messyExport(random, "day-" + f + ".csv", f));
        }
        IngestOptions options = IngestOptions.defaults().withErrorBudget(1.0);
        IngestResult loader = TransactionLoader.load(files, options);
        SparkIngest.Result spark = SparkIngest.load(LocalSpark.get(), List.of(dir.resolve("day-*.csv").toString()),
                options, StandardCharsets.UTF_8);
        try {
            assertEquals(3, spark.report().files().size());
            for (int f = 0; f < 3; f++) {
                assertTrue(spark.report().files().get(f).path().endsWith("day-" + f + ".csv"),
                        spark.report().files().get(f).path());
            }
            assertEquals(loader.report().rowsRead(), spark.report().rowsRead());
            for (RejectReason r : RejectReason.values()) {
                assertEquals(loader.report().rejectedCount(r), spark.report().rejectedCount(r), r.code());
            }
            assertEquals(lines(loader.transactions()), lines(spark.accepted().collectAsList()));
        } finally {
            spark.accepted().unpersist();
        }
        String none = assertThrows(IngestException.class, () -> SparkIngest.load(LocalSpark.get(),
                List.of(dir.resolve("nothing-*.csv").toString()), options, StandardCharsets.UTF_8)).getMessage();
        assertEquals("input pattern " + dir.resolve("nothing-*.csv") + " matches no file", none);
    }

    @Test
    void aFileThatBreaksMidwayFailsTheLoadNamingTheFileAsTheLoaderDoes() throws Exception {
        Path good = write("good.csv", GENERIC_HEADER + "c1,o1,2024-01-01,A,1,1\n");
        Path broken = write("broken.csv", GENERIC_HEADER + "c1,o2,2024-01-01,A,1,1\nc2,\"o3,2024-01-01,B,1,1\n");
        String loader = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(good, broken), IngestOptions.defaults())).getMessage();
        String spark = assertThrows(IngestException.class, () -> SparkIngest.load(LocalSpark.get(),
                List.of(good.toString(), broken.toString()), IngestOptions.defaults(), StandardCharsets.UTF_8))
                .getMessage();
        assertEquals(loader, spark);
        assertTrue(spark.startsWith(broken + ": broken CSV structure"), spark);

        String missing = assertThrows(IngestException.class, () -> SparkIngest.load(LocalSpark.get(),
                List.of(good.toString(), dir.resolve("nope.csv").toString()), IngestOptions.defaults(),
                StandardCharsets.UTF_8)).getMessage();
        assertEquals("input file " + dir.resolve("nope.csv") + " does not exist", missing);
        String twice = assertThrows(IngestException.class, () -> SparkIngest.load(LocalSpark.get(),
                List.of(good.toString(), good.toString()), IngestOptions.defaults(), StandardCharsets.UTF_8))
                .getMessage();
        assertTrue(twice.contains("is given twice"), twice);
    }

    /**
     * A year of daily exports: the files are read by a few tasks per core, not one task each (a thousand small files
     * made every stage of the load a thousand tasks and took 14 times as long as the same rows in one file).
     */
    @Test
    void manyDailyFilesAreReadByAFewTasksPerCore() throws Exception {
        Random random = new Random(11);
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 40; f++) {
            files.add(write(String.format("day-%02d.csv", f), GENERIC_HEADER + String.format(
                    "c%d,o%d,2024-01-%02d,A%d,1,1\nc%d,o%d,2024-01-%02d,B,2,1\n", random.nextInt(5), f, 1 + f % 28,
                    random.nextInt(3), random.nextInt(5), f, 1 + f % 28)));
        }
        StageSizes stages = new StageSizes();
        LocalSpark.get().sparkContext().addSparkListener(stages);
        try {
            assertSameAsLoader(IngestOptions.defaults().withErrorBudget(1.0), files.toArray(Path[]::new));
            LocalSpark.get().sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            LocalSpark.get().sparkContext().removeSparkListener(stages);
        }
        int cores = LocalSpark.get().sparkContext().defaultParallelism();
        assertTrue(stages.largest > 0, "stages seen");
        assertTrue(stages.largest <= 3 * cores, "the largest stage has " + stages.largest + " tasks for "
                + files.size() + " files on " + cores + " cores");
    }

    /** The number of tasks of the largest stage submitted while it listens. */
    private static final class StageSizes extends org.apache.spark.scheduler.SparkListener {
        volatile int largest;

        @Override
        public void onStageSubmitted(org.apache.spark.scheduler.SparkListenerStageSubmitted submitted) {
            largest = Math.max(largest, submitted.stageInfo().numTasks());
        }
    }

    /**
     * Of several files that cannot be read, the loader names the first in load order; so does the job, however its
     * tasks are timed (here the later file fails early, the earlier one only at its end: an unclosed quote).
     */
    @Test
    void ofSeveralBrokenFilesTheFirstInLoadOrderIsNamedAsTheLoaderNamesIt() throws Exception {
        StringBuilder long1 = new StringBuilder(GENERIC_HEADER);
        for (int i = 0; i < 30_000; i++) {
            long1.append("c").append(i % 50).append(",o").append(i / 3).append(",2024-01-05,A").append(i % 7)
                    .append(",1,1\n");
        }
        Path good = write("a-good.csv", GENERIC_HEADER + "c1,x1,2024-01-01,A,1,1\n");
        Path lateBreak = write("b-late.csv", long1 + "c2,\"o9,2024-01-01,B,1,1\n");
        // a byte invalid in UTF-8 some 200 kB in (past what reading the header decodes: a bad header is found
        // before any file is read, in whichever file it is)
        Path earlyBreak = dir.resolve("c-early.csv");
        String rows = long1.substring(GENERIC_HEADER.length());
        Files.write(earlyBreak, (GENERIC_HEADER + rows.substring(0, 200_000) + "\nc2,o8,2024-01-01,B\u00ff,1,1\n"
                + rows.substring(200_000)).getBytes(StandardCharsets.ISO_8859_1));
        List<Path> files = List.of(good, lateBreak, earlyBreak);
        String loader = assertThrows(IngestException.class,
                () -> TransactionLoader.load(files, IngestOptions.defaults())).getMessage();
        assertTrue(loader.startsWith(lateBreak + ": broken CSV structure"), loader);
        String spark = assertThrows(IngestException.class, () -> SparkIngest.load(LocalSpark.get(),
                files.stream().map(Path::toString).toList(), IngestOptions.defaults(), StandardCharsets.UTF_8))
                .getMessage();
        assertEquals(loader, spark);
    }

    /**
     * A task that fails once, as on a cluster that loses a datanode or an executor mid-read, is retried: the load still
     * counts every row once, with the same report and lines as the loader (a read task has no side effect to repeat).
     */
    @Test
    void aReadTaskThatFailsOnceIsRetriedAndEveryRowCountsOnce() throws Exception {
        Random random = new Random(5);
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            files.add(messyExport(random, "flaky-" + f + ".csv", f));
        }
        IngestOptions options = IngestOptions.defaults().withErrorBudget(1.0);
        IngestResult loader = TransactionLoader.load(files, options);
        LocalSpark.get().sparkContext().hadoopConfiguration().set("fs.flaky.impl", FlakyFileSystem.class.getName());
        FlakyFileSystem.failed.clear();
        SparkIngest.Result spark = SparkIngest.load(LocalSpark.get(),
                files.stream().map(f -> "flaky://" + f.toAbsolutePath()).toList(), options, StandardCharsets.UTF_8);
        try {
            assertEquals(3, FlakyFileSystem.failed.size(), "each file's first read in a task failed");
            assertEquals(loader.report().rowsRead(), spark.report().rowsRead());
            assertEquals(loader.report().rowsAccepted(), spark.report().rowsAccepted());
            for (RejectReason r : RejectReason.values()) {
                assertEquals(loader.report().rejectedCount(r), spark.report().rejectedCount(r), r.code());
            }
            assertEquals(loader.report().returns(), spark.report().returns());
            assertEquals(lines(loader.transactions()), lines(spark.accepted().collectAsList()));
        } finally {
            spark.accepted().unpersist();
        }
    }

    /** The local file system as flaky://, whose first read of each file in a Spark task fails. */
    public static final class FlakyFileSystem extends org.apache.hadoop.fs.RawLocalFileSystem {
        static final java.util.Set<String> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public java.net.URI getUri() {
            return java.net.URI.create("flaky:///");
        }

        @Override
        public String getScheme() {
            return "flaky";
        }

        @Override
        public org.apache.hadoop.fs.FSDataInputStream open(org.apache.hadoop.fs.Path f, int bufferSize)
                throws IOException {
            if (org.apache.spark.TaskContext.get() != null && failed.add(f.toString())) {
                throw new IOException("Connection reset by peer (injected: " + f + ")");
            }
            return super.open(f, bufferSize);
        }
    }

    /**
     * A directory, as Spark users give one, stands for the files in it in name order, without the hidden files
     * Spark's own readers skip (a finished job's _SUCCESS marker, .crc checksums); a glob skips them too.
     */
    @Test
    void aDirectoryLoadsItsFilesInNameOrderWithoutHiddenOnes() throws Exception {
        Path exports = Files.createDirectory(dir.resolve("exports"));
        Random random = new Random(3);
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            files.add(messyExport(random, "exports/day-" + f + ".csv", f));
        }
        Files.writeString(exports.resolve("_SUCCESS"), "");
        Files.writeString(exports.resolve(".day-0.csv.crc"), "not an export");
        IngestOptions options = IngestOptions.defaults().withErrorBudget(1.0);
        IngestResult loader = TransactionLoader.load(files, options);
        for (String input : List.of(exports.toString(), exports + "/*")) {
            SparkIngest.Result spark = SparkIngest.load(LocalSpark.get(), List.of(input), options,
                    StandardCharsets.UTF_8);
            try {
                assertEquals(3, spark.report().files().size(), input);
                for (int f = 0; f < 3; f++) {
                    assertTrue(spark.report().files().get(f).path().endsWith("exports/day-" + f + ".csv"),
                            spark.report().files().get(f).path());
                }
                assertEquals(loader.report().rowsAccepted(), spark.report().rowsAccepted(), input);
                assertEquals(lines(loader.transactions()), lines(spark.accepted().collectAsList()), input);
            } finally {
                spark.accepted().unpersist();
            }
        }
        // a directory in it (another layout, e.g. one per month) is not skipped silently; nor is an empty one
        Files.createDirectory(exports.resolve("2011-06"));
        String nested = assertThrows(IngestException.class, () -> SparkIngest.load(LocalSpark.get(),
                List.of(exports.toString()), options, StandardCharsets.UTF_8)).getMessage();
        assertTrue(nested.startsWith("input directory " + exports + " holds the directory 2011-06: give its files, "
                + "or a pattern"), nested);
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("_SUCCESS"), "");
        assertEquals("input directory " + empty + " holds no file", assertThrows(IngestException.class,
                () -> SparkIngest.load(LocalSpark.get(), List.of(empty.toString()), options,
                        StandardCharsets.UTF_8)).getMessage());
    }

    /**
     * Loads with both and checks they agree: the report as a whole (a record: counts, samples, files) and the
     * accepted lines with their resolved order attributes, as sorted lists.
     */
    private static SparkIngest.Result assertSameAsLoader(IngestOptions options, Path... files) throws Exception {
        IngestResult loader = TransactionLoader.load(List.of(files), options);
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            names.add(f.toString());
        }
        SparkIngest.Result spark = SparkIngest.load(LocalSpark.get(), names, options, StandardCharsets.UTF_8);
        try {
            assertEquals(loader.report(), spark.report());
            assertEquals(loader.transactions().sequenceOnly(), spark.sequenceOnly());
            assertEquals(AcceptedLines.SCHEMA_WITH_KEPT, spark.accepted().schema());
            assertEquals(lines(loader.transactions()), lines(spark.accepted().collectAsList()));
        } finally {
            spark.accepted().unpersist();
        }
        return spark;
    }

    private static List<String> lines(Transactions tx) {
        List<String> out = new ArrayList<>();
        for (int o = 0; o < tx.orderCount(); o++) {
            int c = tx.customerOf(o);
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                out.add(String.join("|", tx.orderId(o), tx.itemId(tx.itemOfLine(l)), c < 0 ? "-" : tx.customerId(c),
                        Double.toString(tx.quantityOfLine(l)), Double.toString(tx.keptQuantityOfLine(l)),
                        Double.toString(tx.unitPriceOfLine(l)),
                        Long.toString(tx.localEpochSecondOf(o)), tx.countryOf(o)));
            }
        }
        out.sort(null);
        return out;
    }

    private static List<String> lines(List<Row> rows) {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            String customer = r.getAs(AcceptedLines.CUSTOMER);
            out.add(String.join("|", r.<String>getAs(AcceptedLines.ORDER), r.<String>getAs(AcceptedLines.ITEM),
                    customer == null ? "-" : customer, Double.toString(r.<Double>getAs(AcceptedLines.QUANTITY)),
                    Double.toString(r.<Double>getAs(AcceptedLines.KEPT)),
                    Double.toString(r.<Double>getAs(AcceptedLines.PRICE)),
                    Long.toString(r.<Long>getAs(AcceptedLines.TIME)), r.<String>getAs(AcceptedLines.COUNTRY)));
        }
        out.sort(null);
        return out;
    }

    /**
     * A UCI-layout export with what real ones have: orders spread over rows (some interleaved), guests and
     * placeholder ids, cancellations, zero and negative prices, postage, duplicated lines, order numbers reused by
     * another customer, orders repeated from the previous file, and a few broken cells.
     */
    private Path messyExport(Random random, String name, int fileNo) throws IOException {
        StringBuilder csv = new StringBuilder(UCI_II_HEADER);
        LocalDateTime start = LocalDateTime.of(2011, 1, 1, 8, 0).plusDays(30L * fileNo);
        List<String> previous = new ArrayList<>();
        for (int row = 0; row < 400; row++) {
            int order = fileNo * 60 + random.nextInt(80); // overlaps the next file's numbers
            String invoice = (random.nextInt(25) == 0 ? "C" : "") + (500000 + order);
            String customer = switch (random.nextInt(12)) {
                case 0 -> "";
                case 1 -> "NULL";
                case 2 -> Integer.toString(13000 + random.nextInt(40)); // may claim someone else's order
                default -> Integer.toString(13000 + order % 37);
            };
            String item = switch (random.nextInt(30)) {
                case 0 -> "POST";
                case 1 -> "";
                default -> Integer.toString(20000 + random.nextInt(60)) + (random.nextBoolean() ? "" : "a");
            };
            String quantity = switch (random.nextInt(40)) {
                case 0 -> "0";
                case 1 -> "-2";
                case 2 -> "x";
                default -> Integer.toString(1 + random.nextInt(24));
            };
            String price = random.nextInt(40) == 0 ? "0" : String.format(java.util.Locale.ROOT, "%.2f",
                    0.1 + random.nextInt(2000) / 100.0);
            String time = random.nextInt(60) == 0 ? "yesterday"
                    : start.plusMinutes(order * 7L).toString().replace('T', ' ') + ":00";
            String description = random.nextInt(10) == 0 ? "" : "ITEM " + item + (random.nextInt(8) == 0 ? " ALT" : "");
            String country = order % 5 == 0 ? "France" : "United Kingdom";
            String line = String.join(",", invoice, item, description, quantity, time, price, customer, country);
            if (random.nextInt(15) == 0) {
                line = String.join(",", invoice, item, quantity); // wrong column count
            }
            csv.append(line).append('\n');
            previous.add(line);
            if (random.nextInt(20) == 0) {
                csv.append(previous.get(random.nextInt(previous.size()))).append('\n'); // an exact duplicate
            }
        }
        Path p = dir.resolve(name);
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(bytes);
            }
        } else {
            Files.write(p, bytes);
        }
        return p;
    }

}
