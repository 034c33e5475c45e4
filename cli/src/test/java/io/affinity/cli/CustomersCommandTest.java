package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code affinity customers} on the bundled May-June 2011 sample: May calibrates, June is the holdout. */
@IntegrationTest
class CustomersCommandTest {
    @TempDir
    Path out;

    @Test
    void writesProfilesAndReportWithHoldout() throws Exception {
        int code = AffinityCli.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "2011-05-31", "--holdout-end", "2011-06-30", "--time-unit", "weeks", "--output", out.toString());
        assertEquals(0, code);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals("weeks", report.get("timeUnit").asText());
        for (String p : List.of("r", "alpha", "a", "b")) {
            assertTrue(report.get("bgNbd").get(p).asDouble() > 0, p);
        }
        for (String p : List.of("p", "q", "v")) {
            assertTrue(report.get("gammaGamma").get(p).asDouble() > 0, p);
        }
        int customers = report.get("customers").asInt();
        assertTrue(customers > 1000, "customers " + customers);
        assertEquals(30, report.get("holdout").get("days").asInt());
        assertTrue(report.get("holdout").get("bgNbd").get("mae").asDouble() >= 0);
        List<String> lines = Files.readAllLines(out.resolve("profiles.csv"));
        assertEquals(customers + 1, lines.size());
        assertTrue(lines.get(0).startsWith("customer_id,") && lines.get(0).endsWith("holdout_naive"));
    }

    @Test
    void aCalibrationPeriodTooShortToFitIsRefused() {
        CommandErrorsTest.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "2011-05-03", "--output", out.toString()).failsWith("calibration period of 3 days (data start "
                + "2011-05-01)", "use --calibration-end 2011-05-28 or later");
        assertTrue(!Files.exists(out.resolve("report.json")));
    }

    @Test
    void aHoldoutPastTheDataIsRefused() {
        CommandErrorsTest.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "2011-06-10", "--holdout-end", "2012-06-10", "--output", out.toString())
                .failsWith("--holdout-end 2012-06-10 is after the data's last transaction (2011-06-30)");
    }

    @Test
    void aDegenerateFitIsWarnedAboutAndRecorded() throws Exception {
        CommandErrorsTest.Run r = CommandErrorsTest.run("customers", "--input", EndToEndTest.SAMPLE.toString(),
                "--calibration-end", "2011-05-31", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode warnings = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("warnings");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).asText().startsWith("BG/NBD fit is degenerate"), warnings.toString());
    }

    @Test
    void badDateIsAClearError() {
        int code = AffinityCli.run("customers", "--input", EndToEndTest.SAMPLE.toString(), "--calibration-end",
                "31/05/2011", "--output", out.toString());
        assertEquals(1, code);
        assertTrue(!Files.exists(out.resolve("report.json")));
    }
}
