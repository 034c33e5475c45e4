package io.affinity.training.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.affinity.store.Invocation;
import io.affinity.store.Manifest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Renders an {@link EvaluationReport}: a fixed-width table for the terminal, {@code report.json} (Jackson) for
 * machines, a self-contained {@code report.html} with inline SVG charts for people, and the per-customer metrics
 * ({@link PerCustomerMetrics#FILE}) that bootstrap intervals and {@code compare}'s paired tests are made from.
 */
public final class ReportWriter {
    static final String[] TABLE_METRICS = {"ndcg@10", "recall@10", "precision@10", "hitrate@10", "map@10",
        "recall@20", "coverage@10", "novelty@10", "repeat.ndcg@10", "new.ndcg@10", "new.recall@20",
        "cold.ndcg@10", "warm.ndcg@10"};
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#222222"};
    /**
     * Dash patterns of the recall chart's lines, one per pass through {@link #PALETTE}: an evaluation has more models
     * (15) than the palette has colours, and two solid lines of one colour could not be told apart.
     */
    private static final String[] DASHES = {null, "6,3", "2,2", "8,3,2,3"};

    static final String NO_COLD = "cold.*: n/a, every test customer has a purchase history "
            + "(testCustomersWithoutHistory: 0)";

    /**
     * How the models rank for a customer without history, for the page's cold/warm chart. Only some fall back to
     * popularity: the models that start from the customer's own purchases score every item alike for them (ALS too:
     * a customer without purchases keeps the factors 0), so {@code TopK} ranks them in item-number order (on the
     * sample cold.ndcg@10 0.0229 for all six, popularity 0.1077). The service never serves those lists to such a
     * customer: an unknown customer gets popular items ({@code "fallback": true}).
     */
    static final String COLD_NOTE = "For cold customers repeat-frequency and tifu-knn rank by popularity, as the "
            + "popularity models do; rules, knn-cosine, knn-bm25, rp3beta, ease and als start from the customer's own "
            + "purchases and have no opinion: they score every item alike, so their cold figures measure an "
            + "arbitrary order (the service answers a customer without history with popular items instead). The blend "
            + "and the re-ranker mix their models' candidates.";

    /** After a metric's interval, in the tables and in {@code compare}: the interval excludes 0. */
    public static final String SIGNIFICANT = "*";

    private ReportWriter() {
    }

    private static String interval(Significance.Interval i) {
        return i == null ? "n/a" : String.format(Locale.ROOT, "[%.4f, %.4f]", i.low(), i.high());
    }

    /** How the intervals were made, for the table's and the page's legend. */
    static String method(EvaluationReport r) {
        return String.format(Locale.ROOT, "95%% intervals: percentile bootstrap over the %,d test customers "
                        + "(%,d resamples, seed %d; paired: both models resampled with the same customers); %s after a "
                        + "difference's interval: it excludes 0; p: paired t-test, two-sided", r.perCustomer().customers(),
                Significance.RESAMPLES, Significance.SEED, SIGNIFICANT);
    }

    /** "reranker minus tifu-knn (why): ndcg@10 +0.0034, 95% interval [+0.0001, +0.0068] *, p = 0.0421". */
    static String versus(EvaluationReport r, EvaluationReport.Versus v) {
        Significance.Paired d = v.ndcg10();
        return String.format(Locale.ROOT, "%s minus %s (%s): ndcg@10 %+.4f, 95%% interval [%+.4f, %+.4f]%s, p %s",
                r.served(), v.model(), v.why(), d.difference(), d.interval().low(), d.interval().high(),
                d.significant() ? " " + SIGNIFICANT : "", pValue(d.pValue()));
    }

    private static String pValue(double p) {
        return Double.isNaN(p) ? "n/a" : p < 1e-4 ? "< 0.0001" : String.format(Locale.ROOT, "= %.4f", p);
    }

    /** Whether any model has figures for test customers without history (absent when there are none). */
    static boolean hasCold(EvaluationReport r) {
        return r.models().stream().anyMatch(m -> m.metrics().containsKey("cold.ndcg@10"));
    }

    public static String table(EvaluationReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-23s", "model"));
        for (String m : TABLE_METRICS) {
            sb.append(String.format(Locale.ROOT, " %13s", m));
            if (m.equals(Evaluation.NDCG)) {
                sb.append(String.format(Locale.ROOT, " %17s", "ndcg@10 95% int."));
            }
        }
        // "model MiB": the fitted model's arrays (ModelResult.modelBytes), not the memory its training used
        sb.append(String.format(Locale.ROOT, " %9s %9s%n", "train s", "model MiB"));
        for (ModelResult m : r.models()) {
            sb.append(String.format(Locale.ROOT, "%-23s", m.name() + (m.name().equals(r.served()) ? " *" : "")));
            for (String k : TABLE_METRICS) {
                Double v = m.metrics().get(k);
                sb.append(v == null ? String.format(Locale.ROOT, " %13s", "n/a")
                        : String.format(Locale.ROOT, " %13.4f", v));
                if (k.equals(Evaluation.NDCG)) {
                    sb.append(String.format(Locale.ROOT, " %17s", interval(r.ndcgIntervals().get(m.name()))));
                }
            }
            sb.append(String.format(Locale.ROOT, " %9.1f %9.1f%n", m.trainSeconds(), m.modelBytes() / 1048576.0));
        }
        sb.append("* served (best validation ndcg@10)\n");
        for (EvaluationReport.Versus v : r.servedVersus()) {
            sb.append(versus(r, v)).append('\n');
        }
        sb.append(method(r)).append('\n');
        if (!hasCold(r)) {
            sb.append(NO_COLD).append('\n');
        }
        for (ModelResult m : r.models()) {
            if (m.note() != null) {
                sb.append(m.name()).append(": ").append(m.note()).append('\n');
            }
        }
        for (String w : r.warnings()) {
            sb.append("WARNING ").append(w).append('\n');
        }
        return sb.toString();
    }

    /** The JSON document written as {@code report.json}. */
    public static Map<String, Object> json(EvaluationReport r) {
        return json(r, r.perCustomer().csvSha256(), List.of(), null);
    }

    private static List<Double> pair(Significance.Interval i) {
        return List.of(i.low(), i.high());
    }

    /**
     * @param csvSha256 SHA-256 of the per-customer file's CSV text (before gzip)
     * @param inputs    the files the transactions were read from (none: not recorded)
     * @param rankingsSha256 SHA-256 of the rankings file's NDJSON text, or null when it was not written
     */
    static Map<String, Object> json(EvaluationReport r, String csvSha256, List<Manifest.InputFile> inputs,
                                    String rankingsSha256) {
        return json(r, csvSha256, inputs, rankingsSha256, null);
    }

    /** @param invocation the command that ran the evaluation, or null when there was none (a library caller) */
    static Map<String, Object> json(EvaluationReport r, String csvSha256, List<Manifest.InputFile> inputs,
                                    String rankingsSha256, Invocation invocation) {
        return json(r, csvSha256, inputs, rankingsSha256, invocation, null);
    }

    /**
     * @param profilingObjections what the evaluation did with the objections to profiling (counts only, as train's
     *                            manifest section {@code profilingObjections}), or null when it read no consent list
     *                            or journal
     */
    static Map<String, Object> json(EvaluationReport r, String csvSha256, List<Manifest.InputFile> inputs,
                                    String rankingsSha256, Invocation invocation,
                                    Map<String, Object> profilingObjections) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (!inputs.isEmpty()) {
            root.put("inputs", inputs);
        }
        // A rerun gives the same numbers with the same build: which one it was, and the command as typed
        root.put("software", Manifest.Software.current());
        if (invocation != null) {
            root.put(Invocation.SECTION, invocation);
        }
        if (profilingObjections != null) {
            root.put("profilingObjections", profilingObjections);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("split", r.settings().split());
        settings.put("cutoff", r.settings().cutoff() == null ? null : r.settings().cutoff().toString());
        // --test-days applies to the time split only
        settings.put("testDays", "time".equals(r.settings().split()) ? r.settings().testDays() : null);
        // --no-season-window changes the re-ranker's numbers; like testDays it applies to the time split only
        settings.put("seasonWindow", "time".equals(r.settings().split()) ? r.settings().seasonWindow() : null);
        settings.put("threads", r.settings().threads());
        settings.put("seed", r.settings().seed());
        settings.put("easeMaxItems", r.settings().easeMaxItems());
        settings.put("minSupport", r.settings().rulesMinSupport());
        settings.put("minConfidence", r.settings().rulesMinConfidence());
        settings.put("minLift", r.settings().rulesMinLift());
        settings.put("candidatesPerKind", r.settings().candidates());
        root.put("settings", settings);
        root.put("facts", r.facts());
        root.put("warnings", r.warnings());
        root.put("served", r.served());
        root.put("totalSeconds", round(r.totalSeconds()));
        // Rows of the per-customer file are the test customers sorted by id; only this digest of the ids is written.
        root.put("testCustomersFingerprint", r.perCustomer().testCustomersFingerprint());
        Map<String, Object> perCustomer = new LinkedHashMap<>();
        perCustomer.put("file", PerCustomerMetrics.FILE);
        perCustomer.put("csvSha256", csvSha256);
        perCustomer.put("customers", r.perCustomer().customers());
        perCustomer.put("metrics", r.perCustomer().metrics());
        perCustomer.put("columns", "MODEL/METRIC, models in the order of models below");
        perCustomer.put("rows", "one per test customer, sorted by customer id (ids are not written; "
                + "testCustomersFingerprint is the SHA-256 of the sorted ids)");
        root.put("perCustomer", perCustomer);
        if (rankingsSha256 != null) {
            Map<String, Object> rankings = new LinkedHashMap<>();
            rankings.put("file", Rankings.FILE);
            rankings.put("sha256", rankingsSha256);
            rankings.put("lines", "one per model and test customer, models in the order of models below, customers "
                    + "in the rows of the per-customer file: {\"model\", \"row\", \"all\", \"repeat\", \"new\"}, "
                    + "item ids best first, the lists the metrics were computed from");
            root.put("rankings", rankings);
        }
        Map<String, Object> bootstrap = new LinkedHashMap<>();
        bootstrap.put("method", "percentile bootstrap over test customers; paired: both models resampled with the "
                + "same customers");
        bootstrap.put("resamples", Significance.RESAMPLES);
        bootstrap.put("seed", Significance.SEED);
        bootstrap.put("confidence", Significance.CONFIDENCE);
        bootstrap.put("pValue", "paired t-test, two-sided");
        root.put("bootstrap", bootstrap);
        List<Map<String, Object>> versus = new ArrayList<>();
        for (EvaluationReport.Versus v : r.servedVersus()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("served", r.served());
            e.put("versus", v.model());
            e.put("why", v.why());
            e.put("metric", Evaluation.NDCG);
            e.put("difference", v.ndcg10().difference());
            e.put("interval95", pair(v.ndcg10().interval()));
            e.put("significant", v.ndcg10().significant());
            e.put("pValue", Double.isNaN(v.ndcg10().pValue()) ? null : v.ndcg10().pValue());
            e.put("customers", v.ndcg10().customers());
            versus.add(e);
        }
        root.put("servedDifferences", versus);
        Map<String, Object> models = new LinkedHashMap<>();
        for (ModelResult m : r.models()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("parameters", new TreeMap<>(m.parameters()));
            e.put("validationNdcg@10", m.validationNdcg10());
            e.put("trainSeconds", round(m.trainSeconds()));
            e.put("modelBytes", m.modelBytes());
            e.put("metrics", m.metrics());
            Significance.Interval i = r.ndcgIntervals().get(m.name());
            if (i != null) {
                e.put("intervals95", Map.of(Evaluation.NDCG, pair(i)));
            }
            if (m.note() != null) {
                e.put("note", m.note());
            }
            models.put(m.name(), e);
        }
        root.put("models", models);
        return root;
    }

    /**
     * Writes {@link PerCustomerMetrics#FILE}, {@code report.json} (which records the former's SHA-256) and
     * {@code report.html} into {@code dir} (created if needed).
     */
    public static void write(EvaluationReport r, Path dir) throws IOException {
        write(r, dir, List.of());
    }

    /** As {@link #write(EvaluationReport, Path)}, recording in {@code report.json} the files the data came from. */
    public static void write(EvaluationReport r, Path dir, List<Manifest.InputFile> inputs) throws IOException {
        write(r, dir, inputs, false);
    }

    /**
     * As {@link #write(EvaluationReport, Path, List)}, and with {@code rankings} also {@link Rankings#FILE} (recorded
     * in {@code report.json} with its SHA-256).
     *
     * @throws IllegalArgumentException when the rankings are asked for and the report kept none
     */
    public static void write(EvaluationReport r, Path dir, List<Manifest.InputFile> inputs, boolean rankings)
            throws IOException {
        write(r, dir, inputs, rankings, null);
    }

    /**
     * As {@link #write(EvaluationReport, Path, List, boolean)}, recording in {@code report.json} the command that ran
     * the evaluation (null: none).
     */
    public static void write(EvaluationReport r, Path dir, List<Manifest.InputFile> inputs, boolean rankings,
                             Invocation invocation) throws IOException {
        write(r, dir, inputs, rankings, invocation, null);
    }

    /**
     * As {@link #write(EvaluationReport, Path, List, boolean, Invocation)}, recording in {@code report.json} what the
     * evaluation did with the objections to profiling (counts only; null: it read no consent list or journal).
     */
    public static void write(EvaluationReport r, Path dir, List<Manifest.InputFile> inputs, boolean rankings,
                             Invocation invocation, Map<String, Object> profilingObjections) throws IOException {
        if (rankings && r.rankings() == null) {
            throw new IllegalArgumentException("this report kept no rankings to write");
        }
        Files.createDirectories(dir);
        String sha;
        try (OutputStream out = new BufferedOutputStream(
                Files.newOutputStream(dir.resolve(PerCustomerMetrics.FILE)), 1 << 16)) {
            sha = r.perCustomer().write(out);
        }
        String rankingsSha = null;
        if (rankings) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(Rankings.FILE)),
                    1 << 16)) {
                rankingsSha = r.rankings().write(out);
            }
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(),
                json(r, sha, inputs, rankingsSha, invocation, profilingObjections));
        Files.writeString(dir.resolve("report.html"), html(r), StandardCharsets.UTF_8);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * A fact as a person reads it: counts with thousands separators, fractions to four significant digits
     * (report.json keeps the full double), an empty list as "none".
     */
    static String factText(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return String.format(Locale.ROOT, "%,d", d.longValue());
            }
            // four significant digits, not four decimals: a support of 0.000012 is not 0.0000
            return Double.isFinite(d) ? new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros()
                    .toPlainString() : String.valueOf(d);
        }
        if (v instanceof java.util.Collection<?> c && c.isEmpty()) {
            return "none";
        }
        return String.valueOf(v);
    }

    /**
     * A model's parameters as a person reads them: {@code name value} pairs in name order, fractions to four
     * significant digits; a blend's weights (keys {@code repeat.MODEL} and {@code new.MODEL}) per kind, largest first, the
     * models weighted 0 named once at the end of their kind.
     */
    static String parametersText(Map<String, Object> parameters) {
        if (parameters.isEmpty()) {
            return "none";
        }
        List<String> plain = new ArrayList<>();
        Map<String, List<Map.Entry<String, Double>>> weights = new TreeMap<>(Comparator.reverseOrder());
        new TreeMap<>(parameters).forEach((k, v) -> {
            int dot = k.indexOf('.');
            String kind = dot < 0 ? null : k.substring(0, dot);
            if (("repeat".equals(kind) || "new".equals(kind)) && v instanceof Number n) {
                weights.computeIfAbsent(kind, x -> new ArrayList<>())
                        .add(Map.entry(k.substring(dot + 1), n.doubleValue()));
            } else {
                plain.add(k + " " + factText(v));
            }
        });
        List<String> parts = new ArrayList<>();
        if (!plain.isEmpty()) {
            parts.add(String.join(", ", plain));
        }
        weights.forEach((kind, list) -> {
            List<String> shown = list.stream().filter(e -> e.getValue() != 0)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .map(e -> e.getKey() + " " + factText(e.getValue())).collect(Collectors.toList());
            List<String> zero = list.stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
            if (!zero.isEmpty()) {
                shown.add("0: " + String.join(", ", zero));
            }
            parts.add(kind + " items: " + String.join(", ", shown));
        });
        return String.join("; ", parts);
    }

    static String html(EvaluationReport r) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Affinity evaluation</title>")
                .append("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
                .append("table{border-collapse:collapse;font-size:12px;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #ccc;padding:3px 7px;")
                .append("text-align:right}td:first-child,th:first-child{text-align:left}tr.served{background:#eef6ee;")
                .append("font-weight:bold}svg{display:block;margin:1em 0}.note{color:#555;font-size:13px}")
                .append(".warning{background:#fff4e0;border-left:4px solid #e69f00;padding:6px 10px}")
                .append("table.facts th{text-align:left;font-weight:normal;color:#555}</style>")
                .append("</head><body><h1>Affinity offline evaluation</h1>");
        h.append("<p>").append(esc(String.valueOf(r.facts().get("split")))).append(". Hyper-parameters, blend ")
                .append("weights and the re-ranker's trees were fitted on: ").append(esc(String.valueOf(r.facts().get("validationSplit"))))
                .append(". Served model: <b>").append(esc(r.served())).append("</b> (best validation NDCG@10; the re-ranker's ")
                .append("and the blend's measured out of fold on two customer folds). ")
                .append(String.format(Locale.ROOT, "Whole run %.1f s.", r.totalSeconds())).append("</p>");
        for (String w : r.warnings()) {
            h.append("<p class=\"warning\"><b>Warning:</b> ").append(esc(w)).append("</p>");
        }
        h.append("<h2>Data and settings</h2><table class=\"facts\">");
        r.facts().forEach((k, v) -> {
            if (!k.equals("split") && !k.equals("validationSplit")) { // said in the first paragraph
                h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(factText(v))).append("</td></tr>");
            }
        });
        h.append("</table><h2>Test metrics</h2><table><tr><th>model</th>");
        for (String m : TABLE_METRICS) {
            h.append("<th>").append(esc(m)).append("</th>");
            if (m.equals(Evaluation.NDCG)) {
                h.append("<th>ndcg@10 95% interval</th>");
            }
        }
        h.append("<th>train s</th><th title=\"the fitted model's arrays, not the memory its training used\">model MiB"
                + "</th></tr>");
        for (ModelResult m : r.models()) {
            h.append(m.name().equals(r.served()) ? "<tr class=\"served\">" : "<tr>").append("<td>")
                    .append(esc(m.name())).append("</td>");
            for (String k : TABLE_METRICS) {
                Double v = m.metrics().get(k);
                h.append(v == null ? "<td>n/a</td>" : String.format(Locale.ROOT, "<td>%.4f</td>", v));
                if (k.equals(Evaluation.NDCG)) {
                    h.append("<td>").append(interval(r.ndcgIntervals().get(m.name()))).append("</td>");
                }
            }
            h.append(String.format(Locale.ROOT, "<td>%.1f</td><td>%.1f</td></tr>", m.trainSeconds(),
                    m.modelBytes() / 1048576.0));
        }
        h.append("</table>");
        if (!r.servedVersus().isEmpty()) {
            h.append("<p><b>Is the served model's lead real?</b></p><ul>");
            for (EvaluationReport.Versus v : r.servedVersus()) {
                h.append("<li>").append(esc(versus(r, v))).append("</li>");
            }
            h.append("</ul>");
        }
        h.append("<p class=\"note\">").append(esc(method(r))).append(". Each test customer's ndcg@10, recall@10 ")
                .append("and hitrate@10 of every model: ").append(PerCustomerMetrics.FILE).append(" (one row per ")
                .append("customer, sorted by id; no ids).</p>");
        if (!hasCold(r)) {
            h.append("<p class=\"note\">").append(esc(NO_COLD)).append("</p>");
        }
        for (ModelResult m : r.models()) {
            if (m.note() != null) {
                h.append("<p class=\"note\"><b>").append(esc(m.name())).append("</b>: ").append(esc(m.note()))
                        .append("</p>");
            }
        }
        h.append("<h2>NDCG@10 per model</h2>").append(bars(r, List.of("ndcg@10")));
        h.append("<h2>Recall@k</h2>").append(recallCurves(r));
        h.append("<h2>Repeat versus new items (NDCG@10)</h2><p class=\"note\">Repeat: ranking restricted to items ")
                .append("the customer bought before, scored against the repeat purchases in the test period; new: ")
                .append("the other items against first-time purchases.</p>")
                .append(bars(r, List.of("repeat.ndcg@10", "new.ndcg@10")));
        h.append("<h2>Customers without versus with history (NDCG@10)</h2><p class=\"note\">Cold: test customers ")
                .append("with no purchase before the cutoff; warm: the others. ").append(esc(COLD_NOTE)).append("</p>")
                .append(hasCold(r) ? bars(r, List.of("cold.ndcg@10", "warm.ndcg@10"))
                        : "<p>There are no test customers without history: no cold figures to compare.</p>");
        h.append("<h2>Parameters chosen on validation</h2><table><tr><th>model</th><th>validation NDCG@10</th>")
                .append("<th>parameters</th></tr>");
        for (ModelResult m : r.models()) {
            h.append("<tr><td>").append(esc(m.name())).append(String.format(Locale.ROOT, "</td><td>%.4f</td><td>",
                    m.validationNdcg10())).append(esc(parametersText(m.parameters()))).append("</td></tr>");
        }
        h.append("</table></body></html>\n");
        return h.toString();
    }

    /** Horizontal grouped bars: one group per model, one bar per metric. */
    private static String bars(EvaluationReport r, List<String> metrics) {
        int rowH = 14 * metrics.size() + 8;
        int left = 150;
        int width = 700;
        int height = rowH * r.models().size() + 30;
        double max = 1e-9;
        for (ModelResult m : r.models()) {
            for (String k : metrics) {
                max = Math.max(max, m.metrics().getOrDefault(k, 0.0));
            }
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">",
                left + width + 60, height));
        int y = 5;
        for (ModelResult m : r.models()) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 6,
                    y + rowH / 2 + 3, esc(m.name())));
            for (int k = 0; k < metrics.size(); k++) {
                Double measured = m.metrics().get(metrics.get(k));
                if (measured == null) {
                    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">n/a</text>", left + 4,
                            y + 14 * k + 10));
                    continue;
                }
                double v = measured;
                int w = (int) Math.round(width * v / max);
                s.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"%s\"/>"
                                + "<text x=\"%d\" y=\"%d\">%.4f</text>",
                        left, y + 14 * k, w, PALETTE[k], left + w + 4, y + 14 * k + 10, v));
            }
            y += rowH;
        }
        for (int k = 0; k < metrics.size() && metrics.size() > 1; k++) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", left + 160 * k, y + 6, PALETTE[k], left + 160 * k + 14,
                    y + 15, esc(metrics.get(k))));
        }
        return s.append("</svg>").toString();
    }

    /** Recall at k = 5, 10, 20, one line per model. */
    private static String recallCurves(EvaluationReport r) {
        int[] ks = RankingMetrics.CUTOFFS;
        int w = 520;
        int h = 300;
        int left = 50;
        int top = 10;
        double max = 1e-9;
        for (ModelResult m : r.models()) {
            for (int k : ks) {
                max = Math.max(max, m.metrics().get("recall@" + k));
            }
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">",
                left + w + 200, h + 50));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", left,
                top + h, left + w, top + h));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", left,
                top, left, top + h));
        for (int k : ks) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">k=%d</text>",
                    xOf(k, left, w), top + h + 15, k));
        }
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3f</text>", left - 4,
                    (int) (top + h - h * t / 4.0) + 4, v));
        }
        List<ModelResult> models = new ArrayList<>(r.models());
        for (int i = 0; i < models.size(); i++) {
            ModelResult m = models.get(i);
            StringBuilder pts = new StringBuilder();
            for (int k : ks) {
                double v = m.metrics().get("recall@" + k);
                pts.append(xOf(k, left, w)).append(',').append((int) Math.round(top + h - h * v / max)).append(' ');
            }
            String color = PALETTE[i % PALETTE.length];
            String dash = DASHES[(i / PALETTE.length) % DASHES.length];
            String style = String.format(Locale.ROOT, "stroke=\"%s\" stroke-width=\"%s\"%s", color,
                    m.name().equals(r.served()) ? "3" : "1.5", dash == null ? "" : " stroke-dasharray=\"" + dash + "\"");
            s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" %s/>", pts.toString().trim(),
                    style));
            // the legend shows a piece of the line itself: colour and dashes
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" %s/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", left + w + 14, top + 16 * i + 5, left + w + 38,
                    top + 16 * i + 5, style, left + w + 44, top + 16 * i + 9, esc(m.name())));
        }
        return s.append("</svg>").toString();
    }

    private static int xOf(int k, int left, int w) {
        return left + (int) Math.round(w * (k - 5) / 15.0);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
