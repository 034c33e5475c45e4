package io.affinity.cli;

import io.affinity.store.Invocation;
import io.affinity.training.customers.ObjectionsToProfiling;
import io.affinity.training.customers.ProfilingObjections;
import io.affinity.training.evaluation.Evaluation;
import io.affinity.training.evaluation.EvaluationReport;
import io.affinity.training.evaluation.EvaluationSettings;
import io.affinity.training.evaluation.PerCustomerMetrics;
import io.affinity.training.evaluation.Rankings;
import io.affinity.training.evaluation.ReportWriter;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.IngestResult;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code affinity evaluate}: offline comparison of every recommendation model and the blend. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Train every recommendation model, tune it on a validation split carved from the training "
                + "period, and measure all of them and their blend on held-out purchases.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TransactionInput input;

    @Option(names = "--split", defaultValue = "time",
            description = "time (train before --cutoff, test the --test-days after it) or last-basket (hold out each "
                    + "customer's last order) (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--cutoff", description = "Time split: first day of the test period, YYYY-MM-DD.")
    String cutoff;

    @Option(names = "--test-days", defaultValue = "90",
            description = "Time split: test period length; validation uses the same length before the cutoff "
                    + "(default: ${DEFAULT-VALUE}).")
    int testDays;

    @Option(names = "--report", paramLabel = "DIR", description = "Write DIR/report.json, DIR/report.html and "
            + "DIR/per-customer.csv.gz (each test customer's ndcg@10, recall@10 and hitrate@10 per model, rows "
            + "sorted by customer id, no ids: what compare pairs two reports with).")
    Path report;

    @Option(names = "--rankings", description = "With --report: also write DIR/rankings.ndjson.gz, every model's "
            + "test lists (overall, repeat-only, new-only top 20, item ids) in the rows of per-customer.csv.gz, for "
            + "recomputing the metrics independently (benchmarks/evaluation-audit). No customer ids, but each row is "
            + "one customer's lists: keep it like the export.")
    boolean rankings;

    @Mixin
    ProfilingConsentOptions consent;

    @Option(names = "--threads", defaultValue = "2", description = "Worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of randomised models (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ease-max-items", defaultValue = "2500",
            description = "EASE models only this many most-bought items (dense, cubic cost) (default: ${DEFAULT-VALUE}).")
    int easeMaxItems;

    @Option(names = "--min-support", defaultValue = "0.005",
            description = "The rules model's support, a share of the training baskets (a support count of at least "
                    + "2), as train's --min-support: give the support you train with (default: ${DEFAULT-VALUE}).")
    double minSupport;

    @Option(names = "--min-confidence", defaultValue = "0.05",
            description = "The rules model's least confidence, as train's --min-confidence: give the one you train "
                    + "with (default: ${DEFAULT-VALUE}).")
    double minConfidence;

    @Option(names = "--min-lift", defaultValue = "1.0",
            description = "The rules model's least lift, as train's --min-lift: give the one you train with "
                    + "(default: ${DEFAULT-VALUE}).")
    double minLift;

    @Option(names = "--no-season-window",
            description = "Time split: train the re-ranker on the validation period only, not also on the test "
                    + "period's season one year earlier (about half the re-ranker's time; lower NDCG@10 on the UCI "
                    + "data, see benchmarks/RESULTS.md).")
    boolean noSeasonWindow;

    @Override
    public Integer call() throws Exception {
        LocalDateTime cut = null;
        if (!"time".equals(split) && !"last-basket".equals(split)) {
            throw new AffinityCli.UserFacingException("--split must be time or last-basket, was '" + split + "'");
        }
        if ("last-basket".equals(split)) {
            // These shape the time split only; silently ignoring them would evaluate something else than asked.
            for (String timeOnly : List.of("--cutoff", "--test-days", "--no-season-window")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(timeOnly)) {
                    throw new AffinityCli.UserFacingException(timeOnly + " applies to --split time only; "
                            + "--split last-basket holds out each customer's last order");
                }
            }
        }
        OptionFiles.directoryOrAbsent("--report", report);
        if (rankings && report == null) {
            throw new AffinityCli.UserFacingException("--rankings writes into the --report directory: give --report DIR");
        }
        if (testDays < 1) {
            throw new AffinityCli.UserFacingException("--test-days must be >= 1, was " + testDays);
        }
        if ("time".equals(split)) {
            if (cutoff == null) {
                throw new AffinityCli.UserFacingException("--split time needs --cutoff YYYY-MM-DD");
            }
            try {
                cut = LocalDate.parse(cutoff).atStartOfDay();
            } catch (DateTimeParseException e) {
                throw new AffinityCli.UserFacingException("--cutoff: '" + cutoff + "' is not a date YYYY-MM-DD");
            }
        }
        EvaluationSettings settings = new EvaluationSettings(split, cut, testDays, threads, seed, easeMaxItems,
                EvaluationSettings.DEFAULT_CANDIDATES, !noSeasonWindow, minSupport, minConfidence, minLift,
                EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK);
        ObjectionsToProfiling objecting = consent.read();
        IngestOptions options = input.ingestOptions();
        long t0 = System.nanoTime();
        IngestResult ingested = TransactionLoader.load(input.files, options, input.encoding);
        System.err.printf(Locale.ROOT, "affinity evaluate: ingest: %,d rows read, %,d accepted, %,d orders [%.1f s]%n",
                ingested.report().rowsRead(), ingested.report().rowsAccepted(), ingested.transactions().orderCount(),
                (System.nanoTime() - t0) / 1e9);
        // Every row is used or counted as rejected with a reason: the report says which and where, as train's does.
        System.err.print(ingested.report().toText());
        // An objection to profiling, as train honours it: no model of the customer is built or measured, and
        // per-customer.csv.gz and the rankings hold no row of theirs
        ProfilingObjections objections = objecting.counted(ingested.transactions());
        Transactions tx = ingested.transactions().anonymising(objecting.customers());
        objecting.record(objections, consent.listGiven(), (name, section) -> { },
                line -> System.err.println("affinity evaluate: " + line));
        EvaluationReport result = new Evaluation(settings, line -> System.err.println("affinity evaluate: " + line))
                .run(tx);
        System.out.print(ReportWriter.table(result));
        System.out.printf(Locale.ROOT, "served: %s; whole run including ingest %.1f s%n", result.served(),
                (System.nanoTime() - t0) / 1e9);
        if (report != null) {
            long tw = System.nanoTime();
            ReportWriter.write(result, report, input.provenance(), rankings,
                    Invocation.current("evaluate", AffinityCli.verbArguments(spec)),
                    consent.listGiven() || objecting.journal() != null ? objections.section() : null);
            System.out.printf(Locale.ROOT, "wrote %s, %s%s and %s [%.2f s]%n", report.resolve("report.json"),
                    report.resolve("report.html"), rankings ? ", " + report.resolve(PerCustomerMetrics.FILE) : "",
                    report.resolve(rankings ? Rankings.FILE : PerCustomerMetrics.FILE), (System.nanoTime() - tw) / 1e9);
        }
        return 0;
    }
}
