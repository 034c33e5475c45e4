package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction of the consent journal: same decisions, sequences never reused, crash at any point harmless. */
@UnitTest
class ConsentJournalCompactionTest {
    private static final ModelSnapshot EMPTY = InMemoryModelSnapshot.builder("v1").build();
    @TempDir
    Path tmp;

    private static void assertDecisions(Map<String, State> expected, ConsentJournal j) {
        expected.forEach((key, state) -> {
            String[] k = key.split("/");
            assertEquals(state, j.check(EMPTY, k[0], Channel.valueOf(k[1])).state(), key);
        });
    }

    /** Seeded random changes for customers C0..C19 on every channel, recorded and kept in a plain map. */
    private static void randomChanges(ConsentJournal j, Map<String, State> expected, Random random, int n)
            throws Exception {
        for (int i = 0; i < n; i++) {
            String customer = "C" + random.nextInt(20);
            Channel ch = Channel.values()[random.nextInt(Channel.values().length)];
            State s = State.values()[random.nextInt(State.values().length)];
            long before = j.sequence();
            assertEquals(before + 1, j.record(customer, ch, s), "sequences continue without gaps or reuse");
            expected.put(customer + "/" + ch.name(), s);
        }
    }

    /**
     * Found by the twenty-fourth session's fault injection (a journal cut short, as a power loss between an append's
     * write and its acknowledgement leaves it): the torn line was dropped without a word, where the availability
     * journal says so. The operator sees that a change was lost, and which journal; not whose.
     */
    @Test
    void aTornLastLineIsSaidWhenItIsCutOffWithoutTheCustomer() throws Exception {
        Path f = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(f)) {
            j.record("17850", Channel.EMAIL, State.OPTED_OUT);
        }
        String torn = "{\"seq\":2,\"at\":\"2026-11-25T09:20:00Z\",\"customerId\":\"12748\",\"chan";
        Files.writeString(f, torn, java.nio.file.StandardOpenOption.APPEND);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try (ConsentJournal j = ConsentJournal.open(f)) {
            assertEquals(1, j.sequence());
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN") && log.contains(f + ":2: incomplete last line (" + torn.length()
                + " bytes, an interrupted write, never acknowledged) dropped"), log);
        assertFalse(log.contains("12748") || log.contains("17850"), "no customer id in the log: " + log);
    }

    @Test
    void openingCountsTheChangesReplayedBeforeCompactingThem() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertEquals(0, j.replayedAtOpen());
            j.record("C1", Channel.EMAIL, State.OPTED_IN);
            j.record("C1", Channel.EMAIL, State.OPTED_OUT);
            j.record("C2", Channel.SMS, State.OPTED_IN);
        }
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertEquals(3, j.replayedAtOpen(), "what serve reports at start: the lines read, not the compacted ones");
            assertEquals(2, j.inEffect());
            assertEquals(1, j.compactions());
        }
    }

    @Test
    void compactionAtOpenKeepsDecisionsAndTheSequence() throws Exception {
        Path file = tmp.resolve("consent.journal");
        Map<String, State> expected = new HashMap<>();
        try (ConsentJournal j = ConsentJournal.open(file)) {
            randomChanges(j, expected, new Random(61), 400);
        }
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertNull(j.failure());
            assertEquals(1, j.compactions());
            assertEquals(400, j.sequence());
            assertEquals(expected.size(), j.journalLines());
            assertEquals(expected.size() + 1, Files.readAllLines(file).size(), "header plus one line per key");
            assertTrue(Files.readAllLines(file).get(0).contains("\"compactedThrough\":400"));
            assertDecisions(expected, j);
            randomChanges(j, expected, new Random(62), 5); // 401..405 appended after the compacted lines
        }
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertNull(j.failure());
            assertEquals(405, j.sequence());
            assertDecisions(expected, j);
        }
    }

    /**
     * A journal named through a symbolic link (a store's consent.journal pointing at the volume replicas share) is
     * compacted where the link points. The compaction renamed its temporary file over the link, so the server went on
     * with a journal of its own beside the link while the other replicas kept the shared one: consent changes made
     * on either side no longer reached the other. Its lock was beside the link too, excluding no other replica.
     */
    @Test
    void aJournalReachedThroughASymbolicLinkIsCompactedWhereTheLinkPoints() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Path store = Files.createDirectories(tmp.resolve("store"));
        Path consentLink = Files.createSymbolicLink(store.resolve("consent.journal"), Path.of("..", "shared",
                "consent.journal"));
        Path stockLink = Files.createSymbolicLink(store.resolve("availability.journal"),
                shared.resolve("availability.journal"));
        Map<String, State> expected = new HashMap<>();
        try (ConsentJournal j = ConsentJournal.open(consentLink, 50)) {
            randomChanges(j, expected, new Random(64), 300);
            assertTrue(j.compactions() >= 1, "compactions: " + j.compactions());
        }
        try (ItemAvailability stock = ItemAvailability.journaled(stockLink, 10)) {
            for (int i = 0; i < 60; i++) {
                stock.set("I0" + (i % 3), i % 2 == 0);
            }
        }
        for (Path link : List.of(consentLink, stockLink)) {
            assertTrue(Files.isSymbolicLink(link), link + " is still the link to the shared journal");
            assertFalse(Files.exists(Path.of(link + ".lock"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    "the lock is beside the shared journal, where every replica takes it");
        }
        assertTrue(Files.exists(shared.resolve("consent.journal.lock")));
        try (ConsentJournal j = ConsentJournal.open(shared.resolve("consent.journal"))) {
            assertEquals(300, j.sequence(), "a replica opening the shared journal sees every change");
            assertDecisions(expected, j);
        }
        try (ItemAvailability stock = ItemAvailability.journaled(shared.resolve("availability.journal"))) {
            assertEquals(3, stock.inEffect());
        }
    }

    /**
     * The consent journal holds customer ids. A new one is created without access for other users, and a journal
     * an operator restricted further (chmod 600) or shared with the replicas' group keeps its permissions through
     * compaction: the compaction's new file was created with the process's umask, so the first compaction made a
     * protected journal world-readable again.
     */
    @Test
    void aJournalKeepsItsPermissionsThroughCompactionAndIsCreatedWithoutAccessForOthers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(tmp.getFileSystem().supportedFileAttributeViews()
                .contains("posix"), "POSIX permissions");
        Path file = tmp.resolve("consent.journal");
        Map<String, State> expected = new HashMap<>();
        try (ConsentJournal j = ConsentJournal.open(file, 50)) {
            assertTrue(Files.getPosixFilePermissions(file).stream().noneMatch(p -> p.name().startsWith("OTHERS")),
                    "created without access for others: " + Files.getPosixFilePermissions(file));
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            randomChanges(j, expected, new Random(66), 300);
            assertTrue(j.compactions() >= 1, "compactions: " + j.compactions());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)), "while serving");
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertEquals(1, j.compactions());
            assertDecisions(expected, j);
        }
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)), "at start");
    }

    @Test
    void aRunningJournalCompactsPastTheThreshold() throws Exception {
        Path file = tmp.resolve("consent.journal");
        Map<String, State> expected = new HashMap<>();
        try (ConsentJournal j = ConsentJournal.open(file, 200)) {
            randomChanges(j, expected, new Random(63), 1500);
            assertTrue(j.compactions() >= 3, "compactions: " + j.compactions());
            assertEquals(j.journalLines() + 1, Files.readAllLines(file).size());
            assertDecisions(expected, j);
        }
        try (ConsentJournal j = ConsentJournal.open(file, 200)) {
            assertNull(j.failure());
            assertEquals(1500, j.sequence());
            assertDecisions(expected, j);
        }
    }

    @Test
    void aCompactionInterruptedByACrashLosesNothing() throws Exception {
        Path file = tmp.resolve("consent.journal");
        Map<String, State> expected = new HashMap<>();
        try (ConsentJournal j = ConsentJournal.open(file)) {
            randomChanges(j, expected, new Random(64), 100);
        }
        byte[] uncompacted = Files.readAllBytes(file);
        // Died while writing the temporary file: the journal is untouched and the partial file never read.
        Path partial = JournalFiles.temporary(file);
        Files.writeString(partial, "{\"compactedThrough\":100}\n{\"seq\":3,\"customerId\":\"C1");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertNull(j.failure());
            assertEquals(100, j.sequence());
            assertDecisions(expected, j);
            assertFalse(Files.exists(partial) && Files.readString(partial).contains("C1"), "leftover not reused");
        }
        // Died after the rename: the journal is the complete compacted file (made here by a real compaction).
        byte[] compacted = Files.readAllBytes(file);
        Files.write(file, uncompacted);
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertEquals(1, j.compactions());
        }
        assertEquals(new String(compacted), Files.readString(file), "compaction is deterministic");
        // Died in the middle of an append after a compaction: the torn line is cut, the sequence continues.
        Files.writeString(file, "{\"seq\":101,\"at\":\"2026", java.nio.file.StandardOpenOption.APPEND);
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertNull(j.failure());
            assertEquals(100, j.sequence());
            assertDecisions(expected, j);
            assertEquals(101, j.record("C5", Channel.EMAIL, State.OPTED_OUT));
            expected.put("C5/EMAIL", State.OPTED_OUT);
        }
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertEquals(101, j.sequence());
            assertDecisions(expected, j);
        }
    }

    @Test
    void aDamagedCompactedJournalIsRefusedNotGuessed() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            randomChanges(j, new HashMap<>(), new Random(65), 50);
        }
        ConsentJournal.open(file).close(); // compacts
        List<String> lines = Files.readAllLines(file);
        // Kept lines out of order (a sequence going backwards) must not be accepted.
        Files.write(file, List.of(lines.get(0), lines.get(2), lines.get(1)));
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertTrue(j.failure() != null && j.failure().contains("line 3"), String.valueOf(j.failure()));
        }
        // An appended change must continue right after the compacted sequence.
        Files.write(file, List.of(lines.get(0), lines.get(1),
                "{\"seq\":52,\"at\":\"x\",\"customerId\":\"C1\",\"channel\":\"email\",\"state\":\"opted_in\"}"));
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertTrue(j.failure() != null && j.failure().contains("line 3"), String.valueOf(j.failure()));
        }
    }
}
