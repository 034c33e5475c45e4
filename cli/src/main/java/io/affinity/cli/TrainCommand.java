package io.affinity.cli;

import io.affinity.store.CorruptSnapshotException;
import io.affinity.store.Invocation;
import io.affinity.store.ModelStore;
import io.affinity.store.ConsentJournalFile;
import io.affinity.training.ConsentCarryOver;
import io.affinity.training.ReadableFile;
import io.affinity.training.customers.ConsentFile;
import io.affinity.training.ExclusionCarryOver;
import io.affinity.training.RecommenderParameters;
import io.affinity.training.TradeUpParameters;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import io.affinity.training.TrainingResult;
import io.affinity.training.ingest.IngestException;
import io.affinity.training.ingest.TransactionLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code affinity train}: transaction exports in, a verified and published model snapshot out. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Ingest transaction exports, mine bought-together rules, and publish a model snapshot.")
final class TrainCommand implements Callable<Integer> {
    /** Options that shape the precomputed lists: meaningless with --recommender rules, which precomputes none. */
    private static final List<String> BLEND_ONLY = List.of("--top-n", "--validation-days", "--reduced-grid",
            "--no-season-window", "--threads");

    @Spec
    CommandSpec spec;

    @Mixin
    TransactionInput input;

    @Option(names = "--models", defaultValue = "models", description = "Model store directory (default: ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--min-support", description = "Minimum itemset support, fraction of baskets; a support count "
            + "below 2 is raised to 2, so that no rule rests on a single basket (default: 0.005).")
    Double minSupport;

    @Option(names = "--min-confidence", description = "Minimum rule confidence (default: 0.05).")
    Double minConfidence;

    @Option(names = "--min-lift", description = "Minimum rule lift (default: 1.0).")
    Double minLift;

    @Option(names = "--max-length", description = "Largest itemset mined (default: 3).")
    Integer maxLength;

    @Option(names = "--max-rules-per-item", description = "Rules kept per antecedent item: up to N pair rules (one item => one item) plus up to N rules "
            + "with larger antecedents, so an item can have 2N (default: 100).")
    Integer maxRulesPerItem;

    @Option(names = "--consent", paramLabel = "FILE",
            description = "Consent export (CSV customer_id,channel,state) to publish with the model; without it every customer's consent is unknown (no direct contact).")
    Path consent;

    @Option(names = "--consent-encoding", paramLabel = "CHARSET",
            description = "Character encoding of the --consent file, independent of --encoding (default: UTF-8): "
                    + "a consent list often comes from another system than the exports, and a UTF-8 file read as "
                    + "Windows-1252 would turn its ids into others without an error. Bytes not valid in it stop "
                    + "with file:line.")
    Charset consentEncoding;

    @Option(names = "--consent-journal", paramLabel = "FILE",
            description = "The servers' run-time consent journal (PUT /v1/customers/{id}/consent/...), whose "
                    + "objections to profiling are honoured as the --consent list's are (weighed against it as a "
                    + "server weighs them). Default: the model store's consent.journal when it exists; name the "
                    + "file when servers keep it elsewhere (serve --consent-journal).")
    Path consentJournal;

    @Option(names = "--no-consent", description = "Publish without a consent list even though the served (CURRENT) "
            + "version carries one; without this, such a run is refused, since the new version would forget the "
            + "list's opt-outs.")
    boolean noConsent;

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "Product catalogue (CSV with header, in the exports' --delimiter, --decimal-comma and "
                    + "--encoding; item_id required, optional description, category, family, price, cost, "
                    + "available, currency (of price and cost: converted by --exchange-rates, or the exports' own); "
                    + "any other column is a filterable attribute). Its values "
                    + "override those derived from transactions; costs give per-item margins and margin-based tiers.")
    Path catalog;
    @Option(names = "--recommender", defaultValue = "blend",
            description = "Customer recommendations: 'blend' precomputes every customer's top-N with the evaluation's "
                    + "blend (tuned on the last --validation-days, refitted on all data); 'rules' precomputes nothing "
                    + "and fires rules per request (default: ${DEFAULT-VALUE}).")
    String recommender;

    @Option(names = "--top-n", defaultValue = "50", description = "Precomputed candidates per customer (default: ${DEFAULT-VALUE}).")
    int topN;

    @Option(names = "--validation-days", defaultValue = "90",
            description = "Validation period at the end of the data for tuning the blend, capped to a quarter of "
                    + "the data's span (default: ${DEFAULT-VALUE}).")
    int validationDays;

    @Option(names = "--reduced-grid", description = "Tune only the blend weights, each model with its first "
            + "hyper-parameter setting (faster; default: the evaluation's full grid).")
    boolean reducedGrid;

    @Option(names = "--no-season-window", description = "Train the re-ranker on the validation period only, not also "
            + "on the served period's season one year earlier (about half the re-ranker's time).")
    boolean noSeasonWindow;

    @Option(names = "--threads", defaultValue = "2", description = "Worker threads for the blend (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--upsell-min-price-increase", defaultValue = "0.10", description = "A trade-up's target must "
            + "cost at least this fraction more than the item bought before (default: ${DEFAULT-VALUE}, i.e. 10%%).")
    double upsellMinPriceIncrease;

    @Option(names = "--upsell-min-customers", defaultValue = "3",
            description = "Distinct customers who must have made a trade-up, per segment (default: ${DEFAULT-VALUE}).")
    int upsellMinCustomers;

    @Option(names = "--upsell-min-lift", defaultValue = "1.0", description = "A trade-up's rate must exceed this "
            + "times the share of customers who bought the target at all (default: ${DEFAULT-VALUE}).")
    double upsellMinLift;

    @Option(names = ExclusionCarryOver.ALLOW_FEWER, description = "Let --exclude-customers name fewer customers "
            + "than the list of the served, canary or newest list-trained version (customers left the list on "
            + "purpose, e.g. an objection withdrawn); without it such a run is refused, since an older copy of the "
            + "list would readmit the customers added since.")
    boolean allowFewerExcluded;

    @Option(names = "--no-activate", description = "Publish the version without making it CURRENT: servers keep "
            + "answering with the current one; try the new one on a share of customers with 'models canary VERSION "
            + "--percent N', serve it with 'models activate VERSION'.")
    boolean noActivate;

    @Override
    public Integer call() throws Exception {
        if ("rules".equals(recommender)) {
            // Silently ignoring them would publish something else than asked (as evaluate refuses the time split's
            // options with --split last-basket).
            for (String option : BLEND_ONLY) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new AffinityCli.UserFacingException(option + " applies to --recommender blend only; "
                            + "--recommender rules precomputes no lists (customers are served by rules fired per "
                            + "request)");
                }
            }
        }
        ReadableFile.require("--consent", consent);
        ReadableFile.require("--catalog", catalog);
        ReadableFile.require("--consent-journal", consentJournal);
        ExclusionCarryOver.requireListForAllowFewer(allowFewerExcluded, input.excludeCustomers);
        ConsentFile.requireListForEncoding(consentEncoding, consent);
        OptionFiles.directoryOrAbsent("--models", models);
        TrainingParameters p = new TrainingParameters(input.files, input.format,
                or(minSupport, TrainingParameters.DEFAULT_MIN_SUPPORT),
                or(minConfidence, TrainingParameters.DEFAULT_MIN_CONFIDENCE),
                or(minLift, TrainingParameters.DEFAULT_MIN_LIFT), or(maxLength, TrainingParameters.DEFAULT_MAX_LENGTH),
                or(maxRulesPerItem, TrainingParameters.DEFAULT_MAX_RULES_PER_ITEM),
                TrainingParameters.DEFAULT_POPULAR_ITEMS,
                or(input.errorBudget(), TrainingParameters.DEFAULT_ERROR_BUDGET));
        TrainingPipeline pipeline = pipeline(p);
        TransactionLoader.checkReadable(input.files);
        // Held from the carry-over checks, which read CURRENT's manifest, until the publish has moved CURRENT: a run
        // started meanwhile (a cron job started twice, a manual run during the nightly one) is refused at once.
        // Taken once the command line is known to be good: a mistyped one creates no store.
        try (ModelStore.TrainingLock held = ModelStore.open(models).lockForTraining("affinity train")) {
            return checkedRun(pipeline);
        }
    }

    private int checkedRun(TrainingPipeline pipeline) throws Exception {
        Optional<String> losing = ConsentCarryOver.refusal(models, consent, noConsent);
        if (losing.isPresent()) {
            throw new AffinityCli.UserFacingException(losing.get());
        }
        Optional<String> readmitting = ExclusionCarryOver.refusal(models, input.excludedCustomers(),
                allowFewerExcluded);
        if (readmitting.isPresent()) {
            throw new AffinityCli.UserFacingException(readmitting.get());
        }
        TrainingResult result;
        try {
            result = pipeline.run(models);
        } catch (IngestException e) {
            // What was read and rejected explains the failure (e.g. every row rejected, and why).
            e.report().ifPresent(r -> System.err.println(r.toText()));
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(result.ingest().toText());
        out.printf(Locale.ROOT, "published %s to %s in %.1f s: %s, %,d rules, %,d customers, %,d bytes%n",
                result.version(), models, result.elapsed().toMillis() / 1000.0,
                TrainingPipeline.itemCounts(result.items(), result.neverBoughtItems()), result.rules(),
                result.customers(), result.snapshotBytes());
        if (noActivate) {
            notActivated(out, result.version());
        }
        out.flush();
        return 0;
    }

    /** What to do with a version published without activating; CURRENT is only read, so it cannot fail the run. */
    private void notActivated(PrintWriter out, String version) throws IOException {
        Optional<String> current;
        try {
            current = ModelStore.open(models).currentVersion();
        } catch (CorruptSnapshotException e) {
            // The version is published: exiting 1 here would make a scheduler retry and publish it again.
            out.printf(Locale.ROOT, "not activated: CURRENT names no version (%s); serve it with "
                    + "./affinity models activate %s --models %s%n", e.getMessage(), version, models);
            return;
        }
        if (current.isEmpty()) {
            // a canary is compared with CURRENT: 'models canary' would be refused
            out.printf(Locale.ROOT, "not activated: the store has no CURRENT; serve it with "
                    + "./affinity models activate %s --models %s%n", version, models);
            return;
        }
        out.printf(Locale.ROOT, "not activated: CURRENT stays %s; try it on some customers with "
                + "./affinity models canary %2$s --percent 10 --models %3$s, or serve it with "
                + "./affinity models activate %2$s --models %3$s%n", current.get(), version, models);
    }

    private TrainingPipeline pipeline(TrainingParameters p) throws Exception {
        TrainingPipeline pipeline = new TrainingPipeline(p,
                new RecommenderParameters(recommender, topN, validationDays, threads, reducedGrid,
                        !noSeasonWindow), line -> System.err.println("affinity train: " + line))
                .encoding(input.encoding)
                .ingestOptions(input.ingestOptions())
                .consentFile(consent)
                .consentEncoding(or(consentEncoding, StandardCharsets.UTF_8))
                .consentJournal(or(consentJournal, models.resolve(ConsentJournalFile.FILE_NAME)), consentJournal != null)
                .catalogFile(catalog)
                .activate(!noActivate)
                .invocation(Invocation.current("train", AffinityCli.verbArguments(spec)))
                .tradeUps(new TradeUpParameters(upsellMinPriceIncrease, upsellMinCustomers,
                        TradeUpParameters.DEFAULTS.perSegment(), upsellMinLift));
        if (input.excludedCustomers() != null) {
            pipeline.excludedCustomers(input.excludedCustomers());
        }
        return pipeline;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
