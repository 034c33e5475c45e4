package io.affinity.store;

import static org.junit.jupiter.api.Assertions.fail;

import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import io.affinity.testing.DamagedBytes;
import io.affinity.testing.FuzzCases;
import io.affinity.testing.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training's reading of the run-time consent journal ({@link ConsentJournalFile#latest}) on seeded random journals
 * (with and without a compaction header, kept lines with gaps, appended lines, ids that normalise, lines with and
 * without a time), damaged as a crash or a disk damages them. The oracle is the README ("What training does with an
 * objection") and the class's contract:
 * <ul>
 *   <li>cut at any byte (a crash mid-append): read, and exactly what a reference reading of the whole lines before
 *       the cut says (sequence, change lines, each customer's latest change for the channel): a last line without
 *       its line break is not read;</li>
 *   <li>a well-formed line put anywhere (a change of any sequence, a header, a channel or state of a later release,
 *       a blank id): read as the reference says, or refused with {@link ConsentJournalFile.UnreadableJournalException}
 *       at the line where the reference stops;</li>
 *   <li>bytes flipped, replaced, deleted or inserted (invalid UTF-8 among them): read with every whole line counted
 *       (none skipped), or refused with the typed error naming the file and a line that exists; a whole line that
 *       is not UTF-8 is never read (decoded with replacement characters it would be another customer's id, and the
 *       real customer's objection would be lost without a word);</li>
 *   <li>never another exception, and never a customer id in a message.</li>
 * </ul>
 * Each case has its own seed; rerun one with {@code -Daffinity.fuzz.case=SEED}.
 */
@FuzzTest
class ConsentJournalFileFuzzTest {
    private static final long SEED = Long.getLong("affinity.fuzz.seed", 20261126L);
    private static final Long ONE_CASE = Long.getLong("affinity.fuzz.case");
    private static final int CASES = Integer.getInteger("affinity.fuzz.journals", 1500);
    /** Every id holds the marker, so a message that contains it contains an id. */
    private static final String[] CUSTOMERS = {"idx-17850", "idx-17850.0", "IDX-ü-9", "idx a", " idx-pad ", "idx-2",
        "idx-3,0", "idx-Zoë"};
    private static final Consent.Channel CHANNEL = Consent.Channel.PROFILING;

    @TempDir
    Path dir;

    /** A line as the test wrote it; {@code change} null for a header or a line the reference must refuse. */
    record Line(String text, boolean header, long seq, ConsentJournalFile.Change change, boolean valid) {
    }

    @Test
    void damagedJournalsAreReadAsTheirWholeLinesSayOrRefusedNamingFileAndLine() throws Exception {
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> failures = FuzzCases.run(FuzzCases.seeds(ONE_CASE, SEED, CASES),
                caseSeed -> check(caseSeed, outcomes));
        System.out.println("ConsentJournalFileFuzzTest: " + outcomes);
        FuzzCases.failIfAny(failures);
        if (ONE_CASE == null && (outcomes.getOrDefault("cut read", 0) < CASES / 10
                || outcomes.getOrDefault("line refused", 0) < CASES / 30
                || outcomes.getOrDefault("bytes refused", 0) < CASES / 30
                || outcomes.getOrDefault("line read", 0) < CASES / 30)) {
            fail("too few cases of some outcome: " + outcomes);
        }
    }

    private void check(long caseSeed, Map<String, Integer> outcomes) throws Exception {
        Random rnd = new Random(caseSeed);
        List<Line> lines = journal(rnd);
        String kind;
        byte[] bytes;
        switch (rnd.nextInt(3)) {
            case 0 -> {
                kind = "cut";
                bytes = Arrays.copyOf(text(lines), rnd.nextInt(text(lines).length + 1));
            }
            case 1 -> {
                kind = "line";
                lines.add(rnd.nextInt(lines.size() + 1), wellFormed(rnd, lines));
                bytes = text(lines);
            }
            default -> {
                kind = "bytes";
                bytes = damage(rnd, text(lines));
            }
        }
        Path file = Files.write(dir.resolve("consent-" + Long.toHexString(caseSeed) + ".journal"), bytes);
        List<byte[]> whole = DamagedBytes.wholeLines(bytes);
        String context = kind + " case, journal \"" + DamagedBytes.escaped(bytes) + "\"";
        ConsentJournalFile.Latest read;
        try {
            read = ConsentJournalFile.latest(file, CHANNEL);
        } catch (ConsentJournalFile.UnreadableJournalException e) {
            String m = e.getMessage();
            String prefix = "consent journal " + file + " line ";
            if (!m.startsWith(prefix)) {
                fail("message does not name the file and line: " + m + "; " + context);
            }
            int n = Integer.parseInt(m.substring(prefix.length(), m.indexOf(' ', prefix.length())));
            if (n < 1 || n > whole.size()) {
                fail("line " + n + " of " + whole.size() + " whole lines: " + m + "; " + context);
            }
            if (m.toLowerCase(Locale.ROOT).contains("idx")) {
                fail("a customer id in the message: " + m + "; " + context);
            }
            switch (kind) {
                case "cut" -> fail("a cut journal refused: " + m + "; " + context);
                case "line" -> {
                    int expected = reference(lines).refusedAt;
                    if (expected != n) {
                        fail("refused at line " + n + ", the reference at " + expected + ": " + m + "; " + context);
                    }
                }
                default -> {
                }
            }
            outcomes.merge(kind + " refused", 1, Integer::sum);
            return;
        }
        outcomes.merge(kind + " read", 1, Integer::sum);
        // Read, so line 1 was the header exactly when it names the header's field (no id holds that text).
        long headerLines = whole.isEmpty() || !new String(whole.get(0), StandardCharsets.ISO_8859_1)
                .contains("\"" + ConsentJournalFile.HEADER_FIELD + "\"") ? 0 : 1;
        switch (kind) {
            case "cut" -> expect(reference(lines.subList(0, whole.size())), read, context);
            case "line" -> expect(reference(lines), read, context);
            default -> {
                for (int i = 0; i < whole.size(); i++) {
                    if (!DamagedBytes.isUtf8(whole.get(i))) {
                        fail("line " + (i + 1) + " is not UTF-8 but was read; " + context);
                    }
                }
                if (read.lines() != whole.size() - headerLines) {
                    fail(read.lines() + " change lines read of " + whole.size() + " whole lines; " + context);
                }
            }
        }
    }

    private static void expect(Reference ref, ConsentJournalFile.Latest read, String context) {
        if (ref.refusedAt > 0) {
            fail("read, but the reference refuses line " + ref.refusedAt + "; " + context);
        }
        if (read.sequence() != ref.sequence || read.lines() != ref.lines || !read.latest().equals(ref.latest)) {
            fail("read sequence " + read.sequence() + ", " + read.lines() + " lines, " + read.latest()
                    + "; the reference " + ref.sequence + ", " + ref.lines + ", " + ref.latest + "; " + context);
        }
    }

    /** What the whole journal says by the format's rules, or the first line it breaks them (1-based). */
    static final class Reference {
        long sequence;
        long lines;
        int refusedAt;
        final Map<String, ConsentJournalFile.Change> latest = new HashMap<>();
    }

    private static Reference reference(List<Line> lines) {
        Reference r = new Reference();
        long compacted = 0;
        long lastApplied = 0;
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            if (l.header() && i == 0) {
                compacted = l.seq();
                r.sequence = l.seq();
                continue;
            }
            if (!l.valid() || l.header()) {
                r.refusedAt = i + 1;
                return r;
            }
            if (l.seq() > compacted && l.seq() == r.sequence + 1) {
                r.sequence = l.seq();
            } else if (!(l.seq() <= compacted && l.seq() > lastApplied)) {
                r.refusedAt = i + 1;
                return r;
            }
            lastApplied = l.seq();
            r.lines++;
            if (l.change().channel() == CHANNEL) {
                r.latest.put(l.change().customerId(), l.change());
            }
        }
        return r;
    }

    /** A valid journal: maybe a compaction header and the lines it kept (increasing, with gaps), then appends. */
    private static List<Line> journal(Random rnd) {
        List<Line> lines = new ArrayList<>();
        long seq = 0;
        if (rnd.nextInt(3) == 0) {
            long through = 3 + rnd.nextInt(40);
            lines.add(header(through));
            long s = 0;
            while (true) {
                s += 1 + rnd.nextInt(5);
                if (s > through) {
                    break;
                }
                lines.add(change(rnd, s));
            }
            seq = through;
        }
        for (int k = rnd.nextInt(12); k > 0; k--) {
            lines.add(change(rnd, ++seq));
        }
        return lines;
    }

    private static Line header(long through) {
        return new Line("{\"" + ConsentJournalFile.HEADER_FIELD + "\":" + through + "}", true, through, null, true);
    }

    private static Line change(Random rnd, long seq) {
        String raw = CUSTOMERS[rnd.nextInt(CUSTOMERS.length)];
        Consent.Channel channel = rnd.nextInt(3) == 0 ? CHANNEL
                : Consent.Channel.values()[rnd.nextInt(Consent.Channel.values().length)];
        Consent.State state = Consent.State.values()[rnd.nextInt(Consent.State.values().length)];
        Instant at = rnd.nextInt(5) == 0 ? null : Instant.parse("2026-11-01T00:00:00Z").plusSeconds(rnd.nextInt(99999));
        String wire = state.wireName();
        if (rnd.nextInt(6) == 0) {
            wire = wire.toUpperCase(Locale.ROOT).replace('_', '-'); // parsed case-insensitively, - as _
        }
        String text = "{\"seq\":" + seq + (at == null ? "" : ",\"at\":\"" + at + "\"") + ",\"customerId\":\""
                + raw + "\",\"channel\":\"" + channel.wireName() + "\",\"state\":\"" + wire + "\"}";
        return new Line(text, false, seq, new ConsentJournalFile.Change(Ids.normaliseCustomerId(raw), channel, state,
                seq, at), true);
    }

    /** A well-formed line to put anywhere: a change of any sequence, a header, or one the reference refuses. */
    private static Line wellFormed(Random rnd, List<Line> lines) {
        long last = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).seq();
        return switch (rnd.nextInt(8)) {
            case 0 -> header(rnd.nextInt(50));
            case 1 -> new Line("{\"seq\":" + (last + 1) + ",\"customerId\":\"idx-9\",\"channel\":\"fax\","
                    + "\"state\":\"opted_out\"}", false, last + 1, null, false);
            case 2 -> new Line("{\"seq\":" + (last + 1) + ",\"customerId\":\" \",\"channel\":\"email\","
                    + "\"state\":\"opted_out\"}", false, last + 1, null, false);
            case 3 -> new Line("{\"seq\":" + (last + 1) + ",\"at\":\"yesterday\",\"customerId\":\"idx-9\","
                    + "\"channel\":\"email\",\"state\":\"opted_out\"}", false, last + 1, null, false);
            case 4 -> new Line("", false, 0, null, false);
            default -> change(rnd, rnd.nextInt(4) == 0 ? rnd.nextInt(60) : last + 1);
        };
    }

    private static byte[] text(List<Line> lines) {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) {
            sb.append(l.text()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] damage(Random rnd, byte[] b) {
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            int at = rnd.nextInt(b.length + 1);
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[Math.min(at, b.length - 1)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> {
                    if (b.length > 0) {
                        b[Math.min(at, b.length - 1)] = (byte) rnd.nextInt(256);
                    }
                }
                case 2 -> b = DamagedBytes.removed(b, at);
                default -> {
                    byte[] bad = new byte[][] {{(byte) 0xFC}, {(byte) 0xC3}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0,
                        (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {0}, {'\n'}, {'\r'}, {'"'}, {'}'}}[rnd.nextInt(10)];
                    b = DamagedBytes.inserted(b, at, bad);
                }
            }
        }
        return b;
    }

}
