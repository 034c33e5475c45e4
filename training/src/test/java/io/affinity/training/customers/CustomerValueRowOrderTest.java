package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.RowOrderExport;
import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A customer's money figures (spend, mean repeat spend, the Gamma-Gamma inputs and fit, lifetime value, margins,
 * price index) are the same to the last bit whatever order the export lists its rows in: summed as doubles in row
 * order, {@code 0.1 + 0.2 + 0.3} and {@code 0.3 + 0.2 + 0.1} differ in the last bit, and so did a profile trained
 * from the same export sorted otherwise.
 */
@UnitTest
class CustomerValueRowOrderTest {
    @TempDir
    Path dir;

    private List<String> analysed(String name, List<String> rows) throws Exception {
        var tx = TransactionLoader.load(List.of(RowOrderExport.write(dir.resolve(name), rows)), IngestOptions.defaults())
                .transactions();
        CustomerAnalysis a = CustomerAnalytics.run(tx, CustomerAnalyticsOptions.defaults(LocalDate.of(2011, 9, 1)));
        List<String> out = new ArrayList<>(List.of(a.bgNbd() + " " + a.spendFrequencyCorrelation(),
                a.gammaGamma().toString()));
        a.rows().stream().sorted(Comparator.comparing(CustomerAnalysis.Row::customerId))
                .forEach(r -> out.add(r.toString()));
        return out;
    }

    @Test
    void theSameExportInAnotherRowOrderGivesTheSameFiguresToTheLastBit() throws Exception {
        List<String> forward = RowOrderExport.rows();
        List<String> backward = new ArrayList<>(forward);
        Collections.reverse(backward);
        List<String> shuffled = RowOrderExport.shuffled(5);
        List<String> expected = analysed("forward.csv", forward);
        assertEquals(82, expected.size(), "the fits and 80 customers");
        assertSame(expected, analysed("backward.csv", backward));
        assertSame(expected, analysed("shuffled.csv", shuffled));
    }

    /** Equal line by line, the first difference shown alone (the whole text is a few hundred kilobytes). */
    private static void assertSame(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "line " + i);
        }
        assertEquals(expected.size(), actual.size());
    }
}
