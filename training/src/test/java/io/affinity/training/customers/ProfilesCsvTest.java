package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.recommender.CustomerProfile;
import io.affinity.testing.UnitTest;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code profiles.csv} is what a CRM team loads into a spreadsheet or a campaign tool: every number must read back as
 * the value computed, cents included, whatever its size.
 */
@UnitTest
class ProfilesCsvTest {
    @TempDir
    Path dir;

    @Test
    void numbersReadBackExactlyWithTheirCents() throws Exception {
        // A wholesale customer: a total spend above a million, a 12-month value in the hundreds of thousands.
        double monetary = 1_234_567.89;
        double meanRepeat = 60_125.23;
        double value12 = 279_138.02;
        double pAlive = 0.123456789;
        CustomerProfile profile = new CustomerProfile(3, 12, monetary, 5, 5, 5, "champions", pAlive, 2.5, 61_000.17,
                value12, CustomerProfile.Tier.PLATINUM, CustomerProfile.Stage.ACTIVE, CustomerProfile.Strategy.PROTECT,
                0.987654321, 0.25, CustomerProfile.PriceSensitivity.LOW, List.of("MUG"));
        CustomerAnalysis.Row row = new CustomerAnalysis.Row("c1", LocalDate.of(2011, 1, 3), LocalDate.of(2011, 6, 27),
                11, 175, 178, meanRepeat, profile, -1, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        CustomerAnalysis analysis = new CustomerAnalysis(CustomerAnalyticsOptions.defaults(LocalDate.of(2011, 6, 30)),
                List.of(row), new BgNbd.Fitted(new BgNbd(0.8, 70, 0.5, 3), -10, 1),
                new GammaGamma.Fitted(new GammaGamma(2, 3, 400), -5, 1, 2), null, 0, 0, Double.NaN,
                CustomerAnalysis.TierBasis.REVENUE, 0, null);
        Path file = dir.resolve("profiles.csv");
        CustomerReportWriter.writeProfiles(analysis, file);

        List<CsvRecord> records;
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(file)) {
            records = reader.stream().toList();
        }
        List<String> header = records.get(0).getFields();
        CsvRecord r = records.get(1);
        assertCell(monetary, "1234567.89", header, r, "monetary");
        assertCell(meanRepeat, "60125.23", header, r, "mean_repeat_spend");
        assertCell(value12, "279138.02", header, r, "expected_value_12m");
        assertCell(61_000.17, "61000.17", header, r, "expected_spend_per_transaction");
        assertCell(pAlive, "0.123456789", header, r, "p_alive");
        assertCell(0.987654321, "0.987654321", header, r, "price_index");
        assertCell(175, "175", header, r, "t_x");
        for (String field : r.getFields()) {
            assertFalse(field.matches("-?[0-9.]+[eE][-+]?[0-9]+"), "no E notation for a spreadsheet to misread: " + field);
        }
    }

    private static void assertCell(double expected, String text, List<String> header, CsvRecord r, String column) {
        String cell = r.getField(header.indexOf(column));
        assertEquals(text, cell, column);
        assertEquals(expected, Double.parseDouble(cell), 0.0, column);
    }
}
