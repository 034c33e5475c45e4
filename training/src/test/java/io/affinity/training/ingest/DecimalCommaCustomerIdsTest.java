package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent;
import io.affinity.testing.UnitTest;
import io.affinity.training.customers.ConsentFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A customer number a spreadsheet in a decimal-comma locale wrote as a decimal ({@code 17850,0}: German Excel,
 * pandas' {@code to_csv(decimal=",")}) is customer {@code 17850}, as {@code 17850.0} always was: in another export,
 * in the consent and exclusion lists and in {@code --guest-customers}. It was a customer of its own, so an erasure
 * listed as {@code 17850} left their rows in the model, and their consent row named nobody.
 */
@UnitTest
class DecimalCommaCustomerIdsTest {
    private static final CsvDialect GERMAN = new CsvDialect(';', true);
    private static final String GERMAN_HEADER = "customer_id;order_id;timestamp;item_id;quantity;unit_price";
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    @TempDir
    Path dir;

    @Test
    void oneCustomerInBothExportsAndTheLists() throws Exception {
        Path german = Files.writeString(dir.resolve("bestellungen.csv"), GERMAN_HEADER + "\n"
                + "17850,0;B-1;2024-01-05T10:00:00;TASSE;2;4,33\n"
                + "\"17851,0\";B-2;2024-01-06T10:00:00;TASSE;1;4,33\n"
                + "17852,0;B-3;2024-01-07T10:00:00;TELLER;1;4,33\n");
        Path english = Files.writeString(dir.resolve("orders.csv"), HEADER + "\n"
                + "17850,o-1,2024-02-05T10:00:00,TASSE,1,4.33\n");
        IngestOptions options = IngestOptions.defaults().withDialect(GERMAN)
                .withMapping(ColumnMapping.preset(ColumnMapping.GENERIC));
        Transactions german1 = TransactionLoader.load(List.of(german), options).transactions();
        assertEquals(3, german1.customerCount());
        assertEquals(0, german1.customerIndex("17850"), "stored as 17850");
        assertEquals(-1, german1.customerIndex("17850,0"));
        Transactions english1 = TransactionLoader.load(List.of(english),
                IngestOptions.defaults().withMapping(ColumnMapping.preset(ColumnMapping.GENERIC))).transactions();
        assertEquals(german1.customerId(0), english1.customerId(0), "the same customer in both files");

        // the exclusion list as the retailer's CRM writes it: the customer is left out of the German export
        Path erased = Files.writeString(dir.resolve("erased.csv"), "customer_id\n17850\n\"17851,0\"\n");
        ExcludedCustomers list = ExcludedCustomers.read(erased);
        assertEquals(Set.of("17850", "17851"), list.ids());
        IngestResult excluded = TransactionLoader.load(List.of(german), options.withExcludedCustomers(list.ids()));
        assertEquals(2, excluded.report().rejectedCount(RejectReason.EXCLUDED_CUSTOMER));
        assertEquals(1, excluded.transactions().customerCount());

        // a consent row for 17850 is the German export's customer's
        Path consent = Files.writeString(dir.resolve("consent.csv"), "customer_id,channel,state\n"
                + "\"17852,0\",email,opted_out\n17850,sms,opted_in\n");
        Map<String, Map<Consent.Channel, Consent.ListEntry>> rows = ConsentFile.read(consent);
        assertTrue(german1.customerIndex("17852") >= 0 && rows.containsKey("17852"), rows.keySet().toString());
        assertTrue(rows.containsKey("17850"), rows.keySet().toString());

        // a guest-checkout id given as the shop system shows it
        IngestResult guests = TransactionLoader.load(List.of(german), options.withGuestCustomers(List.of("17852")));
        assertEquals(2, guests.transactions().customerCount());
        assertEquals(1, guests.report().rowsAcceptedPlaceholderCustomer());
    }
}
