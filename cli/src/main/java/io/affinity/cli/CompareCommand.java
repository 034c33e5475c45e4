package io.affinity.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * a model or its settings: did anything move, and did the served model change.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare two evaluation reports (evaluate --report DIR): each model's metrics in both, the "
                + "difference, and which model each served.",
                "First checks the two measured the same thing (split, cutoff, test days, data and test customer "
                        + "counts) and warns when they did not. A report holds aggregates only, so differences are "
                        + "not tested for significance (on the UCI data, paired bootstrap intervals of NDCG@10 "
                        + "differences were about +-0.004 wide: benchmarks/RESULTS.md)."})
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
        List<String> differences = differences(a, b);
        Set<String> names = new LinkedHashSet<>(a.modelNames());
        names.addAll(b.modelNames());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(asJson(a, b, names, differences)));
        } else {
            table(out, a, b, names, differences);
        }
        out.flush();
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

    /** "field: base X, new Y" for every setting and fact that differs. */
    private static List<String> differences(Report a, Report b) {
        List<String> out = new ArrayList<>();
        compare(out, "settings", SETTINGS, a, b);
        compare(out, "facts", FACTS, a, b);
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

    private void table(PrintWriter out, Report a, Report b, Set<String> names, List<String> differences) {
        out.println("base " + a.file + " (served " + a.served() + ")");
        out.println("new  " + b.file + " (served " + b.served() + ")");
        if (differences.isEmpty()) {
            out.println("comparable: same split, cutoff, test period and data counts");
        } else {
            out.println("WARNING: the reports measured different things; their metrics are not comparable:");
            differences.forEach(d -> out.println("  " + d));
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-24s", "model"));
        for (String m : metrics) {
            header.append(String.format(Locale.ROOT, " %30s", m + " base -> new (diff)"));
        }
        out.println(header);
        int identical = 0;
        for (String name : names) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-24s", name
                    + (name.equals(b.served()) ? " *" : "") + (name.equals(a.served()) ? " (base *)" : "")));
            boolean same = true;
            for (String m : metrics) {
                Double x = a.metric(name, m);
                Double y = b.metric(name, m);
                same &= x != null && x.equals(y);
                row.append(String.format(Locale.ROOT, " %30s", cell(x, y)));
            }
            identical += same ? 1 : 0;
            out.println(row);
        }
        out.printf(Locale.ROOT, "%d of %d models identical on these metrics; * served by new%s%n", identical,
                names.size(), a.served() != null && !a.served().equals(b.served())
                        ? ", (base *) served by base: the served model changed" : "");
    }

    private static String cell(Double x, Double y) {
        if (x == null && y == null) {
            return "-";
        }
        if (x == null || y == null) {
            return (x == null ? "-" : fmt(x)) + " -> " + (y == null ? "-" : fmt(y));
        }
        if (x.equals(y)) {
            return fmt(x) + " (=)";
        }
        return String.format(Locale.ROOT, "%s -> %s (%+.4f)", fmt(x), fmt(y), y - x);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private ObjectNode asJson(Report a, Report b, Set<String> names, List<String> differences) {
        ObjectNode o = mapper.createObjectNode();
        o.put("base", a.file.toString());
        o.put("new", b.file.toString());
        o.put("baseServed", a.served());
        o.put("newServed", b.served());
        o.put("comparable", differences.isEmpty());
        ArrayNode diffs = o.putArray("differences");
        differences.forEach(diffs::add);
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
            }
        }
        return o;
    }
}
