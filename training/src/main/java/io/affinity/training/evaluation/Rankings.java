package io.affinity.training.evaluation;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Every model's test rankings, the very lists the metrics were computed from, in the rows of
 * {@link PerCustomerMetrics#FILE} (the test customers sorted by id, ids not written): so that the metrics can be
 * recomputed from them by other code (benchmarks/evaluation-audit recomputes every figure of report.json from them
 * and the raw export).
 *
 * <p>Written on request ({@code evaluate --rankings}) as {@link #FILE}: gzipped NDJSON, one line per model and
 * customer, {@code {"model":"ease","row":0,"all":[...],"repeat":[...],"new":[...]}}, item ids best first: the overall
 * top 20, the top 20 among items the customer bought before the cutoff, and among the others. No customer id is
 * written, but each row is one customer's lists, largely made of what they bought: pseudonymous data, to be kept
 * like the export it came from.
 *
 * @param byModel per model (report order), [0] overall, [1] repeat-only, [2] new-only lists, per row, item numbers
 * @param itemIds the item id of each item number
 */
public record Rankings(Map<String, int[][][]> byModel, String[] itemIds) {
    /** The file's name in a report directory. */
    public static final String FILE = "rankings.ndjson.gz";

    private static final String[] KINDS = {"all", "repeat", "new"};

    public Rankings {
        Objects.requireNonNull(itemIds, "itemIds");
        byModel = Collections.unmodifiableMap(new LinkedHashMap<>(byModel));
        int rows = -1;
        for (Map.Entry<String, int[][][]> e : byModel.entrySet()) {
            if (e.getValue().length != KINDS.length) {
                throw new IllegalArgumentException(e.getKey() + ": " + e.getValue().length + " kinds of list, not 3");
            }
            for (int[][] kind : e.getValue()) {
                rows = rows < 0 ? kind.length : rows;
                if (kind.length != rows) {
                    throw new IllegalArgumentException(e.getKey() + ": lists of " + kind.length + " customers, others "
                            + "of " + rows);
                }
            }
        }
    }

    /**
     * From per-position lists (as {@link ModelRun.Measured#ranked()} gives them) and each position's customer id: the
     * rows ordered by id, as {@link PerCustomerMetrics#of} orders them (every test customer has a purchase in the
     * test period, so every one counts).
     */
    static Rankings of(String[] idsByPosition, Map<String, int[][][]> byPosition, String[] itemIds) {
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < idsByPosition.length; p++) {
            order.add(p);
        }
        order.sort((a, b) -> idsByPosition[a].compareTo(idsByPosition[b]));
        Map<String, int[][][]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[][][]> e : byPosition.entrySet()) {
            int[][][] v = new int[KINDS.length][order.size()][];
            for (int k = 0; k < KINDS.length; k++) {
                for (int r = 0; r < order.size(); r++) {
                    v[k][r] = e.getValue()[k][order.get(r)];
                }
            }
            out.put(e.getKey(), v);
        }
        return new Rankings(out, itemIds);
    }

    /** Writes {@link #FILE}'s bytes (gzipped NDJSON) and answers the SHA-256 of the NDJSON text. */
    public String write(OutputStream out) throws IOException {
        MessageDigest sha = sha256();
        JsonFactory json = new JsonFactory();
        ByteArrayOutputStream line = new ByteArrayOutputStream(1 << 12);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            for (Map.Entry<String, int[][][]> e : byModel.entrySet()) {
                int[][][] lists = e.getValue();
                for (int r = 0; r < lists[0].length; r++) {
                    line.reset();
                    try (JsonGenerator g = json.createGenerator(line)) {
                        g.writeStartObject();
                        g.writeStringField("model", e.getKey());
                        g.writeNumberField("row", r);
                        for (int k = 0; k < KINDS.length; k++) {
                            g.writeArrayFieldStart(KINDS[k]);
                            for (int item : lists[k][r]) {
                                g.writeString(itemIds[item]);
                            }
                            g.writeEndArray();
                        }
                        g.writeEndObject();
                    }
                    line.write('\n');
                    sha.update(line.toByteArray());
                    line.writeTo(gz);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
