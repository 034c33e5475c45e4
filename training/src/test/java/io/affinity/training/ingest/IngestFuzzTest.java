package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import io.affinity.testing.DamagedBytes;
import io.affinity.testing.FuzzTest;
import io.affinity.training.customers.ConsentFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the readers of retailer files: the transaction exports ({@link TransactionLoader}, every layout,
 * dialect and encoding), the consent file ({@link ConsentFile}) and the catalogue ({@link CatalogFile}). Small valid
 * files (those the other tests write) are mutated at random: bytes flipped, lines and fields deleted, duplicated or
 * swapped, stray quotes, line ends, BOM, invalid UTF-8, NUL, huge fields, header changes, odd numbers, dates and
 * ids, gzip truncated or corrupted. The oracle is the documented contract (README "Input data"):
 * <ul>
 *   <li>a load returns a report whose counts add up (rows read = accepted + every rejection; the files' stats sum to
 *       the totals; anonymous rows &lt;= accepted; malformed = the malformed reasons' sum, within the budget), with
 *       samples {@code file:line} of real lines, and transactions matching the report;</li>
 *   <li>or it throws the reader's typed error ({@link IngestException}, {@link ConsentFile.ConsentFileException},
 *       {@link CatalogFile.CatalogException}) whose message names the file and says why;</li>
 *   <li>never another exception or error, and never a customer's e-mail address in a message or a sample.</li>
 * </ul>
 * Mutations that keep the content (BOM, CRLF or CR line ends, quoting, gzip, header case) must load exactly as the
 * original does ({@link #contentPreservingChangesLoadAsTheOriginal}).
 *
 * <p>Every case has its own seed, printed with its mutations and the mutated bytes on failure; rerun one case
 * with {@code -Daffinity.fuzz.case=SEED}, or another run with {@code -Daffinity.fuzz.seed=N}.
 */
@FuzzTest
class IngestFuzzTest {
    private static final long SEED = Long.getLong("affinity.fuzz.seed", 20261124L);
    private static final Long ONE_CASE = Long.getLong("affinity.fuzz.case");
    private static final int TRANSACTION_CASES = Integer.getInteger("affinity.fuzz.transactions", 2500);
    private static final int CONSENT_CASES = Integer.getInteger("affinity.fuzz.consent", 800);
    private static final int CATALOG_CASES = Integer.getInteger("affinity.fuzz.catalog", 800);
    private static final int RATES_CASES = Integer.getInteger("affinity.fuzz.rates", 800);
    private static final int EXCLUDED_CASES = Integer.getInteger("affinity.fuzz.excluded", 800);
    /** Only a guard against an endless loop: a full run takes seconds. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);
    /** An e-mail address or a piece of one: a word character next to an '@' (a quoted lone '@' is not one). */
    private static final Pattern EMAIL_LIKE = Pattern.compile("\\w@|@\\w");
    private static final Charset CP1252 = Charset.forName("windows-1252");

    @TempDir
    Path dir;

    /** A valid file and how to read it; the column indexes steer mutations to numbers, dates and ids. */
    record Fixture(String name, String text, Charset charset, IngestOptions options, char delimiter,
                   int[] numberColumns, int dateColumn, int[] idColumns, boolean emails) {
    }

    static final List<Fixture> TRANSACTION_FIXTURES = List.of(
            new Fixture("online-retail-ii", "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
                    + "489434,85048,\"15CM CHRISTMAS GLASS BALL 20 LIGHTS\",12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
                    + "489434,79323P,PINK CHERRY LIGHTS,12,2009-12-01 07:45:00,6.75,13085.0,United Kingdom\n"
                    + "489435,22350,\"CAT BOWL ,\"\"RED\"\"\",12,2009-12-01 07:46:00,2.55,,United Kingdom\n"
                    + "C489449,22087,PAPER BUNTING WHITE LACE,-12,2009-12-01 10:33:00,2.95,16321,Australia\n"
                    + "489436,POST,POSTAGE,1,2009-12-01 09:06:00,18,13078,United Kingdom\n"
                    + "489437,22143,CHRISTMAS CRAFT HEART DECORATIONS,6,2009-12-01 09:08:00,2.1,15362,United Kingdom\n",
                    StandardCharsets.UTF_8, IngestOptions.defaults(), ',', new int[] {3, 5}, 4, new int[] {1, 6},
                    false),
            new Fixture("online-retail", "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                    + "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
                    + "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom\n"
                    + "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850,United Kingdom\n"
                    + "A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom\n"
                    + "536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047,United Kingdom\n",
                    StandardCharsets.UTF_8, IngestOptions.defaults().withFormat("online-retail"), ',',
                    new int[] {3, 5}, 4, new int[] {1, 6}, false),
            new Fixture("generic", "customer_id,order_id,timestamp,item_id,quantity,unit_price,description,category,country\n"
                    + "anna@example.com,o-1,2024-01-05T10:12:00,TASSE-1,2,4.33,Tasse blau,Kitchen,DE\n"
                    + "anna@example.com,o-1,2024-01-05T10:12:00,TELLER-2,1,12.00,Teller,Kitchen,DE\n"
                    + "ben.k@example.org,o-2,2024-01-06 09:10:00.123+01:00,TASSE-1,1,4.33,,Kitchen,AT\n"
                    + ",o-3,2024-01-07,VASE-9,3,19.9,\"Vase, gross\",Decor,DE\n"
                    + "NULL,o-4,2024-01-08T08:00Z,TASSE-1,1,4.33,Tasse blau,Kitchen,DE\n"
                    + "cara@example.net,o-5,2024-01-09T11:00:00,TELLER-2,2,12.00,Teller,Kitchen,CH\n",
                    StandardCharsets.UTF_8, IngestOptions.defaults(), ',', new int[] {4, 5}, 2, new int[] {0, 3},
                    true),
            new Fixture("generic-sequence", "customer_id,order_id,sequence,item_id,quantity,unit_price\n"
                    + "dora@example.com,s-1,1,A-1,1,2.5\n"
                    + "dora@example.com,s-2,2,A-2,2,3.0\n"
                    + "eve@example.com,s-3,1.0,A-1,1,2.5\n"
                    + ",s-4,3,A-3,1,1\n",
                    StandardCharsets.UTF_8, IngestOptions.defaults(), ',', new int[] {4, 5}, 2, new int[] {0, 3},
                    true),
            new Fixture("columns-semicolon-decimal-comma", "Kunde;Bestellnummer;Datum;Artikel;Menge;Preis;Bezeichnung\n"
                    + "k1@shop.de;B1;2024-01-05T10:00:00;A1;2;4,33;Tasse\n"
                    + "k1@shop.de;B1;2024-01-05T10:00:00;A2;1;12;Teller\n"
                    + "k2@shop.de;B2;2024-01-06;A1;1,5;4,33;\"Tasse; blau\"\n",
                    StandardCharsets.UTF_8, IngestOptions.defaults().withMapping(ColumnMapping.ofColumns(
                            "customer=Kunde,order=Bestellnummer,timestamp=Datum,item=Artikel,quantity=Menge,"
                                    + "price=Preis,description=Bezeichnung"))
                            .withDialect(new CsvDialect(';', true)), ';', new int[] {4, 5}, 2, new int[] {0, 3},
                    true),
            new Fixture("windows-1252-crlf", "customer_id,order_id,timestamp,item_id,quantity,unit_price,description\r\n"
                    + "anna@example.de,o1,2024-01-01,A-1,1,1.0,\"two\r\nlines\"\r\n"
                    + "jürgen@example.de,o2,2024-01-02,ÄÖ-1,1,1.0,Grüner Tee\r\n"
                    + "jörgen@example.de,o3,2024-01-03,ÖÄ-1,1,1.0,Grüner Tee\r\n",
                    CP1252, IngestOptions.defaults(), ',', new int[] {4, 5}, 2, new int[] {0, 3}, true),
            new Fixture("generic-pipe", "customer_id|order_id|timestamp|item_id|quantity|unit_price|description\n"
                    + "fritz@example.ch|p-1|2024-03-01 12:00:00|X-1|1|9.5|Pipe \"tool\"\n"
                    + "fritz@example.ch|p-1|2024-03-01 12:00:00|X-2|4|0.25|Washer\n"
                    + "gina@example.ch|p-2|2024-03-02 13:00|X-1|1|9.5|\n",
                    StandardCharsets.UTF_8, IngestOptions.defaults().withFormat("generic")
                            .withDialect(new CsvDialect('|', false)), '|', new int[] {4, 5}, 2, new int[] {0, 3},
                    true),
            new Fixture("columns-tab-latin1", "Client\tCommande\tDate\tArticle\tQté\tPrix\r\n"
                    + "hélène@exemple.fr\tF1\t2024-02-01T08:00:00+01:00\tCAFÉ-1\t1\t3.5\r\n"
                    + "hélène@exemple.fr\tF1\t2024-02-01T08:00:00+01:00\tTHÉ-2\t2\t4\r\n",
                    StandardCharsets.ISO_8859_1, IngestOptions.defaults().withMapping(ColumnMapping.ofColumns(
                            "customer=Client,order=Commande,timestamp=Date,item=Article,quantity=Qté,price=Prix"))
                            .withDialect(new CsvDialect('\t', false)), '\t', new int[] {4, 5}, 2, new int[] {0, 3},
                    true));

    static final String CONSENT = "customer_id,channel,state\n"
            + "anna@example.com,email,opted_in\n"
            + "17850,sms,opted_out\n"
            + "b.k@example.de,push,pending\n"
            + "17850.0,web,confirmed\n"
            + "anna@example.com,email,opted_in\n";
    /** The same with the optional updated_at column: a CRM's history, rows ordered by their times. */
    static final String CONSENT_TIMED = "customer_id,channel,state,updated_at\n"
            + "anna@example.com,email,opted_in,2026-03-01T08:00:00Z\n"
            + "17850,sms,opted_out,2026-04-01T10:00:00.5+02:00\n"
            + "b.k@example.de,push,pending,\n"
            + "anna@example.com,email,opted_out,2026-06-01T08:00:00Z\n"
            + "17850.0,web,confirmed,2026-05-01T08:00:00Z\n";

    record CatalogFixture(String text, CsvDialect dialect) {
    }

    static final List<CatalogFixture> CATALOG_FIXTURES = List.of(
            new CatalogFixture("item_id,description,category,family,price,cost,available,brand,weight_kg,colour\n"
                    + "cup,Tea cup,Kitchen,tea cups,1.60,0.70,true,Acme,0.2,White\n"
                    + "saucer,,Kitchen,,1.10,0.40,yes,Bolt,0.15,white\n"
                    + "teapot,Porcelain teapot,Kitchen,teapots,12.00,5.00,false,Acme,1.1,Blue\n", CsvDialect.DEFAULT),
            new CatalogFixture("SKU;Name;Category;Unit Price;Unit-Cost;In Stock;Gewicht\n"
                    + "TASSE-1;Tasse blau;Küche;4,33;1,20;ja;0,3\n"
                    + "TELLER-2;\"Teller; flach\";Küche;12;13,5;1;0,8\n"
                    + "VASE-9;Vase;Deko;19,90;;0;2\n", new CsvDialect(';', true)));

    // ---------------------------------------------------------------------------------------------------------
    // Transaction exports

    @Test
    void transactionExportsEitherLoadConsistentlyOrFailWithATypedErrorNamingTheFile() {
        List<String> failures = new ArrayList<>();
        int[] loads = new int[2];
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Object[] current = new Object[1];
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (long caseSeed : caseSeeds(TRANSACTION_CASES, 1)) {
                current[0] = caseSeed;
                transactionCase(caseSeed, failures, loads, kinds);
            }
        }, () -> "a load did not finish (endless loop?); case seed " + current[0]);
        System.out.printf(Locale.ROOT, "IngestFuzzTest transactions: %d cases, %d loaded, %d typed errors; "
                + "mutations %s%n", loads[0] + loads[1], loads[0], loads[1], kinds);
        assertNoFailures(failures);
    }

    private void transactionCase(long caseSeed, List<String> failures, int[] loads, Map<String, Integer> kinds)
            throws IOException {
        Random rnd = new Random(caseSeed);
        Fixture fx = TRANSACTION_FIXTURES.get(rnd.nextInt(TRANSACTION_FIXTURES.size()));
        // mostly a budget that lets the rows through, so that the row rules run; sometimes one that stops the load
        double budget = new double[] {0, 0.01, 0.25, 1.0, 1.0, 1.0}[rnd.nextInt(6)];
        IngestOptions options = fx.options().withErrorBudget(budget).withSamplesPerReason(rnd.nextInt(4));
        int fileCount = rnd.nextInt(5) == 0 ? 2 : 1;
        List<Path> files = new ArrayList<>();
        List<Mutated> inputs = new ArrayList<>();
        Path caseDir = Files.createDirectories(dir.resolve("t" + Long.toHexString(caseSeed)));
        for (int f = 0; f < fileCount; f++) {
            Mutated m = mutate(rnd, fx.text(), fx.charset(), fx.delimiter(), fx.numberColumns(), fx.dateColumn(),
                    fx.idColumns(), true);
            m.mutations().forEach(k -> kinds.merge(k, 1, Integer::sum));
            Path p = caseDir.resolve("orders-" + f + (rnd.nextBoolean() ? ".csv" : ".csv.gz"));
            Files.write(p, m.bytes());
            files.add(p);
            inputs.add(m);
        }
        String context = "case seed " + caseSeed + " (-Daffinity.fuzz.case=" + caseSeed + "), fixture " + fx.name()
                + ", budget " + budget + ", samples " + options.samplesPerReason() + describe(files, inputs);
        try {
            IngestResult r = TransactionLoader.load(files, options, fx.charset());
            loads[0]++;
            List<String> problems = new ArrayList<>();
            checkReport(r.report(), options, files, inputs, fx.emails(), problems);
            checkTransactions(r, problems);
            if (r.report().malformed() > budget * r.report().rowsRead()) {
                problems.add("loaded although malformed " + r.report().malformed() + " > budget x rows read");
            }
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  problems: " + problems));
            }
        } catch (IngestException e) {
            loads[1]++;
            List<String> problems = new ArrayList<>();
            // with samples turned off (an API option; the CLI keeps 5) a budget failure has no file:line to name
            checkMessage(e.getMessage(), files, inputs, fx.emails(),
                    options.samplesPerReason() > 0 || e.report().isEmpty(), problems);
            e.report().ifPresent(report -> {
                checkReport(report, options, files, inputs, fx.emails(), problems);
                if (!(report.malformed() > budget * report.rowsRead())) {
                    problems.add("error budget failure although malformed " + report.malformed()
                            + " <= budget x rows read " + report.rowsRead());
                }
            });
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  IngestException: " + e.getMessage() + "\n  problems: "
                        + problems));
            }
        } catch (Throwable t) { // anything else, errors included, is a bug
            failures.add(failure(t, context + "\n  untyped failure: " + stack(t)));
        }
    }

    private static void checkReport(IngestReport r, IngestOptions options, List<Path> files, List<Mutated> inputs,
                                    boolean emails, List<String> problems) {
        long rejected = 0;
        long malformed = 0;
        for (RejectReason reason : RejectReason.values()) {
            IngestReport.Rejections x = r.rejected().get(reason.code());
            if (x == null) {
                problems.add("reason " + reason.code() + " missing from the report");
                continue;
            }
            rejected += x.count();
            malformed += reason.isMalformed() ? x.count() : 0;
            if (x.samples().size() > Math.min(x.count(), options.samplesPerReason())) {
                problems.add(reason.code() + ": " + x.samples().size() + " samples for " + x.count() + " rows");
            }
            for (String s : x.samples()) {
                checkSample(s, files, inputs, problems);
                if (emails && EMAIL_LIKE.matcher(s).find()) {
                    problems.add("sample quotes an e-mail address: " + s);
                }
            }
        }
        if (r.rowsRead() != r.rowsAccepted() + rejected) {
            problems.add("rows read " + r.rowsRead() + " != accepted " + r.rowsAccepted() + " + rejected " + rejected);
        }
        if (r.malformed() != malformed) {
            problems.add("malformed " + r.malformed() + " != sum of malformed reasons " + malformed);
        }
        if (r.rowsAcceptedAnonymous() > r.rowsAccepted() || r.rowsAcceptedPlaceholderCustomer() > r.rowsAccepted()) {
            problems.add("anonymous or placeholder rows exceed accepted rows");
        }
        if (r.ordersAcceptedAnonymous() > r.ordersAccepted() || r.ordersAccepted() > r.invoicesSeen()) {
            problems.add("order counts inconsistent");
        }
        long fileRead = r.files().stream().mapToLong(IngestReport.FileStats::rowsRead).sum();
        long fileAccepted = r.files().stream().mapToLong(IngestReport.FileStats::rowsAccepted).sum();
        // a budget failure reports every file; a successful load too
        if (fileRead != r.rowsRead() || fileAccepted != r.rowsAccepted()) {
            problems.add("per-file stats (" + fileRead + " read, " + fileAccepted + " accepted) do not sum to the "
                    + "totals (" + r.rowsRead() + ", " + r.rowsAccepted() + ")");
        }
        if (r.files().size() != files.size()) {
            problems.add(r.files().size() + " file stats for " + files.size() + " files");
        }
        if (r.rowsRead() > inputs.stream().mapToLong(Mutated::physicalLines).sum()) {
            problems.add("more rows read than lines in the files");
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("(.*):(\\d+)( \\(.*\\))?", Pattern.DOTALL);

    /** A sample is {@code file:line[ (detail)]}, the file one of those loaded, the line a data line of it. */
    private static void checkSample(String sample, List<Path> files, List<Mutated> inputs, List<String> problems) {
        Matcher m = SAMPLE.matcher(sample);
        if (!m.matches()) {
            problems.add("sample is not file:line: " + sample);
            return;
        }
        int f = files.stream().map(Path::toString).toList().indexOf(m.group(1));
        if (f < 0) {
            problems.add("sample names no loaded file: " + sample);
            return;
        }
        long line = Long.parseLong(m.group(2));
        if (line < 2 || line > inputs.get(f).physicalLines()) {
            problems.add("sample line " + line + " outside 2.." + inputs.get(f).physicalLines() + ": " + sample);
        }
    }

    private static void checkTransactions(IngestResult r, List<String> problems) {
        Transactions tx = r.transactions();
        IngestReport report = r.report();
        if (tx.lineCount() != report.rowsAccepted() || tx.orderCount() != report.ordersAccepted()
                || tx.customerCount() != report.customers() || tx.itemCount() != report.items()) {
            problems.add("transactions (" + tx.lineCount() + " lines, " + tx.orderCount() + " orders, "
                    + tx.customerCount() + " customers, " + tx.itemCount() + " items) differ from the report");
        }
        for (int i = 0; i < tx.itemCount(); i++) {
            String id = tx.itemId(i);
            if (id.isBlank() || id.length() > Ids.MAX_ID_LENGTH || !id.equals(id.strip().toUpperCase(Locale.ROOT))) {
                problems.add("item id not normalised or too long (" + id.length() + " characters)");
            }
        }
        for (int c = 0; c < tx.customerCount(); c++) {
            String id = tx.customerId(c);
            if (id.isBlank() || id.length() > Ids.MAX_ID_LENGTH || !id.equals(Ids.normaliseCustomerId(id))) {
                problems.add("customer id not normalised or too long (" + id.length() + " characters)");
            }
        }
        for (int l = 0; l < tx.lineCount(); l++) {
            double q = tx.quantityOfLine(l);
            double p = tx.unitPriceOfLine(l);
            if (!(q > 0 && Double.isFinite(q) && p > 0 && Double.isFinite(p))) {
                problems.add("accepted line " + l + " with quantity " + q + ", price " + p);
            }
        }
    }

    /** A typed error names the file it is about and says why (more than the path). */
    private static void checkMessage(String message, List<Path> files, List<Mutated> inputs, boolean emails,
                                     boolean mustNameFile, List<String> problems) {
        if (message == null || message.isBlank()) {
            problems.add("no message");
            return;
        }
        Path named = files.stream().filter(p -> message.contains(p.toString())).findFirst().orElse(null);
        if (named == null) {
            if (mustNameFile) {
                problems.add("message names no file");
            }
        } else if (message.replace(named.toString(), "").replaceAll("[\\s:0-9]", "").length() < 10) {
            problems.add("message does not say why");
        }
        if (message.contains("null") && inputs.stream().noneMatch(m -> new String(m.bytes(),
                StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT).contains("null"))) {
            problems.add("message says null");
        }
        if (emails && EMAIL_LIKE.matcher(message).find()) {
            problems.add("message quotes an e-mail address");
        }
    }

    /**
     * Changes that keep the content: the load must give the same counts, ids and lines as the original. (These
     * are what spreadsheets and shop systems do to a file on the way: Excel's BOM and quotes, Windows line ends,
     * gzip, a header typed in another case.)
     */
    @Test
    void contentPreservingChangesLoadAsTheOriginal() throws Exception {
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (Fixture fx : TRANSACTION_FIXTURES) {
            Path original = Files.write(dir.resolve(fx.name() + ".csv"), fx.text().getBytes(fx.charset()));
            String expected = summary(TransactionLoader.load(List.of(original), fx.options(), fx.charset()));
            for (String change : List.of("bom", "crlf", "cr", "quote-all", "gzip", "header-case", "trailing-empty-lines",
                    "quote-all+bom+crlf+gzip")) {
                if (change.contains("bom") && !fx.charset().equals(StandardCharsets.UTF_8)) {
                    continue; // a byte order mark is a UTF-8 (or UTF-16) thing
                }
                String text = fx.text();
                boolean gzip = false;
                for (String c : change.split("\\+")) {
                    switch (c) {
                        case "bom" -> text = "\uFEFF" + text;
                        case "crlf" -> text = text.replace("\r\n", "\n").replace("\n", "\r\n");
                        case "cr" -> text = text.replace("\r\n", "\n").replace("\n", "\r");
                        case "quote-all" -> text = quoteAll(text, fx.delimiter());
                        case "gzip" -> gzip = true;
                        case "header-case" -> {
                            int nl = text.indexOf('\n');
                            text = " " + text.substring(0, nl).toUpperCase(Locale.ROOT).replace(
                                    String.valueOf(fx.delimiter()), " " + fx.delimiter() + " ") + text.substring(nl);
                        }
                        case "trailing-empty-lines" -> text = text + "\n\n\r\n";
                        default -> throw new IllegalStateException(c);
                    }
                }
                byte[] bytes = text.getBytes(fx.charset());
                Path p = Files.write(dir.resolve(fx.name() + "-" + change + ".csv"), gzip ? gzip(bytes) : bytes);
                cases++;
                String context = fx.name() + " with " + change + ":\n" + escape(bytes);
                try {
                    String actual = summary(TransactionLoader.load(List.of(p), fx.options(), fx.charset()));
                    if (!actual.equals(expected)) {
                        failures.add(failure(List.of(change + " changes the load"), context + "\n  expected "
                                + expected + "\n  actual   " + actual));
                    }
                } catch (Exception e) {
                    failures.add(failure(e, change + ": " + context + "\n  failed: " + stack(e)));
                }
            }
        }
        System.out.printf(Locale.ROOT, "IngestFuzzTest content-preserving changes: %d loads%n", cases);
        assertNoFailures(failures);
    }

    /** Every field quoted, as Excel's "quote all" writes it, with LF line ends (the other changes set those). */
    private static String quoteAll(String text, char delimiter) {
        StringWriter out = new StringWriter();
        try (de.siegmar.fastcsv.reader.CsvReader<de.siegmar.fastcsv.reader.CsvRecord> in =
                     de.siegmar.fastcsv.reader.CsvReader.builder().fieldSeparator(delimiter).ofCsvRecord(text);
             de.siegmar.fastcsv.writer.CsvWriter w = de.siegmar.fastcsv.writer.CsvWriter.builder()
                     .fieldSeparator(delimiter).quoteStrategy(de.siegmar.fastcsv.writer.QuoteStrategies.ALWAYS)
                     .lineDelimiter(de.siegmar.fastcsv.writer.LineDelimiter.LF).build(out)) {
            for (de.siegmar.fastcsv.reader.CsvRecord r : in) {
                w.writeRecord(r.getFields());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** What a load gave, without file names: counts, ids, lines. */
    private static String summary(IngestResult r) {
        IngestReport rep = r.report();
        Transactions tx = r.transactions();
        StringBuilder sb = new StringBuilder();
        sb.append(rep.rowsRead()).append(" read, ").append(rep.rowsAccepted()).append(" accepted, ")
                .append(rep.rowsAcceptedAnonymous()).append(" anonymous, rejected {");
        for (RejectReason reason : RejectReason.values()) {
            if (rep.rejectedCount(reason) > 0) {
                sb.append(reason.code()).append('=').append(rep.rejectedCount(reason)).append(' ');
            }
        }
        sb.append("} orders [");
        for (int o = 0; o < tx.orderCount(); o++) {
            sb.append(tx.orderId(o)).append('/').append(tx.customerOf(o) < 0 ? "-" : tx.customerId(tx.customerOf(o)))
                    .append('@').append(tx.timestampOf(o)).append(':');
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                sb.append(tx.itemId(tx.itemOfLine(l))).append('x').append(tx.quantityOfLine(l)).append('*')
                        .append(tx.unitPriceOfLine(l)).append(' ');
            }
        }
        return sb.append(']').toString();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Consent file

    @Test
    void consentFilesEitherReadOrFailWithFileAndLine() {
        List<String> failures = new ArrayList<>();
        int[] loads = new int[2];
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Object[] current = new Object[1];
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (long caseSeed : caseSeeds(CONSENT_CASES, 2)) {
                current[0] = caseSeed;
                consentCase(caseSeed, failures, loads, kinds);
            }
        }, () -> "a consent read did not finish (endless loop?); case seed " + current[0]);
        System.out.printf(Locale.ROOT, "IngestFuzzTest consent: %d cases, %d read, %d typed errors; mutations %s%n",
                loads[0] + loads[1], loads[0], loads[1], kinds);
        assertNoFailures(failures);
    }

    private void consentCase(long caseSeed, List<String> failures, int[] loads, Map<String, Integer> kinds)
            throws IOException {
        Random rnd = new Random(caseSeed);
        Mutated m = mutate(rnd, rnd.nextBoolean() ? CONSENT : CONSENT_TIMED, StandardCharsets.UTF_8, ',', new int[0], -1, new int[] {0}, true);
        m.mutations().forEach(k -> kinds.merge(k, 1, Integer::sum));
        Path p = Files.write(dir.resolve("consent-" + Long.toHexString(caseSeed) + ".csv"), m.bytes());
        String context = "case seed " + caseSeed + " (-Daffinity.fuzz.case=" + caseSeed + ")"
                + describe(List.of(p), List.of(m));
        try {
            Map<String, Map<Consent.Channel, Consent.ListEntry>> consent = ConsentFile.read(p, StandardCharsets.UTF_8);
            loads[0]++;
            for (Map.Entry<String, Map<Consent.Channel, Consent.ListEntry>> e : consent.entrySet()) {
                String id = e.getKey();
                if (id.isBlank() || id.length() > Ids.MAX_ID_LENGTH || !id.equals(Ids.normaliseCustomerId(id))
                        || e.getValue().isEmpty() || e.getValue().containsValue(null)) {
                    failures.add(failure(List.of("invalid consent entry"), context + "\n  read an invalid entry (id of "
                            + id.length() + " characters, " + e.getValue() + ")"));
                }
            }
        } catch (ConsentFile.ConsentFileException e) {
            loads[1]++;
            List<String> problems = new ArrayList<>();
            checkMessage(e.getMessage(), List.of(p), List.of(m), true, true, problems);
            if (!e.getMessage().startsWith(p + ":")) {
                problems.add("message does not start with file: or file:line:");
            }
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  ConsentFileException: " + e.getMessage()
                        + "\n  problems: " + problems));
            }
        } catch (Throwable t) {
            failures.add(failure(t, context + "\n  untyped failure: " + stack(t)));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Catalogue file

    @Test
    void catalogueFilesEitherReadConsistentlyOrFailNamingTheFile() {
        List<String> failures = new ArrayList<>();
        int[] loads = new int[2];
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Object[] current = new Object[1];
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (long caseSeed : caseSeeds(CATALOG_CASES, 3)) {
                current[0] = caseSeed;
                catalogCase(caseSeed, failures, loads, kinds);
            }
        }, () -> "a catalogue read did not finish (endless loop?); case seed " + current[0]);
        System.out.printf(Locale.ROOT, "IngestFuzzTest catalogue: %d cases, %d read, %d typed errors; mutations %s%n",
                loads[0] + loads[1], loads[0], loads[1], kinds);
        assertNoFailures(failures);
    }

    private void catalogCase(long caseSeed, List<String> failures, int[] loads, Map<String, Integer> kinds)
            throws IOException {
        Random rnd = new Random(caseSeed);
        CatalogFixture fx = CATALOG_FIXTURES.get(rnd.nextInt(CATALOG_FIXTURES.size()));
        double budget = new double[] {0, 0.01, 0.25, 1.0}[rnd.nextInt(4)];
        Mutated m = mutate(rnd, fx.text(), StandardCharsets.UTF_8, fx.dialect().delimiter(), new int[] {4, 5}, -1,
                new int[] {0}, true);
        m.mutations().forEach(k -> kinds.merge(k, 1, Integer::sum));
        // gzip by its bytes: every other case names the file the other way round
        boolean truthfulName = (caseSeed & 1) == 0;
        Path p = Files.write(dir.resolve("catalog-" + Long.toHexString(caseSeed)
                + (m.gzip() == truthfulName ? ".csv.gz" : ".csv")), m.bytes());
        String context = "case seed " + caseSeed + " (-Daffinity.fuzz.case=" + caseSeed + "), budget " + budget
                + describe(List.of(p), List.of(m));
        try {
            CatalogFile c = CatalogFile.read(p, budget, fx.dialect(), StandardCharsets.UTF_8);
            loads[0]++;
            List<String> problems = new ArrayList<>();
            CatalogFile.Report r = c.report();
            long rejected = r.rejected().values().stream().mapToLong(Long::longValue).sum();
            if (r.rowsRead() != r.rowsUsed() + rejected || r.rowsUsed() != c.entries().size()) {
                problems.add("counts: read " + r.rowsRead() + ", used " + r.rowsUsed() + ", rejected " + rejected
                        + ", entries " + c.entries().size());
            }
            if (r.rowsRejected() > Math.floor(budget * r.rowsRead())) {
                problems.add("read although " + r.rowsRejected() + " rows rejected, over the budget");
            }
            if (r.rejectedSamples().size() > rejected || r.warningSamples().size() > r.costAbovePrice()) {
                problems.add("more samples than rows");
            }
            for (String s : r.rejectedSamples()) {
                Matcher sm = Pattern.compile(Pattern.quote(p.toString()) + ":(\\d+): .+", Pattern.DOTALL).matcher(s);
                if (!sm.matches() || Long.parseLong(sm.group(1)) < 2
                        || Long.parseLong(sm.group(1)) > m.physicalLines()) {
                    problems.add("sample is not file:line: why with a data line: " + s);
                }
            }
            for (CatalogFile.Entry e : c.entries().values()) {
                if (e.itemId().isBlank() || e.itemId().length() > Ids.MAX_ID_LENGTH
                        || !e.itemId().equals(e.itemId().strip().toUpperCase(Locale.ROOT))) {
                    problems.add("item id not normalised or too long");
                }
                if (e.hasPrice() && !(e.price() >= 0 && Double.isFinite(e.price()))
                        || e.hasCost() && !(e.cost() >= 0 && Double.isFinite(e.cost()))) {
                    problems.add("price or cost not a finite number >= 0: " + e.price() + ", " + e.cost());
                }
                for (String a : c.numericAttributes()) {
                    String v = e.attributes().get(a);
                    if (v != null && !Double.isFinite(c.attributeNumber(v))) {
                        problems.add("numeric attribute " + a + " not finite: " + v);
                    }
                }
            }
            if (!c.attributeNames().containsAll(c.numericAttributes())) {
                problems.add("numeric attributes that are no attributes");
            }
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  problems: " + problems));
            }
        } catch (CatalogFile.CatalogException e) {
            loads[1]++;
            List<String> problems = new ArrayList<>();
            checkMessage(e.getMessage(), List.of(p), List.of(m), false, true, problems);
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  CatalogException: " + e.getMessage()
                        + "\n  problems: " + problems));
            }
        } catch (Throwable t) {
            failures.add(failure(t, context + "\n  untyped failure: " + stack(t)));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Exchange rates and the exclusion list

    static final List<String> RATES = List.of("currency,rate\nGBP,1.17\nUSD,0.92\nEUR,1\nJPY,0.0061\n",
            "Currency,Date,Rate\nGBP,2024-01-02,1.16\nGBP,2024-06-14,1.18\nUSD,2024-01-02,0.91\nCHF,2024-03-01,1.04\n");
    static final String EXCLUDED = "customer_id,requested,ticket\n17850,2024-01-02,T-1\n"
            + "anna@example.com,2024-02-03,T-2\n\"13047.0\",,T-3\n  12583 ,2024-05-06,\"T-4, urgent\"\n";

    /**
     * {@link ExchangeRates#read}: every mutated file is read (each rate positive and finite, each currency an ISO
     * code, the reporting one's rate 1) or refused with an {@link IllegalArgumentException} naming
     * {@code --exchange-rates FILE} (and its line, past the header) and why; nothing else.
     */
    @Test
    void exchangeRateFilesEitherReadOrFailNamingTheFile() {
        List<String> failures = new ArrayList<>();
        int[] loads = new int[2];
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Object[] current = new Object[1];
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (long caseSeed : caseSeeds(RATES_CASES, 4)) {
                current[0] = caseSeed;
                ratesCase(caseSeed, failures, loads, kinds);
            }
        }, () -> "an exchange rate read did not finish (endless loop?); case seed " + current[0]);
        System.out.printf(Locale.ROOT, "IngestFuzzTest exchange rates: %d cases, %d read, %d typed errors; mutations "
                + "%s%n", loads[0] + loads[1], loads[0], loads[1], kinds);
        assertNoFailures(failures);
        assertTrue(ONE_CASE != null || loads[0] > RATES_CASES / 20 && loads[1] > RATES_CASES / 20,
                "both outcomes must occur: " + Arrays.toString(loads));
    }

    private void ratesCase(long caseSeed, List<String> failures, int[] loads, Map<String, Integer> kinds)
            throws IOException {
        Random rnd = new Random(caseSeed);
        Mutated m = mutate(rnd, RATES.get(rnd.nextInt(RATES.size())), StandardCharsets.UTF_8, ',', new int[] {1, 2},
                2, new int[] {0}, false);
        m.mutations().forEach(k -> kinds.merge(k, 1, Integer::sum));
        Path p = Files.write(dir.resolve("rates-" + Long.toHexString(caseSeed) + ".csv"), m.bytes());
        String context = "case seed " + caseSeed + " (-Daffinity.fuzz.case=" + caseSeed + ")"
                + describe(List.of(p), List.of(m));
        try {
            ExchangeRates rates = ExchangeRates.read(p, "EUR");
            loads[0]++;
            List<String> problems = new ArrayList<>();
            if (rates.rates().isEmpty()) {
                problems.add("no rates read");
            }
            rates.rates().forEach((code, byDate) -> {
                if (Currencies.code(code) == null || !code.equals(code.toUpperCase(Locale.ROOT))) {
                    problems.add("not a currency code: " + code);
                }
                byDate.values().forEach(rate -> {
                    if (rate.signum() <= 0 || !Double.isFinite(rate.doubleValue()) || rate.doubleValue() == 0
                            || code.equals("EUR") && rate.compareTo(java.math.BigDecimal.ONE) != 0) {
                        problems.add("rate of " + code + ": " + rate);
                    }
                });
            });
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  problems: " + problems));
            }
        } catch (IllegalArgumentException e) {
            loads[1]++;
            List<String> problems = new ArrayList<>();
            checkMessage(e.getMessage(), List.of(p), List.of(m), false, true, problems);
            if (!e.getMessage().startsWith(ExchangeRates.OPTION + " " + p + ":")) {
                problems.add("message does not start with --exchange-rates file:");
            }
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  IllegalArgumentException: " + e.getMessage()
                        + "\n  problems: " + problems));
            }
        } catch (Throwable t) {
            failures.add(failure(t, context + "\n  untyped failure: " + stack(t)));
        }
    }

    /**
     * {@link ExcludedCustomers#read} (plain or gzip, whatever the name): read, every id normalised, valid and among
     * the file's data rows, or refused with {@link ExcludedCustomers.InvalidListException} naming the file and
     * why, never an id or e-mail address in it; nothing else. A customer silently left out of the list would be
     * profiled against their wish, so a read list has exactly one id per data row at most.
     */
    @Test
    void exclusionListsEitherReadOrFailNamingTheFile() {
        List<String> failures = new ArrayList<>();
        int[] loads = new int[2];
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Object[] current = new Object[1];
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (long caseSeed : caseSeeds(EXCLUDED_CASES, 5)) {
                current[0] = caseSeed;
                excludedCase(caseSeed, failures, loads, kinds);
            }
        }, () -> "an exclusion list read did not finish (endless loop?); case seed " + current[0]);
        System.out.printf(Locale.ROOT, "IngestFuzzTest exclusion lists: %d cases, %d read, %d typed errors; mutations "
                + "%s%n", loads[0] + loads[1], loads[0], loads[1], kinds);
        assertNoFailures(failures);
        assertTrue(ONE_CASE != null || loads[0] > EXCLUDED_CASES / 20 && loads[1] > EXCLUDED_CASES / 20,
                "both outcomes must occur: " + Arrays.toString(loads));
    }

    private void excludedCase(long caseSeed, List<String> failures, int[] loads, Map<String, Integer> kinds)
            throws IOException {
        Random rnd = new Random(caseSeed);
        Mutated m = mutate(rnd, EXCLUDED, StandardCharsets.UTF_8, ',', new int[0], 1, new int[] {0}, true);
        m.mutations().forEach(k -> kinds.merge(k, 1, Integer::sum));
        Path p = Files.write(dir.resolve("excluded-" + Long.toHexString(caseSeed)
                + ((caseSeed & 1) == 0 ? ".csv.gz" : ".csv")), m.bytes());
        String context = "case seed " + caseSeed + " (-Daffinity.fuzz.case=" + caseSeed + ")"
                + describe(List.of(p), List.of(m));
        try {
            ExcludedCustomers list = ExcludedCustomers.read(p);
            loads[0]++;
            List<String> problems = new ArrayList<>();
            if (list.ids().size() > m.physicalLines()) {
                problems.add("more ids than lines: " + list.ids().size());
            }
            for (String id : list.ids()) {
                if (id.isBlank() || id.length() > Ids.MAX_ID_LENGTH || !id.equals(Ids.normaliseCustomerId(id))) {
                    problems.add("invalid or unnormalised id of " + id.length() + " characters");
                }
            }
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  problems: " + problems));
            }
        } catch (ExcludedCustomers.InvalidListException e) {
            loads[1]++;
            List<String> problems = new ArrayList<>();
            checkMessage(e.getMessage(), List.of(p), List.of(m), true, true, problems);
            if (!e.getMessage().startsWith(p.toString())) {
                problems.add("message does not start with the file");
            }
            for (String id : List.of("17850", "13047", "12583")) {
                if (e.getMessage().replace(p.toString(), "").contains(id)) {
                    problems.add("message quotes a customer id");
                }
            }
            if (!problems.isEmpty()) {
                failures.add(failure(problems, context + "\n  InvalidListException: " + e.getMessage()
                        + "\n  problems: " + problems));
            }
        } catch (Throwable t) {
            failures.add(failure(t, context + "\n  untyped failure: " + stack(t)));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Mutations

    /**
     * A mutated file: its bytes (gzip-compressed when {@link #gzip}), the mutations applied, and an upper bound of
     * its physical lines (before compression; a CR LF counts once).
     */
    record Mutated(byte[] bytes, List<String> mutations, long physicalLines, boolean gzip) {
    }

    private static final String[] NUMBERS = {"1e400", "-1e400", "NaN", "-NaN", "Infinity", "-0", "0", "0.0", "1,5",
            "1.5", "1.234,50", "+3", "1e308", "1.7976931348623157E308", "4.9e-324", "1e-400", "9".repeat(400), "0x10",
            "-", ".", "e", "1e", "--1", " 7 ", "", " ", "1_000", "١٢", "2147483648", "-2147483649", "1e19"};
    private static final String[] DATES = {"0000-01-01", "0001-01-01 00:00:00", "9999-12-31 23:59:59",
            "+10000-01-01", "-0001-01-01", "2024-02-30", "2023-02-29", "2024-13-01", "2024-01-01T25:00",
            "2011-05-06 12:00:60", "2024-01-01T09:10:00.1234567891", "2024-01-01T09:10+25:00", "2024-01-01T09:10:00Z",
            "+999999999-12-31T23:59:59", "-999999999-01-01", "1e400", "2011-05-06", "2011-05-06 12:00",
            "06/05/2011 12:00", "2011-5-6", "", " ", "1000000000", "1000000001", "-1", "3.0", "3.5", "NaN",
            "9223372036854775808", "2024-01-01T09:10:00+01:00:30"};

    private static Mutated mutate(Random rnd, String text, Charset charset, char delimiter, int[] numberColumns,
                                  int dateColumn, int[] idColumns, boolean gzipAllowed) {
        List<String> applied = new ArrayList<>();
        int count = 1 + rnd.nextInt(3);
        for (int k = 0; k < count; k++) {
            int kind = rnd.nextInt(30);
            String name;
            switch (kind) {
                case 0 -> { name = "delete-line"; text = lines(text, rnd, (ls, i) -> ls.remove(i)); }
                case 1 -> { name = "duplicate-line"; text = lines(text, rnd, (ls, i) -> ls.add(i, ls.get(i))); }
                case 2 -> {
                    name = "swap-lines";
                    text = lines(text, rnd, (ls, i) -> {
                        int j = rnd.nextInt(ls.size());
                        String t = ls.get(i);
                        ls.set(i, ls.get(j));
                        ls.set(j, t);
                    });
                }
                case 3 -> { name = "delete-field"; text = field(text, rnd, delimiter, -1, (fs, i) -> fs.remove(i)); }
                case 4 -> {
                    name = "duplicate-field";
                    text = field(text, rnd, delimiter, -1, (fs, i) -> fs.add(i, fs.get(i)));
                }
                case 5 -> {
                    name = "swap-fields";
                    text = field(text, rnd, delimiter, -1, (fs, i) -> {
                        int j = rnd.nextInt(fs.size());
                        String t = fs.get(i);
                        fs.set(i, fs.get(j));
                        fs.set(j, t);
                    });
                }
                case 6 -> { name = "stray-quote"; text = insert(text, rnd, "\""); }
                case 7 -> {
                    name = "unbalanced-quote";
                    text = field(text, rnd, delimiter, -1, (fs, i) -> fs.set(i, "\"" + fs.get(i)));
                }
                case 8 -> { name = "embedded-newline"; text = insert(text, rnd, new String[] {"\n", "\r", "\r\n"}[rnd.nextInt(3)]); }
                case 9 -> {
                    name = "line-ends";
                    String lf = text.replace("\r\n", "\n");
                    StringBuilder sb = new StringBuilder();
                    for (char ch : lf.toCharArray()) {
                        sb.append(ch == '\n' ? new String[] {"\n", "\r", "\r\n"}[rnd.nextInt(3)] : String.valueOf(ch));
                    }
                    text = sb.toString();
                }
                case 10 -> name = "bom"; // the bytes EF BB BF, whatever the encoding, added below
                case 11 -> { name = "nul"; text = insert(text, rnd, "\0"); }
                case 12 -> {
                    name = "long-field";
                    int n = new int[] {1_000, 70_000, 300_000}[rnd.nextInt(3)];
                    text = field(text, rnd, delimiter, -1, (fs, i) -> fs.set(i, "x".repeat(n)));
                }
                case 13 -> {
                    name = "long-line";
                    String line = text.substring(text.indexOf('\n') + 1, Math.max(text.indexOf('\n') + 1,
                            text.indexOf('\n', text.indexOf('\n') + 1)));
                    // up to about 300,000 characters (the second line may already be a long field)
                    int times = Math.max(1, Math.min(1 + rnd.nextInt(3000), 300_000 / (line.length() + 1)));
                    text = text + (String.valueOf(delimiter) + line).repeat(times) + "\n";
                }
                case 14 -> {
                    name = "extra-column";
                    text = field(text, rnd, delimiter, -1, (fs, i) -> fs.add("extra"));
                }
                case 15 -> { name = "missing-column"; text = field(text, rnd, delimiter, -1, (fs, i) -> fs.remove(fs.size() - 1)); }
                case 16 -> {
                    name = "header-rename";
                    text = header(text, rnd, delimiter, (fs, i) -> fs.set(i, fs.get(i) + "_x"));
                }
                case 17 -> {
                    name = "header-duplicate";
                    text = header(text, rnd, delimiter, (fs, i) -> fs.set(i, fs.get(rnd.nextInt(fs.size()))));
                }
                case 18 -> {
                    name = "header-delete";
                    int nl = text.indexOf('\n');
                    text = nl < 0 ? "" : text.substring(nl + 1);
                }
                case 19 -> {
                    name = "header-reorder";
                    text = header(text, rnd, delimiter, (fs, i) -> java.util.Collections.shuffle(fs, rnd));
                }
                case 20, 21 -> {
                    name = "number";
                    String v = NUMBERS[rnd.nextInt(NUMBERS.length)];
                    int col = numberColumns.length == 0 ? -1 : numberColumns[rnd.nextInt(numberColumns.length)];
                    text = field(text, rnd, delimiter, col, (fs, i) -> fs.set(i, v));
                }
                case 22, 23 -> {
                    name = "date";
                    String v = DATES[rnd.nextInt(DATES.length)];
                    text = field(text, rnd, delimiter, dateColumn, (fs, i) -> fs.set(i, v));
                }
                case 24, 25 -> {
                    name = "id";
                    String v = switch (rnd.nextInt(8)) {
                        case 0 -> "i".repeat(Ids.MAX_ID_LENGTH);
                        case 1 -> "i".repeat(Ids.MAX_ID_LENGTH + 1);
                        case 2 -> "ß".repeat(Ids.MAX_ID_LENGTH / 2 + 1); // upper case doubles it
                        case 3 -> " " + "k".repeat(Ids.MAX_ID_LENGTH) + " ";
                        case 4 -> "someone@example.com";
                        case 5 -> new String[] {"NULL", "N/A", "#n/a", "none", "nan", "null.0"}[rnd.nextInt(6)];
                        case 6 -> "17850.000";
                        default -> "x@" + "y".repeat(Ids.MAX_ID_LENGTH);
                    };
                    int col = idColumns[rnd.nextInt(idColumns.length)];
                    text = field(text, rnd, delimiter, col, (fs, i) -> fs.set(i, v));
                }
                case 26 -> { name = "blank-field"; text = field(text, rnd, delimiter, -1, (fs, i) -> fs.set(i, "")); }
                case 27 -> {
                    name = "quoted-field";
                    text = field(text, rnd, delimiter, -1, (fs, i) -> fs.set(i, "\"" + fs.get(i).replace("\"", "\"\"")
                            + new String[] {"", "\n", "\r\n", "\"\"", String.valueOf(delimiter)}[rnd.nextInt(5)] + "\""));
                }
                case 28 -> { name = "truncate-text"; text = text.substring(0, rnd.nextInt(text.length() + 1)); }
                default -> { name = "bytes"; }
            }
            applied.add(name);
        }
        byte[] bytes = text.getBytes(charset);
        if (applied.contains("bom")) {
            byte[] b = new byte[bytes.length + 3];
            b[0] = (byte) 0xEF;
            b[1] = (byte) 0xBB;
            b[2] = (byte) 0xBF;
            System.arraycopy(bytes, 0, b, 3, bytes.length);
            bytes = b;
        }
        if (applied.contains("bytes") || rnd.nextInt(6) == 0) {
            bytes = mutateBytes(rnd, bytes, applied);
        }
        long physicalLines = physicalLines(bytes);
        boolean gzip = gzipAllowed && rnd.nextInt(5) == 0;
        if (gzip) {
            bytes = gzip(bytes);
            applied.add("gzip");
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    bytes = Arrays.copyOf(bytes, rnd.nextInt(bytes.length));
                    applied.add("gzip-truncated");
                }
                case 1 -> {
                    bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8));
                    applied.add("gzip-corrupted");
                }
                default -> {
                }
            }
        }
        return new Mutated(bytes, applied, physicalLines, gzip);
    }

    private static byte[] mutateBytes(Random rnd, byte[] bytes, List<String> applied) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes);
        byte[] b = out.toByteArray();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n && b.length > 0; k++) {
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    applied.add("byte-flip");
                }
                case 1 -> {
                    byte[] bad = new byte[][] {{(byte) 0xFC}, {(byte) 0xC3}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0,
                            (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF, (byte) 0xFE},
                            {(byte) 0x81}, {(byte) 0xC0, (byte) 0xAF}}[rnd.nextInt(8)];
                    int at = rnd.nextInt(b.length + 1);
                    b = DamagedBytes.inserted(b, at, bad);
                    applied.add("invalid-bytes");
                }
                case 2 -> {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                    applied.add("random-byte");
                }
                default -> {
                    b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // may end inside a multi-byte character
                    applied.add("truncate-bytes");
                }
            }
        }
        return b;
    }

    private static long physicalLines(byte[] bytes) {
        long lines = 1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\r' || bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
                lines++;
            }
        }
        return lines;
    }

    private interface ListEdit {
        void apply(List<String> list, int index);
    }

    private static List<String> splitLines(String text) {
        return new ArrayList<>(Arrays.asList(text.split("(?<=\n)", -1)));
    }

    private static String lines(String text, Random rnd, ListEdit edit) {
        List<String> ls = splitLines(text);
        if (!ls.isEmpty()) {
            edit.apply(ls, rnd.nextInt(ls.size()));
        }
        return String.join("", ls);
    }

    /** Edits one field of a random line (column {@code column} when >= 0 and present), split naively. */
    private static String field(String text, Random rnd, char delimiter, int column, ListEdit edit) {
        List<String> ls = splitLines(text);
        int li = ls.size() > 1 ? 1 + rnd.nextInt(ls.size() - 1) : 0;
        return editLine(ls, li, rnd, delimiter, column, edit);
    }

    private static String header(String text, Random rnd, char delimiter, ListEdit edit) {
        return editLine(splitLines(text), 0, rnd, delimiter, -1, edit);
    }

    private static String editLine(List<String> ls, int li, Random rnd, char delimiter, int column, ListEdit edit) {
        String line = ls.get(li);
        String end = line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
        String body = line.substring(0, line.length() - end.length());
        List<String> fs = new ArrayList<>(Arrays.asList(body.split(Pattern.quote(String.valueOf(delimiter)), -1)));
        if (!fs.isEmpty()) {
            edit.apply(fs, column >= 0 && column < fs.size() ? column : rnd.nextInt(fs.size()));
        }
        ls.set(li, String.join(String.valueOf(delimiter), fs) + end);
        return String.join("", ls);
    }

    private static String insert(String text, Random rnd, String what) {
        int at = rnd.nextInt(text.length() + 1);
        return text.substring(0, at) + what + text.substring(at);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Seeds and reporting

    /** The case seeds of a run (or the one case of {@code -Daffinity.fuzz.case}); {@code stream} separates readers. */
    private static long[] caseSeeds(int cases, int stream) {
        if (ONE_CASE != null) {
            return new long[] {ONE_CASE};
        }
        Random seeds = new Random(SEED * 31 + stream);
        long[] out = new long[cases];
        for (int i = 0; i < cases; i++) {
            out[i] = seeds.nextLong();
        }
        return out;
    }

    private static String describe(List<Path> files, List<Mutated> inputs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            sb.append("\n  file ").append(files.get(i)).append(", mutations ").append(inputs.get(i).mutations())
                    .append(", bytes: ").append(escape(inputs.get(i).bytes()));
        }
        return sb.toString();
    }

    /** The bytes as a Java string literal (ISO-8859-1 view, so every byte shows), long runs shortened. */
    static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder("\"");
        int shown = Math.min(bytes.length, 3000);
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02X", b));
            }
        }
        sb.append('"');
        if (bytes.length > shown) {
            sb.append(" ... (").append(bytes.length).append(" bytes; rerun the case seed for all of them)");
        }
        return sb.toString().replaceAll("(.)\\1{40,}", "$1$1$1...(repeated)...");
    }

    /** A failure as its kind (the problems without values) and its details, for grouping. */
    private static String failure(List<String> problems, String detail) {
        String kind = problems.stream().map(p -> p.replaceAll(":.*", "").replaceAll("[0-9]+", "N")).distinct()
                .sorted().toList().toString();
        return kind + '\u0000' + detail;
    }

    /** An exception as its type and the first frame of ours that is not this test. */
    private static String failure(Throwable t, String detail) {
        String where = Arrays.stream(t.getStackTrace()).filter(f -> f.getClassName().startsWith("io.affinity")
                && !f.getClassName().startsWith(IngestFuzzTest.class.getName())).findFirst()
                .map(StackTraceElement::toString).orElse("?");
        return t.getClass().getName() + " at " + where + '\u0000' + detail;
    }

    private static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() <= 4000 ? s : s.substring(0, 4000) + "...";
    }

    private static void assertNoFailures(List<String> failures) {
        if (!failures.isEmpty()) {
            // one example of each kind of failure, most frequent first
            Map<String, List<String>> byKind = new LinkedHashMap<>();
            for (String f : failures) {
                int cut = f.indexOf('\u0000');
                byKind.computeIfAbsent(f.substring(0, cut), k -> new ArrayList<>()).add(f.substring(cut + 1));
            }
            StringBuilder sb = new StringBuilder(failures.size() + " failing case(s) (seed " + SEED + ") of "
                    + byKind.size() + " kind(s):\n");
            byKind.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size()).forEach(e ->
                    sb.append("\n").append(e.getValue().size()).append(" x ").append(e.getKey()).append(", e.g.\n")
                            .append(e.getValue().get(0)).append('\n'));
            fail(sb.toString());
        }
        assertTrue(failures.isEmpty());
    }

    @Test
    void mutationsAreDeterministicPerSeed() {
        Mutated a = mutate(new Random(7), TRANSACTION_FIXTURES.get(0).text(), StandardCharsets.UTF_8, ',',
                new int[] {3}, 4, new int[] {1}, true);
        Mutated b = mutate(new Random(7), TRANSACTION_FIXTURES.get(0).text(), StandardCharsets.UTF_8, ',',
                new int[] {3}, 4, new int[] {1}, true);
        assertEquals(a.mutations(), b.mutations());
        assertTrue(Arrays.equals(a.bytes(), b.bytes()), "same seed, same bytes: a failure reproduces");
    }
}
