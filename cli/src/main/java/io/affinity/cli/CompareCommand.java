package io.affinity.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.training.evaluation.PerCustomerMetrics;
import io.affinity.training.evaluation.ReportWriter;
import io.affinity.training.evaluation.Significance;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code affinity compare}: two {@code evaluate} reports side by side, model by model, with the differences, after
 * checking that they measured the same thing (split, cutoff, data counts). What a data scientist does after changing
 * a model or its settings: did anything move, beyond the noise of which customers happened to be tested, and did the
 * served model change. The noise is measured on the per-customer files the reports point to, when both have one
 * for the same test customers: each metric's difference then gets a paired bootstrap interval and p-value.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare two evaluation reports (evaluate --report DIR): each model's metrics in both, the "
                + "difference, and which model each served.",
                "First checks the two measured the same thing (split, cutoff, test days, data and test customer "
                        + "counts) and warns when they did not; then names every other setting that differs (seed, "
                        + "ease-max-items, season window, ..., and the build and JVM that ran each: the change being "
                        + "compared).",
                "When both reports have a per-customer file (per-customer.csv.gz, written by evaluate --report) "
                        + "over the same test customers (same testCustomersFingerprint) and the same split, cutoff "
                        + "and test days, each difference in ndcg@10, recall@10 and hitrate@10 gets the 95%% paired "
                        + "bootstrap interval of NEW minus BASE over those customers (" + Significance.RESAMPLES
                        + " resamples, seed " + Significance.SEED + "), "
                        + "marked * when it excludes 0; --json adds the paired t-test's p-value. Otherwise it says "
                        + "why no test was made (e.g. a report from before per-customer files) and shows the "
                        + "differences untested."})
final class CompareCommand implements Callable<Integer> {
    /** Settings and facts that must agree for the metrics to be comparable. */
    private static final List<String> SETTINGS = List.of("split", "cutoff", "testDays");
    private static final List<String> FACTS = List.of("split", "validationSplit", "items", "customers", "orders",
            "trainInteractions", "testCustomers", "testCustomersWithoutHistory");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BASE", description = "The baseline: a report.json, or the --report "
            + "directory holding it.")
    Path base;

    @Parameters(index = "1", paramLabel = "NEW", description = "The report to compare with it (same forms).")
    Path changed;

    @Option(names = "--metrics", split = ",", defaultValue = "ndcg@10,recall@10,hitrate@10,coverage@10",
            description = "Metrics to show, comma-separated, as named in report.json (default: ${DEFAULT-VALUE}).")
    List<String> metrics;

    @Option(names = "--json", description = "Print the comparison as one JSON object instead of a table.")
    boolean json;

    /** Exit code when NEW's served model is worse beyond the noise. */
    static final int EXIT_WORSE = 3;
    /** Exit code when the reports cannot tell (not comparable, or not paired). */
    static final int EXIT_CANNOT_TELL = 4;

    @Option(names = "--fail-if-worse", paramLabel = "METRIC",
            description = "A gate for retraining pipelines: exit 3 when NEW's served model is worse than BASE's on "
                    + "METRIC beyond the noise (the 95%% paired bootstrap interval of NEW minus BASE below 0), 4 when "
                    + "the reports cannot tell (not comparable, or no shared per-customer values), else 0. METRIC "
                    + "needs per-customer values: ndcg@10, recall@10 or hitrate@10.")
    String failIfWorse;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        Report a = read(base);
        Report b = read(changed);
        // A metric given by hand that neither report has is a typo; the defaults are shown as "-" when absent.
        boolean given = spec.commandLine().getParseResult().hasMatchedOption("--metrics");
        for (String m : given ? metrics : List.<String>of()) {
            if (!a.hasMetric(m) && !b.hasMetric(m)) {
                throw new AffinityCli.UserFacingException("--metrics: neither report has a metric '" + m
                        + "'; " + a.file + " has e.g. " + String.join(", ", a.someMetrics()));
            }
        }
        if (failIfWorse != null && !a.hasMetric(failIfWorse) && !b.hasMetric(failIfWorse)) {
            // a typo, whatever else the reports would say (an unpaired pair would otherwise "cannot tell": exit 4)
            throw new AffinityCli.UserFacingException("--fail-if-worse: neither report has a metric '" + failIfWorse
                    + "'; " + a.file + " has e.g. " + String.join(", ", a.someMetrics()));
        }
        List<String> differences = differences(a, b);
        List<String> changedSettings = changedSettings(a, b);
        Shared shared = shared(a, b);
        Paired paired = paired(shared);
        Set<String> names = new LinkedHashSet<>(a.modelNames());
        names.addAll(b.modelNames());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(asJson(a, b, names, differences,
                    changedSettings, paired)));
        } else {
            table(out, a, b, names, differences, changedSettings, paired);
        }
        // With --json the verdict goes to standard error, so that standard output stays one JSON document.
        PrintWriter verdict = json ? spec.commandLine().getErr() : out;
        int exit = failIfWorse == null ? 0 : gate(verdict, a, b, differences, shared);
        out.flush();
        verdict.flush();
        return exit;
    }

    /**
     * The regression gate: NEW's served model against BASE's served model (whichever they are) on one metric, paired
     * over the shared test customers. Exit 3 when worse beyond the noise, 4 when the reports cannot tell, else 0.
     */
    private int gate(PrintWriter out, Report a, Report b, List<String> differences, Shared shared) {
        String prefix = "gate " + failIfWorse + ": ";
        if (!differences.isEmpty()) {
            out.println(prefix + "cannot tell: the reports measured different things (" + String.join("; ",
                    differences) + ")");
            return EXIT_CANNOT_TELL;
        }
        if (shared.why() != null) {
            out.println(prefix + "cannot tell: no paired test (" + shared.why() + ")");
            return EXIT_CANNOT_TELL;
        }
        double[] base = shared.base().values(a.served(), failIfWorse);
        double[] changed = shared.changed().values(b.served(), failIfWorse);
        if (base == null || changed == null) {
            List<String> known = shared.base().metrics();
            if (!known.contains(failIfWorse)) {
                throw new AffinityCli.UserFacingException("--fail-if-worse: '" + failIfWorse + "' has no per-customer "
                        + "values to pair; one of " + String.join(", ", known));
            }
            out.println(prefix + "cannot tell: a served model has no per-customer values (base " + a.served()
                    + ", new " + b.served() + ")");
            return EXIT_CANNOT_TELL;
        }
        Significance.Paired p = Significance.paired(List.of(base), List.of(changed), Significance.RESAMPLES,
                Significance.SEED).get(0);
        String models = "served " + a.served() + " -> " + b.served();
        String figures = String.format(Locale.ROOT, "%+.4f [%+.4f, %+.4f] over %,d customers", p.difference(),
                p.interval().low(), p.interval().high(), p.customers());
        if (p.interval().high() < 0) {
            out.println(prefix + "failed: " + models + " is worse beyond the noise: " + figures);
            return EXIT_WORSE;
        }
        out.println(prefix + "passed: " + models + ": " + figures);
        return 0;
    }

    /** A parsed report.json: its path (for messages) and root. */
    private record Report(Path file, JsonNode root) {
        List<String> modelNames() {
            List<String> names = new ArrayList<>();
            root.get("models").fieldNames().forEachRemaining(names::add);
            return names;
        }

        JsonNode model(String name) {
            return root.get("models").get(name);
        }

        /** The metric of a model, or null when the report has no such model or metric. */
        Double metric(String model, String metric) {
            JsonNode m = model(model);
            JsonNode v = m == null ? null : m.path("metrics").get(metric);
            return v == null || !v.isNumber() ? null : v.doubleValue();
        }

        boolean hasMetric(String metric) {
            for (String name : modelNames()) {
                if (metric(name, metric) != null) {
                    return true;
                }
            }
            return false;
        }

        List<String> someMetrics() {
            List<String> out = new ArrayList<>();
            for (String name : modelNames()) {
                model(name).path("metrics").fieldNames().forEachRemaining(n -> {
                    if (out.size() < 6 && !out.contains(n)) {
                        out.add(n);
                    }
                });
            }
            return out;
        }

        String served() {
            return root.path("served").asText(null);
        }
    }

    private Report read(Path given) throws IOException {
        Path file = Files.isDirectory(given) ? given.resolve("report.json") : given;
        if (!Files.isRegularFile(file)) {
            throw new AffinityCli.UserFacingException(Files.isDirectory(given)
                    ? "directory " + given + " holds no report.json (write one with evaluate --report " + given + ")"
                    : "report " + given + " does not exist");
        }
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new AffinityCli.UserFacingException(file + ":" + e.getLocation().getLineNr() + ":"
                    + e.getLocation().getColumnNr() + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject() || !root.path("models").isObject() || !root.path("settings").isObject()
                || !root.path("facts").isObject()) {
            throw new AffinityCli.UserFacingException(file + ": not an evaluation report (evaluate --report writes "
                    + "one: an object with settings, facts and models)");
        }
        return new Report(file, root);
    }

    /**
     * The paired tests of the shown metrics that have per-customer values, or why none was made.
     *
     * @param why    null when tested, else the reason (one sentence)
     * @param tests  per "model metric" key, NEW minus BASE
     */
    private record Paired(String why, int customers, Map<String, Significance.Paired> tests) {
        Significance.Paired of(String model, String metric) {
            return tests.get(model + " " + metric);
        }
    }

    /** Both reports' per-customer values over the same test customers, or why they cannot be paired. */
    private record Shared(String why, PerCustomerMetrics base, PerCustomerMetrics changed) {
    }

    private static Shared shared(Report a, Report b) throws IOException {
        for (Report r : List.of(a, b)) {
            if (!r.root.path("perCustomer").isObject() || !r.root.path("testCustomersFingerprint").isTextual()) {
                return new Shared((r == a ? "BASE " : "NEW ") + r.file + " has no per-customer file (a report from "
                        + "before evaluate wrote " + PerCustomerMetrics.FILE + "; rerun evaluate --report to get one)",
                        null, null);
            }
        }
        for (String k : SETTINGS) {
            if (!a.root.path("settings").path(k).equals(b.root.path("settings").path(k))) {
                return new Shared("the reports' settings." + k + " differ", null, null);
            }
        }
        String fingerprint = a.root.get("testCustomersFingerprint").asText();
        if (!fingerprint.equals(b.root.get("testCustomersFingerprint").asText())) {
            return new Shared("the reports were measured on different test customers (testCustomersFingerprint "
                    + "differs), so their customers cannot be paired", null, null);
        }
        try {
            return new Shared(null, perCustomer(a, fingerprint), perCustomer(b, fingerprint));
        } catch (IllegalArgumentException e) {
            return new Shared(e.getMessage(), null, null);
        }
    }

    private Paired paired(Shared shared) {
        if (shared.why() != null) {
            return untested(shared.why());
        }
        PerCustomerMetrics x = shared.base();
        PerCustomerMetrics y = shared.changed();
        List<String> keys = new ArrayList<>();
        List<double[]> bases = new ArrayList<>();
        List<double[]> changes = new ArrayList<>();
        for (String model : x.byModel().keySet()) {
            for (String metric : metrics) {
                double[] base = x.values(model, metric);
                double[] changed = y.values(model, metric);
                if (base != null && changed != null) {
                    keys.add(model + " " + metric);
                    bases.add(base);
                    changes.add(changed);
                }
            }
        }
        List<Significance.Paired> tests = Significance.paired(bases, changes, Significance.RESAMPLES,
                Significance.SEED);
        Map<String, Significance.Paired> byKey = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            byKey.put(keys.get(i), tests.get(i));
        }
        return new Paired(null, x.customers(), byKey);
    }

    private static Paired untested(String why) {
        return new Paired(why, 0, Map.of());
    }

    /** A report's per-customer file, checked against the SHA-256 its report.json records. */
    private static PerCustomerMetrics perCustomer(Report r, String fingerprint) throws IOException {
        JsonNode entry = r.root.get("perCustomer");
        String name = entry.path("file").asText("");
        // The name is resolved next to report.json: a bare file name only, never a path elsewhere.
        if (name.isEmpty() || !Path.of(name).getFileName().toString().equals(name) || name.equals("..")) {
            throw new IllegalArgumentException(r.file + ": perCustomer.file '" + name + "' is not a file name");
        }
        Path file = r.file.resolveSibling(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ", which " + r.file + " refers to, does not exist");
        }
        PerCustomerMetrics p = PerCustomerMetrics.read(file, fingerprint, entry.path("csvSha256").asText(""));
        if (p.customers() != entry.path("customers").asInt(-1)) {
            throw new IllegalArgumentException(file + " holds " + p.customers() + " customers, " + r.file + " says "
                    + entry.path("customers").asText());
        }
        return p;
    }

    /** "field: base X, new Y" for every setting and fact that differs. */
    private static List<String> differences(Report a, Report b) {
        List<String> out = new ArrayList<>();
        compare(out, "settings", SETTINGS, a, b);
        compare(out, "facts", FACTS, a, b);
        // The data by content (size and SHA-256, not path: a copy elsewhere is the same data). A report written
        // before inputs were recorded makes no claim either way.
        JsonNode x = a.root.get("inputs");
        JsonNode y = b.root.get("inputs");
        if (x != null && y != null && !contents(x).equals(contents(y))) {
            out.add("inputs: base " + describe(x) + ", new " + describe(y));
        }
        return out;
    }

    private static List<String> contents(JsonNode inputs) {
        List<String> out = new ArrayList<>();
        inputs.forEach(f -> out.add(f.path("bytes").asText() + " " + f.path("sha256").asText()));
        return out;
    }

    private static String describe(JsonNode inputs) {
        List<String> out = new ArrayList<>();
        inputs.forEach(f -> out.add(f.path("path").asText() + " (" + f.path("bytes").asText() + " bytes, sha256 "
                + f.path("sha256").asText() + ")"));
        return String.join("; ", out);
    }

    /**
     * "settings.K: base X, new Y" for every other setting that differs (seed, easeMaxItems, seasonWindow, ...): what
     * a comparison of two runs on the same protocol is usually about, so it does not make them incomparable, but the
     * reader must see it. A setting one report does not record (written before it was) shows as absent.
     */
    private static List<String> changedSettings(Report a, Report b) {
        Set<String> keys = new LinkedHashSet<>();
        a.root.path("settings").fieldNames().forEachRemaining(keys::add);
        b.root.path("settings").fieldNames().forEachRemaining(keys::add);
        keys.removeAll(SETTINGS);
        List<String> out = new ArrayList<>();
        compare(out, "settings", List.copyOf(keys), a, b);
        // Another build or JVM is a change too: a difference may come from the code rather than the settings.
        compare(out, "software", List.of("affinityVersion", "javaVersion"), a, b);
        return out;
    }

    private static void compare(List<String> out, String section, List<String> keys, Report a, Report b) {
        for (String k : keys) {
            JsonNode x = a.root.path(section).get(k);
            JsonNode y = b.root.path(section).get(k);
            if (x == null && y == null) {
                continue;
            }
            if (x == null || y == null || !x.equals(y)) {
                out.add(section + "." + k + ": base " + (x == null ? "absent" : x.asText()) + ", new "
                        + (y == null ? "absent" : y.asText()));
            }
        }
    }

    private void table(PrintWriter out, Report a, Report b, Set<String> names, List<String> differences,
                       List<String> changedSettings, Paired paired) {
        out.println("base " + a.file + " (served " + a.served() + ")");
        out.println("new  " + b.file + " (served " + b.served() + ")");
        if (differences.isEmpty()) {
            out.println("comparable: same split, cutoff, test period and data counts");
        } else {
            out.println("WARNING: the reports measured different things; their metrics are not comparable:");
            differences.forEach(d -> out.println("  " + d));
        }
        if (!changedSettings.isEmpty()) {
            out.println("settings that differ (the change being compared): " + String.join("; ", changedSettings));
        }
        if (paired.why() == null) {
            out.printf(Locale.ROOT, "paired over the %,d test customers both reports share (same "
                    + "testCustomersFingerprint): [low, high] is the 95%% bootstrap interval of new minus base "
                    + "(%,d resamples, seed %d), %s when it excludes 0%n", paired.customers(), Significance.RESAMPLES,
                    Significance.SEED, ReportWriter.SIGNIFICANT);
        } else {
            out.println("no significance test: " + paired.why());
        }
        // Cells first: their width depends on whether they carry an interval.
        List<String[]> rows = new ArrayList<>();
        int[] width = new int[metrics.size()];
        for (int k = 0; k < metrics.size(); k++) {
            width[k] = (metrics.get(k) + " base -> new (diff)").length();
        }
        int identical = 0;
        for (String name : names) {
            String[] row = new String[metrics.size() + 1];
            row[0] = name + (name.equals(b.served()) ? " *" : "") + (name.equals(a.served()) ? " (base *)" : "");
            boolean same = true;
            for (int k = 0; k < metrics.size(); k++) {
                String m = metrics.get(k);
                Double x = a.metric(name, m);
                Double y = b.metric(name, m);
                same &= x != null && x.equals(y);
                row[k + 1] = cell(x, y, paired.of(name, m));
                width[k] = Math.max(width[k], row[k + 1].length());
            }
            identical += same ? 1 : 0;
            rows.add(row);
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-24s", "model"));
        for (int k = 0; k < metrics.size(); k++) {
            header.append(' ').append(pad(metrics.get(k) + " base -> new (diff)", width[k]));
        }
        out.println(header);
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-24s", row[0]));
            for (int k = 0; k < metrics.size(); k++) {
                line.append(' ').append(pad(row[k + 1], width[k]));
            }
            out.println(line);
        }
        out.printf(Locale.ROOT, "%d of %d models identical on these metrics; * after a model: served by new%s%s%n",
                identical, names.size(), a.served() != null && !a.served().equals(b.served())
                        ? ", (base *) served by base: the served model changed" : "",
                paired.why() == null ? "; " + ReportWriter.SIGNIFICANT + " after an interval: it excludes 0" : "");
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    private static String cell(Double x, Double y, Significance.Paired p) {
        if (x == null && y == null) {
            return "-";
        }
        if (x == null || y == null) {
            return (x == null ? "-" : fmt(x)) + " -> " + (y == null ? "-" : fmt(y));
        }
        boolean noChange = p == null || (p.interval().low() == 0 && p.interval().high() == 0);
        if (x.equals(y) && noChange) {
            return fmt(x) + " (=)";
        }
        if (p == null) {
            return String.format(Locale.ROOT, "%s -> %s (%+.4f)", fmt(x), fmt(y), y - x);
        }
        return String.format(Locale.ROOT, "%s -> %s (%+.4f [%+.4f, %+.4f]%s)", fmt(x), fmt(y), y - x,
                p.interval().low(), p.interval().high(), p.significant() ? " " + ReportWriter.SIGNIFICANT : "");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private ObjectNode asJson(Report a, Report b, Set<String> names, List<String> differences,
                              List<String> changedSettings, Paired paired) {
        ObjectNode o = mapper.createObjectNode();
        o.put("base", a.file.toString());
        o.put("new", b.file.toString());
        o.put("baseServed", a.served());
        o.put("newServed", b.served());
        o.put("comparable", differences.isEmpty());
        ArrayNode diffs = o.putArray("differences");
        differences.forEach(diffs::add);
        ArrayNode changed = o.putArray("changedSettings");
        changedSettings.forEach(changed::add);
        ObjectNode test = o.putObject("pairedTest");
        test.put("made", paired.why() == null);
        if (paired.why() == null) {
            test.put("customers", paired.customers());
            test.put("method", "percentile bootstrap of new minus base over the same test customers");
            test.put("resamples", Significance.RESAMPLES);
            test.put("seed", Significance.SEED);
            test.put("confidence", Significance.CONFIDENCE);
            test.put("pValue", "paired t-test, two-sided");
        } else {
            test.put("reason", paired.why());
        }
        ObjectNode models = o.putObject("models");
        for (String name : names) {
            ObjectNode m = models.putObject(name);
            for (String metric : metrics) {
                Double x = a.metric(name, metric);
                Double y = b.metric(name, metric);
                ObjectNode cell = m.putObject(metric);
                if (x == null) {
                    cell.putNull("base");
                } else {
                    cell.put("base", x);
                }
                if (y == null) {
                    cell.putNull("new");
                } else {
                    cell.put("new", y);
                }
                if (x != null && y != null) {
                    cell.put("difference", y - x);
                }
                Significance.Paired p = paired.of(name, metric);
                if (p != null) {
                    cell.putArray("interval95").add(p.interval().low()).add(p.interval().high());
                    cell.put("significant", p.significant());
                    if (Double.isNaN(p.pValue())) {
                        cell.putNull("pValue");
                    } else {
                        cell.put("pValue", p.pValue());
                    }
                }
            }
        }
        return o;
    }
}
