package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmarks/evaluation-audit/audit.py}, the independent recomputation of {@code evaluate}'s figures, on an
 * evaluation run with a consent list, a consent journal and an --exclude-customers list: given the same files it
 * rebuilds the same test customers and agrees on every figure, with no finding; without them it says which lists
 * evaluate had. It read neither list before the twenty-ninth session, so its figures disagreed with an evaluation
 * that honoured them. Skipped when no {@code python3} runs.
 */
@IntegrationTest
class EvaluationAuditTest {
    private static final Path AUDIT = Path.of("..", "benchmarks", "evaluation-audit", "audit.py");

    @TempDir
    Path dir;

    /**
     * 60 customers (12000..12059) ordering every 9 to 20 days from January to June 2011, two to four of 30 items, a
     * third of them from a few favourites; every fifth order of a customer is a guest's. UCI layout.
     */
    private Path export() throws IOException {
        Random rnd = new Random(29);
        List<String> lines = new ArrayList<>();
        lines.add("Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country");
        int invoice = 500000;
        for (int c = 0; c < 60; c++) {
            int[] favourites = {rnd.nextInt(30), rnd.nextInt(30), rnd.nextInt(30)};
            int n = 0;
            for (LocalDateTime t = LocalDateTime.parse("2011-01-01T09:00").plusDays(rnd.nextInt(10));
                 t.isBefore(LocalDateTime.parse("2011-07-01T00:00")); t = t.plusDays(9 + rnd.nextInt(12))) {
                invoice++;
                String customer = n++ % 5 == 4 ? "" : String.valueOf(12000 + c);
                for (int l = 2 + rnd.nextInt(3); l > 0; l--) {
                    int item = rnd.nextInt(3) > 0 ? favourites[rnd.nextInt(3)] : rnd.nextInt(30);
                    lines.add(invoice + "," + (22000 + item) + ",ITEM " + item + "," + (1 + rnd.nextInt(4)) + ","
                            + t.toString().replace('T', ' ') + ":00,1.25," + customer + ",United Kingdom");
                }
            }
        }
        return Files.write(dir.resolve("orders.csv"), lines);
    }

    @Test
    void theAuditAgreesWithAnEvaluationOfConsentAndExcludedCustomersWhenGivenTheSameLists() throws Exception {
        Path export = export();
        // 12001 (written 12001.0) and 12002 object in the list; 12003's objection in the list is withdrawn through the
        // API after the list was written, 12004 objects through the API only; 12005 opts out of email, not profiling
        Path consent = Files.writeString(dir.resolve("consent.csv"), String.join("\n",
                "customer_id,channel,state", "12001.0,profiling,opted_out", "12002,profiling,opted_out",
                "12003,profiling,opted_out", "12005,email,opted_out", ""), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(consent, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        Path journal = Files.writeString(dir.resolve("consent.journal"), String.join("\n",
                "{\"seq\":1,\"at\":\"2026-02-01T10:00:00Z\",\"customerId\":\"12003\",\"channel\":\"profiling\","
                        + "\"state\":\"opted_in\"}",
                "{\"seq\":2,\"at\":\"2026-02-01T11:00:00Z\",\"customerId\":\"12004\",\"channel\":\"profiling\","
                        + "\"state\":\"opted_out\"}", ""), StandardCharsets.UTF_8);
        Path excluded = Files.writeString(dir.resolve("erased.csv"), String.join("\n",
                "customer_id,requested_at", "\"12010,0\",2026-11-20", "12011,2026-11-21", ""), StandardCharsets.UTF_8);
        Path report = dir.resolve("report");
        CommandErrorsTest.Run run = CommandErrorsTest.run("evaluate", "--input", export.toString(), "--split", "time",
                "--cutoff", "2011-06-01", "--test-days", "30", "--no-season-window", "--report", report.toString(),
                "--rankings", "--consent", consent.toString(), "--consent-journal", journal.toString(),
                "--exclude-customers", excluded.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode objections = new ObjectMapper().readTree(report.resolve("report.json").toFile())
                .get("profilingObjections");
        assertEquals(3, objections.get("inTransactions").asInt(), "12001, 12002 and 12004: " + objections);
        assertEquals(1, objections.get("withdrawnInConsentJournal").asInt(), objections.toString());

        Audit same = audit(report, export, "--consent", consent.toString(), "--consent-journal", journal.toString(),
                "--exclude-customers", excluded.toString());
        assumeTrue(same != null, "no python3 to run the audit with");
        assertEquals(0, same.code(), same.out());
        assertTrue(same.out().contains("\n0 finding(s)"), same.out());
        assertTrue(same.out().contains("held: objections to profiling: customers, by list and journal, in the "
                + "export, orders anonymised (1)"), same.out());
        assertTrue(same.out().contains("held: test customers' fingerprint"), same.out());

        Audit without = audit(report, export);
        assertEquals(1, without.code(), without.out());
        for (String option : List.of("--consent", "--consent-journal", "--exclude-customers")) {
            assertTrue(without.out().contains("FINDING: evaluate ran with " + option + " and the audit without"),
                    without.out());
        }
        assertTrue(without.out().contains("FINDING: testCustomersFingerprint differs"), "other test customers: "
                + without.out());
    }

    private record Audit(int code, String out) {
    }

    /** The audit's exit code and output, or null when there is no python3 to run it. */
    private static Audit audit(Path report, Path export, String... lists) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", AUDIT.toString(), report.toString(),
                export.toString()));
        command.addAll(List.of(lists));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the audit finished");
        return new Audit(p.exitValue(), out);
    }
}
