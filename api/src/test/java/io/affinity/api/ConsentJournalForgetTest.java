package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forgetting customers in the consent journal (an erasure's last step): every line of theirs goes, superseded ones
 * and those journalled under an older spelling of the id included, while every other customer's changes, their
 * sequences and the journal's sequence counter stay as they were; other servers sharing the journal follow.
 */
@UnitTest
class ConsentJournalForgetTest {
    private static final ModelSnapshot EMPTY = InMemoryModelSnapshot.builder("v1").build();
    @TempDir
    Path tmp;

    /** The customer's changes, on several channels, superseded ones too, among seeded random changes of others. */
    private static void history(ConsentJournal j) throws Exception {
        Random random = new Random(26);
        j.record("17850", Channel.EMAIL, State.OPTED_IN);
        for (int i = 0; i < 40; i++) {
            j.record("C" + random.nextInt(8), Channel.values()[random.nextInt(Channel.values().length)],
                    State.values()[random.nextInt(State.values().length)]);
        }
        j.record("17850", Channel.EMAIL, State.OPTED_OUT);
        j.record("17850", Channel.PROFILING, State.OPTED_OUT);
        j.record("C1", Channel.SMS, State.CONFIRMED);
    }

    @Test
    void forgettingRemovesEveryLineOfTheCustomerAndNothingElse() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            history(j);
        }
        // a line journalled before 17850,0 was normalised to 17850: the same customer
        Files.writeString(file, "{\"seq\":45,\"at\":\"2026-11-20T10:00:00Z\",\"customerId\":\"17850,0\","
                + "\"channel\":\"sms\",\"state\":\"opted_in\"}\n", StandardOpenOption.APPEND);
        try (ConsentJournal j = ConsentJournal.open(file)) {
            List<ConsentJournal.Listed> before = j.changesSince(0, null, 10_000).changes();
            long othersBefore = before.stream().filter(c -> !c.customerId().equals("17850")).count();
            assertEquals(45, j.sequence());

            ConsentJournal.Forgotten dry = j.forgettable(Set.of("17850", "NOBODY"));
            assertEquals(1, dry.customers());
            assertEquals(3, dry.changes(), "its email, profiling and sms lines (opening compacted the superseded one)");
            assertTrue(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains("\"17850"),
                    "counting changes nothing");

            ConsentJournal.Forgotten done = j.forget(Set.of("17850", "NOBODY"));
            assertEquals(dry, done);
            assertNull(j.check(EMPTY, "17850", Channel.EMAIL).state());
            assertNull(j.stateInEffect(EMPTY, "17850", Channel.PROFILING));
            assertNull(j.check(EMPTY, "17850", Channel.SMS).state());
            List<ConsentJournal.Listed> after = j.changesSince(0, null, 10_000).changes();
            assertEquals(othersBefore, after.size());
            assertTrue(after.stream().noneMatch(c -> c.customerId().equals("17850")));
            assertEquals(before.stream().filter(c -> !c.customerId().equals("17850")).toList(), after,
                    "the others' changes with their sequences and times");
            assertEquals(45, j.sequence(), "the counter stays: no sequence a campaign tool holds is reused");
            assertEquals(46, j.record("C2", Channel.WEB, State.OPTED_OUT));
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        // by its field: a line's time may hold the digits 17850 (09:30:40.917850133Z failed a full build once)
        assertFalse(text.contains("\"customerId\":\"17850"),
                "no line, superseded or not, names the customer: " + text);
        try (ConsentJournal reopened = ConsentJournal.open(file)) {
            assertNull(reopened.failure());
            assertEquals(46, reopened.sequence());
            assertNull(reopened.check(EMPTY, "17850", Channel.EMAIL).state());
            assertEquals(State.CONFIRMED, reopened.check(EMPTY, "C1", Channel.SMS).state());
        }
    }

    /**
     * The servers sharing the journal hold the customer's changes in memory: each reads the rewritten journal whole
     * at its next look, as after another server's compaction, and none writes the lines back with its own appends
     * or compactions.
     */
    @Test
    void aServerSharingTheJournalForgetsTooAndWritesNothingBack() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal server = ConsentJournal.open(file, 4)) {
            history(server);
            assertEquals(State.OPTED_OUT, server.stateInEffect(EMPTY, "17850", Channel.PROFILING));
            try (ConsentJournal cli = ConsentJournal.open(file)) {
                assertEquals(1, cli.forget(Set.of("17850")).customers());
            }
            Thread.sleep(ConsentJournal.LOOK_INTERVAL.toMillis() + 1);
            assertNull(server.stateInEffect(EMPTY, "17850", Channel.PROFILING));
            assertNull(server.check(EMPTY, "17850", Channel.EMAIL).state());
            assertTrue(server.changesSince(0, null, 10_000).changes().stream()
                    .noneMatch(c -> c.customerId().equals("17850")));
            assertEquals(44, server.sequence());
            long compactions = server.compactions();
            for (int i = 0; i < 100; i++) { // past the threshold: the server compacts what it holds now
                server.record("C3", Channel.EMAIL, i % 2 == 0 ? State.OPTED_IN : State.OPTED_OUT);
            }
            assertTrue(server.compactions() > compactions);
            server.compact();
        }
        assertFalse(Files.readString(file).contains("\"customerId\":\"17850"));
    }

    /** A journal with a damaged line cannot be rewritten safely: the forget is refused and the file left as it is. */
    @Test
    void anUnusableJournalIsNotRewritten() throws Exception {
        Path file = tmp.resolve("consent.journal");
        try (ConsentJournal j = ConsentJournal.open(file)) {
            history(j);
        }
        List<String> lines = Files.readAllLines(file);
        lines.set(2, "{\"seq\":2,\"at\":\"2026-11-");
        Files.write(file, lines);
        byte[] damaged = Files.readAllBytes(file);
        try (ConsentJournal j = ConsentJournal.open(file)) {
            assertNotNull(j.failure());
            ConsentJournal.Unavailable e = assertThrows(ConsentJournal.Unavailable.class,
                    () -> j.forget(Set.of("17850")));
            assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        }
        assertEquals(new String(damaged, StandardCharsets.UTF_8), Files.readString(file));
    }
}
