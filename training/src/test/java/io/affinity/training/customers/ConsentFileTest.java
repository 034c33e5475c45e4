package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.ListEntry;
import io.affinity.recommender.Consent.State;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consent file: strict rows, and the optional updated_at column that orders a customer's consent changes. */
@UnitTest
class ConsentFileTest {
    @TempDir
    Path dir;

    @Test
    void readsStatesPerChannel() throws Exception {
        Path f = dir.resolve("consent.csv");
        Files.writeString(f, "customer_id,channel,state\n17850,email,confirmed\n17850,SMS,opted-out\n12345,push,pending\n"
                + "17850,email,confirmed\n17850,profiling,opted_out\n\n");
        Map<String, Map<Channel, State>> c = states(ConsentFile.read(f));
        assertEquals(Map.of(Channel.EMAIL, State.CONFIRMED, Channel.SMS, State.OPTED_OUT, Channel.PROFILING,
                State.OPTED_OUT), c.get("17850"));
        assertEquals(Map.of(Channel.PUSH, State.PENDING), c.get("12345"));
        assertEquals(2, c.size());
    }

    @Test
    void idsAreNormalisedAsTransactionIdsAre() throws Exception {
        Path f = dir.resolve("consent.csv");
        Files.writeString(f, "customer_id,channel,state\n14911.0,web,opted_out\n 14911 ,email,opted_in\n");
        assertEquals(Map.of("14911", Map.of(Channel.WEB, State.OPTED_OUT, Channel.EMAIL, State.OPTED_IN)),
                states(ConsentFile.read(f)));
        assertFails("customer_id,channel,state\n14911.0,web,opted_out\n14911,web,opted_in\n",
                ":3: second, different state");
    }

    @Test
    void invalidRowsFailWithFileAndLine() throws Exception {
        assertFails("customer_id,channel,state\n1,email,confirmed\n2,fax,opted_in\n", ":3: channel must be");
        assertFails("customer_id,channel,state\n1,email,maybe\n", ":2: state must be");
        assertFails("customer_id,channel,state\n1,email,confirmed\n1,email,opted_out\n", ":3: second, different state");
        assertFails("customer_id,channel,state\n1,email\n", ":2: expected 3 fields");
        assertFails("id,channel,state\n", ":1: header must be");
        assertFails("customer_id,channel,state,updated_at\n1,email,confirmed\n", ":2: expected 4 fields, found 3");
        assertFails("", "empty file");
    }

    @Test
    void aFileWithoutHeaderOrWithSwappedFieldsIsReportedWithoutQuotingEmailAddresses() throws Exception {
        // Found by IngestFuzzTest: the header check and the channel and state checks quoted the cell as it was.
        assertFails("anna@example.com,email,opted_in\n",
                ":1: header must be 'customer_id,channel,state' or 'customer_id,channel,state,updated_at', was (31 characters with an '@', not shown)");
        assertFails("customer_id,channel,state\nopted_in,email,anna@example.com\n",
                ":2: state must be opted_in, opted_out, pending or confirmed, was (16 characters with an '@', not shown)");
        assertFails("customer_id,channel,state\nopted_in,anna@example.com,email\n",
                ":2: channel must be email, sms, push, web or profiling, was (16 characters with an '@', not shown)");
    }

    @Test
    void aByteOrderMarkBeforeAQuotedHeaderIsNotPartOfIt() throws Exception {
        // Found by IngestFuzzTest (in the exports; the consent file read its header the same way)
        Path f = dir.resolve("consent.csv");
        Files.writeString(f, "\uFEFF\"customer_id\",\"channel\",\"state\"\r\n\"17850\",\"email\",\"opted_out\"\r\n");
        assertEquals(Map.of("17850", Map.of(Channel.EMAIL, State.OPTED_OUT)), states(ConsentFile.read(f)));
    }

    @Test
    void rowsMayGiveWhenTheCustomerGaveTheirConsent() throws Exception {
        Path f = dir.resolve("consent.csv");
        Files.writeString(f, "customer_id,channel,state,updated_at\n"
                + "17850,email,opted_in,2026-11-18T09:30:15Z\n"
                + "17850,sms,opted_out,2026-11-18T10:30:15.250+01:00\n"
                + "17850,web,opted_in,\n");
        Map<Channel, ListEntry> c = ConsentFile.read(f).get("17850");
        assertEquals(new ListEntry(State.OPTED_IN, Instant.parse("2026-11-18T09:30:15Z")), c.get(Channel.EMAIL));
        assertEquals(new ListEntry(State.OPTED_OUT, Instant.parse("2026-11-18T09:30:15.250Z")), c.get(Channel.SMS));
        assertEquals(new ListEntry(State.OPTED_IN, null), c.get(Channel.WEB), "an empty updated_at is unknown");
        // a file without the column has no times
        Files.writeString(f, "customer_id,channel,state\n17850,email,opted_in\n");
        assertEquals(new ListEntry(State.OPTED_IN, null), ConsentFile.read(f).get("17850").get(Channel.EMAIL));
    }

    @Test
    void withTimesTheLaterRowIsTheCustomersLatestWord() throws Exception {
        Path f = dir.resolve("consent.csv");
        // a CRM's history: subscribed, unsubscribed, subscribed again (rows out of order), and a repeated opt-out
        Files.writeString(f, "customer_id,channel,state,updated_at\n"
                + "1,email,opted_in,2026-03-01T08:00:00Z\n"
                + "1,email,opted_in,2026-11-01T08:00:00Z\n"
                + "1,email,opted_out,2026-06-01T08:00:00Z\n"
                + "2,sms,opted_out,2026-05-01T08:00:00Z\n"
                + "2,sms,opted_out,2026-04-01T08:00:00Z\n"
                + "2,sms,opted_out,\n");
        Map<String, Map<Channel, ListEntry>> c = ConsentFile.read(f);
        assertEquals(new ListEntry(State.OPTED_IN, Instant.parse("2026-11-01T08:00:00Z")), c.get("1").get(Channel.EMAIL));
        assertEquals(new ListEntry(State.OPTED_OUT, Instant.parse("2026-05-01T08:00:00Z")), c.get("2").get(Channel.SMS),
                "a duplicate keeps the latest time it gives");
    }

    @Test
    void contradictionsTheTimesCannotOrderFailTheFile() throws Exception {
        String header = "customer_id,channel,state,updated_at\n";
        assertFails(header + "1,email,opted_in,2026-11-01T08:00:00Z\n1,email,opted_out,\n",
                ":3: second, different state for the same customer and channel email (opted_in then opted_out); "
                        + "only one of the rows gives updated_at");
        assertFails(header + "1,email,opted_in,2026-11-01T08:00:00Z\n1,email,opted_out,2026-11-01T09:00:00+01:00\n",
                ":3: second, different state for the same customer and channel email (opted_in then opted_out) "
                        + "with the same updated_at 2026-11-01T08:00:00Z");
        assertFails(header + "1,email,opted_in,\n1,email,opted_out,\n", ":3: second, different state");
    }

    @Test
    void timesWithoutAnOffsetOrInTheFutureAreRefused() throws Exception {
        String header = "customer_id,channel,state,updated_at\n";
        assertFails(header + "1,email,opted_in,2026-11-18T09:30:15\n",
                ":2: updated_at must be an ISO-8601 date-time with its offset, e.g. 2026-11-18T09:30:15Z or "
                        + "2026-11-18T10:30:15+01:00, was '2026-11-18T09:30:15' (no offset: write the time in UTC");
        assertFails(header + "1,email,opted_in,2026-11-18\n", ":2: updated_at must be an ISO-8601 date-time");
        assertFails(header + "1,email,opted_in,yesterday\n", ":2: updated_at must be an ISO-8601 date-time");
        assertFails(header + "1,email,opted_in,2999-01-01T00:00:00Z\n",
                ":2: updated_at 2999-01-01T00:00:00Z is later than now");
        // within the clock tolerance is accepted
        Path f = dir.resolve("consent.csv");
        Instant soon = Instant.now().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Files.writeString(f, header + "1,email,opted_in," + soon + "\n");
        assertEquals(soon, ConsentFile.read(f).get("1").get(Channel.EMAIL).updatedAt());
    }

    private static Map<String, Map<Channel, State>> states(Map<String, Map<Channel, ListEntry>> entries) {
        Map<String, Map<Channel, State>> out = new java.util.HashMap<>();
        entries.forEach((id, channels) -> {
            Map<Channel, State> s = new java.util.EnumMap<>(Channel.class);
            channels.forEach((ch, e) -> {
                assertEquals(null, e.updatedAt(), "a file without updated_at gives no times");
                s.put(ch, e.state());
            });
            out.put(id, s);
        });
        return out;
    }

    private void assertFails(String content, String expected) throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, content);
        ConsentFile.ConsentFileException e = assertThrows(ConsentFile.ConsentFileException.class, () -> ConsentFile.read(f));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("bad.csv"), e.getMessage());
    }
}
