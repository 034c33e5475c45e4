package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class ConsentFileTest {
    @TempDir
    Path dir;

    @Test
    void readsStatesPerChannel() throws Exception {
        Path f = dir.resolve("consent.csv");
        Files.writeString(f, "customer_id,channel,state\n17850,email,confirmed\n17850,SMS,opted-out\n12345,push,pending\n"
                + "17850,email,confirmed\n\n");
        Map<String, Map<Channel, State>> c = ConsentFile.read(f);
        assertEquals(Map.of(Channel.EMAIL, State.CONFIRMED, Channel.SMS, State.OPTED_OUT), c.get("17850"));
        assertEquals(Map.of(Channel.PUSH, State.PENDING), c.get("12345"));
        assertEquals(2, c.size());
    }

    @Test
    void idsAreNormalisedAsTransactionIdsAre() throws Exception {
        Path f = dir.resolve("consent.csv");
        Files.writeString(f, "customer_id,channel,state\n14911.0,web,opted_out\n 14911 ,email,opted_in\n");
        assertEquals(Map.of("14911", Map.of(Channel.WEB, State.OPTED_OUT, Channel.EMAIL, State.OPTED_IN)),
                ConsentFile.read(f));
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
        assertFails("", "empty file");
    }

    @Test
    void aFileWithoutHeaderOrWithSwappedFieldsIsReportedWithoutQuotingEmailAddresses() throws Exception {
        // Found by IngestFuzzTest: the header check and the channel and state checks quoted the cell as it was.
        assertFails("anna@example.com,email,opted_in\n",
                ":1: header must be 'customer_id,channel,state', was (31 characters with an '@', not shown)");
        assertFails("customer_id,channel,state\nopted_in,email,anna@example.com\n",
                ":2: state must be opted_in, opted_out, pending or confirmed, was (16 characters with an '@', not shown)");
        assertFails("customer_id,channel,state\nopted_in,anna@example.com,email\n",
                ":2: channel must be email, sms, push or web, was (16 characters with an '@', not shown)");
    }

    @Test
    void aByteOrderMarkBeforeAQuotedHeaderIsNotPartOfIt() throws Exception {
        // Found by IngestFuzzTest (in the exports; the consent file read its header the same way)
        Path f = dir.resolve("consent.csv");
        Files.writeString(f, "\uFEFF\"customer_id\",\"channel\",\"state\"\r\n\"17850\",\"email\",\"opted_out\"\r\n");
        assertEquals(Map.of("17850", Map.of(Channel.EMAIL, State.OPTED_OUT)), ConsentFile.read(f));
    }

    private void assertFails(String content, String expected) throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, content);
        ConsentFile.ConsentFileException e = assertThrows(ConsentFile.ConsentFileException.class, () -> ConsentFile.read(f));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("bad.csv"), e.getMessage());
    }
}
