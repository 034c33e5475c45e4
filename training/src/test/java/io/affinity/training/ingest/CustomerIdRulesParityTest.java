package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Ids;
import io.affinity.testing.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python audit scripts' customer-id rules ({@code benchmarks/python/affinity_ids.py}, their one copy) against the
 * loader's (placeholders, {@link Ids#normaliseCustomerId}) on the same ids: hand-picked edge cases and seeded random
 * ones. The scripts each had a copy that knew only {@code 17850.0}, so {@code 17850,0}, {@code 17850.00} and
 * {@code 17850.} were other customers there than in Affinity, and {@code ²3.0} or a non-breaking space were read
 * otherwise. Since the twenty-eighth session Unicode white space and zero-width characters at an id's ends are
 * blanks in both. Skipped when no {@code python3} runs (the scripts need one anyway).
 */
@IntegrationTest
class CustomerIdRulesParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODULE = Path.of("..", "benchmarks", "python", "affinity_ids.py");
    /** Characters random ids are made of: digits (also non-ASCII ones), separators, spaces of every kind, letters. */
    private static final String ALPHABET = "0000123456789.,.,   \t\u00a0\u2007\u202f\u3000\u0085\u200b\u2060\ufeff"
            + "\u00b2\u0663\u0664\uff11AaNnUuLl/#-x\u00e9";

    @TempDir
    Path dir;

    @Test
    void thePythonRulesReadEveryIdAsTheLoaderDoes() throws Exception {
        List<String> ids = new ArrayList<>(List.of("17850", "17850.0", "17850,0", "17850,00", "17850.00", "17850.",
                "17850,", "1,000", "1.000", "12,000", "1234,000", "A17,0", "17850,5", "17,850", " 17850 ", "\t17850.0",
                "NULL", "null", "n/a", "#N/A", "None", "NaN", " nan ", "NULLS", "N/A.0", "0", "0.0", ".0", ",0",
                "-1.0", "1.0.0", "1,0.0", "\u00b23.0", "\u0663\u0664.0", "\u0663\u0664,0", "\uff11\uff12.0",
                "\u00a017850", "17850\u2007", "\u300017850\u3000", "\u008517850", "\ud835\udfce.0", "x\u00e9.0",
                "\u202f17850", "\ufeff17850", "17850\u200b", "\u206017850.0", "\u00a017850,0\u00a0", "17\u00a0850",
                "17\u200b850", "\u00a0", "\u200b\ufeff", "\u00a0NULL\u202f", "\ufeffn/a"));
        Random random = new Random(27);
        for (int i = 0; i < 2000; i++) {
            StringBuilder id = new StringBuilder();
            for (int n = 1 + random.nextInt(8); n > 0; n--) {
                id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            ids.add(id.toString());
        }
        Map<String, String> java = loaded(ids);
        List<String> python = python(ids);
        assumeTrue(python != null, "no python3 to run the audit scripts' rules with");
        List<String> differ = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String expected = java.get("o" + i);
            if (expected != null && !expected.equals(python.get(i) == null ? "-" : python.get(i))) {
                differ.add(JSON.writeValueAsString(ids.get(i)) + ": Java " + JSON.writeValueAsString(expected)
                        + ", Python " + JSON.writeValueAsString(python.get(i)));
            }
        }
        assertEquals(List.of(), differ);
        assertEquals(ids.size(), java.size(), "every id was read");
        assertTrue(java.containsValue("-") && java.containsValue("17850"), "guests and normalised ids both met");
    }

    /** Order "o<i>" to the customer the loader gave it ("-" for a guest), from an export of one row per id. */
    private Map<String, String> loaded(List<String> ids) throws Exception {
        StringBuilder csv = new StringBuilder("customer_id,order_id,timestamp,item_id,quantity,unit_price\n");
        for (int i = 0; i < ids.size(); i++) {
            csv.append('"').append(ids.get(i).replace("\"", "\"\"")).append("\",o").append(i)
                    .append(",2011-05-01,A1,1,1\n");
        }
        Path f = Files.writeString(dir.resolve("ids.csv"), csv, StandardCharsets.UTF_8);
        Transactions tx = TransactionLoader.load(List.of(f), IngestOptions.defaults()).transactions();
        Map<String, String> out = new HashMap<>();
        for (int o = 0; o < tx.orderCount(); o++) {
            int c = tx.customerOf(o);
            out.put(tx.orderId(o), c < 0 ? "-" : tx.customerId(c));
        }
        return out;
    }

    /** The module's answers, or null when there is no python3 to run it. */
    private List<String> python(List<String> ids) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("python3", MODULE.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            return null;
        }
        try (var in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(ids));
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 finished");
        assertEquals(0, p.exitValue(), "python3 " + MODULE);
        return Arrays.asList(JSON.readValue(out, String[].class)); // null: a guest
    }
}
