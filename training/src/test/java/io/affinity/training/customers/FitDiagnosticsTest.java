package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fits on too little history, from the bundled May-June 2011 sample: three days of calibration do not converge
 * (a clear {@link ModelFitException}, not commons-math's exception), a month converges on a limiting case
 * (a warning naming the parameter).
 */
@IntegrationTest
class FitDiagnosticsTest {
    private static final Path SAMPLE = Path.of("..", "data", "sample", "online-retail-2011-05-06.csv.gz");
    private static Transactions sample;

    @BeforeAll
    static void load() throws Exception {
        sample = TransactionLoader.load(List.of(SAMPLE), IngestOptions.defaults()).transactions();
    }

    @Test
    void aFitThatDoesNotConvergeNamesTheModel() {
        ModelFitException e = assertThrows(ModelFitException.class, () -> CustomerAnalytics.run(sample,
                CustomerAnalyticsOptions.defaults(LocalDate.of(2011, 5, 3)), ItemCosts.none()));
        assertTrue(e.getMessage().startsWith("BG/NBD fit did not converge"), e.getMessage());
    }

    @Test
    void aFitAtTheEdgeOfTheParameterSpaceIsReported() {
        CustomerAnalysis a = CustomerAnalytics.run(sample, CustomerAnalyticsOptions.defaults(LocalDate.of(2011, 5, 31)),
                ItemCosts.none());
        List<String> warnings = FitDiagnostics.warnings(a);
        assertEquals(1, warnings.size(), warnings.toString());
        // Gross of returns this fit ran off to b = 9e6 (nobody seen to lapse); net of returns, the days of the few
        // customers who sent a delivery back are gone and it runs off the other way, a and b both towards 0 (each
        // customer's drop-out probability 0 or 1, a/(a+b) of them 1): still a limiting case, still reported
        assertTrue(warnings.get(0).startsWith("BG/NBD fit is degenerate: a="), warnings.get(0));
        assertTrue(a.bgNbd().model().a() < FitDiagnostics.SMALLEST_SHAPE
                && a.bgNbd().model().b() < FitDiagnostics.SMALLEST_SHAPE, a.bgNbd().model().toString());
        assertEquals(warnings, CustomerReportWriter.report(a).get("warnings"));
    }
}
