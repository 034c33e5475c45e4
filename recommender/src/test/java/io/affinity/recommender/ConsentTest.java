package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.testing.UnitTest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * How a run-time consent change and the training-time consent list combine ({@link Consent#effective}): against the
 * list's time as a whole, or against the time its row gives for the customer's own consent ({@code updated_at}).
 */
@UnitTest
class ConsentTest {
    private static final Instant LIST = Instant.parse("2026-11-20T06:00:00Z");
    private static final Instant BEFORE = LIST.minusSeconds(3600);
    private static final Instant AFTER = LIST.plusSeconds(3600);

    @Test
    void aChangeMadeAfterTheListWasWrittenWinsBothWays() {
        assertEquals(State.OPTED_IN, Consent.effective(State.OPTED_IN, AFTER, State.OPTED_OUT, LIST, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_OUT, AFTER, State.CONFIRMED, LIST, Channel.EMAIL));
        assertEquals(State.PENDING, Consent.effective(State.PENDING, AFTER, State.OPTED_IN, LIST, Channel.SMS));
    }

    @Test
    void anOlderOptInDoesNotUndoTheListsOptOut() {
        // The customer opted in through the API, later unsubscribed by a link the CRM handled: the newer list says so.
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_IN, BEFORE, State.OPTED_OUT, LIST, Channel.EMAIL));
        assertEquals(State.PENDING, Consent.effective(State.CONFIRMED, BEFORE, State.PENDING, LIST, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_IN, BEFORE, State.OPTED_OUT, LIST, Channel.WEB));
        // a change at the very moment the list was written is not after it
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_IN, LIST, State.OPTED_OUT, LIST, Channel.EMAIL));
    }

    @Test
    void anOlderOptOutStillHoldsAgainstTheListsOptIn() {
        // The list may be a stale export that never learned of the opt-out: refusing is the safe mistake.
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_OUT, BEFORE, State.OPTED_IN, LIST, Channel.EMAIL));
        assertEquals(State.PENDING, Consent.effective(State.PENDING, BEFORE, State.CONFIRMED, LIST, Channel.PUSH));
        // on web only an opt-out refuses: a pending double opt-in there permits as the list's opt-in does
        assertEquals(State.OPTED_IN, Consent.effective(State.PENDING, BEFORE, State.OPTED_IN, LIST, Channel.WEB));
    }

    @Test
    void whenBothPermitOrBothRefuseTheNewerListsStateIsReported() {
        assertEquals(State.CONFIRMED, Consent.effective(State.OPTED_IN, BEFORE, State.CONFIRMED, LIST, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.PENDING, BEFORE, State.OPTED_OUT, LIST, Channel.EMAIL));
    }

    @Test
    void unknownTimesCountAsBeforeTheList() {
        // a journal line from before changes carried a time, or a model whose list has no recorded time
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_IN, null, State.OPTED_OUT, LIST, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_IN, AFTER, State.OPTED_OUT, null, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_OUT, null, State.OPTED_IN, null, Channel.EMAIL));
    }

    @Test
    void eitherSideAloneIsTakenAsItIs() {
        assertEquals(State.OPTED_IN, Consent.effective(State.OPTED_IN, BEFORE, (State) null, LIST, Channel.EMAIL));
        assertEquals(State.OPTED_IN, Consent.effective(State.OPTED_IN, null, (State) null, null, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(null, null, State.OPTED_OUT, LIST, Channel.EMAIL));
        assertEquals(null, Consent.effective(null, null, (State) null, LIST, Channel.EMAIL));
    }

    @Test
    void aRowsOwnTimeDecidesBothWays() {
        Instant row = LIST.minusSeconds(86_400);
        // The customer opted out through the API, then re-subscribed in the CRM: the CRM's row is the later word.
        assertEquals(State.OPTED_IN, Consent.effective(State.OPTED_OUT, row.minusSeconds(60),
                new Consent.ListEntry(State.OPTED_IN, row), LIST, Channel.EMAIL));
        // ... and the list's time alone would have kept the opt-out
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_OUT, row.minusSeconds(60),
                new Consent.ListEntry(State.OPTED_IN, null), LIST, Channel.EMAIL));
        // A change after the row's time wins, though the list file was written later still.
        assertEquals(State.OPTED_IN, Consent.effective(State.OPTED_IN, row.plusSeconds(60),
                new Consent.ListEntry(State.OPTED_OUT, row), LIST, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_OUT, row.plusSeconds(60),
                new Consent.ListEntry(State.CONFIRMED, row), LIST, Channel.EMAIL));
    }

    @Test
    void withoutAnOrderTheRowMayOnlyBeRestricted() {
        Instant row = LIST.minusSeconds(86_400);
        // the same instant, or a change whose time is unknown: which came last cannot be told
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_OUT, row,
                new Consent.ListEntry(State.OPTED_IN, row), LIST, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_IN, row,
                new Consent.ListEntry(State.OPTED_OUT, row), LIST, Channel.EMAIL));
        assertEquals(State.OPTED_OUT, Consent.effective(State.OPTED_OUT, null,
                new Consent.ListEntry(State.OPTED_IN, row), LIST, Channel.EMAIL));
        assertEquals(State.CONFIRMED, Consent.effective(State.OPTED_IN, null,
                new Consent.ListEntry(State.CONFIRMED, row), null, Channel.EMAIL));
    }

    @Test
    void aListEntryNeedsAState() {
        org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> new Consent.ListEntry(null, LIST));
        assertEquals(State.OPTED_OUT, Consent.effective(null, null,
                new Consent.ListEntry(State.OPTED_OUT, null), LIST, Channel.EMAIL));
        assertEquals(State.OPTED_IN, Consent.effective(State.OPTED_IN, BEFORE, (Consent.ListEntry) null, LIST,
                Channel.EMAIL));
    }

    /**
     * Who may be contacted at all: on a direct channel only an opt-in or a confirmed double opt-in (not a pending one,
     * not an unknown customer); on web and for profiling anything but an opt-out.
     */
    @Test
    void directChannelsNeedAnOptInTheOthersOnlyNoOptOut() {
        for (Channel direct : new Channel[] {Channel.EMAIL, Channel.SMS, Channel.PUSH}) {
            assertTrue(Consent.permits(State.OPTED_IN, direct), direct.wireName());
            assertTrue(Consent.permits(State.CONFIRMED, direct), direct.wireName());
            assertFalse(Consent.permits(State.PENDING, direct), direct.wireName());
            assertFalse(Consent.permits(State.OPTED_OUT, direct), direct.wireName());
            assertFalse(Consent.permits(null, direct), direct.wireName());
        }
        for (Channel other : new Channel[] {Channel.WEB, Channel.PROFILING}) {
            assertTrue(Consent.permits(null, other), other.wireName());
            assertTrue(Consent.permits(State.PENDING, other), other.wireName());
            assertTrue(Consent.permits(State.OPTED_IN, other), other.wireName());
            assertFalse(Consent.permits(State.OPTED_OUT, other), other.wireName());
        }
    }
}
