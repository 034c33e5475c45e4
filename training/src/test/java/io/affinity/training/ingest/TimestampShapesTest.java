package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two common timestamp shapes read without {@code --timestamp-format}: RFC 1123 / HTTP dates (a web shop's or a mail
 * tool's {@code Sat, 07 May 2011 10:30:00 GMT} or {@code ... +0100}) and an offset followed by a zone abbreviation,
 * bare or in parentheses ({@code 2011-05-07 10:30:00 +0100 CET}, {@code ... +0100 (CET)}, as {@code date} formats
 * and mail headers write it), where the offset decides and the abbreviation is a comment. Each was
 * {@code malformed_timestamp}, so such an export stopped at the error budget. Strictly: a weekday that is not the
 * date's, an abbreviation without an offset, or anything after the comment is still a rejected row.
 */
@UnitTest
class TimestampShapesTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price\n";
    private static final ZoneId LONDON = ZoneId.of("Europe/London");

    @TempDir
    Path dir;

    /** Each written shape and the shop's clock in London it stands for (09:30 GMT on 7 May is 10:30 BST). */
    private static final List<List<String>> READ = List.of(
            List.of("\"Sat, 07 May 2011 09:30:00 GMT\"", "2011-05-07T10:30", "2011-05-07T09:30"),
            List.of("\"Sat, 07 May 2011 10:30:00 +0100\"", "2011-05-07T10:30", "2011-05-07T10:30"),
            List.of("\"Sat, 7 May 2011 04:30 -0500\"", "2011-05-07T10:30", "2011-05-07T04:30"),
            List.of("\"07 May 2011 09:30:00 UTC\"", "2011-05-07T10:30", "2011-05-07T09:30"),
            List.of("\"Sat, 07 May 2011 10:30:00 +0100 (BST)\"", "2011-05-07T10:30", "2011-05-07T10:30"),
            List.of("2011-05-07 11:30:00 +0200 CEST", "2011-05-07T10:30", "2011-05-07T11:30"),
            List.of("2011-05-07 11:30:00 +0200 (CEST)", "2011-05-07T10:30", "2011-05-07T11:30"),
            List.of("2011-05-07T11:30:00+02:00 (Central European Summer Time)", "2011-05-07T10:30",
                    "2011-05-07T11:30"),
            // the offset decides: an abbreviation that disagrees with it is a comment, not a second opinion
            List.of("2011-05-07 04:30:00 -0500 CET", "2011-05-07T10:30", "2011-05-07T04:30"),
            List.of("2011-05-07 09:30:00Z UTC", "2011-05-07T10:30", "2011-05-07T09:30"));

    private static final List<String> REFUSED = List.of(
            "\"Fri, 07 May 2011 10:30:00 GMT\"",       // 7 May 2011 was a Saturday
            "\"Sat, 31 Feb 2011 10:30:00 GMT\"",       // no such day
            "\"Sat, 07 May 2011 10:30:00 CET\"",       // an abbreviation alone: which zone?
            "2011-05-07 10:30:00 CET",                 // the same in ISO
            "2011-05-07 10:30:00 +0100 CET extra",     // something after the comment
            "2011-05-07 10:30:00 +0100 (CET",          // an unclosed comment
            "2011-05-07 10:30:00 +0100 C3T",           // no abbreviation
            "\"Sat, 07 May 2011 10:30:00 +01:00\"");   // not RFC 1123's offset (+0100), not ISO

    private Path export() throws Exception {
        StringBuilder csv = new StringBuilder(HEADER);
        int line = 0;
        for (List<String> shape : READ) {
            csv.append("c1,o").append(line++).append(',').append(shape.get(0)).append(",A1,1,2.5\n");
        }
        for (String shape : REFUSED) {
            csv.append("c1,r").append(line++).append(',').append(shape).append(",A1,1,2.5\n");
        }
        return Files.writeString(dir.resolve("shapes.csv"), csv);
    }

    @Test
    void rfc1123DatesAndOffsetsWithAZoneCommentAreReadTheOffsetDeciding() throws Exception {
        Path f = export();
        for (ZoneId zone : new ZoneId[] {LONDON, null}) {
            IngestResult r = TransactionLoader.load(List.of(f), IngestOptions.defaults().withErrorBudget(1.0)
                    .withTimeZone(zone));
            Transactions tx = r.transactions();
            assertEquals(READ.size(), tx.orderCount(), r.report().toText());
            for (int o = 0; o < tx.orderCount(); o++) {
                List<String> shape = READ.get(Integer.parseInt(tx.orderId(o).substring(1)));
                assertEquals(LocalDateTime.parse(shape.get(zone == null ? 2 : 1)), tx.timestampOf(o),
                        shape.get(0) + " with --time-zone " + zone);
            }
            assertEquals(READ.size(), r.report().timeOffsets().rows(), "every one carried an offset");
        }
    }

    @Test
    void anythingElseIsARejectedRowNamingItsLine() throws Exception {
        Path f = export();
        IngestResult r = TransactionLoader.load(List.of(f), IngestOptions.defaults().withErrorBudget(1.0)
                .withSamplesPerReason(20));
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < REFUSED.size(); i++) {
            expected.add(f + ":" + (READ.size() + 2 + i) + " (timestamp '" + REFUSED.get(i).replace("\"", "") + "')");
        }
        assertEquals(expected, r.report().samples(RejectReason.MALFORMED_TIMESTAMP));
    }

    /** {@code --columns} reads timestamps as the generic layout does: the same shapes, from the same code. */
    @Test
    void mappedColumnsReadTheSameShapes() throws Exception {
        Path f = Files.writeString(dir.resolve("mapped.csv"), "Kunde;Bestellung;Datum;Artikel;Menge;Preis\n"
                + "k1;b1;Sat, 07 May 2011 09:30:00 GMT;A1;1;2.5\n"
                + "k1;b2;2011-05-07 11:30:00 +0200 (CEST);A1;1;2.5\n");
        IngestResult r = TransactionLoader.load(List.of(f), IngestOptions.defaults().withTimeZone(LONDON)
                .withDialect(new CsvDialect(';', false))
                .withMapping(ColumnMapping.ofColumns("customer=Kunde,order=Bestellung,timestamp=Datum,item=Artikel,"
                        + "quantity=Menge,price=Preis")));
        Transactions tx = r.transactions();
        assertEquals(2, tx.orderCount(), r.report().toText());
        assertEquals(LocalDateTime.parse("2011-05-07T10:30"), tx.timestampOf(0));
        assertEquals(LocalDateTime.parse("2011-05-07T10:30"), tx.timestampOf(1));
    }
}
