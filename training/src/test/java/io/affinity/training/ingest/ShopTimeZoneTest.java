package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.customers.CustomerAnalysis;
import io.affinity.training.customers.CustomerAnalytics;
import io.affinity.training.customers.CustomerAnalyticsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --time-zone}: an export written in UTC by a shop in Berlin. Its offsets were dropped, so an order placed at
 * 00:30 on 7 May in Berlin ({@code 2011-05-06T22:30:00Z}) fell on 6 May: one shopping trip across "midnight" became
 * two purchase days, recency and the time split were a day off for the evening's orders. Named, the zone converts
 * every timestamp with an offset to the shop's local time.
 */
@UnitTest
class ShopTimeZoneTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @TempDir
    Path dir;

    private Path export() throws Exception {
        StringBuilder csv = new StringBuilder(HEADER).append('\n')
                .append("777,x1,2011-05-06T22:30:00Z,A1,1,2.5\n")        // 00:30 on 7 May in Berlin (summer time)
                .append("777,x2,2011-05-07T07:00:00Z,A2,1,2.5\n")        // 09:00 on 7 May in Berlin
                .append("778,x3,2011-01-10T23:30:00+00:00,A1,1,2.5\n")   // 00:30 on 11 January (winter time)
                .append("778,x4,2011-05-07T00:30:00+02:00,A1,1,2.5\n")   // the shop's own clock with its offset
                .append("779,x5,2011-05-07 21:45:00,A2,1,2.5\n")         // no offset: the shop's local time already
                .append("779,x6,2011-05-08,A2,1,2.5\n");                 // a date alone: the shop's day
        Random rnd = new Random(9);
        for (int c = 0; c < 60; c++) {
            for (int t = 0; t < 2 + rnd.nextInt(4); t++) {
                LocalDateTime at = LocalDateTime.of(2011, 4, 1, 9, 0).plusDays(rnd.nextInt(75))
                        .plusHours(rnd.nextInt(10));
                csv.append('c').append(c).append(",o").append(c).append('-').append(t).append(',').append(at)
                        .append("Z,A").append(rnd.nextInt(4)).append(",1,2.5\n");
            }
        }
        return Files.writeString(dir.resolve("utc.csv"), csv);
    }

    private static LocalDateTime timeOf(Transactions tx, String order) {
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.orderId(o).equals(order)) {
                return tx.timestampOf(o);
            }
        }
        throw new AssertionError(order);
    }

    @Test
    void timestampsWithAnOffsetAreConvertedToTheShopsLocalTime() throws Exception {
        IngestResult berlin = TransactionLoader.load(List.of(export()), IngestOptions.defaults().withTimeZone(BERLIN));
        Transactions tx = berlin.transactions();
        assertEquals(LocalDateTime.of(2011, 5, 7, 0, 30), timeOf(tx, "x1"));
        assertEquals(LocalDateTime.of(2011, 5, 7, 9, 0), timeOf(tx, "x2"));
        assertEquals(LocalDateTime.of(2011, 1, 11, 0, 30), timeOf(tx, "x3"), "winter: one hour ahead");
        assertEquals(LocalDateTime.of(2011, 5, 7, 0, 30), timeOf(tx, "x4"), "already Berlin's clock");
        assertEquals(LocalDateTime.of(2011, 5, 7, 21, 45), timeOf(tx, "x5"), "no offset: as written");
        assertEquals(LocalDateTime.of(2011, 5, 8, 0, 0), timeOf(tx, "x6"), "a date alone: as written");
        IngestReport.TimeOffsets offsets = berlin.report().timeOffsets();
        long background = berlin.report().rowsRead() - 6;
        assertEquals(new IngestReport.TimeOffsets(4 + background, "Europe/Berlin"), offsets);
        assertTrue(berlin.report().toText().contains("converted to Europe/Berlin local time (--time-zone)"),
                berlin.report().toText());

        // without a zone the clock time as written is kept, and the report says what to do if that is UTC
        IngestResult asWritten = TransactionLoader.load(List.of(export()), IngestOptions.defaults());
        assertEquals(LocalDateTime.of(2011, 5, 6, 22, 30), timeOf(asWritten.transactions(), "x1"));
        assertNull(asWritten.report().timeOffsets().convertedTo());
        assertTrue(asWritten.report().toText().contains("pass --time-zone with the shop's zone"),
                asWritten.report().toText());
    }

    @Test
    void oneShoppingTripIsOnePurchaseDay() throws Exception {
        CustomerAnalyticsOptions options = CustomerAnalyticsOptions.defaults(LocalDate.of(2011, 6, 14));
        CustomerAnalysis utc = CustomerAnalytics.run(
                TransactionLoader.load(List.of(export()), IngestOptions.defaults()).transactions(), options);
        CustomerAnalysis berlin = CustomerAnalytics.run(TransactionLoader.load(List.of(export()),
                IngestOptions.defaults().withTimeZone(BERLIN)).transactions(), options);
        CustomerAnalysis.Row before = row(utc, "777");
        CustomerAnalysis.Row after = row(berlin, "777");
        assertEquals(2, before.profile().transactions(), "6 and 7 May, in UTC's days");
        assertEquals(1, after.profile().transactions(), "7 May, the shop's day");
        assertEquals(LocalDate.of(2011, 5, 7), after.firstPurchase());
    }

    @Test
    void aZoneIsAnIanaNameAndNeedsTimestamps() throws Exception {
        assertEquals(BERLIN, IngestOptions.parseTimeZone(" Europe/Berlin "));
        assertEquals("UTC", IngestOptions.parseTimeZone("UTC").getId());
        assertNull(IngestOptions.parseTimeZone(null));
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> IngestOptions.parseTimeZone("Europe/Berln"));
        assertEquals("--time-zone 'Europe/Berln' is not a time zone; give the shop's IANA time-zone name, e.g. "
                + "Europe/Berlin, America/New_York or UTC", typo.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IngestOptions.parseTimeZone("+01:00"))
                .getMessage().contains("is a fixed offset, not a time zone"));
        assertEquals("Europe/Berlin", IngestOptions.defaults().withTimeZone(BERLIN).manifestEntries().get("timeZone"));
        assertTrue(!IngestOptions.defaults().manifestEntries().containsKey("timeZone"));

        Path sequence = Files.writeString(dir.resolve("seq.csv"),
                "customer_id,order_id,sequence,item_id,quantity,unit_price\nc1,o1,1,A,1,1.5\n");
        IngestException e = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(sequence),
                IngestOptions.defaults().withTimeZone(BERLIN)));
        assertTrue(e.getMessage().startsWith(sequence + ": --time-zone converts timestamps"), e.getMessage());
    }

    @Test
    void anExportsOwnPatternWithAnOffsetIsConvertedToo() throws Exception {
        Path f = Files.writeString(dir.resolve("own.csv"), "Kunde;Auftrag;Zeit;Artikel;Menge;Preis\n"
                + "k1;B1;06.05.2011 22:30 +0000;A;1;1,5\n");
        IngestOptions options = IngestOptions.fromOptions("auto", "customer=Kunde,order=Auftrag,timestamp=Zeit,"
                + "item=Artikel,quantity=Menge,price=Preis", "dd.MM.yyyy HH:mm xx", ";", true, null).withTimeZone(BERLIN);
        assertEquals(LocalDateTime.of(2011, 5, 7, 0, 30),
                TransactionLoader.load(List.of(f), options).transactions().timestampOf(0));
    }

    /**
     * How shop systems and databases write an offset: after a space ({@code date '+%F %T %z'}, Shopify's order export,
     * Snowflake, SQL Server's datetimeoffset), without a colon, or the zone's name UTC (BigQuery's CSV, Ruby's
     * {@code Time#to_s}). They needed {@code --timestamp-format} (and {@code --columns} for it); they are read as the
     * ISO shapes are, converted with {@code --time-zone} and counted as carrying an offset. Anything else is still a
     * malformed timestamp naming file and line.
     */
    @Test
    void commonOffsetSpellingsAreReadWithoutATimestampFormat() throws Exception {
        Path f = Files.writeString(dir.resolve("offsets.csv"), HEADER + "\n"
                + "1,s1,2011-05-06 22:30:00 +0000,A,1,2.5\n"          // Shopify, date '+%F %T %z'
                + "1,s2,2011-05-06T20:30:00-0200,A,1,2.5\n"
                + "1,s3,2011-05-06 23:30:00 +01:00,A,1,2.5\n"          // SQL Server datetimeoffset
                + "1,s4,2011-05-06 22:30:00.1234567 +00:00,A,1,2.5\n"
                + "1,s5,2011-05-06 22:30:00 UTC,A,1,2.5\n"             // BigQuery, Ruby
                + "1,s6,2011-05-06 22:30 GMT,A,1,2.5\n"
                + "1,s7,2011-05-07 00:30:00 +02,A,1,2.5\n"
                + "1,s8,2011-05-06 22:30:00 +0000 UTC,A,1,2.5\n"      // the offset and, as a comment, its name
                + "2,b1,2011-05-06 22:30:00 CET,A,1,2.5\n"             // a zone abbreviation: ambiguous (CST)
                + "2,b2,2011-05-06 22:30:00  +0000,A,1,2.5\n"
                + "2,b3,2011-05-06 22:30:00 utc,A,1,2.5\n"
                + "2,b5,2011-05-06 +0000,A,1,2.5\n");
        IngestOptions lenient = IngestOptions.defaults().withErrorBudget(0.5);
        IngestResult berlin = TransactionLoader.load(List.of(f), lenient.withTimeZone(BERLIN));
        for (String order : List.of("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8")) {
            assertEquals(LocalDateTime.of(2011, 5, 7, 0, 30), timeOf(berlin.transactions(), order), order);
        }
        assertEquals(new IngestReport.TimeOffsets(8, "Europe/Berlin"), berlin.report().timeOffsets());
        assertEquals(4, berlin.report().rejectedCount(RejectReason.MALFORMED_TIMESTAMP));
        assertEquals(List.of(f + ":10", f + ":11", f + ":12", f + ":13"),
                berlin.report().samples(RejectReason.MALFORMED_TIMESTAMP).stream()
                        .map(s -> s.substring(0, s.indexOf(' '))).toList());
        IngestResult asWritten = TransactionLoader.load(List.of(f), lenient);
        assertEquals(LocalDateTime.of(2011, 5, 6, 22, 30), timeOf(asWritten.transactions(), "s1"));
        assertEquals(LocalDateTime.of(2011, 5, 6, 22, 30), timeOf(asWritten.transactions(), "s5"));
        assertEquals(new IngestReport.TimeOffsets(8, null), asWritten.report().timeOffsets());
    }

    /** Java's ZonedDateTime.toString, as an export written by a JVM application has it. */
    @Test
    void aRegionInBracketsIsReadAndTheOffsetDecidesTheInstant() throws Exception {
        Path f = Files.writeString(dir.resolve("zoned.csv"), HEADER + "\n"
                + "1,z1,2011-05-07T00:30+02:00[Europe/Berlin],A,1,2.5\n"   // seconds left out when zero
                + "1,z2,2011-05-06T22:30:00Z[UTC],A,1,2.5\n"
                + "1,z3,2011-05-07T00:30:00[Europe/Berlin],A,1,2.5\n"      // a region alone
                + "1,z4,2011-10-30T02:30+01:00[Europe/Berlin],A,1,2.5\n"   // the second 02:30 (winter time)
                + "1,z5,2011-10-30T02:30+02:00[Europe/Berlin],A,1,2.5\n"   // the first (summer time)
                + "2,b1,2011-05-07T00:30+02:00[Europe/Nowhere],A,1,2.5\n"
                + "2,b2,2011-05-07T00:30+02:00[Europe/Berlin,A,1,2.5\n");
        IngestOptions lenient = IngestOptions.defaults().withErrorBudget(0.5);
        IngestResult utc = TransactionLoader.load(List.of(f), lenient.withTimeZone(ZoneId.of("UTC")));
        for (String order : List.of("z1", "z2", "z3")) {
            assertEquals(LocalDateTime.of(2011, 5, 6, 22, 30), timeOf(utc.transactions(), order), order);
        }
        assertEquals(LocalDateTime.of(2011, 10, 30, 1, 30), timeOf(utc.transactions(), "z4"));
        assertEquals(LocalDateTime.of(2011, 10, 30, 0, 30), timeOf(utc.transactions(), "z5"));
        assertEquals(new IngestReport.TimeOffsets(5, "UTC"), utc.report().timeOffsets());
        assertEquals(2, utc.report().rejectedCount(RejectReason.MALFORMED_TIMESTAMP));
        IngestResult asWritten = TransactionLoader.load(List.of(f), lenient);
        assertEquals(LocalDateTime.of(2011, 5, 7, 0, 30), timeOf(asWritten.transactions(), "z1"));
        assertEquals(LocalDateTime.of(2011, 10, 30, 2, 30), timeOf(asWritten.transactions(), "z4"));
    }

    private static CustomerAnalysis.Row row(CustomerAnalysis a, String id) {
        return a.rows().stream().filter(r -> r.customerId().equals(id)).findFirst().orElseThrow();
    }
}
