package io.affinity.training.evaluation;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Every model's test metrics per customer ({@link RankingMetrics#PER_CUSTOMER}: the values whose means are the
 * reported aggregates), in one customer order shared by every report over the same test customers: sorted by
 * customer id. The ids are personal data and are never written: only the SHA-256 fingerprint of the ordered ids,
 * so that two reports can tell whether their rows are the same customers (and pair them) without exposing who.
 *
 * <p>Written next to {@code report.json} as {@link #FILE}: gzipped CSV, a header {@code MODEL/METRIC,...} and one
 * row per customer. CSV because every data tool reads it as it is ({@code pandas.read_csv}, R's {@code read.csv},
 * a spreadsheet), one row per customer is the shape a paired analysis wants, and gzip takes the repeated zeros
 * down to about a third; values are written so that they parse back to the very same doubles.
 *
 * @param testCustomersFingerprint SHA-256 (hex) of the test customers' ids in row order (see {@link #fingerprint})
 * @param metrics                  the metric of each vector, in order
 * @param byModel                  per model (in report order), one vector per metric, one value per customer
 */
public record PerCustomerMetrics(String testCustomersFingerprint, List<String> metrics,
                                 Map<String, double[][]> byModel) {
    /** The file's name in a report directory. */
    public static final String FILE = "per-customer.csv.gz";

    public PerCustomerMetrics {
        Objects.requireNonNull(testCustomersFingerprint, "testCustomersFingerprint");
        if (!testCustomersFingerprint.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("testCustomersFingerprint must be 64 lower-case hex digits (SHA-256)");
        }
        metrics = List.copyOf(metrics);
        if (metrics.isEmpty() || byModel.isEmpty()) {
            throw new IllegalArgumentException("need at least one metric and one model");
        }
        int n = -1;
        for (Map.Entry<String, double[][]> e : byModel.entrySet()) {
            if (e.getValue().length != metrics.size()) {
                throw new IllegalArgumentException("model " + e.getKey() + " has " + e.getValue().length
                        + " vectors for " + metrics.size() + " metrics");
            }
            for (double[] v : e.getValue()) {
                n = n < 0 ? v.length : n;
                if (v.length != n || n == 0) {
                    throw new IllegalArgumentException("model " + e.getKey() + ": vectors of " + v.length
                            + " customers, others of " + n + " (need the same customers, at least one)");
                }
            }
        }
        byModel = Collections.unmodifiableMap(new LinkedHashMap<>(byModel));
    }

    public int customers() {
        return byModel.values().iterator().next()[0].length;
    }

    /** One model's values of one metric, one per customer in row order, or null when not held. */
    public double[] values(String model, String metric) {
        double[][] v = byModel.get(model);
        int m = metrics.indexOf(metric);
        return v == null || m < 0 ? null : v[m];
    }

    /**
     * From per-position vectors (as {@link ModelRun.Measured} gives them) and each position's customer id: keeps the
     * customers who count (not NaN; the same in every model) and orders them by id.
     *
     * @param idsByPosition customer id of each test-user position
     * @param byPosition    per model, per {@link RankingMetrics#PER_CUSTOMER} metric, per position
     */
    static PerCustomerMetrics of(String[] idsByPosition, Map<String, double[][]> byPosition) {
        double[] first = byPosition.values().iterator().next()[0];
        List<Integer> counted = new ArrayList<>();
        for (int p = 0; p < idsByPosition.length; p++) {
            if (!Double.isNaN(first[p])) {
                counted.add(p);
            }
        }
        counted.sort((a, b) -> idsByPosition[a].compareTo(idsByPosition[b]));
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[][]> e : byPosition.entrySet()) {
            double[][] v = new double[e.getValue().length][counted.size()];
            for (int m = 0; m < v.length; m++) {
                for (int r = 0; r < counted.size(); r++) {
                    v[m][r] = e.getValue()[m][counted.get(r)];
                    if (Double.isNaN(v[m][r])) {
                        throw new IllegalStateException(e.getKey() + " has no " + RankingMetrics.PER_CUSTOMER.get(m)
                                + " for a customer the other models count");
                    }
                }
            }
            out.put(e.getKey(), v);
        }
        return new PerCustomerMetrics(fingerprint(counted.stream().map(p -> idsByPosition[p]).toList()),
                RankingMetrics.PER_CUSTOMER, out);
    }

    /**
     * SHA-256, lower-case hex, of the ids in the given order, each as UTF-8 followed by a line feed, a backslash or
     * line feed inside an id escaped as {@code \\} or {@code \n} (so no two lists of ids give the same bytes). For
     * ids without those characters it is {@code LC_ALL=C sort ids.txt | sha256sum} of a file of the ids, one per
     * line (Java's order of strings, used here, is that byte order for ids of letters, digits and punctuation).
     */
    public static String fingerprint(List<String> orderedIds) {
        MessageDigest sha = sha256();
        for (String id : orderedIds) {
            sha.update(id.replace("\\", "\\\\").replace("\n", "\\n").getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The CSV text (before gzip): header, then one row per customer. */
    byte[] csv() {
        StringBuilder sb = new StringBuilder(customers() * byModel.size() * metrics.size() * 8);
        List<double[]> columns = new ArrayList<>();
        for (Map.Entry<String, double[][]> e : byModel.entrySet()) {
            for (int m = 0; m < metrics.size(); m++) {
                sb.append(columns.isEmpty() ? "" : ",").append(e.getKey()).append('/').append(metrics.get(m));
                columns.add(e.getValue()[m]);
            }
        }
        sb.append('\n');
        for (int r = 0; r < customers(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                double v = columns.get(c)[r];
                if (c > 0) {
                    sb.append(',');
                }
                // 0 and 1 (most values: no hit, a hit) as integers; others in the shortest form that parses back.
                if (v == 0 || v == 1) {
                    sb.append((int) v);
                } else {
                    sb.append(v);
                }
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@link #FILE}'s bytes (gzipped {@link #csv()}) and answers the SHA-256 of the CSV text. */
    public String write(OutputStream out) throws IOException {
        byte[] csv = csv();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            gz.write(csv);
        }
        return HexFormat.of().formatHex(sha256().digest(csv));
    }

    /** The SHA-256 (hex) of the CSV text {@link #write} writes (before gzip), as report.json records it. */
    String csvSha256() {
        return HexFormat.of().formatHex(sha256().digest(csv()));
    }

    /**
     * Reads a file {@link #write} wrote, checking it is the one a report describes.
     *
     * @param expectedSha256 SHA-256 of the CSV text as recorded in report.json
     * @throws IllegalArgumentException naming the file and what is wrong
     */
    public static PerCustomerMetrics read(Path file, String fingerprint, String expectedSha256) throws IOException {
        byte[] csv;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            csv = in.readAllBytes();
        } catch (ZipException | EOFException e) {
            throw new IllegalArgumentException(file + ": not a complete gzip file (" + e.getMessage() + ")");
        }
        String sha = HexFormat.of().formatHex(sha256().digest(csv));
        if (!sha.equals(expectedSha256)) {
            throw new IllegalArgumentException(file + ": its SHA-256 " + sha + " is not the " + expectedSha256
                    + " its report.json records (the file belongs to another run or was changed)");
        }
        List<String> metrics = new ArrayList<>();
        List<String> models = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(csv),
                StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null) {
                throw new IllegalArgumentException(file + ": empty");
            }
            String[] names = header.split(",", -1);
            for (String name : names) {
                int slash = name.indexOf('/');
                if (slash <= 0 || slash == name.length() - 1) {
                    throw new IllegalArgumentException(file + ":1: column '" + name + "' is not MODEL/METRIC");
                }
                String model = name.substring(0, slash);
                String metric = name.substring(slash + 1);
                if (!models.contains(model)) {
                    models.add(model);
                }
                if (!metrics.contains(metric)) {
                    metrics.add(metric);
                }
            }
            if (names.length != models.size() * metrics.size()) {
                throw new IllegalArgumentException(file + ":1: not every model has every metric");
            }
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String[] cells = line.split(",", -1);
                if (cells.length != names.length) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": " + cells.length + " values for "
                            + names.length + " columns");
                }
                double[] row = new double[cells.length];
                for (int c = 0; c < cells.length; c++) {
                    try {
                        row[c] = Double.parseDouble(cells[c]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": '" + cells[c] + "' in column "
                                + names[c] + " is not a number");
                    }
                }
                rows.add(row);
            }
            Map<String, double[][]> byModel = new LinkedHashMap<>();
            for (int c = 0; c < names.length; c++) {
                int slash = names[c].indexOf('/');
                double[][] v = byModel.computeIfAbsent(names[c].substring(0, slash),
                        k -> new double[metrics.size()][]);
                int m = metrics.indexOf(names[c].substring(slash + 1));
                if (v[m] != null) {
                    throw new IllegalArgumentException(file + ":1: column " + names[c] + " twice");
                }
                v[m] = new double[rows.size()];
                for (int i = 0; i < rows.size(); i++) {
                    v[m][i] = rows.get(i)[c];
                }
            }
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(file + ": a header but no customer rows");
            }
            return new PerCustomerMetrics(fingerprint, metrics, byModel);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "PerCustomerMetrics[" + customers() + " customers, models " + byModel.keySet() + ", metrics " + metrics
                + "]";
    }
}
