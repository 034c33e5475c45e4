package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.recommender.Consent;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.ListEntry;
import io.affinity.recommender.Consent.State;
import io.affinity.store.ConsentJournalFile;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list and the run-time journal weighed as a server weighs them ({@link Consent#effective}): a change after the
 * list is the customer's latest word both ways, an older one may only restrict, a dated row orders them exactly.
 */
@UnitTest
class ObjectionsToProfilingTest {
    private static final Instant LIST_WRITTEN = Instant.parse("2026-11-10T00:00:00Z");
    private static final Instant BEFORE = LIST_WRITTEN.minusSeconds(86_400);
    private static final Instant AFTER = LIST_WRITTEN.plusSeconds(86_400);

    @TempDir
    Path dir;

    private static ConsentJournalFile.Latest journal(Object... changes) {
        Map<String, ConsentJournalFile.Change> latest = new HashMap<>();
        for (int i = 0; i < changes.length; i += 3) {
            latest.put((String) changes[i], new ConsentJournalFile.Change((String) changes[i], Channel.PROFILING,
                    (State) changes[i + 1], i + 1, (Instant) changes[i + 2]));
        }
        return new ConsentJournalFile.Latest(Path.of("consent.journal"), changes.length, changes.length / 3, latest);
    }

    private static Map<Channel, ListEntry> profiling(State state, Instant updatedAt) {
        return Map.of(Channel.PROFILING, new ListEntry(state, updatedAt));
    }

    @Test
    void weighsEachCustomersListRowAgainstTheirLatestRunTimeChange() {
        Map<String, Map<Channel, ListEntry>> list = Map.of(
                "listOnly", profiling(State.OPTED_OUT, null),
                "withdrewAfter", profiling(State.OPTED_OUT, null),
                "optInBefore", profiling(State.OPTED_OUT, null),
                "objectedBefore", profiling(State.OPTED_IN, null),
                "crmLater", profiling(State.OPTED_IN, AFTER.plusSeconds(60)),
                "emailOnly", Map.of(Channel.EMAIL, new ListEntry(State.OPTED_OUT, null)));
        ObjectionsToProfiling o = ObjectionsToProfiling.of(list, LIST_WRITTEN, journal(
                "journalOnly", State.OPTED_OUT, BEFORE,
                "withdrewAfter", State.OPTED_IN, AFTER,
                "optInBefore", State.OPTED_IN, BEFORE,       // older than the list: may only restrict
                "objectedBefore", State.OPTED_OUT, BEFORE,   // restricts the list's opt-in (a stale export)
                "crmLater", State.OPTED_OUT, AFTER,          // the CRM's dated re-subscription is later
                "undated", State.OPTED_OUT, null));
        assertEquals(Set.of("listOnly", "optInBefore", "journalOnly", "objectedBefore", "undated"), o.customers());
        assertEquals(2, o.byList());
        assertEquals(3, o.byJournal());
        assertEquals(1, o.withdrawnInJournal());
    }

    @Test
    void withoutAListTheJournalDecidesAndWithoutEitherNobodyObjects() {
        ObjectionsToProfiling o = ObjectionsToProfiling.of(Map.of(), null,
                journal("a", State.OPTED_OUT, AFTER, "b", State.OPTED_IN, AFTER));
        assertEquals(Set.of("a"), o.customers());
        assertEquals(new ProfilingObjections(1, 0, 1, 0, 0, 0), o.counted(0, 0));
        ObjectionsToProfiling none = ObjectionsToProfiling.of(Map.of(), null, null);
        assertEquals(Set.of(), none.customers());
        assertNull(none.journalSection());
        assertEquals(ProfilingObjections.NONE, none.counted(0, 0));
    }

    @Test
    void theStoresOwnJournalMayBeAbsentButOneNamedOrDamagedFails() throws Exception {
        assertNull(ObjectionsToProfiling.readJournal(dir.resolve("consent.journal"), false));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ObjectionsToProfiling.readJournal(dir.resolve("consent.journal"), true));
        assertEquals("--consent-journal: file " + dir.resolve("consent.journal") + " does not exist",
                missing.getMessage());
        Path damaged = Files.writeString(dir.resolve("damaged.journal"), "{\"seq\":1,\"customerId\":\"x\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ObjectionsToProfiling.readJournal(damaged, false));
        assertEquals("consent journal " + damaged + " line 1 is unreadable (a field is missing): repair the line "
                + "(servers sharing the journal refuse campaign exports until then); nothing was trained",
                e.getMessage());
    }
}
