package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Page requests never fail for the consent journal, so a journal that cannot be read must not make them forget an
 * objection to profiling: what was read before stands, and so does every line that can still be read, whether the
 * journal turns unreadable while serving, is replaced by another server's compaction that cannot be read, or is
 * opened (a restart, a new replica) with a damaged line. Exports and consent answers still stop (503).
 */
@UnitTest
class ProfilingObjectionJournalTest {
    private static final ModelSnapshot EMPTY = InMemoryModelSnapshot.builder("v1").build();
    @TempDir
    Path tmp;

    private static State profiling(ConsentJournal j, String customer) {
        return j.stateInEffect(EMPTY, customer, Channel.PROFILING);
    }

    /**
     * Found by the objection review: a server (re)started on a journal with one damaged line replayed nothing, so
     * every customer who objected at run time got personal answers again from it, while the replicas that had read
     * the journal before kept hiding them.
     */
    @Test
    void aJournalOpenedWithADamagedLineKeepsTheObjectionsOfEveryLineItCanRead() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            j.record("101", Channel.PROFILING, State.OPTED_OUT); // line 1: before the damage
            j.record("102", Channel.PROFILING, State.OPTED_OUT); // line 2: the damaged one
            j.record("103", Channel.PROFILING, State.OPTED_OUT); // line 3: after it ...
            j.record("103", Channel.PROFILING, State.OPTED_IN); // ... withdrawn on line 4
            j.record("104", Channel.PROFILING, State.OPTED_OUT); // line 5, its time damaged below
            j.record("105", Channel.EMAIL, State.OPTED_OUT);
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).substring(0, 30) + "\u0000garbled");
        lines.set(4, lines.get(4).replaceFirst("\"at\":\"[^\"]*\"", "\"at\":\"yesterday\"")); // an objection of unknown time
        Files.write(file, lines);
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertNotNull(j.failure());
            assertTrue(j.failure().contains("line 2"), j.failure());
            assertEquals(State.OPTED_OUT, profiling(j, "101"));
            assertEquals(State.OPTED_IN, profiling(j, "103"), "the latest readable word of each customer");
            assertEquals(State.OPTED_OUT, profiling(j, "104"));
            assertNull(profiling(j, "105"));
            assertThrows(ConsentJournal.Unavailable.class, () -> j.check(EMPTY, "105", Channel.EMAIL),
                    "contact decisions still stop: the damaged line may be anyone's opt-out");
            assertThrows(ConsentJournal.Unavailable.class, () -> j.record("106", Channel.PROFILING, State.OPTED_OUT));
        }
        assertTrue(Files.readString(file).contains("garbled"), "nothing rewritten: the damage stays to be repaired");
    }

    /**
     * A line whose bytes are not UTF-8 (a damaged byte in its customer id) was read with a replacement character, as
     * the change of a customer who does not exist: the journal stayed usable and the objection was lost. It is
     * unreadable now, as any damaged line: exports and changes stop until it is repaired.
     */
    @Test
    void aLineThatIsNotUtf8MakesTheJournalUnusable() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            j.record("101", Channel.PROFILING, State.OPTED_OUT);
            j.record("102", Channel.PROFILING, State.OPTED_OUT);
        }
        byte[] bytes = Files.readAllBytes(file);
        int second = Files.readAllLines(file).get(0).length() + 1;
        String line = new String(bytes, second, bytes.length - second, StandardCharsets.UTF_8);
        bytes[second + line.indexOf("102") + 2] = (byte) 0xFC;
        Files.write(file, bytes);
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertNotNull(j.failure(), "read as another customer's change");
            assertTrue(j.failure().contains("line 2 is unreadable"), j.failure());
            assertEquals(State.OPTED_OUT, profiling(j, "101"));
        }
    }

    /**
     * A line of a later release (a channel this one does not know, as 'profiling' was for the releases before format
     * 8): the failure says to upgrade and to keep the line, which is a customer's consent change. A release before
     * format 8, checked on such a journal, said "unreadable; campaign exports are disabled until it is repaired",
     * and deleting the line to repair it would have lost the objection for the upgraded servers too.
     */
    @Test
    void aLineOfALaterReleaseSaysToUpgradeAndKeepTheLine() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            j.record("101", Channel.PROFILING, State.OPTED_OUT);
        }
        Files.writeString(file, "{\"seq\":2,\"at\":\"2026-11-26T09:00:00Z\",\"customerId\":\"102\",\"channel\":"
                + "\"carrier_pigeon\",\"state\":\"opted_out\"}\n", java.nio.file.StandardOpenOption.APPEND);
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertEquals("consent journal consent.journal line 2 is unreadable (a channel or state this release does "
                    + "not know, as a later release writes: upgrade this server, and keep the line, a customer's "
                    + "consent change); consent changes, next-best offers with ?channel= and campaign exports wait "
                    + "until then", j.failure());
            assertEquals(State.OPTED_OUT, profiling(j, "101"));
        }
    }

    /**
     * A line damaged in place after the running servers read it (a disk error, a hand edit in place): they go on
     * recording objections, and a server started since, which found the damage, must go on reading them too.
     * Frozen at the damage, it answered every customer who objected after its start personally; the same holds for a
     * server of an older version meeting a line of a newer one.
     */
    @Test
    void aServerStartedOnADamagedJournalFollowsTheObjectionsTheOthersGoOnRecording() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal a = ConsentJournal.open(file)) {
            a.record("101", Channel.PROFILING, State.OPTED_OUT);
            a.record("102", Channel.EMAIL, State.OPTED_OUT);
            long second = Files.readAllLines(file).get(0).length() + 1;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap("#".getBytes(StandardCharsets.UTF_8)), second);
            }
            try (ConsentJournal started = ConsentJournal.open(file)) {
                assertNotNull(started.failure());
                assertEquals(State.OPTED_OUT, profiling(started, "101"));
                a.record("103", Channel.PROFILING, State.OPTED_OUT);
                waitLook();
                assertEquals(State.OPTED_OUT, profiling(started, "103"), "recorded by a server that read line 2 "
                        + "before it was damaged, after this one started");
                a.record("101", Channel.PROFILING, State.OPTED_IN);
                a.compact();
                a.record("104", Channel.PROFILING, State.OPTED_OUT);
                waitLook();
                assertEquals(State.OPTED_IN, profiling(started, "101"), "withdrawn, then compacted by the other");
                assertEquals(State.OPTED_OUT, profiling(started, "104"));
                assertNotNull(started.failure(), "still unusable for contact and exports");
            }
        }
    }

    /**
     * Another server compacts (the journal path names a new file), and this one cannot read the new file for a
     * while: it emptied its overlay before reading, so its page requests forgot every objection until a read
     * succeeded.
     */
    @Test
    void aCompactionByAnotherServerThatCannotBeReadKeepsTheObjectionsReadBefore() throws Exception {
        Path file = tmp.resolve("consent.journal");
        FailingDisk disk = new FailingDisk();
        try (ConsentJournal a = ConsentJournal.open(file);
             ConsentJournal b = ConsentJournal.open(file, ConsentJournal.DEFAULT_COMPACT_AFTER_LINES, disk)) {
            a.record("101", Channel.PROFILING, State.OPTED_OUT);
            a.record("102", Channel.EMAIL, State.OPTED_OUT);
            a.record("102", Channel.EMAIL, State.OPTED_IN);
            waitLook();
            assertEquals(State.OPTED_OUT, profiling(b, "101"));
            a.compact();
            disk.mode = FailingDisk.Mode.READ_FAILS;
            waitLook();
            assertEquals(State.OPTED_OUT, profiling(b, "101"), "read before, it stands");
            assertNotNull(b.failure(), "while unreadable, exports and consent answers wait");
            disk.mode = FailingDisk.Mode.HEALTHY;
            waitLook();
            assertEquals(State.OPTED_OUT, profiling(b, "101"));
            assertNull(b.failure(), "a read error passes once the file reads again");
            assertEquals(3, b.sequence());
            assertEquals(State.OPTED_IN, b.check(EMPTY, "102", Channel.EMAIL).state());
        }
    }

    /** The path replaced by a file with a damaged line: what was read before stands, with what the file still says. */
    @Test
    void aReplacedJournalWithADamagedLineKeepsTheObjectionsReadBeforeAndTheReadableOnes() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal a = ConsentJournal.open(file); ConsentJournal b = ConsentJournal.open(file)) {
            a.record("101", Channel.PROFILING, State.OPTED_OUT);
            a.record("102", Channel.PROFILING, State.OPTED_OUT);
            waitLook();
            assertEquals(State.OPTED_OUT, profiling(b, "101"));
            assertEquals(State.OPTED_OUT, profiling(b, "102"));
            a.record("103", Channel.PROFILING, State.OPTED_OUT);
            // a copy whose first line is damaged, put in place (another inode) as a restore or a sync tool would
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.set(0, "{\"seq\":1,\"customerId\"");
            Path copy = tmp.resolve("consent.journal.restored");
            Files.write(copy, lines, StandardCharsets.UTF_8);
            Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            waitLook();
            assertEquals(State.OPTED_OUT, profiling(b, "101"), "its line is damaged now, but it was read before");
            assertEquals(State.OPTED_OUT, profiling(b, "102"));
            assertEquals(State.OPTED_OUT, profiling(b, "103"), "never read before, readable in the new file");
            assertNotNull(b.failure());
        }
    }

    private static void waitLook() throws InterruptedException {
        Thread.sleep(ConsentJournal.LOOK_INTERVAL.toMillis() + 2);
    }
}
