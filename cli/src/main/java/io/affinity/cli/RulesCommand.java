package io.affinity.cli;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.RuleQuery;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code affinity rules}: browse the association rules of a published snapshot. */
// Not mixinStandardHelpOptions: its -V/--version clashes with the --version option below, and picocli then
// dropped the whole mixin, --help included.
@Command(name = "rules",
        description = "List the association rules of a published model, best first.")
final class RulesCommand implements Callable<Integer> {
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
        ModelStore store = ModelStores.existing(models, version == null);
        try (Snapshot snapshot = version == null ? store.openCurrent() : store.open(version)) {
            RuleQuery.Page page = new RuleQuery(normalise(item), normalise(consequent), minLift, minConfidence,
                    minSupport, measure, limit).run(snapshot);
            PrintStream out = System.out;
            out.printf(Locale.ROOT, "%-40s %-10s %9s %8s %10s %8s %10s%n", "antecedent", "consequent",
                    "support", "conf", "lift", "leverage", "conviction");
            for (AssociationRule r : page.rules()) {
                out.printf(Locale.ROOT, "%-40s %-10s %9.5f %8.4f %10.3f %8.5f %10s%n",
                        String.join(" + ", r.antecedent()), r.consequent(), r.support(), r.confidence(), r.lift(),
                        r.leverage(), Double.isInfinite(r.conviction()) ? "inf" : String.format(Locale.ROOT, "%.3f", r.conviction()));
            }
            out.printf("matched=%d shown=%d model=%s%n", page.matched(), page.rules().size(), snapshot.version());
        }
        return 0;
    }

    private static String normalise(String id) {
        return id == null || id.isBlank() ? null : id.trim().toUpperCase(Locale.ROOT);
    }
}
