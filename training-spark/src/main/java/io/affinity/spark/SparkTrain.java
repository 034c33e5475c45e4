package io.affinity.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.affinity.recommender.Consent;
import io.affinity.store.FileFailures;
import io.affinity.store.ConsentJournalFile;
import io.affinity.store.Invocation;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.ConsentCarryOver;
import io.affinity.training.ExclusionCarryOver;
import io.affinity.training.ReadableFile;
import io.affinity.training.TradeUpParameters;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import io.affinity.training.customers.ConsentFile;
import io.affinity.training.customers.ObjectionsToProfiling;
import io.affinity.training.customers.ProfilingObjections;
import io.affinity.training.ingest.CatalogFile;
import io.affinity.training.ingest.IngestException;
import io.affinity.training.ingest.ExcludedCustomers;
import io.affinity.training.ingest.ExchangeRates;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.RejectReason;
import io.affinity.training.ingest.Transactions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Spark training job: {@code spark-submit --class io.affinity.spark.SparkTrain affinity-spark.jar --input ...
 * --models DIR}, or {@code ./affinity spark-train ...} on one machine (Spark in local mode). Ingestion and every
 * model run as Spark jobs; the driver writes the snapshot into {@code --models}, a directory on the driver's
 * machine (replicas open a published snapshot from a shared or copied directory, as after {@code affinity train}).
 *
 * <p>Exit codes: 0 published; 1 bad input (the message names the file and line, or the option), a store or file
 * that cannot be used, or the driver out of memory, each in one line; 2 a mistyped command line (with the usage),
 * or a failure that is not the input's (a Spark job aborted for other reasons, a bug: with its stack trace).
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train on Apache Spark and publish a snapshot the service serves: rules (FP-growth), "
                + "lists per customer (TIFU-KNN or implicit ALS with repeat purchases, chosen on validation), histories, profiles, trade-ups (upsell), "
                + "popularity, and the product catalogue (--catalog).",
                "Inputs are Hadoop paths (hdfs://, s3a://, file: or local names) read by the executors; "
                        + "the model store is a directory on the driver."})
public final class SparkTrain implements Callable<Integer> {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Transaction exports (CSV, gzip detected), in order: an order already in an earlier file "
                    + "is not loaded again. A Hadoop glob (quoted: 'hdfs:///exports/2011-*.csv.gz') stands for the "
                    + "files it matches, a directory for the files in it, in name order (hidden _ and . files "
                    + "skipped).")
    List<String> inputs;

    @Option(names = "--models", defaultValue = "models", description = "Model store directory on the driver "
            + "(default: ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--encoding", defaultValue = "UTF-8", description = "Character set of the exports and of the "
            + "--catalog file (default: ${DEFAULT-VALUE}); bytes invalid in it stop the load naming file and line.")
    Charset encoding;

    @Option(names = "--format", defaultValue = "auto", description = "Column layout: auto (detect from each "
            + "header), online-retail, online-retail-ii, generic, generic-sequence (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--columns", paramLabel = "ROLE=HEADER,...", description = "Your own column names instead of "
            + "a --format preset, as for `affinity train`.")
    String columns;

    @Option(names = "--timestamp-format", paramLabel = "PATTERN", description = "With --columns: the export's own "
            + "timestamp pattern instead of ISO 8601, e.g. 'dd.MM.yyyy HH:mm', as for `affinity train`.")
    String timestampFormat;

    @Option(names = "--delimiter", defaultValue = ",", paramLabel = "CHAR", description = "Field separator: , ; | "
            + "or a tab (default: ${DEFAULT-VALUE}).")
    String delimiter;

    @Option(names = "--decimal-comma", description = "Quantities and prices are written with a decimal comma.")
    boolean decimalComma;

    @Option(names = "--error-budget", paramLabel = "SHARE", description = "Share of the rows that may be malformed "
            + "or conflicting before the job stops, nothing published (default: "
            + IngestOptions.DEFAULT_ERROR_BUDGET + ").")
    Double errorBudget;

    @Option(names = "--consent", paramLabel = "FILE", description = "Consent list (customer_id, channel, state) on "
            + "the driver, as for `affinity train`: campaign exports then include only customers who opted in.")
    Path consent;

    @Option(names = "--consent-encoding", paramLabel = "CHARSET", description = "Character encoding of the "
            + "--consent file, independent of --encoding (default: UTF-8), as for `affinity train`.")
    Charset consentEncoding;

    @Option(names = ExclusionCarryOver.ALLOW_FEWER, description = "Let --exclude-customers name fewer customers than "
            + "the list of the served, canary or newest list-trained version, as for `affinity train`.")
    boolean allowFewerExcluded;

    @Option(names = "--consent-journal", paramLabel = "FILE", description = "The servers' run-time consent journal, "
            + "read on the driver as `affinity train` reads it: objections to profiling made through the API are "
            + "honoured as the --consent list's are. Default: the model store's consent.journal when it exists.")
    Path consentJournal;

    @Option(names = "--no-consent", description = "Publish without a consent list even though the served (CURRENT) "
            + "version carries one; without this, such a run is refused, as by 'affinity train'.")
    boolean noConsent;

    @Option(names = "--exclude-customers", paramLabel = "FILE", description = "Customers whose rows are not used, as "
            + "for `affinity train` (CSV with a customer_id column, UTF-8, read on the driver): counted as "
            + "excluded_customer, their consent-list rows dropped, the list recorded in the manifest; a run "
            + "without it is refused while the store's CURRENT version excluded anyone.")
    Path excludeCustomers;

    @Option(names = "--guest-customers", split = ",", paramLabel = "ID", description = "Customer ids the shop "
            + "system writes for guest checkouts, comma-separated, as for `affinity train`: read as anonymous baskets.")
    java.util.List<String> guestCustomers;

    @Option(names = "--time-zone", paramLabel = "ZONE", description = "The shop's time zone (IANA name, e.g. "
            + "Europe/Berlin), as for `affinity train`: timestamps written with a UTC offset (2011-05-06T22:30:00Z) "
            + "are converted to its local time, so that orders fall on the shop's days; recorded in the manifest.")
    String timeZone;

    @Option(names = "--currency", paramLabel = "CODE", description = "The reporting currency (ISO 4217, e.g. EUR), as "
            + "for `affinity train`: every amount is in it; without --exchange-rates the exports must hold no other.")
    String currency;

    @Option(names = "--exchange-rates", paramLabel = "FILE", description = "With --currency: currency,rate or "
            + "currency,date,rate CSV on the driver, as for `affinity train`: each row's price converted by its "
            + "currency column at the rate of its day; recorded (name, size, SHA-256) in the manifest.")
    Path exchangeRates;

    /** The {@code --exclude-customers} list as read, and how many consent-list customers it dropped. */
    private ExcludedCustomers excluded;
    private long consentDropped;

    @Option(names = "--catalog", paramLabel = "FILE", description = "Product catalogue on the driver, as for "
            + "`affinity train` (CSV with header, in the exports' --delimiter, --decimal-comma and --encoding; "
            + "item_id required, optional description, category, family, price, cost, available, currency; any "
            + "other column is a filterable attribute). Its values override those derived from transactions (trade-ups use its "
            + "prices and categories); items never bought are indexed; costs give margin-based tiers.")
    Path catalog;

    // Defaults are SparkModelOptions.DEFAULTS' constants, so the help text cannot drift from what the job uses.
    @Option(names = "--min-support", defaultValue = "" + TrainingParameters.DEFAULT_MIN_SUPPORT,
            description = "Minimum itemset support, fraction of baskets (default: ${DEFAULT-VALUE}); the support "
                    + "count is at least " + TrainingParameters.MIN_SUPPORT_COUNT + ".")
    double minSupport;

    @Option(names = "--min-confidence", defaultValue = "" + TrainingParameters.DEFAULT_MIN_CONFIDENCE,
            description = "Minimum rule confidence (default: ${DEFAULT-VALUE}).")
    double minConfidence;

    @Option(names = "--min-lift", defaultValue = "" + TrainingParameters.DEFAULT_MIN_LIFT,
            description = "Minimum rule lift (default: ${DEFAULT-VALUE}).")
    double minLift;

    @Option(names = "--max-length", defaultValue = "" + TrainingParameters.DEFAULT_MAX_LENGTH,
            description = "Largest itemset kept (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--max-rules-per-item", defaultValue = "" + TrainingParameters.DEFAULT_MAX_RULES_PER_ITEM,
            description = "Rules kept per antecedent item and kind (default: ${DEFAULT-VALUE}).")
    int maxRulesPerItem;

    @Option(names = "--top-n", defaultValue = "" + SparkModelOptions.DEFAULT_TOP_N,
            description = "Items precomputed per customer (default: ${DEFAULT-VALUE}; 0: none, customers are served "
                    + "by rules fired by their history).")
    int topN;

    @Option(names = "--als-rank", defaultValue = "" + SparkModelOptions.DEFAULT_ALS_RANK,
            description = "Implicit ALS factors (default: ${DEFAULT-VALUE}).")
    int alsRank;

    @Option(names = "--als-iterations", defaultValue = "" + SparkModelOptions.DEFAULT_ALS_ITERATIONS,
            description = "Implicit ALS sweeps (default: ${DEFAULT-VALUE}).")
    int alsIterations;

    @Option(names = "--als-regularization", defaultValue = "" + SparkModelOptions.DEFAULT_ALS_REGULARIZATION,
            description = "Spark ALS regParam (default: ${DEFAULT-VALUE}).")
    double alsRegularization;

    @Option(names = "--als-alpha", defaultValue = "" + SparkModelOptions.DEFAULT_ALS_ALPHA,
            description = "Implicit ALS confidence scale (default: ${DEFAULT-VALUE}).")
    double alsAlpha;

    @Option(names = "--validation-days", defaultValue = "" + ListTuning.DEFAULT_VALIDATION_DAYS, paramLabel = "DAYS",
            description = "The last DAYS of the data (at most a quarter of its span) validate the customer lists' "
                    + "half-life and new-item weight: each pair of their grids is scored by NDCG@10 there and the "
                    + "best trains the served lists; 0 turns this off (default: ${DEFAULT-VALUE}).")
    int validationDays;

    @Option(names = "--no-activate", description = "Publish the version without making it CURRENT, as train "
            + "--no-activate: to canary it first ('affinity models canary VERSION --percent N').")
    boolean noActivate;

    @Option(names = "--lists", defaultValue = "auto", paramLabel = "MODEL",
            description = "Model of the precomputed lists: auto (validate both and serve the better by NDCG@10, "
                    + "als+repeat on a tie), tifu-knn (TIFU-KNN, its setting chosen on the validation split out of "
                    + "single-machine training's grid) or als+repeat (implicit ALS for new items merged with repeat "
                    + "purchases). Without validation (--validation-days 0), auto serves als+repeat and tifu-knn "
                    + "the grid's first setting (default: ${DEFAULT-VALUE}).")
    String lists;

    @Option(names = "--repeat-half-life-days", paramLabel = "DAYS",
            description = "Half-life of a purchase in the repeat score; given, it is fixed instead of chosen on the "
                    + "validation split out of 30, 90, 180, 365 (without validation: "
                    + SparkModelOptions.DEFAULT_REPEAT_HALF_LIFE_DAYS + ").")
    Double repeatHalfLifeDays;

    @Option(names = "--new-item-weight", paramLabel = "WEIGHT",
            description = "How new items (ALS) mix with repeat purchases in a customer's list: each kind's scores "
                    + "are scaled to (0.1, 1], new items' then multiplied by this (0.1 or less: own items first); "
                    + "given, it is fixed instead of chosen on the validation split out of 0.1, 0.3, 1 (without "
                    + "validation: " + SparkModelOptions.DEFAULT_NEW_ITEM_WEIGHT + ").")
    Double newItemWeight;

    @Option(names = "--upsell-min-price-increase", defaultValue = "" + TradeUpParameters.DEFAULT_MIN_PRICE_INCREASE,
            description = "A trade-up's target must cost at least this fraction more than the item bought before "
                    + "(default: ${DEFAULT-VALUE}).")
    double upsellMinPriceIncrease;

    @Option(names = "--upsell-min-customers", defaultValue = "" + TradeUpParameters.DEFAULT_MIN_CUSTOMERS,
            description = "Distinct customers who must have made a trade-up, per segment (default: ${DEFAULT-VALUE}).")
    int upsellMinCustomers;

    @Option(names = "--upsell-min-lift", defaultValue = "" + TradeUpParameters.DEFAULT_MIN_LIFT,
            description = "A trade-up's rate must exceed this times the share of customers who bought the target "
                    + "at all (default: ${DEFAULT-VALUE}).")
    double upsellMinLift;

    private final PrintStream out;

    @Spec
    CommandSpec spec;

    public SparkTrain() {
        this(System.out);
    }

    SparkTrain(PrintStream out) {
        this.out = out;
    }

    private static final String PREFIX = "affinity spark-train: ";

    /**
     * What an orchestrator sees, as for {@code affinity train}: bad input, bad option values and the store's or a
     * file's failures exit 1 with one line (an ingest failure with the ingest report before it); anything else (a
     * Spark job that failed for other reasons than the input, e.g. executors lost, or a bug) exits 2 with its stack
     * trace and then one line saying so, the job's last.
     */
    static final CommandLine.IExecutionExceptionHandler EXIT_CODES = (e, cmd, parsed) -> {
        PrintWriter err = cmd.getErr();
        OutOfMemoryError oom = outOfMemory(e);
        if (oom != null) {
            return outOfMemory(oom, err);
        }
        if (e instanceof IngestException ingest) {
            ingest.report().ifPresent(r -> err.println(r.toText()));
        }
        if (e instanceof IngestException || e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof UncheckedIOException || e.getClass().getName().startsWith("io.affinity.")) {
            err.println(PREFIX + FileFailures.describe(e));
            err.flush();
            return 1;
        }
        e.printStackTrace(err);
        err.println(PREFIX + "the Spark job failed (" + firstLine(e) + "); nothing was published, the model store "
                + "is as it was");
        err.flush();
        return 2;
    };

    private static OutOfMemoryError outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    /**
     * One line instead of the stack trace of where the driver's heap ran out: what it holds grows with the
     * customers and rules (README, "Training on Apache Spark"), so the way out is a bigger one.
     */
    static int outOfMemory(OutOfMemoryError e, PrintWriter err) {
        err.println(PREFIX + "out of memory on the driver (" + (e.getMessage() == null ? "heap exhausted"
                : e.getMessage()) + "; its JVM may use at most " + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                + " MiB): give it more, e.g. spark-submit --driver-memory 8g (./affinity spark-train: "
                + "AFFINITY_JAVA_OPTS=-Xmx8g); nothing was published, the model store is as it was");
        err.flush();
        return 1;
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int end = m.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (end < 0 ? m : m.substring(0, end));
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SparkTrain());
        cli.setExecutionExceptionHandler(EXIT_CODES);
        int exit;
        try {
            exit = cli.execute(args);
        } catch (OutOfMemoryError e) { // picocli hands on Errors; the heap is free again once the stack unwound
            exit = outOfMemory(e, cli.getErr());
        }
        System.exit(exit);
    }

    @Override
    public Integer call() throws IOException, IngestException {
        SparkModelOptions options = modelOptions();
        IngestOptions ingest = IngestOptions.fromOptions(format, columns, timestampFormat, delimiter, decimalComma,
                errorBudget);
        if (Files.exists(models) && !Files.isDirectory(models)) {
            throw new IllegalArgumentException("model store " + models + " is not a directory");
        }
        TradeUpParameters tradeUps = new TradeUpParameters(upsellMinPriceIncrease, upsellMinCustomers,
                TradeUpParameters.DEFAULT_PER_SEGMENT, upsellMinLift);
        // read before any distributed work: a bad consent or catalogue file should fail in a second, not after
        // the load; the same checks and messages as `affinity train`
        ReadableFile.require("--consent", consent);
        ReadableFile.require("--catalog", catalog);
        ReadableFile.require("--consent-journal", consentJournal);
        ExclusionCarryOver.requireListForAllowFewer(allowFewerExcluded, excludeCustomers);
        ConsentFile.requireListForEncoding(consentEncoding, consent);
        // Held from the carry-over checks, which read CURRENT's manifest, until the publish has moved CURRENT (as
        // affinity train holds it): a run started meanwhile is refused at once.
        try (ModelStore.TrainingLock held = ModelStore.open(models).lockForTraining("affinity spark-train")) {
            return checkedRun(ingest, options, tradeUps);
        }
    }

    private int checkedRun(IngestOptions ingest, SparkModelOptions options, TradeUpParameters tradeUps)
            throws IOException, IngestException {
        ConsentCarryOver.refusal(models, consent, noConsent).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        Map<String, Map<Consent.Channel, Consent.ListEntry>> consentStates =
                consent == null ? Map.of() : ConsentFile.read(consent, consentCharset());
        if (guestCustomers != null) {
            ingest = ingest.withGuestCustomers(guestCustomers);
        }
        ingest = ingest.withTimeZone(IngestOptions.parseTimeZone(timeZone));
        ReadableFile.require(ExchangeRates.OPTION, exchangeRates);
        // read on the driver, shipped to the executors with the options: every task converts as train does
        ingest = ingest.withCurrency(currency, exchangeRates == null ? null
                : ExchangeRates.read(exchangeRates, currency));
        ReadableFile.require("--exclude-customers", excludeCustomers);
        if (excludeCustomers != null) {
            excluded = ExcludedCustomers.read(excludeCustomers);
        }
        ExclusionCarryOver.refusal(models, excluded, allowFewerExcluded).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        if (excluded != null) {
            ingest = ingest.withExcludedCustomers(excluded.ids());
            Map<String, Map<Consent.Channel, Consent.ListEntry>> kept = excluded.leaveOut(consentStates);
            consentDropped = consentStates.size() - kept.size();
            consentStates = kept;
        }
        // train's rule: an objection to profiling, in the list or the journal, reads the customer's orders as
        // anonymous baskets
        ObjectionsToProfiling objecting = ObjectionsToProfiling.of(consentStates,
                ConsentFile.writtenAt(consent),
                ObjectionsToProfiling.readJournal(consentJournal != null ? consentJournal
                        : models.resolve(ConsentJournalFile.FILE_NAME), consentJournal != null));
        CatalogFile catalogue = catalog == null ? null
                : TrainingPipeline.readCatalogue(catalog, ingest.errorBudget(), ingest.dialect(), encoding,
                ingest.currency(), ingest.exchangeRates());
        // a session that already runs (an embedding application's, a test's) is the caller's to stop
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().appName("affinity-train").getOrCreate();
        try {
            String version = train(spark, ingest, options, tuning(), tradeUps, consentStates, objecting,
                    catalogue, out::println);
            out.println("published " + version + " to " + models.toAbsolutePath());
            return 0;
        } finally {
            // before main's System.exit: a cluster manager sees the application finish, not executors lost
            if (ownSession) {
                spark.stop();
            }
        }
    }

    /**
     * The whole job on a given session (tests pass their local one) with the consent and catalogue already read
     * (null: no catalogue); returns the published version.
     */
    String train(SparkSession spark, IngestOptions ingest, SparkModelOptions options, ListTuning tuning,
                 TradeUpParameters tradeUps, Map<String, Map<Consent.Channel, Consent.ListEntry>> consentStates,
                 ObjectionsToProfiling objecting, CatalogFile catalogue, Consumer<String> progress)
            throws IOException, IngestException {
        long started = System.nanoTime();
        SparkIngest.Result loaded = SparkIngest.load(spark, inputs, ingest, encoding);
        Dataset<Row> cached = loaded.accepted();
        try {
            ProfilingObjections objections = objections(cached, objecting);
            Dataset<Row> accepted = anonymising(cached, objecting.customers());
            progress.accept(String.format(Locale.ROOT, "ingest: %,d rows read, %,d accepted, %,d orders, %,d "
                            + "customers, %,d items [%.1f s]", loaded.report().rowsRead(), loaded.report().rowsAccepted(),
                    loaded.report().ordersAccepted(), loaded.report().customers(), loaded.report().items(),
                    (System.nanoTime() - started) / 1e9));
            if (loaded.report().ordersAccepted() == 0 || loaded.report().items() == 0) {
                // the single-machine rule: an empty model would replace a working one for every replica
                throw new IngestException(String.format(Locale.ROOT, "no transactions accepted (%,d rows read, "
                                + "%,d accepted) from %s: refusing to publish an empty model; the model store %s is "
                                + "unchanged", loaded.report().rowsRead(), loaded.report().rowsAccepted(), inputs,
                        models), loaded.report(), null);
            }
            TrainingPipeline.checkCatalogueCurrency(catalogue, loaded.report());
            // as train prints it: every row used or rejected, per reason with the first file:line samples
            progress.accept(loaded.report().toText().stripTrailing());
            outsizedCustomerWarning(cached).ifPresent(w -> progress.accept("warning: " + w));
            SparkModelOptions resolved = options.withOrderSequence(loaded.sequenceOnly());
            SnapshotBuilder builder = ModelStore.open(models).newSnapshot();
            // the files the load read, not the inputs listed again: a file landing in an input directory meanwhile
            // was not read and must not be pinned
            InputDigests.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), loaded.files(),
                    spark.sparkContext().hadoopConfiguration()).forEach(builder::addInput);
            if (spec != null) { // run from its command line, not called by a test with a session of its own
                builder.section(Invocation.SECTION, Invocation.current("spark-train",
                        spec.commandLine().getParseResult().originalArgs()));
            }
            SparkModelStage.Trained trained = SparkModelStage.train(accepted, resolved, tuning, tradeUps, catalogue,
                    builder, progress);
            trained.sections().forEach(builder::section);
            consentStates.forEach(builder::putListedConsent);
            if (consent != null) {
                builder.section("consent", consentSection(consentStates, cached));
            }
            objecting.record(objections, consent != null, builder::section, progress);
            builder.parameters(parameters(spark, ingest, trained.served(), tuning));
            builder.section("ingestReport", loaded.report());
            if (excluded != null) {
                builder.section(ExclusionCarryOver.SECTION, excluded.manifestSection(
                        loaded.report().rejectedCount(RejectReason.EXCLUDED_CUSTOMER), consentDropped));
            }
            String version = builder.publish(!noActivate);
            // the block managers Spark knows, less the driver's: 0 in local mode, where tasks are driver threads
            int executors = spark.sparkContext().getExecutorMemoryStatus().size() - 1;
            progress.accept(String.format(Locale.ROOT, "publish: snapshot %s%s (master %s, %d executor JVM(s) "
                            + "besides the driver) [%.1f s in all]", version, noActivate ? ", not activated" : "",
                    spark.sparkContext().master(), executors, (System.nanoTime() - started) / 1e9));
            return version;
        } finally {
            cached.unpersist();
        }
    }

    private SparkModelOptions modelOptions() {
        SparkModelOptions d = SparkModelOptions.DEFAULTS;
        return new SparkModelOptions(minSupport, minConfidence, minLift, maxLength, maxRulesPerItem,
                d.popularItems(), topN, alsRank, alsRegularization, alsAlpha, alsIterations, d.seed(),
                repeatHalfLifeDays == null ? d.repeatHalfLifeDays() : repeatHalfLifeDays,
                newItemWeight == null ? d.newItemWeight() : newItemWeight, false);
    }

    /** The grid the validation split chooses from; a value given on the command line is fixed. */
    ListTuning tuning() {
        if (validationDays < 0) {
            throw new IllegalArgumentException("--validation-days must be >= 0, was " + validationDays);
        }
        ListTuning.Lists model = ListTuning.Lists.of(lists == null ? "auto" : lists);
        if (validationDays == 0) {
            return ListTuning.OFF.withLists(model);
        }
        ListTuning t = new ListTuning(validationDays, ListTuning.DEFAULT_HALF_LIVES_DAYS,
                ListTuning.DEFAULT_NEW_ITEM_WEIGHTS, model);
        t = repeatHalfLifeDays == null ? t : t.withHalfLifeDays(repeatHalfLifeDays);
        return newItemWeight == null ? t : t.withNewItemWeight(newItemWeight);
    }

    /** What a reader of the manifest needs to reproduce the run: engine, inputs as given, every parameter. */
    private Map<String, Object> parameters(SparkSession spark, IngestOptions ingest, SparkModelOptions options,
                                           ListTuning tuning) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", "spark");
        m.put("sparkVersion", spark.version());
        m.put("master", spark.sparkContext().master());
        m.put("inputs", List.copyOf(inputs));
        m.put("encoding", encoding.name());
        m.putAll(options.asManifestMap());
        m.put("listTuning", tuning.asManifestMap());
        m.putAll(ingest.manifestEntries());
        return m;
    }

    /** train's warning about a guest-checkout id, from the orders of each identified customer counted by Spark. */
    static Optional<String> outsizedCustomerWarning(Dataset<Row> accepted) {
        Row counts = accepted.filter(col(AcceptedLines.CUSTOMER).isNotNull())
                .groupBy(col(AcceptedLines.CUSTOMER))
                .agg(countDistinct(col(AcceptedLines.ORDER)).as("orders"))
                .agg(max(col("orders")), sum(col("orders")))
                .first();
        return counts.isNullAt(0) ? Optional.empty()
                : Transactions.outsizedCustomerWarning(counts.getLong(0), counts.getLong(1));
    }

    private Charset consentCharset() {
        return consentEncoding != null ? consentEncoding : StandardCharsets.UTF_8;
    }

    /** How many of {@code objecting} have accepted orders, and how many orders: counted before they are anonymised. */
    static ProfilingObjections objections(Dataset<Row> accepted, ObjectionsToProfiling objecting) {
        if (objecting.customers().isEmpty()) {
            return objecting.counted(0, 0);
        }
        Row counts = accepted.filter(col(AcceptedLines.CUSTOMER).isin(objecting.customers().toArray()))
                .agg(countDistinct(col(AcceptedLines.CUSTOMER)), countDistinct(col(AcceptedLines.ORDER))).first();
        return objecting.counted(counts.getLong(0), counts.getLong(1));
    }

    /** How many of {@code ids} have accepted lines (a join: a consent list may name millions). */
    static long customersIn(Dataset<Row> accepted, Set<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        Dataset<Row> listed = accepted.sparkSession()
                .createDataset(new ArrayList<>(ids), org.apache.spark.sql.Encoders.STRING()).toDF("listed");
        return accepted.select(col(AcceptedLines.CUSTOMER)).distinct()
                .join(listed, col(AcceptedLines.CUSTOMER).equalTo(col("listed"))).count();
    }

    /** {@code accepted} with the lines of {@code customers} as guests' (customer null), as Transactions#anonymising. */
    static Dataset<Row> anonymising(Dataset<Row> accepted, Set<String> customers) {
        if (customers.isEmpty()) {
            return accepted;
        }
        // Spark turns a long IN list into a hash set lookup (spark.sql.optimizer.inSetConversionThreshold)
        return accepted.withColumn(AcceptedLines.CUSTOMER,
                when(col(AcceptedLines.CUSTOMER).isin(customers.toArray()), lit(null).cast(DataTypes.StringType))
                        .otherwise(col(AcceptedLines.CUSTOMER)));
    }

    private Map<String, Object> consentSection(Map<String, Map<Consent.Channel, Consent.ListEntry>> states,
                                               Dataset<Row> accepted) throws IOException {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("file", consent.toAbsolutePath().toString());
        section.put("bytes", Files.size(consent));
        section.put("sha256", TrainingPipeline.sha256(consent));
        // as train records it: run-time consent changes older than the list may only restrict it
        section.put(Snapshot.CONSENT_FILE_MODIFIED, ConsentFile.writtenAt(consent).toString());
        section.put("encoding", consentCharset().name());
        section.put("customers", states.size());
        section.put("customersNotInTransactions", states.size() - customersIn(accepted, states.keySet()));
        section.put("entries", ConsentFile.entries(states));
        section.put("entriesWithTime", ConsentFile.entriesWithTime(states));
        return section;
    }
}
