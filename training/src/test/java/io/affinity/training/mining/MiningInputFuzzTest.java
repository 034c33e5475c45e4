package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.affinity.testing.DamagedBytes;
import io.affinity.testing.FuzzCases;
import io.affinity.testing.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code mine} verb's readers on seeded random files: {@link FimiReader} against a reference reading of the
 * format (README: one transaction of space- or tab-separated non-negative int ids per line; lines end with LF, CR LF
 * or a CR alone; a blank line is an empty transaction; a last line without its line end still counts), on
 * well-formed files and on files damaged by random bytes, deleted bytes and cuts: read exactly as the reference
 * reads them, or refused with a {@link FimiFormatException} at the line where the reference stops. And
 * {@link BasketReader} (R arules' basket format): well-formed files read to the baskets written, labels numbered in
 * order of first appearance; damaged ones read or refused with a {@link FimiFormatException} naming file and a line
 * of the file, or the CSV error naming the file. Either reader, gzip-compressed (then cut or flipped): also an
 * {@link EOFException} or {@link ZipException} (the CLI names the file for those); never another exception.
 * Each case has its own seed; rerun one with {@code -Daffinity.fuzz.case=SEED}.
 */
@FuzzTest
class MiningInputFuzzTest {
    private static final long SEED = Long.getLong("affinity.fuzz.seed", 20261126L);
    private static final Long ONE_CASE = Long.getLong("affinity.fuzz.case");
    private static final int CASES = Integer.getInteger("affinity.fuzz.mining", 1500);
    private static final String[] LINE_ENDS = {"\n", "\r\n", "\r"};
    private static final String[] LABELS = {"whole milk", "rolls/buns", "Crème fraîche", "soda", "\"a, b\"",
        "yogurt", "\"say \"\"hi\"\"\"", "bottled beer", "x", "tropical fruit"};

    @TempDir
    Path dir;

    @Test
    void fimiFilesReadAsTheReferenceReadsThemOrFailAtItsLine() throws Exception {
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> failures = FuzzCases.run(FuzzCases.seeds(ONE_CASE, SEED * 31 + 1, CASES),
                caseSeed -> fimiCase(caseSeed, outcomes));
        report("fimi", outcomes, failures);
    }

    private void fimiCase(long caseSeed, Map<String, Integer> outcomes) throws Exception {
        Random rnd = new Random(caseSeed);
        StringBuilder sb = new StringBuilder();
        for (int t = rnd.nextInt(30); t > 0; t--) {
            int n = rnd.nextInt(8);
            for (int k = 0; k < n; k++) {
                if (k > 0 || rnd.nextInt(8) == 0) {
                    sb.append(rnd.nextInt(5) == 0 ? "\t" : rnd.nextInt(8) == 0 ? "  " : " ");
                }
                sb.append(rnd.nextInt(10) == 0 ? Integer.MAX_VALUE - rnd.nextInt(3) : rnd.nextInt(40));
            }
            if (rnd.nextInt(10) == 0) {
                sb.append(' ');
            }
            sb.append(LINE_ENDS[rnd.nextInt(3)]);
        }
        if (rnd.nextBoolean() && sb.length() > 0) {
            sb.setLength(sb.length() - 1); // no line end at the end (or the CR of a CR LF only)
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        String kind = "clean";
        if (rnd.nextInt(3) > 0) {
            kind = "damaged";
            bytes = damage(rnd, bytes, new byte[][] {{'x'}, {'-'}, {'1'}, {'9', '9', '9', '9', '9', '9', '9', '9',
                '9', '9'}, {'\r'}, {'\n'}, {' '}, {(byte) 0xC3}, {0}, {'+'}, {'.'}});
        }
        boolean gzip = rnd.nextInt(6) == 0;
        boolean[] gzipDamaged = {false};
        byte[] written = gzip ? gzip(rnd, bytes, gzipDamaged) : bytes;
        Path p = Files.write(dir.resolve("case-" + Long.toHexString(caseSeed) + ".dat"), written);
        String context = kind + (gzip ? gzipDamaged[0] ? ", damaged gzip" : ", gzip" : "") + " file \""
                + DamagedBytes.escaped(bytes) + "\"";
        Reference ref = reference(bytes);
        TransactionDatabase db;
        try {
            db = FimiReader.read(p);
        } catch (FimiFormatException e) {
            if (!e.getMessage().startsWith(p + ":" + e.line() + ": ")) {
                fail("message does not start with file:line: " + e.getMessage() + "; " + context);
            }
            if (gzipDamaged[0]) {
                outcomes.merge("gzip refused", 1, Integer::sum);
                return;
            }
            if (ref.failedAt != e.line()) {
                fail("refused at line " + e.line() + ", the reference at " + ref.failedAt + ": " + e.getMessage()
                        + "; " + context);
            }
            outcomes.merge(kind + " refused", 1, Integer::sum);
            return;
        } catch (EOFException | ZipException e) {
            if (!gzip) {
                fail("a gzip error for a plain file: " + e + "; " + context);
            }
            outcomes.merge("gzip refused", 1, Integer::sum);
            return;
        }
        if (gzipDamaged[0]) {
            outcomes.merge("gzip read", 1, Integer::sum); // a flip in a field gzip does not check
            return;
        }
        if (ref.failedAt > 0) {
            fail("read, but the reference refuses line " + ref.failedAt + "; " + context);
        }
        assertEquals(ref.transactions.size(), db.size(), context);
        for (int t = 0; t < db.size(); t++) {
            assertEquals(ref.transactions.get(t), Arrays.toString(db.transaction(t)), "transaction " + t + "; "
                    + context);
        }
        outcomes.merge(kind + " read", 1, Integer::sum);
    }

    /** The README's FIMI format read the slow way: lines, then tokens. */
    static final class Reference {
        final List<String> transactions = new ArrayList<>();
        long failedAt;
    }

    private static Reference reference(byte[] bytes) {
        Reference r = new Reference();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r\n|\r|\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // a line end ends the last line; it does not start another
        }
        for (int i = 0; i < lines.size(); i++) {
            TreeSet<Integer> items = new TreeSet<>();
            for (String token : lines.get(i).split("[ \t]+")) {
                if (token.isEmpty()) {
                    continue;
                }
                if (!token.matches("[0-9]+") || new java.math.BigInteger(token).compareTo(
                        java.math.BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
                    r.failedAt = i + 1;
                    return r;
                }
                items.add(Integer.parseInt(token));
            }
            r.transactions.add(items.toString());
        }
        return r;
    }

    @Test
    void basketFilesReadAsWrittenOrFailNamingTheFile() throws Exception {
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> failures = FuzzCases.run(FuzzCases.seeds(ONE_CASE, SEED * 31 + 2, CASES),
                caseSeed -> basketCase(caseSeed, outcomes));
        report("basket", outcomes, failures);
    }

    private void basketCase(long caseSeed, Map<String, Integer> outcomes) throws Exception {
        Random rnd = new Random(caseSeed);
        StringBuilder sb = new StringBuilder();
        List<List<String>> baskets = new ArrayList<>();
        for (int t = rnd.nextInt(20); t > 0; t--) {
            List<String> basket = new ArrayList<>();
            int n = rnd.nextInt(5);
            for (int k = 0; k < n; k++) {
                String label = LABELS[rnd.nextInt(LABELS.length)];
                // a space before a quoted label would make its quote part of the text (RFC 4180)
                sb.append(k == 0 ? "" : rnd.nextInt(4) == 0 && !label.startsWith("\"") ? ", " : ",").append(label);
                basket.add(label.startsWith("\"") ? label.substring(1, label.length() - 1).replace("\"\"", "\"")
                        : label);
            }
            baskets.add(basket);
            String end = LINE_ENDS[rnd.nextInt(3)];
            if (n == 0 && end.equals("\n") && sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
                end = "\r\n"; // an empty line's LF after a CR would end the line before, not this one
            }
            sb.append(end);
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        String kind = "clean";
        if (rnd.nextInt(3) > 0) {
            kind = "damaged";
            bytes = damage(rnd, bytes, new byte[][] {{','}, {'"'}, {'\r'}, {'\n'}, {' '}, {(byte) 0xC3},
                {(byte) 0xFF}, {0}, {',', ','}});
        }
        boolean gzip = rnd.nextInt(6) == 0;
        boolean[] gzipDamaged = {false};
        byte[] written = gzip ? gzip(rnd, bytes, gzipDamaged) : bytes;
        Path p = Files.write(dir.resolve("case-" + Long.toHexString(caseSeed) + ".basket"), written);
        String context = kind + (gzip ? gzipDamaged[0] ? ", damaged gzip" : ", gzip" : "") + " file \""
                + DamagedBytes.escaped(bytes) + "\"";
        long physical = 1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n')) {
                physical++;
            }
        }
        BasketReader.Labelled read;
        try {
            read = BasketReader.read(p, StandardCharsets.UTF_8, "--encoding");
        } catch (FimiFormatException e) {
            if (!e.getMessage().startsWith(p + ":" + e.line() + ": ") || e.line() < 1 || e.line() > physical) {
                fail("not file:line of a line of the file: " + e.getMessage() + "; " + context);
            }
            if (kind.equals("clean") && !gzipDamaged[0]) {
                fail("a clean file refused: " + e.getMessage() + "; " + context);
            }
            outcomes.merge(kind + " refused", 1, Integer::sum);
            return;
        } catch (EOFException | ZipException e) {
            if (!gzip) {
                fail("a gzip error for a plain file: " + e + "; " + context);
            }
            outcomes.merge("gzip refused", 1, Integer::sum);
            return;
        } catch (IOException e) {
            if (!e.getMessage().startsWith(p + ": not readable as comma-separated baskets")) {
                fail("an I/O error not naming the file: " + stack(e) + "; " + context);
            }
            outcomes.merge(kind + " refused as CSV", 1, Integer::sum);
            return;
        }
        outcomes.merge(kind + " read", 1, Integer::sum);
        if (kind.equals("clean") && !gzipDamaged[0]) {
            assertEquals(baskets.size(), read.transactions().size(), context);
            List<String> labels = new ArrayList<>();
            for (int t = 0; t < baskets.size(); t++) {
                TreeSet<Integer> expected = new TreeSet<>();
                for (String label : baskets.get(t)) {
                    if (!labels.contains(label)) {
                        labels.add(label);
                    }
                    expected.add(labels.indexOf(label));
                }
                assertEquals(expected.toString(), Arrays.toString(read.transactions().transaction(t)),
                        "basket " + t + "; " + context);
            }
            assertEquals(labels, read.labels(), context);
        } else {
            for (String label : read.labels()) {
                if (label.isEmpty() || !label.equals(label.strip()) || label.contains("\uFFFD")) {
                    fail("label '" + label + "' read; " + context);
                }
            }
        }
    }

    private static byte[] damage(Random rnd, byte[] b, byte[][] inserts) {
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            int at = rnd.nextInt(b.length + 1);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[Math.min(at, b.length - 1)] = (byte) rnd.nextInt(256);
                    }
                }
                case 1 -> b = DamagedBytes.removed(b, at);
                case 2 -> b = Arrays.copyOf(b, at);
                default -> {
                    byte[] ins = inserts[rnd.nextInt(inserts.length)];
                    b = DamagedBytes.inserted(b, at, ins);
                }
            }
        }
        return b;
    }

    /**
     * Gzip-compressed, and one time in two cut or a byte flipped ({@code damaged[0]} says so: the reader may then
     * meet other text than the file's before the gzip check fails, and refuse that text at its line).
     */
    private static byte[] gzip(Random rnd, byte[] bytes, boolean[] damaged) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        }
        byte[] g = out.toByteArray();
        switch (rnd.nextInt(4)) {
            case 0 -> g = Arrays.copyOf(g, 2 + rnd.nextInt(g.length - 2)); // still starts with the magic bytes
            case 1 -> g[2 + rnd.nextInt(g.length - 2)] ^= (byte) (1 << rnd.nextInt(8));
            default -> {
                return g;
            }
        }
        damaged[0] = true;
        return g;
    }

    private static void report(String what, Map<String, Integer> outcomes, List<String> failures) {
        System.out.println("MiningInputFuzzTest " + what + ": " + outcomes);
        FuzzCases.failIfAny(failures);
        if (ONE_CASE == null && (outcomes.getOrDefault("clean read", 0) < CASES / 10
                || outcomes.getOrDefault("damaged read", 0) < CASES / 30
                || outcomes.getOrDefault("damaged refused", 0) < CASES / 30)) {
            fail("too few cases of some outcome: " + outcomes);
        }
    }

    private static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

}
