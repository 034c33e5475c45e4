package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.recommender.Consent;
import io.affinity.testing.UnitTest;
import io.affinity.training.customers.ConsentFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Customer and item ids written with a no-break space (U+00A0, U+2007, U+202F: Excel's number formats and web
 * exports write them), a zero-width space (U+200B) or a byte order mark (U+FEFF, from files concatenated or pasted
 * together) at an end are the ids without them, in the exports, the exclusion and consent lists, {@code
 * --guest-customers}, the non-product codes and the catalogue: {@link String#strip} kept them, so
 * {@code \u00a017850} was another customer than {@code 17850}, whose erasure or objection then missed their rows.
 */
@UnitTest
class UnicodeBlankIdsTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    @TempDir
    Path dir;

    private Path export() throws Exception {
        return Files.writeString(dir.resolve("orders.csv"), HEADER + "\n"
                + "17850,o1,2024-01-05T10:00:00,85123A,1,2.55\n"
                + "\u00a017850,o2,2024-01-06T10:00:00,\u00a085123a,1,2.55\n"
                + "17850\u202f,o3,2024-01-07T10:00:00,85123A\u200b,1,2.55\n"
                + "\ufeff17850.0,o4,2024-01-08T10:00:00,\ufeff85123A,1,2.55\n"
                + "\u200b17851\u2007,o5,2024-01-08T10:00:00,22423,1,12.75\n"
                + "\u00a0,o6,2024-01-09T10:00:00,22423,1,12.75\n"
                + "\u00a0NULL\u00a0,o7,2024-01-09T10:00:00,22423,1,12.75\n"
                + "17852,o8,2024-01-09T10:00:00,\u00a0POST\u00a0,1,18\n"
                + "17852,o9,2024-01-09T10:00:00,\u00a0\u200b,1,18\n");
    }

    @Test
    void oneCustomerAndOneItemHoweverTheBlanksAroundThemAreWritten() throws Exception {
        IngestResult r = TransactionLoader.load(List.of(export()), IngestOptions.defaults().withErrorBudget(0.5));
        Transactions tx = r.transactions();
        assertEquals(2, tx.customerCount(), "17850 and 17851; a cell of blanks and a padded NULL are guests");
        assertEquals(4, tx.customerOrderEnd(tx.customerIndex("17850")) - tx.customerOrderStart(tx.customerIndex("17850")));
        assertEquals(1, tx.customerIndex("17851"), "stored without its blanks");
        assertEquals(2, tx.itemCount(), "85123A and 22423");
        assertEquals(0, tx.itemIndex("85123A"));
        assertEquals(1, r.report().rowsAcceptedPlaceholderCustomer(), "the padded NULL (the blank cell is no id)");
        assertEquals(9, r.report().rowsRead());
        assertEquals(1, r.report().rejectedCount(RejectReason.NON_PRODUCT_CODE), "POST between no-break spaces");
        assertEquals(1, r.report().rejectedCount(RejectReason.MALFORMED_BLANK_FIELD), "an item id of blanks is blank");
    }

    @Test
    void theListsAndOptionsNameTheSameCustomers() throws Exception {
        Path export = export();
        Path erased = Files.writeString(dir.resolve("erased.csv"), "customer_id\n\u00a017850\n\"17851\u202f\"\n");
        ExcludedCustomers list = ExcludedCustomers.read(erased);
        assertEquals(Set.of("17850", "17851"), list.ids());
        IngestResult excluded = TransactionLoader.load(List.of(export),
                IngestOptions.defaults().withErrorBudget(0.5).withExcludedCustomers(list.ids()));
        assertEquals(5, excluded.report().rejectedCount(RejectReason.EXCLUDED_CUSTOMER));
        assertEquals(0, excluded.transactions().customerCount());

        Path consent = Files.writeString(dir.resolve("consent.csv"), "customer_id,channel,state\n"
                + "\ufeff\u00a017850,profiling,opted_out\n17851\u200b,email,opted_in\n");
        var rows = ConsentFile.read(consent);
        assertEquals(Set.of("17850", "17851"), rows.keySet());
        assertEquals(Consent.State.OPTED_OUT, rows.get("17850").get(Consent.Channel.PROFILING).state());

        IngestResult guests = TransactionLoader.load(List.of(export),
                IngestOptions.defaults().withErrorBudget(0.5).withGuestCustomers(List.of("17851\u00a0")));
        assertEquals(1, guests.transactions().customerCount());
        assertEquals(2, guests.report().rowsAcceptedPlaceholderCustomer(), "the padded NULL and 17851's row");

        IngestResult nonProduct = TransactionLoader.load(List.of(export), IngestOptions.defaults()
                .withErrorBudget(0.5).withNonProductCodes(Set.of("\u00a022423"), Set.of()));
        assertEquals(3, nonProduct.report().rejectedCount(RejectReason.NON_PRODUCT_CODE));
    }

    @Test
    void theCataloguesItemIdsToo() throws Exception {
        Path catalogue = Files.writeString(dir.resolve("catalog.csv"), "item_id,description,price\n"
                + "\u00a085123a\u00a0,WHITE HANGING HEART,2.95\n\u200b22423,REGENCY CAKESTAND,12.75\n");
        CatalogFile c = CatalogFile.read(catalogue, 0.0);
        assertEquals(Set.of("85123A", "22423"), c.entries().keySet());
    }
}
