package io.affinity.training;

import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.store.ConsentJournalFile;
import io.affinity.store.Invocation;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.customers.ConsentFile;
import io.affinity.training.customers.ItemCosts;
import io.affinity.training.customers.ObjectionsToProfiling;
import io.affinity.training.customers.ProfilingObjections;
import io.affinity.training.ingest.CatalogFile;
import io.affinity.training.ingest.CsvDialect;
import io.affinity.training.ingest.IngestException;
import io.affinity.training.ingest.ExcludedCustomers;
import io.affinity.training.ingest.ExchangeRates;
import io.affinity.training.ingest.IngestReport;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.RejectReason;
import io.affinity.training.ingest.IngestResult;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import io.affinity.training.mining.FpGrowth;
import io.affinity.training.mining.FrequentItemsets;
import io.affinity.training.mining.MinedRule;
import io.affinity.training.mining.MiningRun;
import io.affinity.training.mining.RuleGenerator;
import io.affinity.training.mining.RuleParameters;
import io.affinity.training.mining.TransactionDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Transaction exports in, published snapshot out: ingest, mine baskets, derive rules, summarise items and
 * customers, publish atomically. Nothing is published when any step fails.
 */
public final class TrainingPipeline {
    private final TrainingParameters parameters;
    private final Consumer<String> progress;
    private Path consentFile;
    private Path consentJournal;
    private boolean consentJournalRequired;
    private Path catalogFile;
    private final RecommenderParameters recommender;
    private TradeUpParameters tradeUps = TradeUpParameters.DEFAULTS;
    private Charset encoding = StandardCharsets.UTF_8;
    private Charset consentEncoding = StandardCharsets.UTF_8;
    private IngestOptions ingestOptions;
    private ExcludedCustomers excludedCustomers;
    private boolean activate = true;
    private Invocation invocation;

    /** @param progress receives one line per finished step (timings included), e.g. for the CLI's stderr */
    public TrainingPipeline(TrainingParameters parameters, Consumer<String> progress) {
        this(parameters, RecommenderParameters.DEFAULTS, progress);
    }

    /** @param recommender what to precompute for customer recommendations ({@link RecommenderParameters}) */
    public TrainingPipeline(TrainingParameters parameters, RecommenderParameters recommender,
                            Consumer<String> progress) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.recommender = Objects.requireNonNull(recommender, "recommender");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** A consent export to publish with the model (see {@code ConsentFile}); none by default. */
    public TrainingPipeline consentFile(Path file) {
        this.consentFile = file;
        return this;
    }

    /**
     * The run-time consent journal servers append to ({@code PUT /v1/customers/{id}/consent/...}), whose objections
     * to profiling are honoured as the consent list's are ({@link ObjectionsToProfiling}); none by default.
     *
     * @param required whether a missing file is an error (a journal named on the command line) or means no changes
     *                 yet (the store's own journal before any server created it)
     */
    public TrainingPipeline consentJournal(Path file, boolean required) {
        this.consentJournal = file;
        this.consentJournalRequired = required;
        return this;
    }

    /**
     * A product catalogue (see {@link CatalogFile}) whose values override the facts derived from transactions,
     * whose never-bought items join the search index, and whose extra columns become filterable attributes; none
     * by default. Rejected rows count against the training error budget.
     */
    public TrainingPipeline catalogFile(Path file) {
        this.catalogFile = file;
        return this;
    }

    /**
     * Whether the published version becomes CURRENT (the default), or is only published, verified and listed: to be
     * tried on a share of customers first ({@code models canary}) or activated later.
     */
    public TrainingPipeline activate(boolean makeCurrent) {
        this.activate = makeCurrent;
        return this;
    }

    /**
     * The character encoding of the transaction and catalogue files (one system writes both); UTF-8 by default.
     * Bytes not valid in it stop training naming {@code file:line}. The consent file has its own,
     * {@link #consentEncoding}.
     */
    public TrainingPipeline encoding(Charset charset) {
        this.encoding = Objects.requireNonNull(charset, "charset");
        return this;
    }

    /**
     * The character encoding of the consent file; UTF-8 by default, whatever {@link #encoding} is. It often comes
     * from another system (a CRM) than the exports, and every byte sequence is valid Windows-1252: a UTF-8 consent
     * file read in the exports' Windows-1252 would decode without error into other ids, and their opt-outs would
     * apply to nobody. Strict UTF-8 instead stops at the first byte that does not fit, naming {@code file:line}.
     */
    public TrainingPipeline consentEncoding(Charset charset) {
        this.consentEncoding = Objects.requireNonNull(charset, "charset");
        return this;
    }

    /**
     * How the exports are read (column mapping, delimiter, decimal separator, non-product codes); by default the
     * {@link TrainingParameters#format()} preset or detection with the defaults of {@link IngestOptions}. The
     * error budget is always {@link TrainingParameters#errorBudget()}.
     */
    public TrainingPipeline ingestOptions(IngestOptions options) {
        this.ingestOptions = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Customers whose rows are not used (rejected as excluded) and whose consent-list rows are dropped; recorded in
     * the manifest (the list's file and digest, counts, never an id). None by default.
     */
    public TrainingPipeline excludedCustomers(ExcludedCustomers list) {
        this.excludedCustomers = Objects.requireNonNull(list, "list");
        return this;
    }

    /**
     * The command this run answers, recorded in the manifest so that it can be run again ({@code models show
     * --command}); none by default (a library caller has no command line).
     */
    public TrainingPipeline invocation(Invocation command) {
        this.invocation = Objects.requireNonNull(command, "command");
        return this;
    }

    /** What counts as an observed trade-up for upsell; {@link TradeUpParameters#DEFAULTS} by default. */
    public TrainingPipeline tradeUps(TradeUpParameters parameters) {
        this.tradeUps = Objects.requireNonNull(parameters, "parameters");
        return this;
    }

    public TrainingResult run(Path modelsDir) throws IOException, IngestException {
        // Check every path and read consent and catalogue first: a bad file should fail before minutes of mining,
        // not after.
        TransactionLoader.checkReadable(parameters.inputs());
        if (Files.exists(modelsDir) && !Files.isDirectory(modelsDir)) {
            throw new IllegalArgumentException("model store " + modelsDir + " is not a directory");
        }
        Map<String, Map<Consent.Channel, Consent.ListEntry>> consent =
                consentFile == null ? Map.of() : ConsentFile.read(consentFile, consentEncoding);
        long consentDropped = 0;
        if (excludedCustomers != null) {
            Map<String, Map<Consent.Channel, Consent.ListEntry>> kept = excludedCustomers.leaveOut(consent);
            consentDropped = consent.size() - kept.size();
            consent = kept;
        }
        ConsentJournalFile.Latest journal = ObjectionsToProfiling.readJournal(consentJournal, consentJournalRequired);
        // An objection to profiling, in the list or made at run time: the customer's orders still count as baskets,
        // but nothing of the customer is computed, as for a guest (served versions also hide them; ProfilingObjection
        // in api weighs the two sources the same way).
        ObjectionsToProfiling objecting = ObjectionsToProfiling.of(consent, ConsentFile.writtenAt(consentFile),
                journal);
        CatalogFile catalogue = readCatalogue();
        long started = System.nanoTime();
        IngestOptions options = (ingestOptions != null ? ingestOptions
                : IngestOptions.defaults().withFormat(parameters.format())).withErrorBudget(parameters.errorBudget());
        if (excludedCustomers != null) {
            options = options.withExcludedCustomers(excludedCustomers.ids());
        }
        IngestResult ingested = ingest(options, modelsDir);
        checkCatalogueCurrency(catalogue, ingested.report());
        Transactions tx = ingested.transactions().anonymising(objecting.customers());
        Mining mining = mine(tx);

        long snapshotStarted = System.nanoTime();
        SnapshotBuilder builder = newSnapshot(modelsDir);
        CatalogFacts catalog = CatalogFacts.of(tx);
        CatalogMerge merged = catalogue == null ? CatalogMerge.none(catalog.items())
                : CatalogMerge.of(catalog.items(), catalogue);
        List<ItemFacts> items = merged.bought();
        List<ItemFacts> allItems = merged.all();
        merged.put(builder, catalogue, progress);
        mining.rules().byItem().forEach(builder::putRules);
        // put in customer id order, not in the order of their first row: the same export in another row order then
        // publishes a byte-identical customers.cmap (its entries' places follow the order they were put in)
        Map<String, CustomerHistory> histories = new java.util.TreeMap<>();
        int customers = CustomerHistories.build(tx, histories::put);
        histories.forEach(builder::putCustomer);
        consent.forEach(builder::putListedConsent);
        if (consentFile != null) {
            consentSection(builder, consent, ingested.transactions());
        }
        objecting.record(objecting.counted(ingested.transactions()), consentFile != null, builder::section, progress);
        Map<String, CustomerProfile> profiles = customerModels(tx, builder, items, consent.size());
        upsell(tx, builder, items, profiles);
        long recommenderNanos = precomputeRecommendations(tx, builder, histories);
        builder.popularItems(catalog.popular(parameters.popularItems()));
        builder.parameters(manifestParameters(options, tx));
        builder.section("ingestReport", ingested.report());
        if (excludedCustomers != null) {
            long rows = ingested.report().rejectedCount(RejectReason.EXCLUDED_CUSTOMER);
            builder.section(ExclusionCarryOver.SECTION, excludedCustomers.manifestSection(rows, consentDropped));
            progress.accept(String.format(Locale.ROOT, "excluded customers: file %s, SHA-256 %s: %,d customers; "
                    + "%,d rows and %,d consent-list customers left out", excludedCustomers.file().toAbsolutePath(),
                    excludedCustomers.sha256(), excludedCustomers.ids().size(), rows, consentDropped));
        }
        builder.section("training", trainingSection(mining));
        if (invocation != null) {
            builder.section(Invocation.SECTION, invocation);
        }
        String version = builder.publish(activate);
        long bytes = directorySize(modelsDir.resolve(version));
        // The snapshot's item count (manifest, /v1/model, serve) includes catalogue items never bought: say the same.
        step(snapshotStarted + recommenderNanos, "publish: snapshot %s (%s, %,d customers, %,d rules, %,d bytes)",
                version, itemCounts(allItems.size(), merged.neverBought().size()), customers,
                mining.rules().keptRules(), bytes);
        return new TrainingResult(version, ingested.report(), mining.baskets(), mining.frequentItemsets(),
                mining.rules().keptRules(), mining.rules().droppedByCap(), customers, allItems.size(),
                merged.neverBought().size(), bytes, Duration.ofNanos(System.nanoTime() - started));
    }

    /** What mining found, as far as the snapshot and the training result need it. */
    private record Mining(int baskets, long minSupportCountFromFraction, long minSupportCount, int frequentItemsets,
                          int rulesMined, RuleIndex rules, int itemsWithRules) {
    }

    private CatalogFile readCatalogue() throws IOException, IngestException {
        return catalogFile == null ? null : readCatalogue(catalogFile, parameters.errorBudget(),
                ingestOptions == null ? CsvDialect.DEFAULT : ingestOptions.dialect(), encoding,
                ingestOptions == null ? null : ingestOptions.currency(),
                ingestOptions == null ? null : ingestOptions.exchangeRates());
    }

    /**
     * Reads a catalogue file as training does: in the exports' dialect and encoding, within the training error
     * budget; a file that fails stops training with its message ({@code file:line} and why).
     */
    public static CatalogFile readCatalogue(Path file, double errorBudget, CsvDialect dialect, Charset encoding)
            throws IOException, IngestException {
        return readCatalogue(file, errorBudget, dialect, encoding, null, null);
    }

    /**
     * As {@link #readCatalogue(Path, double, CsvDialect, Charset)}, its prices in the reporting {@code currency}
     * (null: none), converted with {@code rates} (null: none) by its currency column
     * ({@link CatalogFile#read(Path, double, CsvDialect, Charset, String, ExchangeRates)}).
     */
    public static CatalogFile readCatalogue(Path file, double errorBudget, CsvDialect dialect, Charset encoding,
                                            String currency, ExchangeRates rates) throws IOException, IngestException {
        try {
            return CatalogFile.read(file, errorBudget, dialect, encoding, currency, rates);
        } catch (CatalogFile.CatalogException e) {
            throw new IngestException(e.getMessage(), null, e);
        }
    }

    /**
     * Fails when the catalogue's prices are in another currency than the exports' amounts (known once they are
     * read: {@link CatalogFile#checkCurrency}); train, spark-train and customers call it after the load.
     */
    public static void checkCatalogueCurrency(CatalogFile catalogue, IngestReport report) throws IngestException {
        if (catalogue == null || report.currencies() == null) {
            return;
        }
        try {
            catalogue.checkCurrency(report.currencies().reportingCurrency());
        } catch (CatalogFile.CatalogException e) {
            throw new IngestException(e.getMessage(), report, e);
        }
    }

    private IngestResult ingest(IngestOptions options, Path modelsDir) throws IOException, IngestException {
        long start = System.nanoTime();
        IngestResult ingested = TransactionLoader.load(parameters.inputs(), options, encoding);
        Transactions tx = ingested.transactions();
        step(start, "ingest: %,d rows read, %,d accepted, %,d orders, %,d customers, %,d items",
                ingested.report().rowsRead(), ingested.report().rowsAccepted(), tx.orderCount(),
                tx.customerCount(), tx.itemCount());
        if (tx.orderCount() == 0 || tx.itemCount() == 0) {
            // A model without items would answer every request with nothing, and publishing moves CURRENT: a
            // running server would swap its working model for the empty one.
            throw new IngestException(String.format(Locale.ROOT, "no transactions accepted (%,d rows "
                    + "read, %,d accepted) from %s: refusing to publish an empty model; the model store %s is "
                    + "unchanged", ingested.report().rowsRead(), ingested.report().rowsAccepted(),
                    parameters.inputs(), modelsDir), ingested.report(), null);
        }
        if (tx.customerCount() == 0) {
            progress.accept("warning: no identified customers (every accepted order is anonymous): the model "
                    + "serves basket recommendations only");
        }
        tx.outsizedCustomerWarning().ifPresent(w -> progress.accept("warning: " + w));
        return ingested;
    }

    private Mining mine(Transactions tx) {
        long start = System.nanoTime();
        TransactionDatabase baskets = baskets(tx);
        long fractionCount = FpGrowth.minSupportCount(parameters.minSupport(), baskets.size());
        long minCount = Math.max(TrainingParameters.MIN_SUPPORT_COUNT, fractionCount);
        if (minCount > fractionCount) {
            progress.accept(String.format(Locale.ROOT, "mine: --min-support %s of %,d baskets is a support "
                    + "count of %,d; using %,d, so that no served rule rests on a single basket", parameters.minSupport(),
                    baskets.size(), fractionCount, minCount));
        }
        // Same itemsets in the same order on any number of threads; the limit turns a too-low support into a
        // clear error instead of an out-of-memory.
        FrequentItemsets itemsets = FpGrowth.builder().minSupportCount(minCount)
                .maxLength(parameters.maxLength()).threads(Runtime.getRuntime().availableProcessors())
                .maxItemsets(MiningRun.DEFAULT_MAX_COLLECTED).build().mineAll(baskets);
        List<MinedRule> mined = RuleGenerator.generate(itemsets,
                new RuleParameters(parameters.minConfidence(), parameters.minLift()));
        RuleIndex rules = RuleIndex.build(mined, tx, parameters.maxRulesPerItem());
        int itemsWithRules = rules.byItem().size();
        step(start, "mine: %,d baskets, min support count %,d, %,d frequent itemsets, %,d rules (%,d over the "
                        + "per-item cap of %d), %,d of %,d items with rules", baskets.size(), minCount, itemsets.size(),
                rules.keptRules(), rules.droppedByCap(), parameters.maxRulesPerItem(), itemsWithRules,
                tx.itemCount());
        fewRulesWarning(baskets.size(), minCount, itemsWithRules, tx.itemCount()).ifPresent(progress);
        return new Mining(baskets.size(), fractionCount, minCount, itemsets.size(), mined.size(), rules,
                itemsWithRules);
    }

    /** Below this share of the items with rules, training says what the support leaves out. */
    static final double FEW_RULES_SHARE = 0.05;
    /** The support count the warning proposes: a pair seen in this many baskets is evidence, not chance. */
    static final long SUGGESTED_SUPPORT_COUNT = 10;

    /**
     * A warning when the rules cover under {@link #FEW_RULES_SHARE} of the items: a support given as a share of
     * the baskets rises with the data, and a large catalogue whose items each sell a little (fashion) then gets no
     * rule at all, so bought-together answers empty lists and basket cross-sell only popular items, which the
     * counts alone do not make plain. Proposes the support for {@link #SUGGESTED_SUPPORT_COUNT} baskets when the
     * count used is above it.
     */
    public static Optional<String> fewRulesWarning(long baskets, long minCount, long itemsWithRules, long items) {
        if (items == 0 || itemsWithRules >= FEW_RULES_SHARE * items) {
            return Optional.empty();
        }
        String advice = "; the items are rarely bought together at all";
        if (minCount > SUGGESTED_SUPPORT_COUNT) {
            String suggested = suggestedMinSupport(baskets);
            long suggestedCount = new BigDecimal(suggested).multiply(BigDecimal.valueOf(baskets))
                    .setScale(0, RoundingMode.CEILING).longValueExact();
            advice = String.format(Locale.ROOT, "; give a lower --min-support, e.g. %s (a support count of %,d; see "
                    + "README, \"Large catalogues\")", suggested, suggestedCount);
        }
        return Optional.of(String.format(Locale.ROOT, "mine: WARNING: only %,d of %,d items (%.1f%%) have rules at a "
                        + "support count of %,d: bought-together answers an empty list for the others and basket "
                        + "cross-sell fills with popular items%s", itemsWithRules, items, 100.0 * itemsWithRules / items,
                minCount, advice));
    }

    /** The smallest --min-support, in two significant digits, whose support count is the suggested one. */
    static String suggestedMinSupport(long baskets) {
        BigDecimal exact = BigDecimal.valueOf(SUGGESTED_SUPPORT_COUNT).divide(BigDecimal.valueOf(baskets),
                new MathContext(2, RoundingMode.DOWN));
        return exact.stripTrailingZeros().toPlainString();
    }

    private SnapshotBuilder newSnapshot(Path modelsDir) throws IOException {
        SnapshotBuilder builder = ModelStore.open(modelsDir).newSnapshot();
        for (Path input : parameters.inputs()) {
            builder.addInput(input);
        }
        return builder;
    }

    /** Recorded like the catalogue file: which consent list a model carries is a legal question later. */
    private void consentSection(SnapshotBuilder builder, Map<String, Map<Consent.Channel, Consent.ListEntry>> consent,
                                Transactions loaded) throws IOException {
        long notInTransactions = consent.keySet().stream().filter(id -> loaded.customerIndex(id) < 0).count();
        long entries = ConsentFile.entries(consent);
        long timed = ConsentFile.entriesWithTime(consent);
        long consentBytes = Files.size(consentFile);
        String consentSha256 = sha256(consentFile);
        Map<String, Object> consentSection = new LinkedHashMap<>();
        consentSection.put("file", consentFile.toAbsolutePath().toString());
        consentSection.put("bytes", consentBytes);
        consentSection.put("sha256", consentSha256);
        consentSection.put("encoding", consentEncoding.name());
        // Run-time consent changes older than the list may only restrict it (Consent.effective): when it was written
        consentSection.put(Snapshot.CONSENT_FILE_MODIFIED, ConsentFile.writtenAt(consentFile).toString());
        consentSection.put("customers", consent.size());
        consentSection.put("customersNotInTransactions", notInTransactions);
        consentSection.put("entries", entries);
        consentSection.put("entriesWithTime", timed);
        builder.section("consent", consentSection);
        progress.accept(String.format(Locale.ROOT,
                "consent: file %s, %,d bytes, SHA-256 %s: %,d customers, %,d of them not in the transactions "
                        + "(kept: their consent applies if they appear later); %,d of %,d channel entries give "
                        + "updated_at", consentFile.toAbsolutePath(),
                consentBytes, consentSha256, consent.size(), notInTransactions, timed, entries));
    }

    /** Puts the customer profiles and their manifest section; returns the profiles, which upsell segments by. */
    private Map<String, CustomerProfile> customerModels(Transactions tx, SnapshotBuilder builder,
                                                        List<ItemFacts> items, int consentCustomers) {
        Map<String, CustomerProfile> profiles = new HashMap<>();
        Map<String, Object> customerModels = CustomerProfilesStep.run(tx, builder, profiles::put,
                ItemCosts.of(tx, costs(items)), progress);
        if (customerModels.get("skipped") != null) {
            // Said here as well as in the manifest: a snapshot without profiles otherwise looks like a good one.
            progress.accept("customer models: skipped, " + customerModels.get("skipped")
                    + " (no profiles or tiers: next-best offers rank without activity or strategy, campaign exports answer 409)");
        }
        customerModels.put("consentCustomers", consentCustomers);
        builder.section("customerModels", customerModels);
        return profiles;
    }

    private void upsell(Transactions tx, SnapshotBuilder builder, List<ItemFacts> items,
                        Map<String, CustomerProfile> profiles) {
        long start = System.nanoTime();
        TradeUps.Summary upsell = TradeUps.find(tx, items, profiles, tradeUps, builder::putTradeUps);
        builder.section("upsell", upsell.section(tradeUps));
        step(start, "%s", upsell.describe(tradeUps));
    }

    /** Returns the nanoseconds it took, which the publish line's time leaves out. */
    private long precomputeRecommendations(Transactions tx, SnapshotBuilder builder,
                                           Map<String, CustomerHistory> histories) {
        long start = System.nanoTime();
        Map<String, Object> served = CustomerRecommendations.precompute(tx, recommender, parameters,
                histories, builder, progress);
        builder.section("servedModel", served);
        long nanos = System.nanoTime() - start;
        step(start, "recommender: %s, %s customers with precomputed lists", served.get("name"),
                served.getOrDefault("customers", 0));
        return nanos;
    }

    private Map<String, Object> trainingSection(Mining mining) {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("encoding", encoding.name());
        training.put("baskets", mining.baskets());
        training.put("minSupportCount", mining.minSupportCount());
        training.put("minSupportCountFromFraction", mining.minSupportCountFromFraction());
        training.put("frequentItemsets", mining.frequentItemsets());
        training.put("rulesMined", mining.rulesMined());
        training.put("rulesPublished", mining.rules().keptRules());
        training.put("rulesDroppedByCap", mining.rules().droppedByCap());
        training.put("itemsWithRules", mining.itemsWithRules());
        return training;
    }

    /** "2,832 items (2 of them catalogue items never bought)", or "2,830 items" without such items. */
    public static String itemCounts(long items, long neverBought) {
        return String.format(Locale.ROOT, "%,d items", items) + (neverBought == 0 ? ""
                : String.format(Locale.ROOT, " (%,d of them catalogue items never bought)", neverBought));
    }

    /**
     * The parameters, with the layout and dialect actually used when they are not the format's defaults, and
     * {@code orderSequence: true} when the input had an order sequence instead of timestamps: the dates stored with
     * purchases are then sequence numbers (day n after 1970-01-01), which readers of the snapshot must know.
     */
    private Map<String, Object> manifestParameters(IngestOptions options, Transactions tx) {
        Map<String, Object> m = parameters.asManifestMap();
        if (tx.sequenceOnly()) {
            m.put("orderSequence", true);
        }
        m.putAll(options.manifestEntries());
        return m;
    }

    /** One basket per accepted order (anonymous ones too: they are real co-purchases), distinct items. */
    static TransactionDatabase baskets(Transactions tx) {
        TransactionDatabase.Builder b = TransactionDatabase.builder();
        int[] buffer = new int[64];
        for (int o = 0; o < tx.orderCount(); o++) {
            int n = tx.lineEnd(o) - tx.lineStart(o);
            if (buffer.length < n) {
                buffer = new int[Math.max(n, buffer.length * 2)];
            }
            for (int k = 0; k < n; k++) {
                buffer[k] = tx.itemOfLine(tx.lineStart(o) + k);
            }
            b.add(buffer, 0, n);
        }
        return b.build();
    }

    private void step(long startNanos, String format, Object... args) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        progress.accept(String.format(Locale.ROOT, format, args) + String.format(Locale.ROOT, " [%.1f s]", seconds));
    }

    private static Map<String, Double> costs(List<ItemFacts> items) {
        Map<String, Double> m = new HashMap<>();
        for (ItemFacts f : items) {
            if (f.hasCost()) {
                m.put(f.itemId(), f.unitCost());
            }
        }
        return m;
    }

    /** The file's SHA-256 in hex: how manifests identify the consent and catalogue files a model was built with. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
