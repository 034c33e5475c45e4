package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock overlay and its journal. */
@UnitTest
class ItemAvailabilityTest {
    @TempDir
    Path tmp;

    @Test
    void journaledChangesAreReplayedAfterARestart() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        try (ItemAvailability a = ItemAvailability.journaled(journal)) {
            assertFalse(a.anyUnavailable());
            a.set("22697", false);
            a.set("22698", false);
            a.set("22698", true);
        }
        try (ItemAvailability b = ItemAvailability.journaled(journal)) {
            assertFalse(b.isAvailable("22697"));
            assertTrue(b.isAvailable("22698"));
            assertTrue(b.isAvailable("85123A"));
        }
    }

    @Test
    void inMemoryOverlayForgets() throws Exception {
        ItemAvailability a = ItemAvailability.inMemory();
        a.set("X", false);
        assertFalse(a.isAvailable("X"));
        assertTrue(ItemAvailability.inMemory().isAvailable("X"));
    }

    @Test
    void aMalformedJournalLineIsReportedWithFileAndLine() throws Exception {
        Path journal = tmp.resolve("bad.journal");
        Files.writeString(journal, "22697\tfalse\n22698 maybe\n");
        IOException e = assertThrows(IOException.class, () -> ItemAvailability.journaled(journal));
        assertTrue(e.getMessage().contains("bad.journal:2"), e.getMessage());
        assertEquals("22697\tfalse\n22698 maybe\n", Files.readString(journal), "left untouched");
    }

    /**
     * A statement whose bytes are not UTF-8 was read with a replacement character: a damaged byte in an item id made
     * the stock-out another (unknown) item's, and the item was recommended again without a word.
     */
    @Test
    void aJournalLineThatIsNotUtf8IsReportedWithFileAndLine() throws Exception {
        Path journal = tmp.resolve("bytes.journal");
        Files.write(journal, new byte[] {'2', '2', '6', '9', '7', '\t', 'f', 'a', 'l', 's', 'e', '\n', '2', '2', '6',
            (byte) 0xFC, '8', '\t', 'f', 'a', 'l', 's', 'e', '\n'});
        IOException e = assertThrows(IOException.class, () -> ItemAvailability.journaled(journal));
        assertTrue(e.getMessage().contains("bytes.journal:2: expected ITEM<TAB>true|false|clear, found bytes that are "
                + "not UTF-8"), e.getMessage());
    }

    private static void assertState(Map<String, Boolean> expected, ItemAvailability a) {
        expected.forEach((item, available) -> assertEquals(available, a.isAvailable(item), item));
        assertEquals(expected.containsValue(false), a.anyUnavailable());
    }

    /** Seeded random changes to items I0..I9, applied to the overlay and to a plain map. */
    private static void randomChanges(ItemAvailability a, Map<String, Boolean> expected, Random random, int n) {
        for (int i = 0; i < n; i++) {
            String item = "I" + random.nextInt(10);
            boolean available = random.nextBoolean();
            a.set(item, available);
            expected.put(item, available);
        }
    }

    @Test
    void aStatementOverridesTheCatalogueEitherWayAndSurvivesCompaction() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        try (ItemAvailability a = ItemAvailability.journaled(journal)) {
            assertFalse(a.isAvailable("OUT", false), "no statement: the catalogue's false");
            assertTrue(a.isAvailable("IN", true));
            a.set("OUT", false);
            a.set("OUT", true); // restocked after training: overrides the catalogue's false
            a.set("IN", false);
            assertTrue(a.isAvailable("OUT", false));
            assertFalse(a.isAvailable("IN", true));
            assertTrue(a.anyUnavailable());
        }
        try (ItemAvailability b = ItemAvailability.journaled(journal)) {
            assertEquals(1, b.compactions(), "the superseded OUT false line is compacted away");
            assertEquals(List.of("IN\tfalse", "OUT\ttrue"), Files.readAllLines(journal));
            assertTrue(b.isAvailable("OUT", false), "the true statement is kept, not forgotten");
            assertFalse(b.isAvailable("IN", true));
            b.set("IN", true);
            assertFalse(b.anyUnavailable());
        }
    }

    @Test
    void aClearedStatementIsJournaledReplayedAndCompactedAway() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        try (ItemAvailability a = ItemAvailability.journaled(journal)) {
            a.set("OUT", true);
            a.set("GONE", false);
            a.set("KEPT", false);
            assertTrue(a.clear("OUT"));
            assertTrue(a.clear("GONE"));
            assertFalse(a.clear("NEVER"), "no statement: nothing to clear");
            assertFalse(a.isAvailable("OUT", false), "the catalogue's false again");
            assertTrue(a.isAvailable("GONE", true), "the catalogue's true again");
            assertEquals(5, a.journalLines(), "a clear without a statement writes no line");
        }
        assertEquals(List.of("OUT\ttrue", "GONE\tfalse", "KEPT\tfalse", "OUT\tclear", "GONE\tclear"),
                Files.readAllLines(journal));
        try (ItemAvailability b = ItemAvailability.journaled(journal)) {
            assertEquals(5, b.replayedAtOpen());
            assertEquals(1, b.inEffect());
            assertFalse(b.isAvailable("OUT", false), "the clear is replayed");
            assertTrue(b.isAvailable("GONE", true));
            assertFalse(b.isAvailable("KEPT", true));
            assertEquals(List.of("KEPT\tfalse"), Files.readAllLines(journal), "compacted: cleared items have no line");
            assertTrue(b.clear("KEPT"));
            assertFalse(b.anyUnavailable(), "the unavailable count follows clears");
        }
    }

    @Test
    void aJournalWithSupersededLinesIsCompactedAtOpen() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        Map<String, Boolean> expected = new HashMap<>();
        try (ItemAvailability a = ItemAvailability.journaled(journal)) {
            randomChanges(a, expected, new Random(6), 200);
            assertEquals(200, a.journalLines(), "below the threshold: appended only");
        }
        assertEquals(200, Files.readAllLines(journal).size());
        try (ItemAvailability b = ItemAvailability.journaled(journal)) {
            assertState(expected, b);
            assertEquals(1, b.compactions());
            List<String> lines = Files.readAllLines(journal);
            // One line per item with a statement, its latest (true statements too: they override the catalogue).
            assertEquals(expected.size(), lines.size(), lines.toString());
            lines.forEach(l -> assertEquals(expected.get(l.split("\t")[0]).toString(), l.split("\t")[1], l));
            b.set("I42", false); // still appendable after the rewrite
        }
        try (ItemAvailability c = ItemAvailability.journaled(journal)) {
            expected.put("I42", false);
            assertState(expected, c);
            assertEquals(0, c.compactions(), "nothing superseded: no rewrite");
        }
    }

    @Test
    void aRunningOverlayCompactsPastTheThresholdAndKeepsItsState() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        Map<String, Boolean> expected = new HashMap<>();
        try (ItemAvailability a = ItemAvailability.journaled(journal, 25)) {
            randomChanges(a, expected, new Random(7), 300);
            assertState(expected, a);
            assertTrue(a.compactions() >= 5, "compactions: " + a.compactions());
            assertTrue(a.journalLines() < 25 + 10, "lines: " + a.journalLines());
            assertEquals(a.journalLines(), Files.readAllLines(journal).size());
        }
        try (ItemAvailability b = ItemAvailability.journaled(journal, 25)) {
            assertState(expected, b);
        }
    }

    @Test
    void aCompactionInterruptedByACrashLosesNothing() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        Map<String, Boolean> expected = new HashMap<>();
        try (ItemAvailability a = ItemAvailability.journaled(journal)) {
            randomChanges(a, expected, new Random(8), 50);
        }
        byte[] uncompacted = Files.readAllBytes(journal);
        // Died while writing the temporary file: the journal is untouched, the partial file is never read.
        Path partial = JournalFiles.temporary(journal);
        Files.writeString(partial, "I0\tfalse\nI3\tfa");
        try (ItemAvailability b = ItemAvailability.journaled(journal)) {
            assertState(expected, b);
            assertFalse(Files.exists(partial), "the leftover is removed");
        }
        // Died after the rename but before anything else: the journal is the complete compacted file.
        Files.write(journal, uncompacted);
        StringBuilder compacted = new StringBuilder();
        expected.keySet().stream().sorted()
                .forEach(i -> compacted.append(i).append('\t').append(expected.get(i)).append('\n'));
        JournalFiles.replace(JournalFiles.Channels.FILE_SYSTEM, journal, compacted.toString().getBytes(StandardCharsets.UTF_8));
        try (ItemAvailability c = ItemAvailability.journaled(journal)) {
            assertState(expected, c);
            assertEquals(0, c.compactions(), "already compact");
        }
        // Died in the middle of an append (never acknowledged): the torn line is dropped, the rest kept.
        Files.writeString(journal, "I9\tfa", java.nio.file.StandardOpenOption.APPEND);
        try (ItemAvailability d = ItemAvailability.journaled(journal)) {
            assertState(expected, d);
            d.set("I11", false);
        }
        try (ItemAvailability e = ItemAvailability.journaled(journal)) {
            expected.put("I11", false);
            assertState(expected, e);
        }
    }

    /**
     * A restart on a full disk: the compaction at open has no room for the rewritten journal. Compaction only saves
     * space and replay time, so the server starts with the journal as it is (it used to refuse to start), a torn
     * last line cut off in place (which needs no space), and compacts once the disk has room again.
     */
    @Test
    void aJournalThatCannotBeCompactedAtOpenIsUsedAsItIs() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        Files.writeString(journal, "22697\tfalse\n22698\tfalse\n22697\ttrue\n22699\tfa");
        FailingDisk disk = new FailingDisk();
        disk.onlyNamesEndingWith = ".compacting";
        disk.mode = FailingDisk.Mode.FULL;
        try (ItemAvailability a = ItemAvailability.journaled(journal, 100, disk)) {
            assertTrue(a.isAvailable("22697"));
            assertFalse(a.isAvailable("22698"));
            assertTrue(a.isAvailable("22699"), "the torn line is no statement");
            assertEquals(0, a.compactions());
            assertEquals("22697\tfalse\n22698\tfalse\n22697\ttrue\n", Files.readString(journal),
                    "the torn line cut off, the rest as it was");
            assertFalse(Files.exists(JournalFiles.temporary(journal)));
            disk.mode = FailingDisk.Mode.HEALTHY;
            a.set("22699", false);
        }
        try (ItemAvailability b = ItemAvailability.journaled(journal)) {
            assertEquals(1, b.compactions(), "compacted at the next open with room");
            assertTrue(b.isAvailable("22697"));
            assertFalse(b.isAvailable("22698"));
            assertFalse(b.isAvailable("22699"));
        }
    }

    /**
     * The digest that tags shared answers depends on the statements only: two overlays given the same statements in
     * another order agree, a replica reading the journal (and one reopening it after a compaction) agrees with the
     * writer, clearing a change gives the digest before it back, and every change moves it.
     */
    @Test
    void theDigestDependsOnTheStatementsOnly() throws Exception {
        Path journal = tmp.resolve("digest.journal");
        try (ItemAvailability writer = ItemAvailability.journaled(journal);
             ItemAvailability other = ItemAvailability.inMemory()) {
            assertEquals(0, writer.digest());
            java.util.Set<Long> seen = new java.util.HashSet<>(List.of(0L));
            writer.set("22697", false);
            assertTrue(seen.add(writer.digest()));
            writer.set("22698", false);
            assertTrue(seen.add(writer.digest()));
            long two = writer.digest();
            writer.set("22698", true);
            assertTrue(seen.add(writer.digest()), "the same item with the other value is another state");
            writer.set("22698", false);
            assertEquals(two, writer.digest());
            other.set("22698", false);
            other.set("22697", false);
            assertEquals(two, other.digest(), "order does not matter");
            try (ItemAvailability replica = ItemAvailability.journaled(journal)) {
                assertEquals(two, replica.digest());
            }
            writer.clear("22698");
            writer.clear("22697");
            assertEquals(0, writer.digest());
            writer.set("22699", false);
            writer.compact();
            try (ItemAvailability reopened = ItemAvailability.journaled(journal)) {
                assertEquals(writer.digest(), reopened.digest());
                assertFalse(reopened.digest() == 0);
            }
        }
    }
}
