package io.affinity.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import net.openhft.chronicle.map.ChronicleMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One opened, verified, immutable snapshot. Thread-safe; close it once no request uses it any more.
 * Several {@code Snapshot}s (in one or several processes) may have the same version open at once.
 */
public final class Snapshot implements ModelSnapshot, AutoCloseable {
    static final String MANIFEST = "manifest.json";
    static final String ITEMS = "items.cmap";
    static final String RULES = "rules.cmap";
    static final String CUSTOMERS = "customers.cmap";
    static final List<String> REQUIRED_FILES = List.of(ITEMS, RULES, CUSTOMERS, PopularFile.NAME);

    private final Path dir;
    private final Manifest manifest;
    private final ChronicleMap<CharSequence, byte[]> items;
    private final ChronicleMap<CharSequence, byte[]> rules;
    private final ChronicleMap<CharSequence, byte[]> customers;
    private final List<PopularItem> popular;
    private final Path itemsFile;
    private final Path rulesFile;
    private final Path customersFile;

    private Snapshot(Path dir, Manifest manifest, ChronicleMap<CharSequence, byte[]> items,
                     ChronicleMap<CharSequence, byte[]> rules, ChronicleMap<CharSequence, byte[]> customers,
                     List<PopularItem> popular) {
        this.dir = dir;
        this.manifest = manifest;
        this.items = items;
        this.rules = rules;
        this.customers = customers;
        this.popular = popular;
        this.itemsFile = dir.resolve(ITEMS);
        this.rulesFile = dir.resolve(RULES);
        this.customersFile = dir.resolve(CUSTOMERS);
    }

    /**
     * Opens the snapshot in {@code dir}: reads and checks the manifest, verifies length and checksum of every
     * listed file BEFORE memory-mapping anything, then opens the maps and checks their entry counts.
     *
     * @param expectedVersion the version id the manifest must carry (the directory name), or null to skip
     */
    static Snapshot open(Path dir, String expectedVersion) throws IOException {
        Manifest manifest = readManifest(dir);
        if (expectedVersion != null && !expectedVersion.equals(manifest.version())) {
            throw new CorruptSnapshotException(dir.resolve(MANIFEST), "manifest names version '" + manifest.version()
                    + "' but the snapshot directory is '" + expectedVersion + "'");
        }
        verifyFiles(dir, manifest);
        List<PopularItem> popular = PopularFile.read(dir.resolve(PopularFile.NAME));
        expectCount(dir.resolve(PopularFile.NAME), "popular items", manifest.counts().popular(), popular.size());
        List<ChronicleMap<CharSequence, byte[]>> opened = new ArrayList<>(3);
        try {
            ChronicleMap<CharSequence, byte[]> items = openMap(dir, ITEMS, manifest.counts().items(), opened);
            ChronicleMap<CharSequence, byte[]> rules = openMap(dir, RULES, manifest.counts().ruleKeys(), opened);
            ChronicleMap<CharSequence, byte[]> customers = openMap(dir, CUSTOMERS, manifest.counts().customers(), opened);
            return new Snapshot(dir, manifest, items, rules, customers, popular);
        } catch (RuntimeException e) {
            opened.forEach(ChronicleMap::close);
            throw e;
        }
    }

    private static ChronicleMap<CharSequence, byte[]> openMap(Path dir, String name, long expected,
                                                              List<ChronicleMap<CharSequence, byte[]>> opened) {
        Path file = dir.resolve(name);
        ChronicleMap<CharSequence, byte[]> map = MapFiles.open(file);
        opened.add(map);
        expectCount(file, "entries", expected, map.longSize());
        return map;
    }

    private static void expectCount(Path file, String what, long expected, long actual) {
        if (expected != actual) {
            throw new CorruptSnapshotException(file, "holds " + actual + " " + what + ", manifest says " + expected);
        }
    }

    static Manifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorruptSnapshotException(file, "manifest missing (incomplete or damaged snapshot)", e);
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new CorruptSnapshotException(file, "manifest is not valid JSON, truncated? (" + e.getOriginalMessage() + ")", e);
        }
        if (tree == null || !tree.isObject()) {
            throw new CorruptSnapshotException(file, "manifest is empty or not a JSON object, truncated?");
        }
        JsonNode fv = tree.get("formatVersion");
        if (fv == null || !fv.canConvertToInt() || !fv.isIntegralNumber()) {
            throw new CorruptSnapshotException(file, "manifest has no integer formatVersion");
        }
        if (fv.intValue() > Manifest.CURRENT_FORMAT_VERSION) {
            throw new SnapshotFormatException(file, "format too new: snapshot formatVersion " + fv.intValue()
                    + ", this software reads up to " + Manifest.CURRENT_FORMAT_VERSION);
        }
        if (fv.intValue() < 1) {
            throw new CorruptSnapshotException(file, "invalid formatVersion " + fv.intValue());
        }
        Manifest m;
        try {
            m = Json.MAPPER.treeToValue(tree, Manifest.class);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new CorruptSnapshotException(file, "manifest does not match the expected structure: " + e.getMessage(), e);
        }
        if (m.version() == null || m.createdAt() == null || m.counts() == null) {
            throw new CorruptSnapshotException(file, "manifest lacks version, createdAt or counts");
        }
        for (String required : REQUIRED_FILES) {
            if (m.file(required).isEmpty()) {
                throw new CorruptSnapshotException(file, "manifest does not list required file " + required);
            }
        }
        return m;
    }

    static void verifyFiles(Path dir, Manifest manifest) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        for (Manifest.FileEntry f : manifest.files()) {
            if (!isListedName(f.name())) {
                throw new CorruptSnapshotException(manifestFile, "invalid file name in manifest: " + f.name());
            }
            Path file = dir.resolve(f.name());
            if (!Files.isRegularFile(file)) {
                throw new CorruptSnapshotException(file, "file listed in the manifest is missing");
            }
            long size = Files.size(file);
            if (size != f.bytes()) {
                throw new CorruptSnapshotException(file, "size " + size + " bytes, manifest says " + f.bytes()
                        + (size < f.bytes() ? " (truncated?)" : " (appended to?)"));
            }
            if (!Manifest.CHECKSUM_ALGORITHM.equals(f.checksumAlgorithm())) {
                throw new SnapshotFormatException(file, "format too new: unknown checksum algorithm " + f.checksumAlgorithm());
            }
            String actual = Checksums.crc32c(file, f.checksumExcludes());
            if (!actual.equalsIgnoreCase(f.checksum())) {
                throw new CorruptSnapshotException(file, "checksum mismatch, corrupted? (" + f.checksumAlgorithm()
                        + " expected " + f.checksum() + ", actual " + actual + ")");
            }
        }
    }

    /** A file or directory name without path separators that is not hidden. */
    static boolean isPlainName(String name) {
        return name.matches("[A-Za-z0-9._-]+") && !name.startsWith(".");
    }

    /** A manifest file name: a plain name, or {@code directory/file} for files of an added directory. */
    private static boolean isListedName(String name) {
        if (name == null) {
            return false;
        }
        int slash = name.indexOf('/');
        return slash < 0 ? isPlainName(name)
                : isPlainName(name.substring(0, slash)) && isPlainName(name.substring(slash + 1));
    }

    /**
     * A sub-directory added with {@link SnapshotBuilder#addDirectory}, or empty when this snapshot has none of
     * that name. Its files were verified with the rest when the snapshot was opened; open them read-only.
     */
    public Optional<Path> subdirectory(String name) {
        String prefix = name + "/";
        boolean listed = manifest.files().stream().anyMatch(f -> f.name().startsWith(prefix));
        return listed ? Optional.of(dir.resolve(name)) : Optional.empty();
    }

    /** The snapshot's manifest as read (and verified) when opening. */
    public Manifest manifest() {
        return manifest;
    }

    /** The snapshot's directory. */
    public Path directory() {
        return dir;
    }

    @Override
    public String version() {
        return manifest.version();
    }

    @Override
    public Optional<ItemFacts> item(String itemId) {
        Objects.requireNonNull(itemId, "itemId");
        byte[] v = items.get(itemId);
        return v == null ? Optional.empty() : Optional.of(ValueCodecs.decodeItem(itemId, v, itemsFile));
    }

    @Override
    public List<AssociationRule> rulesWithAntecedentItem(String itemId) {
        Objects.requireNonNull(itemId, "itemId");
        byte[] v = rules.get(itemId);
        return v == null ? List.of() : ValueCodecs.decodeRules(itemId, v, rulesFile);
    }

    @Override
    public Optional<CustomerHistory> customer(String customerId) {
        Objects.requireNonNull(customerId, "customerId");
        byte[] v = customers.get(customerId);
        return v == null ? Optional.empty() : Optional.of(ValueCodecs.decodeCustomer(customerId, v, customersFile));
    }

    @Override
    public List<PopularItem> popularItems() {
        return popular;
    }

    /**
     * Visits each distinct rule once: a rule with several antecedent items is stored under each of them and is
     * visited from its smallest antecedent item only. The visitor runs outside any map lock.
     */
    @Override
    public void forEachRule(Consumer<AssociationRule> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        List<String> keys = new ArrayList<>((int) Math.min(Integer.MAX_VALUE, rules.longSize()));
        rules.forEachEntry(e -> keys.add(e.key().get().toString()));
        for (String key : keys) {
            for (AssociationRule rule : rulesWithAntecedentItem(key)) {
                if (key.equals(ownerKey(rule))) {
                    visitor.accept(rule);
                }
            }
        }
    }

    /** The antecedent item a rule is visited from: the smallest one. */
    static String ownerKey(AssociationRule rule) {
        List<String> a = rule.antecedent();
        String min = a.get(0);
        for (int i = 1; i < a.size(); i++) {
            if (a.get(i).compareTo(min) < 0) {
                min = a.get(i);
            }
        }
        return min;
    }

    @Override
    public long itemCount() {
        return manifest.counts().items();
    }

    @Override
    public long ruleCount() {
        return manifest.counts().rules();
    }

    @Override
    public long customerCount() {
        return manifest.counts().customers();
    }

    /** Package-private for tests: the underlying rules map. */
    ChronicleMap<CharSequence, byte[]> rulesMap() {
        return rules;
    }

    @Override
    public void close() {
        // idempotent: ChronicleMap.close() is
        items.close();
        rules.close();
        customers.close();
    }

    @Override
    public String toString() {
        return "Snapshot[" + dir + "]";
    }
}
