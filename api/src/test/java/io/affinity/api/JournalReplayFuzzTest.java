package io.affinity.api;

import static org.junit.jupiter.api.Assertions.fail;

import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import io.affinity.testing.DamagedBytes;
import io.affinity.testing.FuzzCases;
import io.affinity.testing.FuzzTest;
import java.io.IOException;
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
 * A server starting on its journals after a crash or a hand edit (README "Faults"): seeded random stock and consent
 * journals, cut at any byte (a torn last append), given a well-formed line anywhere, or damaged byte by byte.
 * <ul>
 *   <li>stock ({@link ItemAvailability#journaled}): a cut journal opens with exactly the statements of its whole
 *       lines (the last per item; {@code clear} removes), its torn tail cut off, and a second start agrees; a
 *       well-formed line opens as the reference says or is refused with an {@link IOException} naming
 *       {@code file:line} of the first line the reference refuses; damage opens (every whole line understood, none
 *       that is not UTF-8) or is refused naming a line of the file;</li>
 *   <li>consent ({@link ConsentJournal#open}): a cut journal opens usable, with the sequence and each customer's
 *       latest change per channel of its whole lines, its torn tail cut off; damage opens usable (every whole line
 *       read, none that is not UTF-8) or unusable, {@link ConsentJournal#failure} naming the journal and a line of
 *       it and no customer id;</li>
 *   <li>never another exception.</li>
 * </ul>
 * Each case has its own seed; rerun one with {@code -Daffinity.fuzz.case=SEED}.
 */
@FuzzTest
class JournalReplayFuzzTest {
    private static final long SEED = Long.getLong("affinity.fuzz.seed", 20261126L);
    private static final Long ONE_CASE = Long.getLong("affinity.fuzz.case");
    private static final int CASES = Integer.getInteger("affinity.fuzz.journals", 400);
    /** Every customer id holds the marker, so a message that contains it contains an id. */
    private static final String[] CUSTOMERS = {"idx-17850", "idx-17850.0", "IDX-ü-9", "idx a", "idx-2", "idx-Zoë"};
    private static final String[] STATEMENTS = {"true", "false", "clear"};

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------------------
    // Stock journal

    /** A stock line as written; {@code item} null for a blank line, {@code valid} false for one a server refuses. */
    record StockLine(String text, String item, Boolean available, boolean valid) {
    }

    @Test
    void stockJournalsReplayTheirWholeLinesOrAreRefusedNamingFileAndLine() throws Exception {
        run("stock", this::stockCase);
    }

    private void stockCase(long caseSeed, Map<String, Integer> outcomes) throws Exception {
        Random rnd = new Random(caseSeed);
        List<StockLine> lines = new ArrayList<>();
        for (int k = rnd.nextInt(15); k > 0; k--) {
            lines.add(rnd.nextInt(12) == 0 ? new StockLine("", null, null, true) : statement(rnd));
        }
        String kind;
        byte[] bytes;
        switch (rnd.nextInt(3)) {
            case 0 -> {
                kind = "cut";
                byte[] all = stockText(lines);
                bytes = Arrays.copyOf(all, rnd.nextInt(all.length + 1));
            }
            case 1 -> {
                kind = "line";
                StockLine extra = switch (rnd.nextInt(5)) {
                    case 0 -> new StockLine("I3 maybe", null, null, false);
                    case 1 -> new StockLine("I3\tTRUE", null, null, false);
                    case 2 -> new StockLine("\tfalse", null, null, false);
                    case 3 -> new StockLine("I3\tfalse\textra", null, null, false);
                    default -> statement(rnd);
                };
                lines.add(rnd.nextInt(lines.size() + 1), extra);
                bytes = stockText(lines);
            }
            default -> {
                kind = "bytes";
                bytes = damage(rnd, stockText(lines));
            }
        }
        Path file = Files.write(dir.resolve("stock-" + Long.toHexString(caseSeed) + ".journal"), bytes);
        List<byte[]> whole = DamagedBytes.wholeLines(bytes);
        String context = kind + " case, journal \"" + DamagedBytes.escaped(bytes) + "\"";
        Map<String, Boolean> reference = new HashMap<>();
        int refusedAt = 0;
        List<StockLine> read = kind.equals("cut") ? lines.subList(0, whole.size()) : lines;
        for (int i = 0; i < read.size() && !kind.equals("bytes"); i++) {
            StockLine l = read.get(i);
            if (!l.valid()) {
                refusedAt = i + 1;
                break;
            }
            if (l.item() != null) {
                if (l.available() == null) {
                    reference.remove(l.item());
                } else {
                    reference.put(l.item(), l.available());
                }
            }
        }
        try (ItemAvailability a = ItemAvailability.journaled(file)) {
            outcomes.merge(kind + " opened", 1, Integer::sum);
            if (refusedAt > 0) {
                fail("opened, but the reference refuses line " + refusedAt + "; " + context);
            }
            if (kind.equals("bytes")) {
                for (int i = 0; i < whole.size(); i++) {
                    if (!DamagedBytes.isUtf8(whole.get(i))) {
                        fail("line " + (i + 1) + " is not UTF-8 but was read; " + context);
                    }
                }
            } else {
                expectStock(reference, a, context);
            }
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            java.util.regex.Matcher at = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(file.toString())
                    + ":(\\d+): ").matcher(m);
            if (!at.find()) {
                fail("refused without naming file:line: " + m + "; " + context);
            }
            int n = Integer.parseInt(at.group(1));
            if (kind.equals("cut") || n < 1 || n > whole.size() || kind.equals("line") && n != refusedAt) {
                fail("refused at line " + n + " (the reference: " + refusedAt + ", " + whole.size()
                        + " whole lines): " + m + "; " + context);
            }
            outcomes.merge(kind + " refused", 1, Integer::sum);
            return;
        }
        if (!kind.equals("bytes")) {
            byte[] after = Files.readAllBytes(file);
            if (after.length > 0 && after[after.length - 1] != '\n') {
                fail("a torn last line left after the start: \"" + DamagedBytes.escaped(after) + "\"; " + context);
            }
            try (ItemAvailability again = ItemAvailability.journaled(file)) {
                expectStock(reference, again, "second start; " + context);
            }
        }
    }

    private static void expectStock(Map<String, Boolean> reference, ItemAvailability a, String context) {
        for (int k = 0; k < 10; k++) {
            String item = "I" + k;
            if (a.hasStatement(item) != reference.containsKey(item)
                    || a.isAvailable(item) != reference.getOrDefault(item, true)) {
                fail(item + ": statement " + a.hasStatement(item) + ", available " + a.isAvailable(item)
                        + "; the reference " + reference.get(item) + "; " + context);
            }
        }
    }

    private static StockLine statement(Random rnd) {
        String item = "I" + rnd.nextInt(10);
        String s = STATEMENTS[rnd.nextInt(3)];
        return new StockLine(item + "\t" + s, item, s.equals("clear") ? null : Boolean.valueOf(s), true);
    }

    private static byte[] stockText(List<StockLine> lines) {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l.text()).append('\n'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Consent journal

    @Test
    void consentJournalsReplayTheirWholeLinesOrAreUnusableNamingTheLine() throws Exception {
        run("consent", this::consentCase);
    }

    private void consentCase(long caseSeed, Map<String, Integer> outcomes) throws Exception {
        Random rnd = new Random(caseSeed);
        List<String> lines = new ArrayList<>();
        List<Object[]> changes = new ArrayList<>(); // {customerId, channel, state, seq, at} per line (null: header)
        long seq = 0;
        if (rnd.nextInt(3) == 0) {
            long through = 3 + rnd.nextInt(30);
            lines.add("{\"compactedThrough\":" + through + "}");
            changes.add(null);
            for (long s = 1 + rnd.nextInt(4); s <= through; s += 1 + rnd.nextInt(4)) {
                change(rnd, s, lines, changes);
            }
            seq = through;
        }
        for (int k = rnd.nextInt(10); k > 0; k--) {
            change(rnd, ++seq, lines, changes);
        }
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
        boolean cut = rnd.nextBoolean();
        String kind = cut ? "cut" : "bytes";
        byte[] bytes = cut ? Arrays.copyOf(all, rnd.nextInt(all.length + 1)) : damage(rnd, all);
        Path file = Files.write(dir.resolve("consent-" + Long.toHexString(caseSeed) + ".journal"), bytes);
        List<byte[]> whole = DamagedBytes.wholeLines(bytes);
        String context = kind + " case, journal \"" + DamagedBytes.escaped(bytes) + "\"";
        // What the whole lines say: each customer's latest change per channel, and the sequence.
        Map<String, String> reference = new HashMap<>();
        long sequence = 0;
        for (int i = 0; i < whole.size() && cut; i++) {
            Object[] c = changes.get(i);
            if (c == null) {
                sequence = Long.parseLong(lines.get(i).replaceAll("\\D", ""));
                continue;
            }
            reference.put(c[0] + "/" + c[1], c[2] + "@" + c[3] + "@" + c[4]);
            sequence = Math.max(sequence, (Long) c[3]);
        }
        try (ConsentJournal j = ConsentJournal.open(file)) {
            String failure = j.failure();
            if (failure != null) {
                String prefix = "consent journal " + file.getFileName() + " line ";
                if (!failure.startsWith(prefix)) {
                    fail("unusable, not naming the journal and line: " + failure + "; " + context);
                }
                int n = Integer.parseInt(failure.substring(prefix.length(), failure.indexOf(' ', prefix.length())));
                if (cut || n < 1 || n > whole.size()) {
                    fail("unusable at line " + n + " of " + whole.size() + " whole lines: " + failure + "; " + context);
                }
                if (failure.toLowerCase(Locale.ROOT).contains("idx")) {
                    fail("a customer id in the failure: " + failure + "; " + context);
                }
                outcomes.merge(kind + " unusable", 1, Integer::sum);
                return;
            }
            outcomes.merge(kind + " usable", 1, Integer::sum);
            for (int i = 0; i < whole.size() && !cut; i++) {
                if (!DamagedBytes.isUtf8(whole.get(i))) {
                    fail("line " + (i + 1) + " is not UTF-8 but was read; " + context);
                }
            }
            if (cut) {
                expectConsent(reference, sequence, j, context);
            }
        }
        if (cut) {
            byte[] after = Files.readAllBytes(file);
            if (after.length > 0 && after[after.length - 1] != '\n') {
                fail("a torn last line left after the start: \"" + DamagedBytes.escaped(after) + "\"; " + context);
            }
            try (ConsentJournal again = ConsentJournal.open(file)) {
                expectConsent(reference, sequence, again, "second start; " + context);
            }
        }
    }

    private static void expectConsent(Map<String, String> reference, long sequence, ConsentJournal j, String context) {
        Map<String, String> read = new HashMap<>();
        for (ConsentJournal.Listed l : j.changesSince(0, null, 100_000).changes()) {
            read.put(l.customerId() + "/" + l.channel() + "", l.state() + "@" + l.sequence() + "@" + l.at());
        }
        if (!read.equals(reference) || j.sequence() != sequence) {
            fail("read sequence " + j.sequence() + ", " + read + "; the reference " + sequence + ", " + reference
                    + "; " + context);
        }
    }

    private static void change(Random rnd, long seq, List<String> lines, List<Object[]> changes) {
        String raw = CUSTOMERS[rnd.nextInt(CUSTOMERS.length)];
        Consent.Channel channel = Consent.Channel.values()[rnd.nextInt(Consent.Channel.values().length)];
        Consent.State state = Consent.State.values()[rnd.nextInt(Consent.State.values().length)];
        Instant at = rnd.nextInt(5) == 0 ? null : Instant.parse("2026-11-01T00:00:00Z").plusSeconds(rnd.nextInt(99999));
        lines.add("{\"seq\":" + seq + (at == null ? "" : ",\"at\":\"" + at + "\"") + ",\"customerId\":\"" + raw
                + "\",\"channel\":\"" + channel.wireName() + "\",\"state\":\"" + state.wireName() + "\"}");
        changes.add(new Object[] {Ids.normaliseCustomerId(raw), channel, state, seq, at});
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shared

    private interface Case {
        void run(long caseSeed, Map<String, Integer> outcomes) throws Exception;
    }

    private static void run(String what, Case c) {
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> failures = FuzzCases.run(FuzzCases.seeds(ONE_CASE, SEED * 31 + what.length(), CASES),
                caseSeed -> c.run(caseSeed, outcomes));
        System.out.println("JournalReplayFuzzTest " + what + ": " + outcomes);
        FuzzCases.failIfAny(failures);
        // stock: cut opened, line opened and refused, bytes opened and refused; consent: cut usable, bytes both
        if (ONE_CASE == null && outcomes.size() < (what.equals("stock") ? 5 : 3)) {
            fail("too few kinds of outcome: " + outcomes);
        }
    }

    private static byte[] damage(Random rnd, byte[] b) {
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            int at = rnd.nextInt(b.length + 1);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[Math.min(at, b.length - 1)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> b = DamagedBytes.removed(b, at);
                default -> {
                    byte[] bad = new byte[][] {{(byte) 0xFC}, {(byte) 0xC3}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        {0}, {'\n'}, {'\t'}, {'"'}}[rnd.nextInt(7)];
                    b = DamagedBytes.inserted(b, at, bad);
                }
            }
        }
        return b;
    }

}
