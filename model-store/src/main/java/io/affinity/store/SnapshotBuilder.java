package io.affinity.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.Ids;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.TradeUp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Collects one model version on the training side, then {@link #publish() publishes} it as an immutable snapshot.
 * Values are encoded as they are put (so invalid data fails early and the map files can be sized exactly).
 * Not thread-safe; single use: after {@code publish()} (successful or not) the builder refuses further calls.
 */
public final class SnapshotBuilder {
    private final ModelStore store;
    private final Map<String, byte[]> items = new HashMap<>();
    private final Map<String, byte[]> rules = new HashMap<>();
    /** Every distinct rule, with under how many antecedent items it was put. */
    private final Map<AssociationRule, Integer> ruleKeyCounts = new HashMap<>();
    private final Map<String, byte[]> customers = new HashMap<>();
    private final Map<String, byte[]> profiles = new HashMap<>();
    private final Map<String, byte[]> consent = new HashMap<>();
    /** Consent entries per channel (wire name), for the manifest's {@link Snapshot#CONSENT_CHANNELS_SECTION}. */
    private final Map<String, Long> consentEntries = new java.util.TreeMap<>();
    private final Map<String, byte[]> customerRecs = new HashMap<>();
    private final Map<String, byte[]> upsell = new HashMap<>();
    private List<PopularItem> popular;
    private final List<Manifest.InputFile> inputs = new ArrayList<>();
    private final Set<String> inputPaths = new HashSet<>();
    private Map<String, Object> parameters = Map.of();
    private final Map<String, JsonNode> sections = new LinkedHashMap<>();
    private final Map<String, DirectoryWriter> directories = new LinkedHashMap<>();
    private final ByteWriter writer = new ByteWriter(4096);
    private boolean used;
    /** Test hook: called with the name of each publishing step before it runs. */
    private Consumer<String> stepHook = step -> { };
    /** The step {@link #publish} is in, for failures that do not say what they were writing. */
    private String step = "";

    SnapshotBuilder(ModelStore store) {
        this.store = store;
    }

    private void checkOpen() {
        if (used) {
            throw new IllegalStateException("this SnapshotBuilder has already published (or tried to); use a new one");
        }
    }

    public SnapshotBuilder putItem(ItemFacts item) {
        checkOpen();
        Objects.requireNonNull(item, "item");
        if (items.containsKey(item.itemId())) {
            throw new IllegalArgumentException("duplicate item " + item.itemId());
        }
        writer.reset();
        ValueCodecs.encodeItem(item, writer);
        items.put(item.itemId(), writer.toByteArray());
        return this;
    }

    /**
     * Puts the rules whose antecedent contains {@code antecedentItemId}, best first (confidence, then lift,
     * descending). A rule with several antecedent items must be put under each of them (checked at publish).
     */
    public SnapshotBuilder putRules(String antecedentItemId, List<AssociationRule> rulesBestFirst) {
        checkOpen();
        Ids.requireItemId(antecedentItemId);
        Objects.requireNonNull(rulesBestFirst, "rulesBestFirst");
        if (rules.containsKey(antecedentItemId)) {
            throw new IllegalArgumentException("rules for item " + antecedentItemId + " were already put");
        }
        if (rulesBestFirst.isEmpty()) {
            throw new IllegalArgumentException("empty rule list for item " + antecedentItemId + "; put nothing instead");
        }
        Set<AssociationRule> seen = new HashSet<>();
        AssociationRule previous = null;
        for (AssociationRule rule : rulesBestFirst) {
            Objects.requireNonNull(rule, "rule in list for " + antecedentItemId);
            if (!rule.antecedent().contains(antecedentItemId)) {
                throw new IllegalArgumentException("rule " + rule.antecedent() + " => " + rule.consequent()
                        + " does not have " + antecedentItemId + " in its antecedent");
            }
            if (!seen.add(rule)) {
                throw new IllegalArgumentException("duplicate rule " + rule.antecedent() + " => " + rule.consequent()
                        + " for item " + antecedentItemId);
            }
            if (previous != null && (rule.confidence() > previous.confidence()
                    || (rule.confidence() == previous.confidence() && rule.lift() > previous.lift()))) {
                throw new IllegalArgumentException("rules for item " + antecedentItemId
                        + " are not best first (confidence, then lift, descending) at " + rule.antecedent() + " => " + rule.consequent());
            }
            previous = rule;
        }
        writer.reset();
        ValueCodecs.encodeRules(rulesBestFirst, writer);
        rules.put(antecedentItemId, writer.toByteArray());
        for (AssociationRule rule : rulesBestFirst) {
            ruleKeyCounts.merge(rule, 1, Integer::sum);
        }
        return this;
    }

    public SnapshotBuilder putCustomer(String customerId, CustomerHistory history) {
        checkOpen();
        Ids.requireCustomerId(customerId);
        Objects.requireNonNull(history, "history");
        if (customers.containsKey(customerId)) {
            throw new IllegalArgumentException("duplicate customer " + customerId);
        }
        writer.reset();
        ValueCodecs.encodeCustomer(history, writer);
        customers.put(customerId, writer.toByteArray());
        return this;
    }

    /** A customer's value profile (format 2); optional, at most one per customer. */
    public SnapshotBuilder putProfile(String customerId, CustomerProfile profile) {
        checkOpen();
        Ids.requireCustomerId(customerId);
        Objects.requireNonNull(profile, "profile");
        if (profiles.containsKey(customerId)) {
            throw new IllegalArgumentException("duplicate profile for customer " + customerId);
        }
        writer.reset();
        ValueCodecs.encodeProfile(profile, writer);
        profiles.put(customerId, writer.toByteArray());
        return this;
    }

    /** Training-time consent of one customer, by channel (channels not in the map are unknown); once per customer. */
    public SnapshotBuilder putConsent(String customerId, Map<Consent.Channel, Consent.State> states) {
        Objects.requireNonNull(states, "states");
        Map<Consent.Channel, Consent.ListEntry> entries = new EnumMap<>(Consent.Channel.class);
        states.forEach((channel, state) -> entries.put(channel, new Consent.ListEntry(state, null)));
        return putListedConsent(customerId, entries);
    }

    /**
     * {@link #putConsent} with the time the list gives for each entry (the customer's {@code updated_at}, or null),
     * which decides against a run-time change made before it ({@link Consent#effective(Consent.State,
     * java.time.Instant, Consent.ListEntry, java.time.Instant, Consent.Channel)}).
     */
    public SnapshotBuilder putListedConsent(String customerId, Map<Consent.Channel, Consent.ListEntry> entries) {
        checkOpen();
        Ids.requireCustomerId(customerId);
        Objects.requireNonNull(entries, "entries");
        if (consent.containsKey(customerId)) {
            throw new IllegalArgumentException("duplicate consent for customer " + customerId);
        }
        writer.reset();
        ValueCodecs.encodeConsent(entries, writer);
        consent.put(customerId, writer.toByteArray());
        entries.keySet().forEach(channel -> consentEntries.merge(channel.wireName(), 1L, Long::sum));
        return this;
    }

    /**
     * A customer's recommendations precomputed by the served model (optional; stored in
     * {@code customer-recs.cmap} only when at least one customer has them).
     */
    public SnapshotBuilder putCustomerRecommendations(String customerId, PrecomputedRecommendations recommendations) {
        checkOpen();
        Ids.requireCustomerId(customerId);
        Objects.requireNonNull(recommendations, "recommendations");
        if (customerRecs.containsKey(customerId)) {
            throw new IllegalArgumentException("duplicate precomputed recommendations for a customer");
        }
        writer.reset();
        ValueCodecs.encodeRecommendations(recommendations, writer);
        customerRecs.put(customerId, writer.toByteArray());
        return this;
    }

    /**
     * The observed trade-ups from one source item (format 3; optional, once per item): strongest first within
     * each segment. Targets must differ from the source.
     */
    public SnapshotBuilder putTradeUps(String fromItemId, List<TradeUp> tradeUps) {
        checkOpen();
        Ids.requireItemId(fromItemId);
        Objects.requireNonNull(tradeUps, "tradeUps");
        if (tradeUps.isEmpty()) {
            throw new IllegalArgumentException("empty trade-up list for item " + fromItemId + "; put nothing instead");
        }
        if (upsell.containsKey(fromItemId)) {
            throw new IllegalArgumentException("trade-ups for item " + fromItemId + " were already put");
        }
        Set<String> seen = new HashSet<>();
        for (TradeUp t : tradeUps) {
            Objects.requireNonNull(t, "trade-up");
            if (t.toItemId().equals(fromItemId)) {
                throw new IllegalArgumentException("trade-up from item " + fromItemId + " to itself");
            }
            if (!seen.add(t.segment() + "\u0000" + t.toItemId())) {
                throw new IllegalArgumentException("duplicate trade-up " + fromItemId + " -> " + t.toItemId()
                        + " in segment " + t.segment());
            }
        }
        writer.reset();
        ValueCodecs.encodeTradeUps(tradeUps, writer);
        upsell.put(fromItemId, writer.toByteArray());
        return this;
    }

    /** The popularity fallback, most popular first. Optional (default: none); may be set once. */
    public SnapshotBuilder popularItems(List<PopularItem> mostPopularFirst) {
        checkOpen();
        Objects.requireNonNull(mostPopularFirst, "mostPopularFirst");
        if (popular != null) {
            throw new IllegalStateException("popular items were already set");
        }
        Set<String> ids = new HashSet<>();
        for (PopularItem p : mostPopularFirst) {
            Objects.requireNonNull(p, "popular item");
            if (!ids.add(p.itemId())) {
                throw new IllegalArgumentException("duplicate popular item " + p.itemId());
            }
        }
        popular = List.copyOf(mostPopularFirst);
        return this;
    }

    /** Records a training input file: its path, size and the SHA-256 of its content (read now). */
    public SnapshotBuilder addInput(Path file) throws IOException {
        checkOpen();
        Objects.requireNonNull(file, "file");
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new IllegalArgumentException("input is not a readable file: " + abs);
        }
        if (!inputPaths.add(abs.toString())) {
            throw new IllegalArgumentException("input added twice: " + abs);
        }
        inputs.add(Manifest.InputFile.of(abs));
        return this;
    }

    /**
     * Records a training input file whose size and SHA-256 were computed elsewhere (a Spark job's files, read where
     * they are stored: an {@code hdfs://} path is no local file).
     */
    public SnapshotBuilder addInput(Manifest.InputFile file) {
        checkOpen();
        Objects.requireNonNull(file, "file");
        if (!inputPaths.add(file.path())) {
            throw new IllegalArgumentException("input added twice: " + file.path());
        }
        inputs.add(file);
        return this;
    }

    /** Training parameters, stored in the manifest; must be JSON-serialisable. Replaces earlier parameters. */
    public SnapshotBuilder parameters(Map<String, Object> params) {
        checkOpen();
        Objects.requireNonNull(params, "params");
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> normalised = Json.MAPPER.convertValue(params, LinkedHashMap.class);
            parameters = normalised;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameters are not JSON-serialisable: " + e.getMessage(), e);
        }
        return this;
    }

    /** A named JSON section of the manifest, e.g. {@code ingestReport}; the value must be JSON-serialisable. */
    public SnapshotBuilder section(String name, Object jsonSerialisable) {
        checkOpen();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("section name must not be blank");
        }
        if (sections.containsKey(name) || Snapshot.CUSTOMER_RECS_SECTION.equals(name)) {
            throw new IllegalArgumentException("duplicate section " + name);
        }
        try {
            sections.put(name, Json.MAPPER.valueToTree(jsonSerialisable));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("section " + name + " is not JSON-serialisable: " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * Writes the content of a sub-directory of the snapshot, e.g. a search index. Called at publish time with an
     * empty directory; must leave only regular files in it (no sub-directories). The store does not interpret
     * them: it lists each file in the manifest with its length and checksum, so verification covers them.
     */
    @FunctionalInterface
    public interface DirectoryWriter {
        void write(Path emptyDirectory) throws IOException;
    }

    /**
     * Adds a sub-directory named {@code name} (letters, digits, {@code ._-}, not starting with a dot) whose files
     * {@code writer} produces when the snapshot is published; readers find it at {@link Snapshot#subdirectory}.
     */
    public SnapshotBuilder addDirectory(String name, DirectoryWriter writer) {
        checkOpen();
        Objects.requireNonNull(writer, "writer");
        if (name == null || !Snapshot.isPlainName(name)) {
            throw new IllegalArgumentException("invalid directory name: " + name);
        }
        if (Snapshot.REQUIRED_FILES.contains(name) || Snapshot.MANIFEST.equals(name) || directories.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name in snapshot: " + name);
        }
        directories.put(name, writer);
        return this;
    }

    void onStep(Consumer<String> hook) {
        this.stepHook = Objects.requireNonNull(hook);
    }

    /** Publishes and activates the snapshot; returns its version id. */
    public String publish() throws IOException {
        return publish(true);
    }

    /**
     * Writes the snapshot into a fresh temp directory, verifies it, renames it to its version directory and, when
     * {@code activate}, points CURRENT at it. On failure the temp directory is deleted and CURRENT is untouched.
     */
    public String publish(boolean activate) throws IOException {
        checkOpen();
        used = true;
        checkRulesComplete();
        List<PopularItem> popularItems = popular == null ? List.of() : popular;
        Instant createdAt = store.clock.instant();
        String version = store.newVersionId(createdAt);
        PublishLock publishing = store.newTempDir();
        Path tmp = publishing.dir();
        try {
            List<Manifest.FileEntry> files = new ArrayList<>();
            step("items");
            files.add(writeMap(tmp, Snapshot.ITEMS, "items", items));
            step("rules");
            files.add(writeMap(tmp, Snapshot.RULES, "rules", rules));
            step("customers");
            files.add(writeMap(tmp, Snapshot.CUSTOMERS, "customers", customers));
            step("profiles");
            files.add(writeMap(tmp, Snapshot.PROFILES, "profiles", profiles));
            step("consent");
            files.add(writeMap(tmp, Snapshot.CONSENT, "consent", consent));
            sections.put(Snapshot.CONSENT_CHANNELS_SECTION, Json.MAPPER.valueToTree(consentEntries));
            step("upsell");
            files.add(writeMap(tmp, Snapshot.UPSELL, "upsell", upsell));
            step("keys");
            files.add(writeKeys(tmp, Snapshot.PROFILES_KEYS, Snapshot.PROFILES, profiles.keySet()));
            files.add(writeKeys(tmp, Snapshot.RULES_KEYS, Snapshot.RULES, rules.keySet()));
            step("popular");
            Path popularFile = tmp.resolve(PopularFile.NAME);
            PopularFile.write(popularFile, popularItems);
            files.add(fileEntry(popularFile, null));
            if (!customerRecs.isEmpty()) {
                step("customer-recs");
                files.add(writeMap(tmp, Snapshot.CUSTOMER_RECS, "customer-recs", customerRecs));
                FileSync.fsync(tmp.resolve(Snapshot.CUSTOMER_RECS));
                sections.put(Snapshot.CUSTOMER_RECS_SECTION, Json.MAPPER.valueToTree(
                        new Snapshot.CustomerRecsInfo(Snapshot.CUSTOMER_RECS, customerRecs.size(),
                                ValueCodecs.RECS_CODEC_VERSION)));
            }
            for (Map.Entry<String, DirectoryWriter> d : directories.entrySet()) {
                step("directory:" + d.getKey());
                files.addAll(writeDirectory(tmp, d.getKey(), d.getValue()));
            }
            step("manifest");
            Manifest manifest = new Manifest(Manifest.CURRENT_FORMAT_VERSION, version, createdAt.toString(),
                    Manifest.Software.current(),
                    inputs, parameters, sections,
                    new Manifest.Counts(items.size(), ruleKeyCounts.size(), rules.size(), customers.size(), popularItems.size(),
                            profiles.size(), consent.size(), upsell.size()),
                    files);
            Path manifestFile = tmp.resolve(Snapshot.MANIFEST);
            Files.write(manifestFile, Snapshot.sealManifest((ObjectNode) Json.MAPPER.valueToTree(manifest)));
            for (String name : List.of(Snapshot.ITEMS, Snapshot.RULES, Snapshot.CUSTOMERS, Snapshot.PROFILES, Snapshot.CONSENT, Snapshot.UPSELL,
                    Snapshot.PROFILES_KEYS, Snapshot.RULES_KEYS, PopularFile.NAME,
                    Snapshot.MANIFEST)) {
                FileSync.fsync(tmp.resolve(name));
            }
            FileSync.fsync(tmp);
            step("verify");
            verify(tmp, version);
            step("commit");
            store.commit(tmp, version, activate);
            return version;
        } catch (IOException | RuntimeException | Error e) {
            try {
                FileSync.deleteRecursively(tmp);
            } catch (IOException | UncheckedIOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException && !(e instanceof FileSystemException)
                    && !(e instanceof PublishedNotActivatedException)) {
                // "No space left on device" (Lucene) or Chronicle Map's "Not enough space to fallocate" name no
                // file: without the store, a nightly job's log does not say which disk to free.
                throw new IOException("cannot publish a version into " + store.directory() + ": writing " + step
                        + " failed: " + e.getMessage(), e);
            }
            throw e;
        } finally {
            publishing.close(); // once the directory is renamed or deleted: until then it is a live publish's
        }
    }

    private void step(String name) {
        step = name.startsWith("directory:") ? name.substring("directory:".length()) : name;
        stepHook.accept(name);
    }

    private static List<Manifest.FileEntry> writeDirectory(Path tmp, String name, DirectoryWriter writer)
            throws IOException {
        Path dir = Files.createDirectory(tmp.resolve(name));
        writer.write(dir);
        List<Path> written;
        try (var listing = Files.list(dir)) {
            written = listing.sorted().toList();
        }
        List<Manifest.FileEntry> entries = new ArrayList<>(written.size());
        for (Path file : written) {
            String fileName = file.getFileName().toString();
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || !Snapshot.isPlainName(fileName)) {
                throw new IllegalStateException("directory " + name + " may hold only plain regular files, found "
                        + fileName);
            }
            FileSync.fsync(file);
            entries.add(new Manifest.FileEntry(name + "/" + fileName, Files.size(file), Manifest.CHECKSUM_ALGORITHM,
                    Checksums.crc32c(file, null), null));
        }
        FileSync.fsync(dir);
        return entries;
    }

    private static Manifest.FileEntry writeMap(Path dir, String fileName, String mapName, Map<String, byte[]> entries)
            throws IOException {
        Path file = dir.resolve(fileName);
        Manifest.ChecksumExclusion exclusion = MapFiles.write(file, mapName, entries);
        return fileEntry(file, exclusion);
    }

    /** The sorted keys of a map file, so that readers list the map without iterating it ({@link KeyFile}). */
    private static Manifest.FileEntry writeKeys(Path dir, String fileName, String mapFileName, Set<String> keys)
            throws IOException {
        Path file = dir.resolve(fileName);
        KeyFile.write(file, mapFileName, keys);
        return fileEntry(file, null);
    }

    private static Manifest.FileEntry fileEntry(Path file, Manifest.ChecksumExclusion exclusion) throws IOException {
        return new Manifest.FileEntry(file.getFileName().toString(), Files.size(file), Manifest.CHECKSUM_ALGORITHM,
                Checksums.crc32c(file, exclusion), exclusion);
    }

    private void checkRulesComplete() {
        for (Map.Entry<AssociationRule, Integer> e : ruleKeyCounts.entrySet()) {
            AssociationRule rule = e.getKey();
            long distinctAntecedents = rule.antecedent().stream().distinct().count();
            if (e.getValue() != distinctAntecedents) {
                throw new IllegalStateException("rule " + rule.antecedent() + " => " + rule.consequent()
                        + " was put under " + e.getValue() + " of its " + distinctAntecedents
                        + " antecedent items; put it under each of them");
            }
        }
    }

    /** Reopens the written snapshot the way readers will and decodes every value. */
    private void verify(Path tmp, String version) throws IOException {
        try (Snapshot s = Snapshot.open(tmp, version)) {
            for (String id : items.keySet()) {
                s.item(id).orElseThrow(() -> new IllegalStateException("verification: item " + id + " not readable"));
            }
            for (String id : customers.keySet()) {
                s.customer(id).orElseThrow(() -> new IllegalStateException("verification: customer " + id + " not readable"));
            }
            for (String id : profiles.keySet()) {
                s.profile(id).orElseThrow(() -> new IllegalStateException("verification: profile " + id + " not readable"));
            }
            for (String id : consent.keySet()) {
                s.consent(id, Consent.Channel.EMAIL); // decodes the whole value
            }
            for (String id : upsell.keySet()) {
                if (s.tradeUps(id).isEmpty()) {
                    throw new IllegalStateException("verification: trade-ups of item " + id + " not readable");
                }
            }
            for (String id : customerRecs.keySet()) {
                s.precomputed(id).orElseThrow(() -> new IllegalStateException(
                        "verification: precomputed recommendations of a customer not readable"));
            }
            long[] visited = {0};
            s.forEachProfile((id, p) -> visited[0]++);
            if (visited[0] != profiles.size()) {
                throw new IllegalStateException("verification: listed " + visited[0] + " profiles, wrote "
                        + profiles.size());
            }
            long[] distinct = {0};
            s.forEachRule(r -> distinct[0]++);
            if (distinct[0] != ruleKeyCounts.size()) {
                throw new IllegalStateException("verification: read back " + distinct[0] + " distinct rules, wrote "
                        + ruleKeyCounts.size());
            }
        }
    }
}
