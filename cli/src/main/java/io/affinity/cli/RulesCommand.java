package io.affinity.cli;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Ids;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.RuleQuery;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code affinity rules}: browse the association rules of a published snapshot. */
// Not mixinStandardHelpOptions: its -V/--version clashes with the --version option below, and picocli then
// dropped the whole mixin, --help included.
@Command(name = "rules",
        description = "List the association rules of a published model, best first.")
final class RulesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--models", defaultValue = "models", description = "Model store directory (default: ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--version", description = "Snapshot version to read (default: the active one).")
    String version;

    @Option(names = "--item", description = "Only rules whose antecedent contains this item.")
    String item;

    @Option(names = "--consequent", description = "Only rules suggesting this item.")
    String consequent;

    @Option(names = "--sort", defaultValue = "lift",
            description = "lift, confidence, support, leverage or conviction (default: ${DEFAULT-VALUE}).")
    String sort;

    @Option(names = "--min-lift", defaultValue = "0",
            description = "Only rules with at least this lift (default: ${DEFAULT-VALUE}).")
    double minLift;

    @Option(names = "--min-confidence", defaultValue = "0",
            description = "Only rules with at least this confidence, in [0, 1] (default: ${DEFAULT-VALUE}).")
    double minConfidence;

    @Option(names = "--min-support", defaultValue = "0", description = "Only rules whose itemset is in at least this "
            + "fraction of baskets, in [0, 1] (default: ${DEFAULT-VALUE}).")
    double minSupport;
    @Option(names = "--limit", defaultValue = "20",
            description = "Rules to print, best first; 0 = every matching rule (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
            description = "table: aligned columns for a terminal; csv: RFC 4180 with a header, the items' "
                    + "descriptions and full-precision measures, for a spreadsheet or a notebook; the matched/shown "
                    + "line then goes to stderr (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws Exception {
        RuleQuery.Measure measure = RuleQuery.Measure.parse(sort);
        if (measure == null) {
            throw new AffinityCli.UserFacingException("--sort must be lift, confidence, support, leverage or conviction");
        }
        String impossible = RuleQuery.impossibleMinimum(minLift, minConfidence, minSupport);
        if (impossible != null) { // the message names the API's parameter: name the flag instead
            String field = impossible.substring(0, impossible.indexOf(' '));
            String flag = switch (field) {
                case "minLift" -> "--min-lift";
                case "minConfidence" -> "--min-confidence";
                default -> "--min-support";
            };
            throw new AffinityCli.UserFacingException(flag + impossible.substring(field.length()));
        }
        if (limit < 0) {
            throw new AffinityCli.UserFacingException("--limit must be at least 0 (0 = every matching rule), was "
                    + limit);
        }
        boolean csv = switch (format.strip().toLowerCase(Locale.ROOT)) {
            case "table" -> false;
            case "csv" -> true;
            default -> throw new AffinityCli.UserFacingException("--format must be table or csv, was '" + format + "'");
        };
        // As GET /v1/rules refuses item= blank: a blank id (an unset shell variable) listing every rule would look
        // like the item's rules.
        for (String[] given : new String[][] {{"--item", item}, {"--consequent", consequent}}) {
            if (given[1] != null && given[1].isBlank()) {
                throw new AffinityCli.UserFacingException(given[0] + " is blank; give an item id or leave it out");
            }
        }
        ModelStore store = ModelStores.existing(models, version == null);
        try (Snapshot snapshot = version == null ? store.openCurrent() : store.open(version)) {
            RuleQuery.Page page = new RuleQuery(normalise(item), normalise(consequent), minLift, minConfidence,
                    minSupport, measure, limit == 0 ? Integer.MAX_VALUE : limit).run(snapshot);
            PrintWriter out = spec.commandLine().getOut();
            if (csv) {
                RulesCsv.write(out, page.rules(), id -> snapshot.item(id).map(ItemFacts::description).orElse(""));
            } else {
                printTable(out, page.rules());
            }
            out.flush();
            PrintWriter summary = csv ? spec.commandLine().getErr() : out;
            summary.printf("matched=%d shown=%d model=%s%n", page.matched(), page.rules().size(), snapshot.version());
            summary.flush();
        }
        return 0;
    }

    private static void printTable(PrintWriter out, List<AssociationRule> rules) {
        // The support count beside the fraction, as the API gives it: "in 40 baskets" is what an analyst checks.
        out.printf(Locale.ROOT, "%-40s %-10s %8s %9s %8s %10s %8s %10s%n", "antecedent", "consequent",
                "baskets", "support", "conf", "lift", "leverage", "conviction");
        for (AssociationRule r : rules) {
            out.printf(Locale.ROOT, "%-40s %-10s %8d %9.5f %8.4f %10.3f %8.5f %10s%n",
                    String.join(" + ", r.antecedent()), r.consequent(), r.supportCount(), r.support(),
                    r.confidence(), r.lift(), r.leverage(),
                    Double.isInfinite(r.conviction()) ? "inf" : String.format(Locale.ROOT, "%.3f", r.conviction()));
        }
    }

    private static String normalise(String id) {
        return id == null ? null : Ids.normaliseItemId(id);
    }
}
