package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class PerCustomerMetricsTest {
    @TempDir
    Path dir;

    @Test
    void theFingerprintIsTheSha256OfTheSortedIdsOnePerLine() {
        // printf '12346\n12347\n17850\n' | sha256sum
        assertEquals("d7b9dcdf940db51b2fa92a360e03bb17eca7311869de361047c29ad4e2e307fe",
                PerCustomerMetrics.fingerprint(List.of("12346", "12347", "17850")));
        // An id holding a line break is escaped, so it cannot pass for two ids ("a" and "b": 9111...).
        assertEquals("911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2",
                PerCustomerMetrics.fingerprint(List.of("a", "b")));
        assertEquals("d32170bf6e447af933ecabf6607a7e94b1fc35e01f71b618141aab849e00f45b",
                PerCustomerMetrics.fingerprint(List.of("a\nb")));
    }

    /** Positions 0..3 hold customers c3, c1, c9 (nothing relevant: NaN) and c2. */
    private static PerCustomerMetrics sample() {
        Map<String, double[][]> byPosition = new LinkedHashMap<>();
        byPosition.put("ease", new double[][] {{0.3, 0.1, Double.NaN, 1.0 / 3}, {0.5, 0, Double.NaN, 1}, {1, 0,
            Double.NaN, 1}});
        byPosition.put("blend", new double[][] {{0.4, 0.2, Double.NaN, 0}, {0.5, 0.25, Double.NaN, 0}, {1, 1,
            Double.NaN, 0}});
        return PerCustomerMetrics.of(new String[] {"c3", "c1", "c9", "c2"}, byPosition);
    }

    @Test
    void rowsAreTheCountedCustomersSortedById() {
        PerCustomerMetrics p = sample();
        assertEquals(3, p.customers(), "c9 had nothing relevant and does not count");
        assertEquals(PerCustomerMetrics.fingerprint(List.of("c1", "c2", "c3")), p.testCustomersFingerprint());
        assertArrayEquals(new double[] {0.1, 1.0 / 3, 0.3}, p.values("ease", "ndcg@10"));
        assertArrayEquals(new double[] {1, 0, 1}, p.values("blend", "hitrate@10"));
        assertEquals(null, p.values("als", "ndcg@10"));
    }

    @Test
    void theFileHoldsNoIdsAndReadsBackToTheSameDoubles() throws Exception {
        PerCustomerMetrics p = sample();
        Path f = dir.resolve(PerCustomerMetrics.FILE);
        String sha;
        try (var out = Files.newOutputStream(f)) {
            sha = p.write(out);
        }
        String csv;
        try (var in = new GZIPInputStream(Files.newInputStream(f))) {
            csv = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals("ease/ndcg@10,ease/recall@10,ease/hitrate@10,blend/ndcg@10,blend/recall@10,blend/hitrate@10\n"
                + "0.1,0,0,0.2,0.25,1\n0.3333333333333333,1,1,0,0,0\n0.3,0.5,1,0.4,0.5,1\n", csv);
        assertTrue(!csv.contains("c1") && !csv.contains("c3"), "no customer ids");
        PerCustomerMetrics back = PerCustomerMetrics.read(f, p.testCustomersFingerprint(), sha);
        assertEquals(p.metrics(), back.metrics());
        assertEquals(List.copyOf(p.byModel().keySet()), List.copyOf(back.byModel().keySet()));
        for (String model : p.byModel().keySet()) {
            for (String metric : p.metrics()) {
                assertArrayEquals(p.values(model, metric), back.values(model, metric), model + " " + metric);
            }
        }
        // Written twice: the same bytes (gzip without a time stamp), so reruns give identical files.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        p.write(again);
        assertArrayEquals(Files.readAllBytes(f), again.toByteArray());
    }

    @Test
    void aFileThatIsNotTheOneTheReportRecordsIsRefusedNamingIt() throws Exception {
        PerCustomerMetrics p = sample();
        Path f = dir.resolve(PerCustomerMetrics.FILE);
        String sha;
        try (var out = Files.newOutputStream(f)) {
            sha = p.write(out);
        }
        String other = sha.replace(sha.charAt(0), sha.charAt(0) == '0' ? '1' : '0');
        assertNotEquals(sha, other);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PerCustomerMetrics.read(f, p.testCustomersFingerprint(), other));
        assertTrue(e.getMessage().startsWith(f + ": its SHA-256"), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), 20));
        e = assertThrows(IllegalArgumentException.class,
                () -> PerCustomerMetrics.read(f, p.testCustomersFingerprint(), sha));
        assertTrue(e.getMessage().contains("not a complete gzip file"), e.getMessage());
    }
}
