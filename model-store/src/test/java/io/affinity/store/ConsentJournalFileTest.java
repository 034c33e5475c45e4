package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent;
import io.affinity.testing.UnitTest;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a whole consent journal for training: latest change per customer, the format's rules, typed errors. */
@UnitTest
class ConsentJournalFileTest {
    @TempDir
    Path dir;

    private static String line(long seq, String at, String customer, String channel, String state) {
        return "{\"seq\":" + seq + (at == null ? "" : ",\"at\":\"" + at + "\"") + ",\"customerId\":\"" + customer
                + "\",\"channel\":\"" + channel + "\",\"state\":\"" + state + "\"}\n";
    }

    @Test
    void keepsEachCustomersLatestChangeForTheChannelAfterACompactionHeader() throws Exception {
        Path journal = Files.writeString(dir.resolve("consent.journal"), "{\"compactedThrough\":7}\n"
                + line(2, "2026-11-01T10:00:00Z", "17850", "profiling", "opted_out")
                + line(5, null, "c9", "profiling", "opted_out")
                + line(7, "2026-11-02T10:00:00Z", "c9", "email", "opted_in")
                + line(8, "2026-11-03T10:00:00Z", "17850,0", "profiling", "opted_in")
                + line(9, "2026-11-04T10:00:00Z", "c2", "email", "opted_out"));
        ConsentJournalFile.Latest read = ConsentJournalFile.latest(journal, Consent.Channel.PROFILING);
        assertEquals(9, read.sequence());
        assertEquals(5, read.lines());
        assertEquals(2, read.latest().size(), read.latest().toString());
        // 17850,0 is the spreadsheet spelling of 17850: its later opt-in supersedes the opt-out
        assertEquals(new ConsentJournalFile.Change("17850", Consent.Channel.PROFILING, Consent.State.OPTED_IN, 8,
                Instant.parse("2026-11-03T10:00:00Z")), read.latest().get("17850"));
        assertNull(read.latest().get("c9").at(), "a line without a time");
        assertFalse(read.latest().containsKey("c2"), "other channels are not kept");
    }

    @Test
    void aLastLineWithoutItsNewlineIsAnAppendInProgressAndNotRead() throws Exception {
        Path journal = Files.writeString(dir.resolve("consent.journal"),
                line(1, "2026-11-01T10:00:00Z", "a", "profiling", "opted_out") + "{\"seq\":2,\"at\":\"2026-11");
        ConsentJournalFile.Latest read = ConsentJournalFile.latest(journal, Consent.Channel.PROFILING);
        assertEquals(1, read.sequence());
        assertEquals(1, read.latest().size());
        assertEquals(0, ConsentJournalFile.latest(Files.writeString(dir.resolve("empty"), ""),
                Consent.Channel.PROFILING).sequence());
    }

    /**
     * A line whose bytes are not UTF-8 was read with replacement characters: a damaged byte in a customer id made the
     * change another (non-existent) customer's, and the real customer's objection was lost without a word; one in a
     * key dropped the change's time. Found by ConsentJournalFileFuzzTest (case seeds 5055824932738583274,
     * -7617414830879438183).
     */
    @Test
    void aLineThatIsNotUtf8IsUnreadable() throws Exception {
        byte[] damaged = (line(1, "2026-11-01T10:00:00Z", "secret-17850", "profiling", "opted_out")
                + line(2, "2026-11-01T10:00:00Z", "secret-3\u0001", "profiling", "opted_out"))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < damaged.length; i++) {
            if (damaged[i] == 1) {
                damaged[i] = (byte) 0xFC; // no UTF-8 sequence starts so
            }
        }
        Path journal = Files.write(dir.resolve("bytes.journal"), damaged);
        ConsentJournalFile.UnreadableJournalException e = assertThrows(
                ConsentJournalFile.UnreadableJournalException.class,
                () -> ConsentJournalFile.latest(journal, Consent.Channel.PROFILING));
        assertTrue(e.getMessage().startsWith("consent journal " + journal + " line 2 is unreadable (not UTF-8 text)"),
                e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void anUnreadableLineOrASequenceOutOfOrderNamesTheFileAndLineButNoId() throws Exception {
        String good = line(1, "2026-11-01T10:00:00Z", "secret-17850", "profiling", "opted_out");
        String[][] cases = {
                {good + "{\"seq\":2,\"customerId\":\"secret-2\",\"channel\":\"fax\",\"state\":\"opted_out\"}\n", "2"},
                {good + "not json\n", "2"},
                {good + line(3, null, "secret-3", "profiling", "opted_out"), "2"}, // 2 is missing
                {line(1, "yesterday", "secret-1", "profiling", "opted_out"), "1"},
                {"{\"compactedThrough\":-1}\n", "1"},
                {good + line(2, null, " ", "profiling", "opted_out"), "2"},
        };
        for (String[] c : cases) {
            Path journal = Files.writeString(dir.resolve("bad.journal"), c[0]);
            ConsentJournalFile.UnreadableJournalException e = assertThrows(
                    ConsentJournalFile.UnreadableJournalException.class,
                    () -> ConsentJournalFile.latest(journal, Consent.Channel.PROFILING), c[0]);
            assertTrue(e.getMessage().startsWith("consent journal " + journal + " line " + c[1] + " is unreadable"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
        assertThrows(NoSuchFileException.class,
                () -> ConsentJournalFile.latest(dir.resolve("absent"), Consent.Channel.PROFILING));
    }

    /**
     * A well-formed line with a channel or state this release does not know is what a later release writes (as
     * 'profiling' was for the releases before format 8: checked with such a build, which called the journal
     * "unreadable ... until it is repaired"). The line is a customer's consent change: the message says to upgrade and
     * to keep it, where "repair" invited deleting an objection that the upgraded servers would then miss.
     */
    @Test
    void aLineOfALaterReleaseSaysToUpgradeAndToKeepTheLine() throws Exception {
        String good = line(1, "2026-11-01T10:00:00Z", "secret-17850", "profiling", "opted_out");
        for (String later : new String[] {line(2, "2026-11-02T10:00:00Z", "secret-2", "carrier_pigeon", "opted_out"),
                line(2, "2026-11-02T10:00:00Z", "secret-2", "email", "opted_out_for_a_while")}) {
            Path journal = Files.writeString(dir.resolve("later.journal"), good + later);
            ConsentJournalFile.UnreadableJournalException e = assertThrows(
                    ConsentJournalFile.UnreadableJournalException.class,
                    () -> ConsentJournalFile.latest(journal, Consent.Channel.PROFILING));
            assertTrue(e.getMessage().startsWith("consent journal " + journal + " line 2 is unreadable (a channel or "
                    + "state this release does not know, as a later release writes"), e.getMessage());
            assertTrue(e.getMessage().contains("keep the line"), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
    }
    /**
     * A compaction drops superseded changes, the last one included: the header's sequence may be above the last kept
     * line, and the appended lines go on from the header's. A sequence given twice is damage.
     */
    @Test
    void appendedLinesFollowTheHeaderNotTheLastKeptLineAndASequenceComesOnce() throws Exception {
        Path journal = Files.writeString(dir.resolve("consent.journal"), "{\"compactedThrough\":7}\n"
                + line(2, null, "a", "profiling", "opted_out")
                + line(5, null, "b", "profiling", "opted_out")
                + line(8, null, "a", "profiling", "opted_in"));
        ConsentJournalFile.Latest read = ConsentJournalFile.latest(journal, Consent.Channel.PROFILING);
        assertEquals(8, read.sequence());
        assertEquals(3, read.lines());
        assertEquals(Consent.State.OPTED_IN, read.latest().get("a").state());
        Path twice = Files.writeString(dir.resolve("twice.journal"), "{\"compactedThrough\":7}\n"
                + line(2, null, "a", "profiling", "opted_out") + line(2, null, "b", "profiling", "opted_out"));
        ConsentJournalFile.UnreadableJournalException e = assertThrows(
                ConsentJournalFile.UnreadableJournalException.class,
                () -> ConsentJournalFile.latest(twice, Consent.Channel.PROFILING));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("out of order"), e.getMessage());
        // a compaction of a journal that held nothing yet
        assertEquals(0, ConsentJournalFile.latest(Files.writeString(dir.resolve("zero.journal"),
                "{\"compactedThrough\":0}\n"), Consent.Channel.PROFILING).sequence());
    }

    /**
     * JournalLines reads the whole lines from an offset (how a server follows a journal): the offsets it reports are
     * the file's, not the read's, and an unterminated last line is left for later.
     */
    @Test
    void journalLinesReadFromAnOffsetReportTheFilesOffsets() throws Exception {
        Path file = Files.writeString(dir.resolve("lines"), "a\nbb\nccc\ndd");
        List<String> seen = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file)) {
            long end = JournalLines.read(ch, 2, file, (text, next) -> seen.add(text + "@" + next));
            assertEquals(List.of("bb@5", "ccc@9"), seen);
            assertEquals(9, end);
            seen.clear();
            assertEquals(9, JournalLines.read(ch, 9, file, (text, next) -> seen.add(text)));
            assertEquals(List.of(), seen);
        }
    }
}
