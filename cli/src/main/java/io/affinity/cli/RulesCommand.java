package io.affinity.cli;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.RuleQuery;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    @Option(names = "--limit", defaultValue = "20", description = "Rules to print (default: ${DEFAULT-VALUE}).")
    int limit;

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
        if (limit < 1) {
            throw new AffinityCli.UserFacingException("--limit must be at least 1, was " + limit);
        }
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
                    minSupport, measure, limit).run(snapshot);
            PrintWriter out = spec.commandLine().getOut();
            // The support count beside the fraction, as the API gives it: "in 40 baskets" is what an analyst checks.
            out.printf(Locale.ROOT, "%-40s %-10s %8s %9s %8s %10s %8s %10s%n", "antecedent", "consequent",
                    "baskets", "support", "conf", "lift", "leverage", "conviction");
            for (AssociationRule r : page.rules()) {
                out.printf(Locale.ROOT, "%-40s %-10s %8d %9.5f %8.4f %10.3f %8.5f %10s%n",
                        String.join(" + ", r.antecedent()), r.consequent(), r.supportCount(), r.support(),
                        r.confidence(), r.lift(),
                        r.leverage(), Double.isInfinite(r.conviction()) ? "inf" : String.format(Locale.ROOT, "%.3f", r.conviction()));
            }
            out.printf("matched=%d shown=%d model=%s%n", page.matched(), page.rules().size(), snapshot.version());
            out.flush();
        }
        return 0;
    }

    private static String normalise(String id) {
        return id == null ? null : id.trim().toUpperCase(Locale.ROOT);
    }
}
