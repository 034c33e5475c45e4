package io.affinity.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.TradeUp;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.openhft.chronicle.hash.locks.InterProcessDeadLockException;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * One opened, verified, immutable snapshot. Thread-safe; close it once no request uses it any more.
 * Several {@code Snapshot}s (in one or several processes) may have the same version open at once.
 */
public final class Snapshot implements ModelSnapshot, AutoCloseable {
    static final String MANIFEST = "manifest.json";
    static final String ITEMS = "items.cmap";
    static final String RULES = "rules.cmap";
    static final String CUSTOMERS = "customers.cmap";
    /** Customer profiles; required from format 2 on, absent in format 1. */
    static final String PROFILES = "profiles.cmap";
    /** Training-time consent; required from format 2 on, absent in format 1. */
    static final String CONSENT = "consent.cmap";
    /** Observed trade-ups per source item; required from format 3 on, absent before. */
    static final String UPSELL = "upsell.cmap";
    /** Optional: per-customer recommendations precomputed by the served model. */
    static final String CUSTOMER_RECS = "customer-recs.cmap";
    /** Manifest section describing {@link #CUSTOMER_RECS} (its entry count is checked when opening). */
    static final String CUSTOMER_RECS_SECTION = "customerRecommendations";
    /**
     * Manifest section counting the consent list's entries per channel ({@code {"email": 1200, "profiling": 3}}),
     * written from format 8 on.
     */
    public static final String CONSENT_CHANNELS_SECTION = "consentChannels";
    /** Sorted keys of {@link #PROFILES} ({@link KeyFile}); required from format 5 on, absent before. */
    static final String PROFILES_KEYS = "profiles.keys";
    /** Sorted keys of {@link #RULES} ({@link KeyFile}); required from format 5 on, absent before. */
    static final String RULES_KEYS = "rules.keys";
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
    /** Null for a format 1 snapshot. */
    private final ChronicleMap<CharSequence, byte[]> profiles;
    private final Path profilesFile;
    /** Null for a format 1 snapshot. */
    private final ChronicleMap<CharSequence, byte[]> consent;
    private final Path consentFile;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Runnable afterClose;
    /** When the consent list was written; null without consent data. */
    private final Instant consentAsOf;
    /** Per channel ordinal: whether the consent list may name anyone for it ({@link #mayListConsent}). */
    private final boolean[] listedChannels;
    /** Null when the manifest does not say (no customer models). */
    private final java.time.LocalDate profilesAsOf;
    /** Null for a snapshot older than format 3. */
    private final ChronicleMap<CharSequence, byte[]> upsell;
    private final Path upsellFile;
    /** Null when the snapshot has no precomputed recommendations. */
    private final ChronicleMap<CharSequence, byte[]> customerRecs;
    private final Path customerRecsFile;
    /** Item ids, model and source names of precomputed lists: one instance each while this snapshot is open. */
    private final StringInterner recsStrings = new StringInterner(8192);
    /** The keys of {@link #profiles} and {@link #rules} to iterate by; null before format 5 (map iteration). */
    private final KeyFile profileKeys;
    private final KeyFile ruleKeys;
    /** Read from the manifest once: asked for every item of every answer, where a map lookup showed in profiles. */
    private final boolean orderSequenceOnly;
    /** The manifest parameter {@code timeZone}; null when training was given none, or it is not a zone. */
    private final java.time.ZoneId timeZone;

    private Snapshot(Path dir, Manifest manifest, ChronicleMap<CharSequence, byte[]> items,
                     ChronicleMap<CharSequence, byte[]> rules, ChronicleMap<CharSequence, byte[]> customers,
                     List<PopularItem> popular, ChronicleMap<CharSequence, byte[]> profiles,
                     ChronicleMap<CharSequence, byte[]> consent, ChronicleMap<CharSequence, byte[]> upsell,
                     KeyFile profileKeys, KeyFile ruleKeys) throws IOException {
        this.dir = dir;
        this.manifest = manifest;
        this.items = items;
        this.rules = rules;
        this.customers = customers;
        this.popular = popular;
        this.itemsFile = dir.resolve(ITEMS);
        this.rulesFile = dir.resolve(RULES);
        this.customersFile = dir.resolve(CUSTOMERS);
        this.profiles = profiles;
        this.profilesFile = dir.resolve(PROFILES);
        this.consent = consent;
        this.consentFile = dir.resolve(CONSENT);
        this.consentAsOf = consent == null ? null : consentAsOf(manifest);
        this.listedChannels = listedChannels(manifest, consent != null);
        this.profilesAsOf = profilesAsOf(manifest);
        this.upsell = upsell;
        this.upsellFile = dir.resolve(UPSELL);
        this.profileKeys = profileKeys;
        this.ruleKeys = ruleKeys;
        this.customerRecsFile = dir.resolve(CUSTOMER_RECS);
        this.customerRecs = openCustomerRecs(dir, manifest);
        this.orderSequenceOnly = Boolean.TRUE.equals(manifest.parameters().get("orderSequence"));
        this.timeZone = timeZone(manifest.parameters().get("timeZone"));
    }

    /** What the manifest records about {@link #CUSTOMER_RECS}. */
    record CustomerRecsInfo(String file, long entries, int codecVersion) {
    }

    /**
     * Opens the snapshot in {@code dir}: reads and checks the manifest, verifies length and checksum of every
     * listed file BEFORE memory-mapping anything, then opens the maps and checks their entry counts.
     *
     * @param expectedVersion the version id the manifest must carry (the directory name), or null to skip
     */
    static Snapshot open(Path dir, String expectedVersion) throws IOException {
        Manifest manifest = readManifest(dir);
        checkVersion(dir, manifest, expectedVersion);
        verifyFiles(dir, manifest);
        List<PopularItem> popular = PopularFile.read(dir.resolve(PopularFile.NAME));
        expectCount(dir.resolve(PopularFile.NAME), "popular items", manifest.counts().popular(), popular.size());
        List<ChronicleMap<CharSequence, byte[]>> opened = new ArrayList<>(3);
        List<KeyFile> keyFiles = new ArrayList<>(2);
        try {
            ChronicleMap<CharSequence, byte[]> items = openMap(dir, ITEMS, manifest.counts().items(), opened);
            ChronicleMap<CharSequence, byte[]> rules = openMap(dir, RULES, manifest.counts().ruleKeys(), opened);
            ChronicleMap<CharSequence, byte[]> customers = openMap(dir, CUSTOMERS, manifest.counts().customers(), opened);
            ChronicleMap<CharSequence, byte[]> profiles = manifest.formatVersion() >= 2
                    ? openMap(dir, PROFILES, manifest.counts().profiles(), opened) : null;
            ChronicleMap<CharSequence, byte[]> consent = manifest.formatVersion() >= 2
                    ? openMap(dir, CONSENT, manifest.counts().consent(), opened) : null;
            ChronicleMap<CharSequence, byte[]> upsell = manifest.formatVersion() >= 3
                    ? openMap(dir, UPSELL, manifest.counts().upsell(), opened) : null;
            KeyFile profileKeys = null;
            KeyFile ruleKeys = null;
            if (manifest.formatVersion() >= 5) {
                profileKeys = openKeys(dir, PROFILES_KEYS, PROFILES, profiles.longSize(), keyFiles);
                ruleKeys = openKeys(dir, RULES_KEYS, RULES, rules.longSize(), keyFiles);
            }
            return new Snapshot(dir, manifest, items, rules, customers, popular, profiles, consent, upsell,
                    profileKeys, ruleKeys);
        } catch (IOException | RuntimeException e) {
            opened.forEach(ChronicleMap::close);
            keyFiles.forEach(KeyFile::close);
            throw e;
        }
    }

    private static void checkVersion(Path dir, Manifest manifest, String expectedVersion) {
        if (expectedVersion != null && !expectedVersion.equals(manifest.version())) {
            throw new CorruptSnapshotException(dir.resolve(MANIFEST), "manifest names version '" + manifest.version()
                    + "' but the snapshot directory is '" + expectedVersion + "'");
        }
    }

    private static KeyFile openKeys(Path dir, String name, String mapName, long entries, List<KeyFile> opened)
            throws IOException {
        KeyFile keys = KeyFile.open(dir.resolve(name), mapName, entries);
        opened.add(keys);
        return keys;
    }

    /** The optional precomputed-recommendations map: listed in the files and described by its section, or neither. */
    private static ChronicleMap<CharSequence, byte[]> openCustomerRecs(Path dir, Manifest manifest)
            throws IOException {
        JsonNode section = manifest.sections().get(CUSTOMER_RECS_SECTION);
        boolean listed = manifest.file(CUSTOMER_RECS).isPresent();
        if (section == null && !listed) {
            return null;
        }
        Path manifestFile = dir.resolve(MANIFEST);
        if (section == null || !listed) {
            throw new CorruptSnapshotException(manifestFile, CUSTOMER_RECS + (listed
                    ? " is listed but section " + CUSTOMER_RECS_SECTION + " is missing"
                    : " is described in section " + CUSTOMER_RECS_SECTION + " but not listed in files"));
        }
        JsonNode entries = section.get("entries");
        if (entries == null || !entries.isIntegralNumber() || entries.longValue() < 0) {
            throw new CorruptSnapshotException(manifestFile, "section " + CUSTOMER_RECS_SECTION
                    + " has no valid entries count");
        }
        List<ChronicleMap<CharSequence, byte[]>> opened = new ArrayList<>(1);
        try {
            return openMap(dir, CUSTOMER_RECS, entries.longValue(), opened);
        } catch (RuntimeException e) {
            opened.forEach(ChronicleMap::close);
            throw e;
        }
    }

    private static ChronicleMap<CharSequence, byte[]> openMap(Path dir, String name, long expected,
                                                              List<ChronicleMap<CharSequence, byte[]>> opened)
            throws IOException {
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
        if (Files.isDirectory(file)) {
            throw new CorruptSnapshotException(file, "manifest is a directory, not a file (damaged snapshot)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorruptSnapshotException(file, "manifest missing (incomplete or damaged snapshot)", e);
        } catch (AccessDeniedException e) {
            throw new SnapshotAccessException(file, NOT_READABLE);
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
        JsonNode sealed = ((ObjectNode) tree).remove(Manifest.CHECKSUM_FIELD);
        if (sealed != null) {
            String actual = manifestChecksum((ObjectNode) tree);
            if (!sealed.isTextual() || !sealed.textValue().equals(actual)) {
                throw new CorruptSnapshotException(file, "checksum mismatch, corrupted? (" + Manifest.CHECKSUM_FIELD
                        + " " + sealed + ", actual " + actual + ")");
            }
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
        try {
            m.createdAtInstant();
        } catch (DateTimeParseException e) {
            // read whenever consent is weighed (the list's stand-in time): a request must not meet it first
            throw new CorruptSnapshotException(file, "manifest's createdAt is not an ISO-8601 instant: "
                    + (m.createdAt().length() > 40 ? m.createdAt().substring(0, 40) + "..." : m.createdAt()), e);
        }
        for (String required : REQUIRED_FILES) {
            if (m.file(required).isEmpty()) {
                throw new CorruptSnapshotException(file, "manifest does not list required file " + required);
            }
        }
        for (String required : List.of(PROFILES, CONSENT)) {
            if (m.formatVersion() >= 2 && m.file(required).isEmpty()) {
                throw new CorruptSnapshotException(file, "manifest does not list required file " + required);
            }
        }
        if (m.formatVersion() >= 3 && m.file(UPSELL).isEmpty()) {
            throw new CorruptSnapshotException(file, "manifest does not list required file " + UPSELL);
        }
        for (String required : List.of(PROFILES_KEYS, RULES_KEYS)) {
            if (m.formatVersion() >= 5 && m.file(required).isEmpty()) {
                throw new CorruptSnapshotException(file, "manifest does not list required file " + required);
            }
        }
        return m;
    }

    /**
     * The manifest's bytes as written: {@code tree} with {@link Manifest#CHECKSUM_FIELD} set to the checksum of its
     * other content. The checksum covers the tree as Jackson writes it after reading it back, so it does not depend
     * on how the manifest file is laid out, only on what it says.
     */
    static byte[] sealManifest(ObjectNode tree) throws IOException {
        ObjectNode normalised = (ObjectNode) Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(tree));
        normalised.remove(Manifest.CHECKSUM_FIELD);
        normalised.put(Manifest.CHECKSUM_FIELD, manifestChecksum(normalised));
        return Json.MAPPER.writeValueAsBytes(normalised);
    }

    /**
     * CRC32C of {@code content}, a manifest tree its callers have already taken the checksum field out of, as 8
     * lower-case hex digits. Over the compact rendering: no pretty-printer whitespace, which a Jackson upgrade could
     * change, is part of it.
     */
    private static String manifestChecksum(ObjectNode content) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(content));
        return String.format("%08x", crc.getValue());
    }

    static void verifyFiles(Path dir, Manifest manifest) throws IOException {
        verifyFiles(dir, manifest, true);
    }

    /**
     * Verifies a version in the store before it is copied ({@link LocalCopies}), so that damage is reported naming
     * the store's file; its maps need not be writable, since only the copy is opened.
     */
    static void verifyForCopy(Path dir, String expectedVersion) throws IOException {
        Manifest manifest = readManifest(dir);
        checkVersion(dir, manifest, expectedVersion);
        verifyFiles(dir, manifest, false);
    }

    private static void verifyFiles(Path dir, Manifest manifest, boolean mapsOpenedHere) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        // Access first, for every file, before any checksum (minutes on a large version): a version this user may
        // not read, or whose maps it may not write, is refused at once, and never reported as damage.
        for (Manifest.FileEntry f : manifest.files()) {
            if (isListedName(f.name())) {
                checkAccess(dir.resolve(f.name()), mapsOpenedHere);
            }
        }
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
            Manifest.ChecksumExclusion x = f.checksumExcludes();
            if (x != null && x.count() > 0 && x.offset() + (x.count() - 1) * x.stride() + x.length() > size) {
                throw new CorruptSnapshotException(manifestFile, "checksumExcludes of " + f.name()
                        + " reach beyond its " + size + " bytes");
            }
            if (!Manifest.CHECKSUM_ALGORITHM.equals(f.checksumAlgorithm())) {
                throw new SnapshotFormatException(file, "format too new: unknown checksum algorithm " + f.checksumAlgorithm());
            }
            String actual = Checksums.crc32c(file, f.checksumExcludes());
            if (!actual.equalsIgnoreCase(f.checksum())) {
                throw new CorruptSnapshotException(file, "checksum mismatch, corrupted? (" + f.checksumAlgorithm()
                        + " expected " + f.checksum() + ", actual " + actual + ")");
            }
            if (f.checksumExcludes() != null) {
                MapFiles.checkLockWords(file, f.checksumExcludes());
            }
        }
        refuseUnlisted(dir, manifest);
    }

    static final String NOT_READABLE = "not readable by this user (permission denied)";
    /**
     * Why a reader needs write access to a map file. Chronicle Map has no read-only mode: a lookup takes its segment's
     * read lock, a word inside the memory-mapped file shared by every process that has the map open.
     */
    static final String MAP_NOT_WRITABLE = "not writable by this user: Chronicle Map lookups take segment locks "
            + "inside the map file, so a version's .cmap files must be writable by the user that serves or reads it "
            + "(the lock words are the only bytes written, and the checksums leave them out); a read-only mount, or "
            + "a store another user published with files this one cannot write, cannot be opened in place (affinity "
            + "serve --local-copy DIR serves copies of the versions instead)";

    /**
     * Refuses, as {@link SnapshotAccessException}, a listed file this user may not read, or (a map file) write, or
     * that a directory it may not search hides. A file that is not there at all is left to the checks that follow
     * (missing: damage).
     */
    private static void checkAccess(Path file, boolean mapsOpenedHere) {
        if (!Files.exists(file)) {
            if (!Files.notExists(file)) {
                // Neither there nor absent: a directory on its path may not be searched by this user. It used to
                // be reported as a missing file, i.e. damage.
                throw new SnapshotAccessException(file, "cannot be looked up by this user (permission denied on a "
                        + "directory of its path)");
            }
            return;
        }
        if (!Files.isReadable(file)) {
            throw new SnapshotAccessException(file, NOT_READABLE);
        }
        if (mapsOpenedHere && file.getFileName().toString().endsWith(".cmap") && Files.isRegularFile(file)
                && !Files.isWritable(file)) {
            throw new SnapshotAccessException(file, MAP_NOT_WRITABLE);
        }
    }

    /**
     * A file in the version that the manifest does not list was put there after publishing (a copy merging another
     * version in, a hand edit). Nothing in it is verified, and it is not always ignored: Lucene opens the newest
     * {@code segments_N} of the catalogue directory, so a stray one would be searched under this version's name.
     */
    private static void refuseUnlisted(Path dir, Manifest manifest) throws IOException {
        Set<String> listed = new HashSet<>();
        manifest.files().forEach(f -> listed.add(f.name()));
        listed.add(MANIFEST);
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                String name = dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (!listed.contains(name)) {
                    throw new CorruptSnapshotException(file, "file not listed in the manifest: not part of this "
                            + "snapshot (copied in from another version?); remove it or publish again");
                }
            }
        } catch (java.io.UncheckedIOException e) {
            // the walk's way of failing to list a directory (too many open files): an I/O failure, not a bug
            throw e.getCause();
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

    /** Recorded by training as the parameter {@code timeZone} ({@code --time-zone}; absent without one). */
    @Override
    public Optional<java.time.ZoneId> timeZone() {
        return Optional.ofNullable(timeZone);
    }

    private static java.time.ZoneId timeZone(Object recorded) {
        if (!(recorded instanceof String name)) {
            return null;
        }
        try {
            return java.time.ZoneId.of(name);
        } catch (java.time.DateTimeException e) {
            return null; // a zone this JVM does not know: UTC's days, as without one
        }
    }

    /** Recorded by training as the parameter {@code orderSequence} (absent in snapshots with timestamps). */
    @Override
    public boolean orderSequenceOnly() {
        return orderSequenceOnly;
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

    /**
     * From the manifest's {@link #CONSENT_CHANNELS_SECTION}; a snapshot older than format 8 (none) may list every
     * channel but profiling, which it could not store. A format 8 manifest without a readable count (made or edited
     * by hand: every publish writes it) may list every channel: an objection in its list is looked up, not ignored.
     */
    @Override
    public boolean mayListConsent(Consent.Channel channel) {
        return listedChannels[channel.ordinal()];
    }

    private static boolean[] listedChannels(Manifest manifest, boolean hasConsent) {
        boolean[] listed = new boolean[Consent.Channel.values().length];
        JsonNode counts = manifest.sections().get(CONSENT_CHANNELS_SECTION);
        boolean counted = counts != null && counts.isObject();
        for (Consent.Channel c : Consent.Channel.values()) {
            JsonNode count = counted ? counts.get(c.wireName()) : null;
            listed[c.ordinal()] = hasConsent && (!counted
                    ? c != Consent.Channel.PROFILING || manifest.formatVersion() >= 8
                    : count != null && (!count.isIntegralNumber() || count.asLong() != 0));
        }
        return listed;
    }

    @Override
    public Optional<Consent.ListEntry> listedConsent(String customerId, Consent.Channel channel) {
        Objects.requireNonNull(customerId, "customerId");
        if (consent == null) {
            return Optional.empty();
        }
        byte[] v = consent.get(customerId);
        return v == null ? Optional.empty()
                : Optional.ofNullable(ValueCodecs.decodeConsent(customerId, v, consentFile).get(channel));
    }

    /**
     * The consent section's {@code fileModified} (the list file's last modification, recorded by training); for a
     * snapshot published before training recorded it, its publishing time, which is later than the file was
     * written, so that older run-time changes may only restrict ({@link Consent#effective}).
     */
    @Override
    public Optional<Instant> consentAsOf() {
        return Optional.ofNullable(consentAsOf);
    }

    @Override
    public Optional<java.time.LocalDate> profilesAsOf() {
        return Optional.ofNullable(profilesAsOf);
    }

    private static java.time.LocalDate profilesAsOf(Manifest manifest) {
        JsonNode section = manifest.sections().get("customerModels");
        JsonNode end = section == null ? null : section.get("calibrationEnd");
        if (end != null && end.isTextual()) {
            try {
                return java.time.LocalDate.parse(end.asText());
            } catch (DateTimeParseException e) {
                return null; // not a date: unknown, rather than a wrong one
            }
        }
        return null;
    }

    /** Name of the consent section's field holding the list file's last modification (ISO-8601 instant). */
    public static final String CONSENT_FILE_MODIFIED = "fileModified";

    static Instant consentAsOf(Manifest manifest) {
        JsonNode section = manifest.sections().get("consent");
        JsonNode modified = section == null ? null : section.get(CONSENT_FILE_MODIFIED);
        if (modified != null && modified.isTextual()) {
            try {
                return Instant.parse(modified.asText());
            } catch (DateTimeParseException e) {
                // the publishing time is later than any time the file can have been written: the safe stand-in
            }
        }
        return manifest.createdAtInstant();
    }

    /** The customer's value profile; empty when unknown or for a format 1 snapshot. */
    @Override
    public Optional<CustomerProfile> profile(String customerId) {
        Objects.requireNonNull(customerId, "customerId");
        if (profiles == null) {
            return Optional.empty();
        }
        byte[] v = profiles.get(customerId);
        return v == null ? Optional.empty() : Optional.of(ValueCodecs.decodeProfile(customerId, v, profilesFile));
    }

    /**
     * Visits every profile in customer id order (Unicode code point order: for ids without characters beyond
     * U+FFFF, plain string order). From format 5 on it walks {@link #PROFILES_KEYS} and reads each profile with a
     * lookup, which takes only a segment's read lock: a process killed while iterating cannot block it, and memory
     * is bounded by a 64 KiB read buffer, not by the number of customers. A snapshot older than format 5 is
     * iterated by Chronicle Map segment (order: by segment, then by id) under each segment's update lock, held
     * only while that segment's keys are listed; a lock left by a dead process fails it with
     * {@link SnapshotLockedException}. The visitor runs outside any map lock either way.
     */
    @Override
    public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
        forEachProfile(0, visitor);
    }

    /** As the interface says; the profiles before {@code position} are skipped without being looked up. */
    @Override
    public void forEachProfile(long position, BiConsumer<String, CustomerProfile> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative, was " + position);
        }
        if (profiles == null) {
            return;
        }
        long[] seen = {0};
        if (profileKeys != null) {
            profileKeys.forEach(key -> {
                if (seen[0]++ >= position) {
                    visitor.accept(key, ValueCodecs.decodeProfile(key,
                            listedValue(profiles, profilesFile, profileKeys, key), profilesFile));
                }
            });
            return;
        }
        List<String> keys = new ArrayList<>();
        for (int segment = 0; segment < profiles.segments(); segment++) {
            keys.clear();
            legacySegmentKeys(profiles, profilesFile, segment, keys);
            Collections.sort(keys);
            for (String key : keys) {
                byte[] v = profiles.get(key);
                if (v != null && seen[0]++ >= position) {
                    visitor.accept(key, ValueCodecs.decodeProfile(key, v, profilesFile));
                }
            }
        }
    }

    /** The value of a key the key file lists: the map must hold it (both are checked to hold as many). */
    private static byte[] listedValue(ChronicleMap<CharSequence, byte[]> map, Path mapFile, KeyFile keys, String key) {
        byte[] v = map.get(key);
        if (v == null) {
            throw new CorruptSnapshotException(keys.file(), "lists a key that " + mapFile.getFileName()
                    + " does not hold");
        }
        return v;
    }

    /**
     * Adds the keys of one segment of a map of a snapshot older than format 5, listed under the segment's update
     * lock (Chronicle Map iterates under it). That lock is a bit in the shared file: a process killed while
     * holding it leaves it set for every process, and Chronicle Map waits its lock timeout (60 s unless the system
     * property {@code net.openhft.chronicle.map.lockTimeoutSeconds} says otherwise) and throws its untyped
     * {@code InterProcessDeadLockException}, turned here into a {@link SnapshotLockedException} naming the file
     * and segment and saying what to do. (Reading-only use of a published snapshot takes no write lock, and a
     * held write lock is refused at open, so the update lock is the one lock this can be about.)
     */
    private static void legacySegmentKeys(ChronicleMap<CharSequence, byte[]> map, Path file, int segment,
                                          List<String> into) {
        try (var context = map.segmentContext(segment)) {
            context.forEachSegmentEntry(e -> into.add(e.key().get().toString()));
        } catch (InterProcessDeadLockException e) {
            throw SnapshotLockedException.staleUpdateLock(file, segment, e);
        }
    }

    /**
     * Whether this version holds anything of the customer: a purchase history, a profile, a consent-list entry or a
     * precomputed list (its keys are looked up; nothing is decoded). What an erasure must have removed from every
     * version before the customer's run-time consents may be forgotten.
     */
    public boolean holdsCustomer(String customerId) {
        Objects.requireNonNull(customerId, "customerId");
        return customers.containsKey(customerId) || profiles != null && profiles.containsKey(customerId)
                || consent != null && consent.containsKey(customerId)
                || customerRecs != null && customerRecs.containsKey(customerId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return decodePrecomputed(customerId, Integer.MAX_VALUE, null);
    }

    @Override
    public List<TradeUp> tradeUps(String itemId) {
        Objects.requireNonNull(itemId, "itemId");
        if (upsell == null) {
            return List.of();
        }
        byte[] v = upsell.get(itemId);
        return v == null ? List.of() : ValueCodecs.decodeTradeUps(itemId, v, upsellFile);
    }

    /** Decodes only the first {@code maxItems} of the stored list. */
    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return decodePrecomputed(customerId, maxItems, null);
    }

    /** Decodes only the allowed items, and stops once it has {@code maxItems} of them. */
    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems,
                                                            Predicate<String> allowed) {
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(allowed, "allowed");
        return decodePrecomputed(customerId, maxItems, allowed);
    }

    /** The first {@code maxItems} items {@code allowed} accepts (null: every item) of the customer's stored list. */
    private Optional<PrecomputedRecommendations> decodePrecomputed(String customerId, int maxItems,
                                                                   Predicate<String> allowed) {
        Objects.requireNonNull(customerId, "customerId");
        if (customerRecs == null) {
            return Optional.empty();
        }
        byte[] v = customerRecs.get(customerId);
        return v == null ? Optional.empty()
                : Optional.of(ValueCodecs.decodeRecommendations(customerId, v, customerRecsFile, maxItems, allowed,
                        recsStrings));
    }

    /** Whether this snapshot holds per-customer recommendations precomputed by the served model. */
    public boolean hasPrecomputedRecommendations() {
        return customerRecs != null;
    }

    @Override
    public List<PopularItem> popularItems() {
        return popular;
    }

    /**
     * Visits each distinct rule once: a rule with several antecedent items is stored under each of them and is
     * visited from its smallest antecedent item only. The visitor runs outside any map lock. Order: by that item
     * (as {@link #forEachProfile} orders ids), then best first; before format 5, by map segment first. Iterated
     * like {@link #forEachProfile}: from format 5 on by {@link #RULES_KEYS} and lookups only.
     */
    @Override
    public void forEachRule(Consumer<AssociationRule> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (ruleKeys != null) {
            ruleKeys.forEach(key -> visitOwnedRules(key, listedValue(rules, rulesFile, ruleKeys, key), visitor));
            return;
        }
        List<String> keys = new ArrayList<>();
        for (int segment = 0; segment < rules.segments(); segment++) {
            keys.clear();
            legacySegmentKeys(rules, rulesFile, segment, keys);
            Collections.sort(keys);
            for (String key : keys) {
                byte[] v = rules.get(key);
                if (v != null) {
                    visitOwnedRules(key, v, visitor);
                }
            }
        }
    }

    private void visitOwnedRules(String key, byte[] value, Consumer<AssociationRule> visitor) {
        for (AssociationRule rule : ValueCodecs.decodeRules(key, value, rulesFile)) {
            if (key.equals(ownerKey(rule))) {
                visitor.accept(rule);
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            closeFiles();
        } finally {
            Runnable then = afterClose;
            if (then != null) {
                then.run();
            }
        }
    }

    /** False once {@link #close} was called. */
    boolean isOpen() {
        return !closed.get();
    }

    /**
     * What to do once this snapshot's files are closed: the model store removes the local copy it opened this
     * snapshot from ({@link LocalCopies}).
     */
    void afterClose(Runnable action) {
        this.afterClose = action;
    }

    private void closeFiles() {
        items.close();
        rules.close();
        customers.close();
        if (profiles != null) {
            profiles.close();
        }
        if (consent != null) {
            consent.close();
        }
        if (customerRecs != null) {
            customerRecs.close();
        }
        if (upsell != null) {
            upsell.close();
        }
        if (profileKeys != null) {
            profileKeys.close();
        }
        if (ruleKeys != null) {
            ruleKeys.close();
        }
    }

    @Override
    public String toString() {
        return "Snapshot[" + dir + "]";
    }
}
