package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the command line: every case exits 1 with one line saying where (file, line, option) and why,
 * never a stack trace, and before any long work.
 */
@IntegrationTest
class CommandErrorsTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    @TempDir
    Path dir;

    /** Exit code and standard error of one command line. */
    record Run(int code, String err, String out) {
        void failsWith(String... parts) {
            assertEquals(1, code, err);
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
            for (String p : parts) {
                assertTrue(err.contains(p), "'" + p + "' in: " + err);
            }
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AffinityCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, err.toString(), out.toString());
    }

    private Path orders() throws IOException {
        return Files.write(dir.resolve("orders.csv"), List.of(HEADER, "c1,o1,2011-05-01,A,1,1.0",
                "c1,o1,2011-05-01,B,1,2.0", "c2,o2,2011-05-02,A,1,1.0", "c2,o2,2011-05-02,B,1,2.0"));
    }

    /** A guest-checkout id holding most orders is warned about (id not shown) and listed with --guest-customers. */
    @Test
    void trainWarnsAboutAGuestCheckoutIdAndReadsItAsAnonymousWhenListed() throws Exception {
        List<String> lines = new java.util.ArrayList<>(List.of(HEADER));
        for (int o = 0; o < 40; o++) {
            String customer = o < 25 ? "0" : "shopper-" + o % 5;
            lines.add(customer + ",o" + o + ",2011-05-" + (10 + o % 9) + ",A,1,1.0");
            lines.add(customer + ",o" + o + ",2011-05-" + (10 + o % 9) + ",B" + o % 4 + ",1,2.0");
        }
        Path orders = Files.write(dir.resolve("guests.csv"), lines);
        // train's progress and warnings go to the process's standard error
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnedErr = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream listedErr = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(warnedErr, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, run("train", "--input", orders.toString(), "--recommender", "rules", "--models",
                    dir.resolve("m1").toString()).code());
            System.setErr(new java.io.PrintStream(listedErr, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, run("train", "--input", orders.toString(), "--recommender", "rules", "--guest-customers",
                    "0,guest", "--models", dir.resolve("m2").toString()).code());
        } finally {
            System.setErr(stderr);
        }
        String warned = warnedErr.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(warned.contains("warning: one customer id holds 62.5% of the orders that name a customer (25 of "
                + "40)"), warned);
        String listed = listedErr.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(listed.contains("one customer id holds"), listed);
        assertTrue(warned.contains("80 rows read, 80 accepted, 40 orders, 6 customers"), warned);
        assertTrue(listed.contains("80 rows read, 80 accepted, 40 orders, 5 customers"), listed);
        try (io.affinity.store.Snapshot s = io.affinity.store.ModelStore.open(dir.resolve("m2")).openCurrent()) {
            assertEquals(List.of("0", "guest"), s.manifest().parameters().get("guestCustomers"),
                    "the run's guest ids, normalised as the exports' ids, so that it can be repeated");
        }
        run("train", "--input", orders.toString(), "--guest-customers", " ", "--models", dir.resolve("m3").toString())
                .failsWith("--guest-customers lists a blank id");
    }

    @Test
    void trainRefusesToPublishAModelWithoutTransactions() throws Exception {
        Path headerOnly = Files.write(dir.resolve("header.csv"), List.of(HEADER));
        Path models = dir.resolve("models");
        run("train", "--input", headerOnly.toString(), "--recommender", "rules", "--models", models.toString())
                .failsWith("no transactions accepted", "refusing to publish an empty model");
        assertFalse(Files.exists(models.resolve("CURRENT")), "CURRENT untouched");
    }

    @Test
    void trainNamesWhatIsWrongWithEachPathBeforeReadingAnything() throws Exception {
        Path good = orders();
        Path models = dir.resolve("models");
        run("train", "--input", dir.resolve("missing.csv").toString(), "--models", models.toString())
                .failsWith("input file", "missing.csv does not exist");
        run("train", "--input", dir.toString(), "--models", models.toString()).failsWith("is a directory");
        run("train", "--input", good.toString(), "--input", good.toString(), "--models", models.toString())
                .failsWith("orders.csv is given twice");
        run("train", "--input", good.toString(), "--consent", dir.resolve("nope.csv").toString(), "--models",
                models.toString()).failsWith("--consent", "nope.csv does not exist");
        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        run("train", "--input", good.toString(), "--models", aFile.toString()).failsWith("--models", "not a directory");
        run("customers", "--input", good.toString(), "--calibration-end", "2011-05-31", "--output", aFile.toString())
                .failsWith("--output: " + aFile + " is not a directory");
        run("evaluate", "--input", good.toString(), "--split", "last-basket", "--report", aFile.toString())
                .failsWith("--report: " + aFile + " is not a directory");
        assertFalse(Files.exists(models), "nothing created");
    }

    /**
     * A directory to be written that cannot be created (a file where a parent directory should be) is named with
     * its option before any work: evaluate used to run to its end (a minute on the sample) and then fail with
     * "a-file/out: Not a directory", naming no option; train after ingesting and mining.
     */
    @Test
    void anOutputDirectoryThatCannotBeCreatedIsNamedBeforeAnyWork() throws Exception {
        Path good = orders();
        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        Path under = aFile.resolve("out");
        String why = "cannot be created: " + aFile + " is not a directory";
        run("train", "--input", good.toString(), "--recommender", "rules", "--models", under.toString())
                .failsWith("--models " + under + " " + why);
        run("evaluate", "--input", good.toString(), "--split", "last-basket", "--report", under.toString())
                .failsWith("--report " + under + " " + why);
        run("customers", "--input", good.toString(), "--calibration-end", "2011-05-31", "--output",
                aFile.resolve("a/b").toString()).failsWith("--output " + aFile.resolve("a/b") + " " + why);
        // A missing directory under an existing one is still created when written, as before.
        Path models = dir.resolve("new/models");
        assertEquals(0, run("train", "--input", good.toString(), "--recommender", "rules", "--models",
                models.toString()).code());
        assertTrue(Files.exists(models.resolve("CURRENT")));
    }

    /**
     * Found by the twenty-second session's pipeline audit: a model store that exists but cannot be written (a
     * read-only mount, another user's directory) was found out only when publishing, after the whole training (40 s
     * on the sample, minutes on real data), as "models/.tmp-...: Read-only file system"; only a missing directory's
     * parent was checked up front. Runs where permissions hold for this user (root skips it: unshare --user).
     */
    @Test
    void anExistingOutputDirectoryThatCannotBeWrittenIsNamedBeforeAnyWork() throws Exception {
        Path good = orders();
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(locked),
                    "this user writes read-only directories (root): permissions cannot be tested");
            String why = locked + " is not writable";
            run("train", "--input", good.toString(), "--recommender", "rules", "--models", locked.toString())
                    .failsWith("--models: directory " + why);
            run("evaluate", "--input", good.toString(), "--split", "last-basket", "--report", locked.toString())
                    .failsWith("--report: directory " + why);
            run("customers", "--input", good.toString(), "--calibration-end", "2011-05-31", "--output",
                    locked.toString()).failsWith("--output: directory " + why);
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /**
     * Found by the twenty-second session's pipeline audit: a train the JVM could not give enough heap ended with
     * Java's "Exception in thread "main" java.lang.OutOfMemoryError: Java heap space" and dozens of stack frames, not
     * the one line every other failure gets, and without saying what to do. Run in a JVM of its own with a small heap.
     */
    @Test
    void runningOutOfHeapIsOneLineSayingHowToGiveMore() throws Exception {
        assertOutOfHeapIsOneLine("train", "32m", "train", "--input", EndToEndTest.SAMPLE.toString(), "--models",
                dir.resolve("models").toString());
        assertFalse(Files.exists(dir.resolve("models").resolve("CURRENT")), "nothing published");
    }

    /**
     * mine runs outside picocli when its command line is plain (see AffinityCli.mine), and there an exhausted heap
     * still printed Java's stack trace (the twenty-second session's leftover). Both of its paths are run: the plain
     * one and picocli's ({@code --input=FILE} is not plain).
     */
    @Test
    void miningOutOfHeapIsOneLineOnBothOfMinesPaths() throws Exception {
        Path fimi = dir.resolve("wide.dat");
        java.util.Random random = new java.util.Random(23);
        try (java.io.BufferedWriter w = Files.newBufferedWriter(fimi)) {
            for (int t = 0; t < 100_000; t++) { // random baskets share few prefixes: an FP-tree of ~2 million nodes
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < 20; i++) {
                    line.append(random.nextInt(50_000)).append(i < 19 ? " " : "\n");
                }
                w.write(line.toString());
            }
        }
        assertOutOfHeapIsOneLine("mine", "16m", "mine", "--input", fimi.toString(), "--min-support", "0.00001");
        assertOutOfHeapIsOneLine("mine", "16m", "mine", "--input=" + fimi, "--min-support=0.00001");
    }

    /** Runs the CLI in a JVM of its own with {@code heap} and asserts its only error line is the out-of-memory one. */
    private static void assertOutOfHeapIsOneLine(String verb, String heap, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("--enable-native-access")
                    || a.startsWith("--sun-misc")) {
                command.add(a);
            }
        }
        command.addAll(List.of("-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                AffinityCli.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), err);
        assertEquals(1, process.exitValue(), err);
        String prefix = "affinity " + verb + ": ";
        List<String> errors = err.lines().filter(l -> !l.startsWith(prefix) || l.contains("error")).toList();
        assertEquals(List.of(prefix + "error: out of memory (Java heap space; the JVM may use at most 32 MiB): "
                + "give it more, e.g. AFFINITY_JAVA_OPTS=-Xmx8g (README, \"Large catalogues\", says what a large shop "
                + "needs)"), errors.stream().map(l -> l.replaceAll(
                "at most [0-9]+ MiB", "at most 32 MiB")).toList(), err);
    }

    @Test
    void aWindows1252ExportNeedsEncodingAndTheConsentFileHasItsOwn() throws Exception {
        java.nio.charset.Charset cp1252 = java.nio.charset.Charset.forName("windows-1252");
        Path latin1 = Files.write(dir.resolve("latin1.csv"), (HEADER + "\njürgen,o1,2011-05-01,A,1,1.0\n"
                + "jörgen,o2,2011-05-02,A,1,1.0\njörgen,o2,2011-05-02,Ä,1,2.0\n").getBytes(cp1252));
        // The usual mix: the ERP export in Windows-1252, the CRM's consent list in UTF-8. Read in the exports'
        // encoding, jörgen's UTF-8 bytes would decode without error as "jÃ¶rgen", and his opt-out would be lost.
        Path consent = Files.write(dir.resolve("consent.csv"),
                "customer_id,channel,state\njürgen,email,opted_in\njörgen,web,opted_out\n"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path models = dir.resolve("models");
        Run utf8 = run("train", "--input", latin1.toString(), "--recommender", "rules", "--models", models.toString());
        utf8.failsWith(latin1 + ":2: not valid UTF-8", "pass --encoding windows-1252");
        assertFalse(utf8.err().contains("rgen"), "no customer id in the error: " + utf8.err());
        run("customers", "--input", latin1.toString(), "--calibration-end", "2011-05-31", "--output",
                dir.resolve("c").toString()).failsWith(latin1 + ":2: not valid UTF-8");
        run("evaluate", "--input", latin1.toString(), "--split", "last-basket").failsWith(latin1 + ":2: not valid UTF-8");
        assertFalse(Files.exists(models.resolve("CURRENT")), "nothing published");

        Run ok = run("train", "--input", latin1.toString(), "--encoding", "windows-1252", "--consent",
                consent.toString(), "--recommender", "rules", "--models", models.toString());
        assertEquals(0, ok.code(), ok.err());
        try (io.affinity.store.Snapshot s = io.affinity.store.ModelStore.open(models).openCurrent()) {
            assertTrue(s.item("Ä").isPresent(), "item id decoded as written");
            var sections = s.manifest().sections();
            assertEquals(2, sections.get("ingestReport").get("customers").asLong(), "jürgen and jörgen stay two");
            assertEquals("windows-1252", sections.get("training").get("encoding").asText());
            // the consent file is read as UTF-8, not in the exports' encoding: both customers are known
            assertEquals("UTF-8", sections.get("consent").get("encoding").asText());
            assertEquals(0, sections.get("consent").get("customersNotInTransactions").asLong());
            assertEquals(java.util.Optional.of(io.affinity.recommender.Consent.State.OPTED_OUT),
                    s.consent("jörgen", io.affinity.recommender.Consent.Channel.WEB));
        }

        // A Windows-1252 consent file read as UTF-8 stops at its line, pointing at the consent file's own option.
        Path consent1252 = Files.write(dir.resolve("consent-1252.csv"),
                "customer_id,channel,state\njörgen,web,opted_out\n".getBytes(cp1252));
        Path models2 = dir.resolve("models2");
        Run bad = run("train", "--input", latin1.toString(), "--encoding", "windows-1252", "--consent",
                consent1252.toString(), "--recommender", "rules", "--models", models2.toString());
        bad.failsWith(consent1252 + ":2: not valid UTF-8", "pass --consent-encoding windows-1252");
        assertFalse(bad.err().contains("rgen"), "no customer id in the error: " + bad.err());
        assertFalse(Files.exists(models2.resolve("CURRENT")), "nothing published");
        Run ok1252 = run("train", "--input", latin1.toString(), "--encoding", "windows-1252", "--consent",
                consent1252.toString(), "--consent-encoding", "windows-1252", "--recommender", "rules", "--models",
                models2.toString());
        assertEquals(0, ok1252.code(), ok1252.err());
        try (io.affinity.store.Snapshot s = io.affinity.store.ModelStore.open(models2).openCurrent()) {
            assertEquals(java.util.Optional.of(io.affinity.recommender.Consent.State.OPTED_OUT),
                    s.consent("jörgen", io.affinity.recommender.Consent.Channel.WEB));
        }
        run("train", "--input", latin1.toString(), "--encoding", "windows-1252", "--consent-encoding", "UTF-8",
                "--models", models2.toString()).failsWith("--consent-encoding applies to the --consent file");

        // A retrain that leaves --consent out would publish a version that forgets the served one's opt-outs.
        String served = io.affinity.store.ModelStore.open(models2).currentVersion().orElseThrow();
        run("train", "--input", latin1.toString(), "--encoding", "windows-1252", "--recommender", "rules",
                "--models", models2.toString()).failsWith("the served version " + served + " carries a consent list "
                + "(1 customers) and this run has no --consent", "--consent FILE, or --no-consent");
        assertEquals(served, io.affinity.store.ModelStore.open(models2).currentVersion().orElseThrow());
        assertEquals(1, io.affinity.store.ModelStore.open(models2).versions().size(), "nothing published");
        run("train", "--input", latin1.toString(), "--consent", consent1252.toString(), "--no-consent",
                "--models", models2.toString()).failsWith("--no-consent and --consent contradict each other");
        Run without = run("train", "--input", latin1.toString(), "--encoding", "windows-1252", "--recommender",
                "rules", "--no-consent", "--models", models2.toString());
        assertEquals(0, without.code(), without.err());
        try (io.affinity.store.Snapshot s = io.affinity.store.ModelStore.open(models2).openCurrent()) {
            assertTrue(s.consent("jörgen", io.affinity.recommender.Consent.Channel.WEB).isEmpty(), "said, so done");
        }
        // ... and from a version without a list, a run without one is the ordinary case again
        assertEquals(0, run("train", "--input", latin1.toString(), "--encoding", "windows-1252", "--recommender",
                "rules", "--models", models2.toString()).code());
    }

    @Test
    void aTruncatedGzipExportIsNamedNotAStackTrace() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            StringBuilder sb = new StringBuilder(HEADER).append('\n');
            for (int i = 0; i < 2000; i++) {
                sb.append("c").append(i % 50).append(",o").append(i).append(",2011-05-01,I").append(i % 97)
                        .append(",1,1.0\n");
            }
            z.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        byte[] all = gz.toByteArray();
        Path truncated = Files.write(dir.resolve("orders.csv.gz"), java.util.Arrays.copyOf(all, all.length / 2));
        run("train", "--input", truncated.toString(), "--models", dir.resolve("m").toString())
                .failsWith("orders.csv.gz: unexpected end of gzip stream (file truncated?)");

        Path fimi = Files.write(dir.resolve("t.dat.gz"), java.util.Arrays.copyOf(all, 5));
        StringWriter err = new StringWriter();
        int code = AffinityCli.mine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "--input",
                fimi.toString(), "--min-support", "0.5");
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().contains("t.dat.gz: unexpected end of gzip stream"), err.toString());

        // Two exports joined by cat, the second cut short in its gzip header: the JDK's reader ended silently after
        // the first member, and train published half the rows with exit code 0.
        byte[] joined = java.util.Arrays.copyOf(all, all.length + 8);
        System.arraycopy(all, 0, joined, all.length, 8);
        Path cut = Files.write(dir.resolve("joined.csv.gz"), joined);
        run("train", "--input", cut.toString(), "--recommender", "rules", "--models", dir.resolve("m").toString())
                .failsWith("joined.csv.gz: unexpected end of gzip stream (file truncated?) after ", "nothing loaded");
        assertFalse(Files.exists(dir.resolve("m").resolve("CURRENT")), "nothing published");
        byte[] appended = java.util.Arrays.copyOf(all, all.length + 5);
        System.arraycopy("junk\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, appended, all.length, 5);
        Path junk = Files.write(dir.resolve("junk.csv.gz"), appended);
        run("train", "--input", junk.toString(), "--recommender", "rules", "--models", dir.resolve("m").toString())
                .failsWith("junk.csv.gz: data after the end of gzip member 1 at byte " + all.length
                        + " is not another gzip member");
        ByteArrayOutputStream fimiGz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(fimiGz)) {
            z.write("1 2\n1 2 3\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        fimiGz.write("junk\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path fimiJunk = Files.write(dir.resolve("junk.dat.gz"), fimiGz.toByteArray());
        StringWriter mineErr = new StringWriter();
        assertEquals(1, AffinityCli.mine(new PrintWriter(new StringWriter()), new PrintWriter(mineErr, true),
                "--input", fimiJunk.toString(), "--min-support", "0.5"), mineErr.toString());
        assertTrue(mineErr.toString().contains("is not another gzip member"), mineErr.toString());
    }

    @Test
    void mineChecksTheOutputDirectoryBeforeMining() throws Exception {
        Path fimi = Files.write(dir.resolve("t.dat"), List.of("1 2", "1 2 3"));
        StringWriter err = new StringWriter();
        int code = AffinityCli.mine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "--input",
                fimi.toString(), "--min-support", "0.5", "--output", dir.resolve("no/such/out").toString());
        assertEquals(1, code, "bad input, as for the other verbs");
        assertTrue(err.toString().contains("directory " + dir.resolve("no/such") + " does not exist"), err.toString());
    }

    @Test
    void mineRefusesToWriteOverItsInputOrOneFileTwice() throws Exception {
        Path fimi = Files.write(dir.resolve("t.dat"), List.of("1 2", "1 2 3"));
        Path link = Files.createSymbolicLink(dir.resolve("link.dat"), fimi);
        String otherSpelling = dir.resolve("sub/../t.dat").toString();
        Files.createDirectory(dir.resolve("sub"));
        String out = dir.resolve("out.txt").toString();
        String[][] cases = {
            {"--output", fimi.toString()},
            {"--output", otherSpelling},
            {"--output", link.toString()},
            {"--min-confidence", "0", "--rules-output", fimi.toString()},
            {"--min-confidence", "0", "--output", out, "--rules-output", dir.resolve("sub/../out.txt").toString()},
        };
        String[] expected = {"--output " + fimi + " is the --input file", "--output " + otherSpelling
                + " is the --input file", "--output " + link + " is the --input file", "--rules-output " + fimi
                + " is the --input file", "--output and --rules-output are the same file " + out};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new java.util.ArrayList<>(List.of("--input", fimi.toString(), "--min-support", "0.5"));
            args.addAll(List.of(cases[i]));
            for (boolean shortcut : new boolean[] {true, false}) { // main's fast path and the picocli path
                StringWriter err = new StringWriter();
                String[] a = args.toArray(String[]::new);
                int code = shortcut ? AffinityCli.mine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), a)
                        : AffinityCli.runMine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), a);
                assertEquals(1, code, err.toString());
                assertTrue(err.toString().startsWith("affinity mine: error: " + expected[i]), err.toString());
            }
        }
        assertEquals(List.of("1 2", "1 2 3"), Files.readAllLines(fimi), "the input is untouched");
        assertFalse(Files.exists(dir.resolve("out.txt")), "nothing written");
    }

    @Test
    void mineReportsBadInputInOneLineWithExitOneAndMistypedOptionsWithTheUsage() throws Exception {
        Path fimi = Files.write(dir.resolve("t.dat"), List.of("1 2", "1 2 3"));
        String[][] badInput = {
            {"--input", dir.resolve("nope").toString(), "--format", "fimi", "--min-support", "0.1"},
            {"--input", fimi.toString(), "--min-support", "0"},
            {"--input", fimi.toString(), "--min-support", "0.5", "--min-lift", "2"},
        };
        for (String[] args : badInput) {
            for (boolean shortcut : new boolean[] {true, false}) { // main's fast path and the picocli path
                StringWriter err = new StringWriter();
                int code = shortcut ? AffinityCli.mine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args)
                        : AffinityCli.runMine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
                assertEquals(1, code, err.toString());
                assertTrue(err.toString().startsWith("affinity mine: error: --"), err.toString());
                assertEquals(1, err.toString().trim().lines().count(), "one line: " + err);
            }
        }
        StringWriter err = new StringWriter();
        int code = AffinityCli.mine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "--input",
                fimi.toString(), "--min-suport", "0.5");
        assertEquals(2, code, "a mistyped option: " + err);
        assertTrue(err.toString().contains("Usage:"), err.toString());
    }

    @Test
    void aValueThatDoesNotConvertIsOneLineWithExitOneOnEveryVerb() throws Exception {
        Path fimi = Files.write(dir.resolve("t.dat"), List.of("1 2", "1 2 3"));
        Path good = orders();
        String models = dir.resolve("models").toString();
        String[][] mine = {
            {"--input", fimi.toString(), "--min-support", "abc"},
            {"--input", fimi.toString(), "--min-support=0.5", "--max-length", "2.5"},
            {"--input", fimi.toString(), "--min-support", "0.5", "--threads", "99999999999"},
        };
        String[] mineWhy = {"--min-support: 'abc' is not a number", "--max-length: '2.5' is not a whole number",
            "--threads: '99999999999' is out of range"};
        for (int i = 0; i < mine.length; i++) {
            for (boolean shortcut : new boolean[] {true, false}) { // main's fast path and the picocli path
                StringWriter err = new StringWriter();
                int code = shortcut ? AffinityCli.mine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), mine[i])
                        : AffinityCli.runMine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), mine[i]);
                assertEquals(1, code, err.toString());
                assertEquals("affinity mine: error: " + mineWhy[i], err.toString().trim());
            }
        }
        String[][] verbs = {
            {"train", "--input", good.toString(), "--models", models, "--encoding", "nope"},
            {"train", "--input", good.toString(), "--models", models, "--min-support", "0,5"},
            {"evaluate", "--input", good.toString(), "--split", "last-basket", "--threads", "two"},
            {"customers", "--input", good.toString(), "--calibration-end", "2011-05-31", "--output",
                dir.resolve("c").toString(), "--discount-rate", "ten"},
            {"serve", "--models", models, "--port", "http"},
            {"serve", "--models", models, "--virtual-threads", "maybe"},
            {"rules", "--models", models, "--min-lift", "high"},
        };
        String[] verbWhy = {"--encoding: unknown charset 'nope'; e.g. UTF-8, windows-1252, ISO-8859-1",
            "--min-support: '0,5' is not a number", "--threads: 'two' is not a whole number",
            "--discount-rate: 'ten' is not a number", "--port: 'http' is not a whole number",
            "--virtual-threads: 'maybe' is not true or false", "--min-lift: 'high' is not a number"};
        for (int i = 0; i < verbs.length; i++) {
            Run r = run(verbs[i]);
            assertEquals(1, r.code(), r.err());
            assertEquals("affinity " + verbs[i][0] + ": error: " + verbWhy[i], r.err().trim());
        }
        assertFalse(Files.exists(dir.resolve("models")), "nothing created");
        // The command line's own mistakes keep picocli's usage (or its suggestion) and exit code 2.
        for (String[] args : new String[][] {
            {"train", "--encodin", "UTF-8", "--input", good.toString()}, // unknown option
            {"train", "--input", good.toString(), "--min-suport", "0.1"}, // unknown, after a many-valued option
            {"evaluate", "--input", good.toString(), "--splt", "time"},
            {"train", "--input", good.toString(), "--encoding"}, // value missing
            {"train", "--encoding", "UTF-8"}, // required option missing
            {"serve", "--port", "1", "--port", "2"}, // repeated
        }) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains("Usage: affinity " + args[0]) || r.err().contains("Possible solutions: "
                    + "--encoding"), r.err());
        }
    }

    /**
     * A value out of its range names the option as typed, the value and the range, each option on its own: the
     * training records' own names ("topN", "validationDays and threads", and "minLift" for --upsell-min-lift, which
     * reads as --min-lift) left the user guessing which option was wrong.
     */
    @Test
    void anOptionValueOutOfRangeNamesTheOptionAndTheValue() throws Exception {
        Path good = orders();
        String models = dir.resolve("models").toString();
        String[][] cases = {
            {"train", "--min-support", "2", "--min-support must be in (0, 1], was 2.0"},
            {"train", "--min-confidence", "1.5", "--min-confidence must be in [0, 1], was 1.5"},
            {"train", "--min-lift", "-1", "--min-lift must be finite and >= 0, was -1.0"},
            {"train", "--max-length", "1", "--max-length must be >= 2 (a rule needs two items), was 1"},
            {"train", "--max-rules-per-item", "0", "--max-rules-per-item must be >= 1, was 0"},
            {"train", "--top-n", "0", "--top-n must be in 1..1000, was 0"},
            {"train", "--validation-days", "0", "--validation-days must be >= 1, was 0"},
            {"train", "--threads", "0", "--threads must be >= 1, was 0"},
            {"train", "--upsell-min-price-increase", "-1", "--upsell-min-price-increase must be > 0, was -1.0"},
            {"train", "--upsell-min-customers", "0", "--upsell-min-customers must be >= 1, was 0"},
            {"train", "--upsell-min-lift", "-1", "--upsell-min-lift must be finite and >= 0, was -1.0"},
            {"train", "--recommender", "foo", "--recommender must be 'blend' or 'rules', was 'foo'"},
            {"evaluate", "--threads", "0", "--threads must be >= 1, was 0"},
            {"evaluate", "--ease-max-items", "0", "--ease-max-items must be >= 1, was 0"},
            {"evaluate", "--min-support", "2", "--min-support must be in (0, 1], was 2.0"},
            {"customers", "--discount-rate", "-1", "--discount-rate must be in [0, 10), was -1.0"},
            {"customers", "--tiers", "0.5,0.5,0.5", "--tiers: shares must be > 0 and sum to at most 1, were 0.5, 0.5, 0.5"},
            {"customers", "--holdout-end", "2011-05-01", "--holdout-end 2011-05-01 must be after --calibration-end 2011-05-31"},
        };
        for (String[] c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of(c[0], "--input", good.toString()));
            switch (c[0]) {
                case "train" -> args.addAll(List.of("--models", models));
                case "evaluate" -> args.addAll(List.of("--split", "last-basket"));
                default -> args.addAll(List.of("--calibration-end", "2011-05-31", "--output",
                        dir.resolve("c").toString()));
            }
            args.addAll(List.of(c[1], c[2]));
            Run r = run(args.toArray(String[]::new));
            assertEquals(1, r.code(), r.err());
            assertEquals("affinity " + c[0] + ": error: " + c[3], r.err().trim());
        }
        assertFalse(Files.exists(dir.resolve("models")), "nothing created");
    }

    /**
     * A blank --item or --consequent (an unset shell variable: --item "$ITEM") is an error, as a blank item= is a 400
     * on GET /v1/rules: it used to count as not given and list every rule, as if the item had matched.
     */
    @Test
    void rulesRefusesABlankItemOrConsequent() throws Exception {
        Path models = dir.resolve("models");
        Path orders = Files.write(dir.resolve("pairs.csv"), List.of(HEADER, "c1,o1,2011-05-01,X1,1,1.0",
                "c1,o1,2011-05-01,X2,1,2.0", "c2,o2,2011-05-02,X1,1,1.0", "c2,o2,2011-05-02,X2,1,2.0",
                "c3,o3,2011-05-03,X3,1,1.0", "c4,o4,2011-05-04,X3,1,1.0"));
        assertEquals(0, run("train", "--input", orders.toString(), "--recommender", "rules", "--min-support", "0.5",
                "--models", models.toString()).code());
        for (String option : List.of("--item", "--consequent")) {
            for (String blank : List.of("", "  ")) {
                run("rules", "--models", models.toString(), option, blank)
                        .failsWith(option + " is blank; give an item id or leave it out");
            }
        }
        Run a = run("rules", "--models", models.toString(), "--item", " x1 ");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("matched=1 shown=1"), a.out());
    }

    /**
     * The options that shape the precomputed lists are refused with --recommender rules, which precomputes none, as
     * evaluate refuses the time split's options with --split last-basket: they were silently ignored, so a user
     * asking for --top-n 10 got a model that had no lists at all, and no word of it.
     */
    @Test
    void trainRefusesTheBlendsOptionsWithTheRulesRecommender() throws Exception {
        Path good = orders();
        String models = dir.resolve("models").toString();
        for (String[] option : new String[][] {{"--top-n", "10"}, {"--validation-days", "30"}, {"--reduced-grid"},
                {"--no-season-window"}, {"--threads", "4"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--input", good.toString(), "--models",
                    models, "--recommender", "rules"));
            args.addAll(List.of(option));
            run(args.toArray(String[]::new)).failsWith(option[0] + " applies to --recommender blend only; "
                    + "--recommender rules precomputes no lists");
        }
        assertFalse(Files.exists(dir.resolve("models")), "nothing created");
    }

    @Test
    void rulesOnAMissingStoreIsAClearErrorAndCreatesNothing() {
        Path models = dir.resolve("nonexistent");
        run("rules", "--models", models.toString()).failsWith("no model store at " + models);
        assertFalse(Files.exists(models));
    }

    @Test
    void everyVerbAcceptsHelpAndDescribesEveryOption() {
        for (String verb : List.of("train", "serve", "mine", "rules", "evaluate", "customers", "models")) {
            for (String flag : List.of("--help", "-h")) {
                Run r = run(verb, flag);
                assertEquals(0, r.code(), verb + " " + flag + ": " + r.err());
                assertTrue(r.out().contains("Usage: affinity " + verb), r.out());
            }
        }
        String rules = run("rules", "--help").out();
        for (String option : List.of("--min-lift", "--min-confidence", "--min-support")) {
            // The option's own line in the list (not the synopsis), and the next one when the name is long.
            String line = rules.lines().filter(l -> l.trim().startsWith(option + "=")).findFirst().orElseThrow();
            String next = rules.lines().dropWhile(l -> !l.trim().startsWith(option + "=")).skip(1).findFirst()
                    .orElse("");
            assertTrue(line.contains("Only rules") || next.contains("Only rules"), option + " described: " + rules);
        }
        for (String verb : List.of("train", "evaluate", "customers")) {
            assertTrue(run(verb, "--help").out().replaceAll("\\s+", " ").contains("generic-sequence"), verb);
        }
        // The verb list names spark-train too, which the launcher runs in its own JVM (the README documents it).
        String top = run("--help").out();
        assertTrue(top.contains("spark-train") && top.contains("./affinity spark-train --help"), top);
    }

    @Test
    void theSharedExportOptionsSayWhichFilesTheyCoverOnEachVerb() {
        for (String verb : List.of("train", "evaluate", "customers")) {
            String help = run(verb, "--help").out();
            String encoding = optionHelp(help, "--encoding");
            // evaluate has neither --catalog nor --consent; train's --consent file is not read in --encoding
            assertFalse(encoding.contains("--consent"), verb + ": " + encoding);
            assertTrue(encoding.contains("where the verb has one, of the --catalog file"), verb + ": " + encoding);
            String delimiter = optionHelp(help, "--delimiter");
            assertTrue(delimiter.contains("of the --catalog file"), verb + ": " + delimiter);
            assertTrue(delimiter.contains("the --consent file (train) is always comma-separated"), verb + ": " + delimiter);
            assertTrue(optionHelp(help, "--decimal-comma").contains("the --catalog file's prices and costs"), verb);
        }
        assertTrue(optionHelp(run("train", "--help").out(), "--min-support").contains("a support count below 2 is "
                + "raised to 2"), "the floor train applies, as the README says");
    }

    /** The description of {@code option} in a verb's --help, on one line. */
    private static String optionHelp(String help, String option) {
        // An option's own line is indented 6 (or 2, with a short name); its description's further lines deeper.
        java.util.regex.Pattern optionLine = java.util.regex.Pattern.compile(" {2,6}-.*");
        List<String> lines = help.lines().toList();
        int first = 0;
        while (!(optionLine.matcher(lines.get(first)).matches() && lines.get(first).trim().startsWith(option))) {
            first++;
        }
        StringBuilder text = new StringBuilder(lines.get(first).trim());
        for (int i = first + 1; i < lines.size() && !optionLine.matcher(lines.get(i)).matches(); i++) {
            text.append(' ').append(lines.get(i).trim());
        }
        return text.toString();
    }

    @Test
    void serveNamesItsMissingFilesAndShortKeys() throws Exception {
        Path models = dir.resolve("models");
        run("serve", "--models", models.toString(), "--admin-token-file", dir.resolve("tok").toString())
                .failsWith("--admin-token-file", "tok does not exist");
        run("serve", "--models", models.toString(), "--api-keys-file", dir.resolve("keys").toString())
                .failsWith("--api-keys-file", "keys does not exist");
        Path keys = Files.write(dir.resolve("keys.txt"), List.of("# keys", "0123456789abcdef0123", "short"));
        run("serve", "--models", models.toString(), "--api-keys-file", keys.toString())
                .failsWith("keys.txt:3: API key must be at least 16 characters, has 5");
    }

    /** A keys file's scopes: a wrong one and a key listed twice name their line, never the key's text. */
    @Test
    void serveNamesTheLineOfAWrongScopeOrARepeatedKey() throws Exception {
        Path models = dir.resolve("models");
        String key = "0123456789abcdef0123";
        for (String[] bad : new String[][] {
                {key + " recommendations,profile", "keys.txt:2: scope 2 after the key is not one of recommendations, "
                        + "profiles, consent, exports, all (scopes are separated by commas; a key has no spaces; "
                        + "client= and rate= may follow)"},
                {key + " recommendations,", "keys.txt:2: scope 2 after the key is not one of"},
                {key + " secret-rest-of-a-key-with-a-space", "keys.txt:2: scope 1 after the key is not one of"},
                {key + " exports\n" + key + " profiles", "keys.txt:3: the same API key as line 2 (list each key once, "
                        + "with all its scopes)"}}) {
            Path keys = Files.writeString(dir.resolve("keys.txt"), "# keys\n" + bad[0] + "\n");
            Run r = run("serve", "--models", models.toString(), "--api-keys-file", keys.toString());
            r.failsWith(bad[1]);
            assertFalse(r.err().contains(key) || r.err().contains("secret-rest"), r.err());
        }
    }

    /**
     * An admin token file of more than one line (a comment above the token, two tokens during a rotation) was taken
     * whole, line break included: no request can send that in a header, so admin was "enabled" and every call 401.
     * It is refused, naming the file and never the token.
     */
    @Test
    void anAdminTokenFileOfMoreThanOneLineIsRefused() throws Exception {
        Path models = dir.resolve("models");
        for (String content : List.of("# rotated 2026-11\nsecret-token-0123456789\n",
                "secret-token-0123456789\nsecret-token-9876543210\n", "secret-token\t0123456789\n")) {
            Path token = Files.writeString(dir.resolve("token"), content);
            Run r = run("serve", "--models", models.toString(), "--admin-token-file", token.toString());
            r.failsWith("--admin-token-file " + token + ": ", "one line", "no line break or control character");
            assertFalse(r.err().contains("secret-token"), r.err());
        }
        assertFalse(Files.exists(models), "nothing created");
    }

    /**
     * A short AFFINITY_ADMIN_TOKEN is refused before the model store is even looked at, naming the variable: it was
     * checked only after the model had been opened and verified (minutes for a large one), as "admin token must be
     * at least 16 characters", which did not say where the token came from. A second JVM, for its environment.
     */
    @Test
    void aShortAdminTokenInTheEnvironmentIsNamedBeforeTheModelLoads() throws Exception {
        Path models = dir.resolve("models"); // missing: the token must be the first complaint
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AffinityCli.class.getName(), "serve", "--models",
                models.toString(), "--port", "0").redirectErrorStream(true);
        pb.environment().put("AFFINITY_ADMIN_TOKEN", "short-secret");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), out);
        assertTrue(out.contains("AFFINITY_ADMIN_TOKEN must be at least 16 characters, has 12"), out);
        assertFalse(out.contains("short-secret"), out);
        assertFalse(Files.exists(models), "nothing created");
    }

    @Test
    void serveRefusesAJournalInADirectoryThatDoesNotExistAndCreatesNothing() {
        // The store does not exist either: the journal path is refused first, before any model is looked for.
        Path models = dir.resolve("models");
        Path missing = dir.resolve("no/such/dir");
        run("serve", "--models", models.toString(), "--consent-journal", missing.resolve("x.journal").toString())
                .failsWith("--consent-journal", "directory " + missing + " of ", "does not exist");
        run("serve", "--models", models.toString(), "--availability-journal", missing.resolve("a.journal").toString())
                .failsWith("--availability-journal", "directory " + missing + " of ", "does not exist");
        run("serve", "--models", models.toString(), "--consent-journal", dir.toString())
                .failsWith("--consent-journal", "is a directory");
        assertFalse(Files.exists(dir.resolve("no")), "no directory created");
        run("serve", "--models", models.toString(), "--consent-journal", "none")
                .failsWith("--consent-journal none: consent changes must be journaled");
        assertFalse(Files.exists(Path.of("none")), "no journal file called 'none'");
    }

    @Test
    void serveChecksItsLimitsAndMarginRateBeforeLoadingAModelNamingTheFlag() {
        Path models = dir.resolve("models"); // does not exist: a check after loading would say so instead
        run("serve", "--models", models.toString(), "--max-limit", "0").failsWith("--max-limit must be at least 1, was 0");
        run("serve", "--models", models.toString(), "--max-basket-items", "0").failsWith("--max-basket-items");
        run("serve", "--models", models.toString(), "--margin-rate", "1.5").failsWith("--margin-rate", "was 1.5");
        run("serve", "--models", models.toString(), "--margin-rate", "0").failsWith("--margin-rate", "was 0.0");
        List<String> counts = List.of("--watch-interval", "--shutdown-grace", "--warm-up", "--exclude-bought-within-days");
        for (String flag : counts) {
            Run r = run("serve", "--models", models.toString(), flag, "-5");
            r.failsWith(flag + " must not be negative, was -5");
            counts.stream().filter(other -> !other.equals(flag))
                    .forEach(other -> assertFalse(r.err().contains(other), "only " + flag + " named: " + r.err()));
        }
    }

    @Test
    void aMaxLimitBelowTheDefaultLimitLowersTheDefault() {
        ServeCommand serve = new ServeCommand();
        new picocli.CommandLine(serve).parseArgs("--max-limit", "5");
        assertEquals(5, serve.apiConfig().defaultLimit());
        assertEquals(5, serve.apiConfig().maxLimit());
        new picocli.CommandLine(serve).parseArgs("--max-limit", "50");
        assertEquals(10, serve.apiConfig().defaultLimit(), "the usual default when the cap is above it");
    }

    /** A storefront's origins for browser callers: parsed with the other flags, a bad one named in one line. */
    @Test
    void corsOriginsAreCheckedAndNamedInOneLine() {
        ServeCommand serve = new ServeCommand();
        new picocli.CommandLine(serve).parseArgs("--cors-origins", "https://shop.example,http://localhost:3000");
        assertTrue(serve.apiConfig().cors().allows("https://shop.example"));
        assertTrue(serve.apiConfig().cors().allows("http://localhost:3000"));
        assertFalse(serve.apiConfig().cors().allows("https://other.example"));
        ServeCommand plain = new ServeCommand();
        new picocli.CommandLine(plain).parseArgs();
        assertFalse(plain.apiConfig().cors().enabled(), "none without the option");
        Path models = dir.resolve("models");
        Run r = run("serve", "--models", models.toString(), "--cors-origins", "https://shop.example/");
        r.failsWith("--cors-origins: 'https://shop.example/' is not an origin");
        assertFalse(Files.exists(models), "refused before the model store is looked at");
    }

    @Test
    void serveReportsABusyPortAndABadHostInOneLine() throws Exception {
        Path models = dir.resolve("models");
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            run("serve", "--models", models.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(busy.getLocalPort())).failsWith("cannot listen on 127.0.0.1:" + busy.getLocalPort(),
                    "another server is running there");
        }
        run("serve", "--models", models.toString(), "--host", "999.1.1.1", "--port", "0")
                .failsWith("--host 999.1.1.1: not an address");
    }
}
