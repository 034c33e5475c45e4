package io.affinity.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of immutable model snapshots plus a {@code CURRENT} file naming the active one.
 *
 * <pre>
 * store/
 *   CURRENT                      one line: the active version id
 *   CANARY                       (optional) one line: a version id and a percent, "20261124-090000-0c1d2e 10":
 *                                a staged rollout serving that version to a stable slice of customers
 *   20261123-101500-1f43a9/      one directory per published version (see {@link Snapshot})
 *     items.cmap rules.cmap customers.cmap popular.bin manifest.json
 *   .tmp-3c9e.../                a publish in progress or abandoned: ignored by readers
 *   .tmp-3c9e....lock            held by the process publishing into .tmp-3c9e.../ ({@link PublishLock}): cleaners
 *                                remove the directory once nobody holds it
 *   .deleting-20261120-.../      a version being deleted (or whose deletion was interrupted): ignored by readers
 *   CURRENT.lock                 taken while CURRENT or CANARY is switched (activate, canary) or a version
 *                                is deleted
 * </pre>
 * Version ids are {@code yyyyMMdd-HHmmss-MMMRRR} in UTC: MMM the millisecond of the second and RRR random, both
 * hex, so ids sort by time (to the millisecond) and are unique within a second.
 * Methods throw {@link IOException} for I/O failures and {@link SnapshotException}s for unusable snapshots.
 */
public final class ModelStore {
    static final String CURRENT = "CURRENT";
    /** The canary pointer: a version and the percent of customers it serves, beside CURRENT. */
    static final String CANARY = "CANARY";
    static final String TMP_PREFIX = ".tmp-";
    /**
     * A version is deleted by renaming its directory to this prefix first (one atomic step, after which no reader
     * sees it as a version), then removing the files: a crash part-way leaves a directory nobody lists, which the
     * next {@link #prune} removes, never a half-deleted version.
     */
    static final String DELETING_PREFIX = ".deleting-";
    /** Lock file serialising CURRENT switches by {@link #activate} with {@link #delete}s, across processes. */
    static final String LOCK = "CURRENT.lock";
    /** Lock file a training run holds from its checks to its publish: one run per store ({@link #lockForTraining}). */
    static final String TRAIN_LOCK = "TRAIN.lock";
    static final Pattern VERSION_ID = Pattern.compile("\\d{8}-\\d{6}-[0-9a-f]{6}");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /**
     * Temp dirs without a lock file (an older Affinity's publishes) and pointer temp files older than this are
     * considered abandoned. A temp dir with its lock file is judged by the lock alone ({@link PublishLock}).
     */
    private static final Duration STALE_TMP_AGE = Duration.ofHours(6);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * File locks belong to the process, so two threads (or two ModelStore instances on one directory) of one JVM
     * would not exclude each other through {@link #LOCK} (the JDK throws instead): they queue here first.
     */
    private static final Object PROCESS_LOCK = new Object();

    private final Path dir;
    /** Where versions are opened from when this process may not open them in place; null: in place. */
    private final LocalCopies copies;
    private final Object lock = new Object();
    /** The time new versions are published at (tests: a clock stepped back). */
    Clock clock = Clock.systemUTC();
    /** Test hook: called before a pointer file (CURRENT, CANARY) is written; may fail as a full disk does. */
    PointerWriteHook beforePointerWrite = name -> { };
    /** Test hook: called by prune with each version right before it is deleted. */
    Consumer<String> beforePruneDelete = v -> { };
    private String lastVersionId = "";

    private ModelStore(Path dir, LocalCopies copies) {
        this.dir = dir;
        this.copies = copies;
    }

    /** Opens (creating if missing) the store directory. */
    public static ModelStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new ModelStore(dir.toAbsolutePath().normalize(), null);
    }

    /**
     * This store, opening every version ({@link #open}, {@link #openCurrent}) from a private copy under
     * {@code copyRoot} instead of in place: for a store this process may read but not write (a read-only volume
     * that replicas share), since a Chronicle Map lookup writes a lock word inside the mapped file. The version is
     * verified in the store first (damage names the store's file), then copied and opened, and its copy is removed
     * when the snapshot is closed. {@code copyRoot} (created if missing) needs room for every version open at once:
     * the served one, a canary, and one being loaded. A process's copies that a crash left behind are removed by the
     * next process using the same {@code copyRoot}. Everything else (CURRENT, CANARY, listings) reads the store.
     */
    public ModelStore withLocalCopies(Path copyRoot) throws IOException {
        Path root = copyRoot.toAbsolutePath().normalize();
        if (root.startsWith(dir)) {
            // its directories would be listed as entries of the store, and a read-only store has no room for them
            throw new IllegalArgumentException("the local copy directory " + root + " is inside the model store "
                    + dir + ": choose one outside it, on a local disk");
        }
        return new ModelStore(dir, LocalCopies.under(root));
    }

    /**
     * Gives up this process's local copy directory, once every snapshot opened from it is closed (each removes its
     * own copy then; whatever is left goes now). Without it, the directory is removed by the next process that uses
     * the same copy root. Nothing happens for a store that opens versions in place.
     */
    public void closeLocalCopies() {
        if (copies != null) {
            copies.close();
        }
    }

    /** Where this store's versions are copied to before they are opened; empty when they are opened in place. */
    public Optional<Path> localCopies() {
        return copies == null ? Optional.empty() : Optional.of(copies.directory());
    }

    public Path directory() {
        return dir;
    }

    /**
     * The version CURRENT names, or empty when nothing was activated yet; a CURRENT that is empty, holds no
     * version id (garbage bytes included) or is a directory is a {@link CorruptSnapshotException} naming the file
     * and what it holds.
     */
    public Optional<String> currentVersion() throws IOException {
        Path current = dir.resolve(CURRENT);
        if (Files.isDirectory(current)) {
            throw new CorruptSnapshotException(current, "is a directory, expected a file holding a version id");
        }
        String content;
        try {
            // decoded leniently: bytes that are not UTF-8 are garbage to report below, not an I/O failure
            content = new String(Files.readAllBytes(current), StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (content.isEmpty()) {
            throw new CorruptSnapshotException(current, "is empty, expected a version id such as 20110630-120000-0a1b2c");
        }
        if (!VERSION_ID.matcher(content).matches()) {
            throw new CorruptSnapshotException(current, "does not hold a version id: '" + abbreviate(content) + "'");
        }
        return Optional.of(content);
    }

    /**
     * A staged rollout: {@code version} answers the customers whose bucket (see the api's canary assignment) is
     * below {@code percent}; CURRENT answers everyone else.
     */
    public record Canary(String version, int percent) {
        public Canary {
            if (version == null || !VERSION_ID.matcher(version).matches()) {
                throw new IllegalArgumentException("not a version id: " + version);
            }
            if (percent < 1 || percent > 99) {
                throw new IllegalArgumentException("a canary's percent must be 1 to 99 (100 is an activate, 0 a "
                        + "stop), was " + percent);
            }
        }
    }

    /**
     * The canary CANARY names, or empty when there is none. A CANARY that cannot be read, is empty, a directory,
     * or does not hold exactly a version id and a percent of 1 to 99 is a {@link CorruptSnapshotException} naming
     * the file and what it holds: which canary is meant is unknown, so callers serve CURRENT alone.
     * <p>
     * A CANARY naming the version CURRENT names is returned as is: it is what a promotion whose clean-up was cut
     * short (a crash between switching CURRENT and removing CANARY) leaves, and means no canary; readers compare
     * it with CURRENT, which they read after CANARY (see {@link #activateReporting}).
     */
    public Optional<Canary> canary() throws IOException {
        Path file = dir.resolve(CANARY);
        if (Files.isDirectory(file)) {
            throw new CorruptSnapshotException(file, "is a directory, expected a file holding a version id and a "
                    + "percent");
        }
        String content;
        try {
            content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // Unreadable (permissions, I/O error): typed like damage, since the caller's answer is the same.
            throw new CorruptSnapshotException(file, "cannot be read: " + e, e);
        }
        String expected = "expected a version id and a percent such as '20110630-120000-0a1b2c 10'";
        if (content.isEmpty()) {
            throw new CorruptSnapshotException(file, "is empty, " + expected);
        }
        String[] parts = content.split("\\s+");
        if (parts.length != 2 || !VERSION_ID.matcher(parts[0]).matches() || !parts[1].matches("\\d{1,2}")) {
            throw new CorruptSnapshotException(file, "does not hold a version id and a percent: '"
                    + abbreviate(content) + "'; " + expected);
        }
        int percent = Integer.parseInt(parts[1]);
        if (percent < 1) {
            throw new CorruptSnapshotException(file, "holds percent " + percent + ", expected 1 to 99");
        }
        return Optional.of(new Canary(parts[0], percent));
    }

    /** Complete published versions (directory with a manifest), oldest first; temp and incomplete dirs are skipped. */
    public List<String> versions() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (VERSION_ID.matcher(name).matches() && Files.isDirectory(p)
                        && Files.isRegularFile(p.resolve(Snapshot.MANIFEST))) {
                    out.add(name);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The manifest of a published version, read and structure-checked but without verifying the data files'
     * checksums (cheap enough for listings; {@link #open} and {@link #activate} verify everything).
     */
    public Manifest manifest(String version) throws IOException {
        requireKnown(version);
        return Snapshot.readManifest(dir.resolve(version));
    }

    /** Opens and verifies the active snapshot. */
    public Snapshot openCurrent() throws IOException {
        String version = currentVersion().orElseThrow(
                () -> new IllegalStateException("store " + dir + " has no CURRENT version yet"));
        return openVerified(version);
    }

    /** Opens and verifies the given version. */
    public Snapshot open(String version) throws IOException {
        requireKnown(version);
        return openVerified(version);
    }

    /**
     * Snapshots this store object opened, and so fully verified, that may still be open: what
     * {@link #activateReporting(Snapshot)} need not verify again. Weak: a snapshot dropped unclosed goes away.
     */
    private final java.util.Set<Snapshot> verifiedOpen =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    private Snapshot openVerified(String version) throws IOException {
        Snapshot snapshot = openAndVerify(version);
        verifiedOpen.add(snapshot);
        return snapshot;
    }

    private Snapshot openAndVerify(String version) throws IOException {
        Path versionDir = dir.resolve(version);
        if (!Files.isDirectory(versionDir)) {
            throw new CorruptSnapshotException(versionDir, "snapshot directory missing");
        }
        if (copies == null) {
            return Snapshot.open(versionDir, version);
        }
        Snapshot.verifyForCopy(versionDir, version);
        Path copy = copies.copy(versionDir, version);
        Snapshot snapshot;
        try {
            // verified again: a copy the disk damaged, or a version changed in between, is refused here
            snapshot = Snapshot.open(copy, version);
        } catch (IOException | RuntimeException e) {
            copies.remove(copy);
            throw e;
        }
        snapshot.afterClose(() -> copies.remove(copy));
        return snapshot;
    }

    /**
     * Makes {@code version} the active one, atomically. The snapshot is fully verified first (manifest, lengths,
     * checksums, map counts); an unknown or unverifiable version is refused and CURRENT stays as it was. When
     * CANARY names {@code version} (a promotion) the canary ends with the switch: see {@link #activateReporting}.
     *
     * @return the version CURRENT named just before (empty if none, or if it held no version id)
     */
    public Optional<String> activate(String version) throws IOException {
        return activateReporting(version).previous();
    }

    /**
     * What {@link #activateReporting} did.
     *
     * @param previous       the version CURRENT named just before (empty if none, or if it held no version id)
     * @param promotedCanary the canary this activation promoted (CANARY named the activated version, and is gone)
     * @param canary         the canary still running after the switch (another version's), if any
     */
    public record Activation(Optional<String> previous, Optional<Canary> promotedCanary, Optional<Canary> canary) {
    }

    /**
     * What switching CURRENT from version {@code from} to {@code to} costs in consent, when it costs anything.
     * Consent lists travel with versions, so serving one trained with an older list (a rollback) serves that list
     * alone: an opt-out that arrived only with the newer list, not through the consent API (whose journal outlives
     * every version), is not honoured while {@code to} is served. Empty when {@code from} carries no list or
     * {@code to}'s is as new; a list's time is its file's modification time as training recorded it.
     */
    public Optional<String> consentSetBack(String from, String to) throws IOException {
        Manifest was = manifest(from);
        Manifest next = manifest(to);
        if (was.counts().consent() == 0) {
            return Optional.empty();
        }
        String remedy = ": opt-outs that reached Affinity only through the newer list, not through "
                + "PUT /v1/customers/{id}/consent/{channel}, are not honoured while it is served; record them through "
                + "the API, or train with the current list (train --consent) instead of rolling back";
        Instant wasListed = Snapshot.consentAsOf(was);
        if (next.counts().consent() == 0) {
            return Optional.of("version " + to + " serves no consent list, where " + from + " had one ("
                    + wasListed + ")" + remedy);
        }
        Instant nextListed = Snapshot.consentAsOf(next);
        if (!nextListed.isBefore(wasListed) || sameConsentList(was, next)) {
            return Optional.empty();
        }
        return Optional.of("version " + to + " serves its consent list of " + nextListed + ", older than the one of "
                + from + " (" + wasListed + ")" + remedy);
    }

    /**
     * Whether both versions were trained from the same consent file content read in the same encoding (their
     * manifests' SHA-256 and encoding): then neither list holds an opt-out the other lacks, whatever times stand for
     * them. Needed across software versions: a version published before manifests recorded the file's time stands
     * for its list with its publishing time, later than the file's, so a version trained afterwards from the same
     * file looked older and the first switch to it after an upgrade warned of opt-outs lost that no list held.
     */
    private static boolean sameConsentList(Manifest a, Manifest b) {
        JsonNode x = a.sections().get("consent");
        JsonNode y = b.sections().get("consent");
        if (x == null || y == null || !x.path("sha256").isTextual() || !y.path("sha256").isTextual()) {
            return false;
        }
        return x.get("sha256").asText().equals(y.get("sha256").asText())
                && x.path("encoding").asText("").equals(y.path("encoding").asText(""));
    }

    /**
     * {@link #activate}, saying what became of the canary. Activating the canary's version promotes it: under the
     * store lock CURRENT is switched first, then CANARY removed (both fsynced). A reader that reads CANARY before
     * CURRENT (as the api does) therefore sees the canary gone only once CURRENT names its version, and a reader
     * that still sees CANARY next to a CURRENT naming the same version serves that version to everyone: no
     * customer of the slice ever falls back to the old version. Activating another version leaves CANARY alone.
     * A damaged CANARY is left alone too (and not reported): {@code canary --stop} removes it.
     */
    public Activation activateReporting(String version) throws IOException {
        return verifiedThenUnderStoreLock(version, activation(version));
    }

    /**
     * As {@link #activateReporting(String)} for the version of {@code opened}, a snapshot the caller holds open:
     * when this store object opened it ({@link #open}, {@link #openCurrent}) and it is still open, it was fully
     * verified then and is not verified again (the server's activate opens the version it will serve, and reading
     * and checksumming every file a second time doubled what page views shared the cores with); any other snapshot
     * is verified as by {@link #activateReporting(String)}. A version deleted since is refused.
     */
    public Activation activateReporting(Snapshot opened) throws IOException {
        return verifiedUnlessOpenedHere(opened, activation(opened.version()));
    }

    /**
     * Runs {@code action} under the store's lock for the version of {@code opened}: verified first unless this store
     * object opened it and it is still open (see {@link #activateReporting(Snapshot)}); refused when deleted since.
     */
    private <T> T verifiedUnlessOpenedHere(Snapshot opened, StoreAction<T> action) throws IOException {
        String version = opened.version();
        if (!opened.isOpen() || !verifiedOpen.contains(opened)) {
            return verifiedThenUnderStoreLock(version, action);
        }
        requireKnown(version);
        return underStoreLockIfPresent(version, action);
    }

    private StoreAction<Activation> activation(String version) {
        return () -> {
            Optional<String> previous = currentOrEmpty();
            Optional<Canary> canary = canaryOrEmpty();
            writeCurrent(version);
            if (canary.filter(c -> c.version().equals(version)).isPresent()) {
                removeCanaryFile();
                return new Activation(previous, canary, Optional.empty());
            }
            return new Activation(previous, Optional.empty(), canary);
        };
    }

    // ------------------------------------------------------------------ canary

    /**
     * Starts (or replaces, or re-weights) the canary: {@code version} for {@code percent} percent of customers.
     * The snapshot is fully verified first, as {@link #activate} does; an unknown or unverifiable version is
     * refused and CANARY stays as it was. CANARY is written like CURRENT (temp file, fsync, rename, under the
     * store lock).
     *
     * @return the canary CANARY named just before (empty if none, or if it was damaged)
     * @throws IllegalArgumentException for an unknown version or a percent outside 1..99
     * @throws IllegalStateException    when CURRENT names {@code version}, or names nothing (missing or damaged):
     *                                  a canary is a version other than CURRENT
     */
    public Optional<Canary> startCanary(String version, int percent) throws IOException {
        new Canary(version, percent); // the percent checked before the version is read
        return verifiedThenUnderStoreLock(version, canaryStart(version, percent));
    }

    /**
     * As {@link #startCanary(String, int)} for the version of {@code opened}, which is not verified again when this
     * store object opened it and it is still open (as {@link #activateReporting(Snapshot)}).
     */
    public Optional<Canary> startCanary(Snapshot opened, int percent) throws IOException {
        new Canary(opened.version(), percent);
        return verifiedUnlessOpenedHere(opened, canaryStart(opened.version(), percent));
    }

    private StoreAction<Optional<Canary>> canaryStart(String version, int percent) {
        return () -> {
            // Read under the lock: an activate may have moved CURRENT since the caller looked.
            Optional<String> current;
            try {
                current = currentVersion();
            } catch (CorruptSnapshotException e) {
                throw new IllegalStateException("the CURRENT of store " + dir + " names no version ("
                        + e.getMessage() + "): a canary is compared with CURRENT, activate a version first");
            }
            if (current.isEmpty()) {
                throw new IllegalStateException("store " + dir + " has no CURRENT version: a canary is compared "
                        + "with CURRENT, activate one first");
            }
            if (current.get().equals(version)) {
                throw new IllegalStateException("version " + version + " is CURRENT in store " + dir
                        + ": it already serves every customer; a canary is another version");
            }
            Optional<Canary> previous = canaryOrEmpty();
            writePointer(CANARY, version + " " + percent);
            return previous;
        };
    }

    /**
     * Ends the canary: CANARY is removed under the store lock (a damaged one too: this is how it is repaired).
     *
     * @return the canary it named (empty if there was none, or it was damaged)
     */
    public Optional<Canary> stopCanary() throws IOException {
        return underStoreLock(() -> {
            Optional<Canary> previous = canaryOrEmpty();
            removeCanaryFile();
            return previous;
        });
    }

    private void removeCanaryFile() throws IOException {
        // An empty directory named CANARY (damage) goes too; a non-empty one is not the store's to empty, and
        // fails here naming it.
        if (Files.deleteIfExists(dir.resolve(CANARY))) {
            FileSync.fsync(dir);
        }
    }

    /** CANARY's canary, or empty when it is missing or damaged. */
    private Optional<Canary> canaryOrEmpty() throws IOException {
        try {
            return canary();
        } catch (CorruptSnapshotException e) {
            return Optional.empty();
        }
    }

    /** The training lock of a store, held by one run at a time; closing releases it. */
    public interface TrainingLock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Takes the store's training lock for the run {@code run} names (e.g. "affinity train"), or throws a
     * {@link StoreBusyException} naming the run that holds it: a training run holds it from before its carry-over
     * checks (which read CURRENT's manifest) until its publish has moved CURRENT, so that no other run publishes in
     * between. The operating system releases the lock of a process that dies.
     */
    public TrainingLock lockForTraining(String run) throws IOException {
        return TrainingLockFile.acquire(dir, run);
    }

    /** Starts building a new snapshot; also removes temp dirs of long-abandoned publishes. */
    public SnapshotBuilder newSnapshot() throws IOException {
        cleanStaleTempDirs();
        return new SnapshotBuilder(this);
    }

    private void requireKnown(String version) throws IOException {
        if (version == null || !VERSION_ID.matcher(version).matches()) {
            throw new IllegalArgumentException("not a version id: " + version);
        }
        Path versionDir = dir.resolve(version);
        if (!Files.isDirectory(versionDir)) {
            // A store that cannot be read (unmounted, gone, replaced) is a failure to retry, not an unknown version:
            // the operator would look for a typo in a version the store still holds.
            if (!Files.isDirectory(dir)) {
                throw Files.exists(dir) ? new NotDirectoryException(dir.toString())
                        : new NoSuchFileException(dir.toString());
            }
            throw new IllegalArgumentException("unknown version " + version + " in store " + dir);
        }
    }

    // ------------------------------------------------------------------ retention

    /** Why a directory of the store is not listed by {@link #versions()}. */
    public enum SkippedKind {
        /** {@code .tmp-*}: a publish in progress, or abandoned (removed once its process is gone). */
        PUBLISHING("publish in progress or abandoned"),
        /** {@code .deleting-*}: a deletion in progress, or interrupted (removed by the next prune). */
        DELETING("deletion in progress or interrupted"),
        /** Named like a version but without a manifest: incomplete or damaged, never touched by prune. */
        INCOMPLETE("named like a version but has no manifest");

        private final String description;

        SkippedKind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** A directory of the store that is not a version. */
    public record Skipped(String name, SkippedKind kind) {
    }

    /**
     * The directories {@link #versions()} skips: temp dirs of publishes, directories of deletions, and
     * version-named entries without a manifest; sorted by name. Other names (files such as the journals, or
     * directories someone else put here) are not the store's and are not reported.
     */
    public List<Skipped> skipped() throws IOException {
        List<Skipped> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(TMP_PREFIX) && Files.isDirectory(p)) {
                    out.add(new Skipped(name, SkippedKind.PUBLISHING));
                } else if (name.startsWith(DELETING_PREFIX) && Files.isDirectory(p)) {
                    out.add(new Skipped(name, SkippedKind.DELETING));
                } else if (VERSION_ID.matcher(name).matches()
                        && !(Files.isDirectory(p) && Files.isRegularFile(p.resolve(Snapshot.MANIFEST)))) {
                    out.add(new Skipped(name, SkippedKind.INCOMPLETE));
                }
            }
        }
        out.sort(Comparator.comparing(Skipped::name));
        return out;
    }

    /** Bytes of a published version: the lengths of its files (the bytes deleting it frees, sparse files aside). */
    public long bytes(String version) throws IOException {
        requireKnown(version);
        return treeBytes(dir.resolve(version));
    }

    /** A removed (or, in a dry run, removable) directory and the bytes of its files. */
    public record Removal(String name, long bytes) {
    }

    /**
     * Deletes a published version that neither CURRENT nor CANARY names, crash-safely: under the store lock CURRENT
     * and CANARY are read again and the directory renamed to {@code .deleting-...} (then the store directory is fsynced), so that from
     * then on no reader lists it; only then are its files removed. A crash or failure part-way leaves that
     * unlisted directory behind, which the next {@link #prune} removes. A process that has the version open keeps
     * reading it (POSIX unlink semantics) until it closes it.
     *
     * @throws IllegalArgumentException for an unknown version
     * @throws IllegalStateException    when CURRENT or CANARY names the version
     * @throws CorruptSnapshotException when CURRENT holds no version id, or CANARY is damaged: which version is in
     *                                  use is unknown, so nothing is deleted
     */
    public Removal delete(String version) throws IOException {
        requireKnown(version);
        InUse inUse = new InUse();
        return deleteUnlessInUse(version, inUse).orElseThrow(() -> new IllegalStateException("version " + version
                + (inUse.reason == KeepReason.CANARY
                ? " is the canary in store " + dir + ": stop the canary (or promote it) before deleting it"
                : " is CURRENT in store " + dir + ": activate another version before deleting it")));
    }

    /** Why {@link #deleteUnlessInUse} left a version: CURRENT or CANARY named it. */
    private static final class InUse {
        KeepReason reason;
    }

    /** Empty (and nothing touched, the reason in {@code inUse}) when CURRENT or CANARY names {@code version}. */
    private Optional<Removal> deleteUnlessInUse(String version, InUse inUse) throws IOException {
        Path versionDir = dir.resolve(version);
        Path doomed = underStoreLock(() -> {
            // Read again right before the rename: a train publish, an activate or a canary may have moved CURRENT
            // or CANARY since the caller decided. An unreadable one throws: with it, which version is in use is
            // unknown.
            if (currentVersion().filter(version::equals).isPresent()) {
                inUse.reason = KeepReason.CURRENT;
                return null;
            }
            if (canary().filter(c -> c.version().equals(version)).isPresent()) {
                inUse.reason = KeepReason.CANARY;
                return null;
            }
            if (!Files.isDirectory(versionDir)) {
                throw new IllegalArgumentException("unknown version " + version + " in store " + dir
                        + " (deleted meanwhile?)");
            }
            byte[] r = new byte[3];
            RANDOM.nextBytes(r);
            Path target = dir.resolve(DELETING_PREFIX + version + "-" + HexFormat.of().formatHex(r));
            try {
                Files.move(versionDir, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("file system of " + dir + " cannot rename atomically", e);
            }
            FileSync.fsync(dir);
            return target;
        });
        if (doomed == null) {
            return Optional.empty();
        }
        long bytes = treeBytes(doomed);
        try {
            FileSync.deleteRecursively(doomed);
        } catch (UncheckedIOException e) { // Files.walk's way of failing
            throw e.getCause();
        }
        return Optional.of(new Removal(version, bytes));
    }

    /** Why {@link #prune} keeps a version. */
    public enum KeepReason {
        /** One of the {@code keep} newest versions. */
        NEWEST,
        /** The version CURRENT names (kept in addition to the newest). */
        CURRENT,
        /** The version CANARY names (kept in addition to the newest): a staged rollout serves it. */
        CANARY,
        /** Newer than CURRENT: a candidate staged for roll-forward, or the version just rolled back from. */
        NEWER_THAN_CURRENT
    }

    /** A version prune keeps, with the first reason that applies (current, canary, newest, then newer). */
    public record Kept(String version, KeepReason reason) {
    }

    /**
     * What {@link #prune} did (or, with {@code dryRun}, would do).
     *
     * @param kept      versions left in place, oldest first
     * @param removed   versions deleted (or to delete), oldest first
     * @param spared    versions planned for deletion that CURRENT or CANARY named by the time their turn came (an
     *                  activate or a canary ran meanwhile): left in place
     * @param leftovers {@code .deleting-*} directories of interrupted deletions, {@code .tmp-*} directories of
     *                  publishes whose process is gone (with their lock files, and lock files left alone), removed
     *                  (or to remove)
     */
    public record PruneResult(boolean dryRun, List<Kept> kept, List<Removal> removed, List<String> spared,
                              List<Removal> leftovers) {
        public PruneResult {
            kept = List.copyOf(kept);
            removed = List.copyOf(removed);
            spared = List.copyOf(spared);
            leftovers = List.copyOf(leftovers);
        }

        /** Bytes freed (or that would be): removed versions and leftovers. */
        public long bytes() {
            return Stream.concat(removed.stream(), leftovers.stream()).mapToLong(Removal::bytes).sum();
        }
    }

    /**
     * Retention: deletes every version but the {@code keep} newest, never the CURRENT one nor the canary (both kept
     * besides the {@code keep}) and, unless {@code includeNewer}, never one newer than CURRENT (after a rollback
     * those are the versions rolled back from, or candidates published but not activated yet); deletions as
     * {@link #delete}. Also removes what interrupted deletions and long-abandoned publishes left behind. Needs a
     * readable CURRENT, and a readable CANARY when there is one: without them, which versions servers use is
     * unknown.
     */
    public PruneResult prune(int keep, boolean includeNewer, boolean dryRun) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, was " + keep);
        }
        String current = currentVersion().orElseThrow(() -> new IllegalStateException("store " + dir
                + " has no CURRENT version: prune needs it to know which version is in use"));
        // A damaged CANARY throws here (CorruptSnapshotException naming it): canary --stop repairs it.
        String canary = canary().map(Canary::version).orElse(null);
        List<String> all = versions();
        List<Kept> kept = new ArrayList<>();
        List<String> doomed = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String v = all.get(i);
            if (v.equals(current)) {
                kept.add(new Kept(v, KeepReason.CURRENT));
            } else if (v.equals(canary)) {
                kept.add(new Kept(v, KeepReason.CANARY));
            } else if (i >= all.size() - keep) {
                kept.add(new Kept(v, KeepReason.NEWEST));
            } else if (!includeNewer && v.compareTo(current) > 0) {
                kept.add(new Kept(v, KeepReason.NEWER_THAN_CURRENT));
            } else {
                doomed.add(v);
            }
        }
        List<Removal> removed = new ArrayList<>();
        List<String> spared = new ArrayList<>();
        List<Kept> sparedKept = new ArrayList<>();
        List<Removal> leftovers = removeLeftovers(dryRun);
        for (String v : doomed) {
            if (dryRun) {
                removed.add(new Removal(v, treeBytes(dir.resolve(v))));
                continue;
            }
            beforePruneDelete.accept(v);
            Optional<Removal> r;
            InUse inUse = new InUse();
            try {
                r = deleteUnlessInUse(v, inUse);
            } catch (IllegalArgumentException gone) {
                continue; // deleted by a concurrent prune: not ours to report
            }
            if (r.isPresent()) {
                removed.add(r.get());
            } else {
                spared.add(v);
                sparedKept.add(new Kept(v, inUse.reason));
            }
        }
        if (dryRun) {
            return new PruneResult(true, kept, removed, spared, leftovers);
        }
        // Versions spared because they became CURRENT or the canary are kept too; report the final state.
        List<Kept> finalKept = new ArrayList<>(kept);
        finalKept.addAll(sparedKept);
        finalKept.sort(Comparator.comparing(Kept::version));
        return new PruneResult(false, finalKept, removed, spared, leftovers);
    }

    /**
     * Removes (or measures, in a dry run) {@code .deleting-*} dirs, the {@code .tmp-*} dirs of publishes that are
     * gone ({@link #removeAbandonedPublishes}) and stale pointer temp files.
     */
    private List<Removal> removeLeftovers(boolean dryRun) throws IOException {
        Instant cutoff = Instant.now().minus(STALE_TMP_AGE);
        List<Removal> out = new ArrayList<>();
        for (Skipped s : skipped()) {
            if (s.kind() != SkippedKind.DELETING) {
                continue; // an INCOMPLETE one is not ours to judge (maybe a copy in progress)
            }
            try {
                out.add(remove(dir.resolve(s.name()), dryRun));
            } catch (NoSuchFileException e) {
                // removed meanwhile by a concurrent prune: nothing left to do
            }
        }
        out.addAll(removeAbandonedPublishes(cutoff, dryRun, false));
        out.sort(Comparator.comparing(Removal::name));
        out.addAll(removeStalePointerTemps(cutoff, dryRun));
        return out;
    }

    /** Removes (or measures, in a dry run) a directory; its name and the bytes of its files. */
    private Removal remove(Path p, boolean dryRun) throws IOException {
        long bytes = treeBytes(p);
        if (!dryRun) {
            try {
                FileSync.deleteRecursively(p);
            } catch (UncheckedIOException e) { // Files.walk's way of failing
                throw e.getCause();
            }
        }
        return new Removal(p.getFileName().toString(), bytes);
    }

    /**
     * The temp dirs of publishes whose process is gone, removed (or measured, in a dry run), and the lock files of
     * publishes that left no directory; a live publish's directory is left alone however old it looks, since a clock
     * stepped forward makes it look old ({@link PublishLock}). A temp dir without a lock file, which an older
     * Affinity's publish leaves, is judged by its age as before: removed once older than {@code cutoff}.
     *
     * @param bestEffort go on past an entry that cannot be removed (the next publish's clean-up), rather than fail
     */
    private List<Removal> removeAbandonedPublishes(Instant cutoff, boolean dryRun, boolean bestEffort)
            throws IOException {
        List<String> dirs = new ArrayList<>();
        List<String> lockFiles = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(name);
                } else if (PublishLock.tempDirOf(name) != null && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    lockFiles.add(name);
                }
            }
        }
        List<Removal> out = new ArrayList<>();
        for (String name : dirs) {
            Path p = dir.resolve(name);
            try {
                Removal[] removed = {null};
                PublishLock.Publisher publisher = PublishLock.ifGone(dir, name, !dryRun,
                        () -> removed[0] = remove(p, dryRun));
                if (publisher == PublishLock.Publisher.UNKNOWN
                        && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    removed[0] = remove(p, dryRun);
                }
                if (removed[0] != null) {
                    out.add(removed[0]);
                }
            } catch (NoSuchFileException e) {
                // removed meanwhile by a concurrent prune or publish: nothing left to do
            } catch (IOException e) {
                if (!bestEffort) {
                    throw e;
                }
            }
        }
        for (String name : lockFiles) {
            String tempDir = PublishLock.tempDirOf(name);
            if (dirs.contains(tempDir) || Files.exists(dir.resolve(tempDir), LinkOption.NOFOLLOW_LINKS)) {
                continue; // judged with its directory, or a publish that made its directory since the listing
            }
            try {
                // a publish killed before it made its directory, or after it renamed it
                if (PublishLock.ifGone(dir, tempDir, !dryRun, () -> { }) == PublishLock.Publisher.GONE) {
                    out.add(new Removal(name, 0));
                }
            } catch (IOException e) {
                if (!bestEffort) {
                    throw e;
                }
            }
        }
        return out;
    }

    /**
     * {@code CURRENT.tmp-*} and {@code CANARY.tmp-*} files older than {@code cutoff}: a pointer write killed between
     * its write and its rename (the instant is short, the file tiny, but nothing else would ever remove it).
     */
    private List<Removal> removeStalePointerTemps(Instant cutoff, boolean dryRun) throws IOException {
        List<Removal> out = new ArrayList<>();
        for (String pointer : List.of(CURRENT, CANARY)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pointer + ".tmp-*")) {
                for (Path p : ds) {
                    try {
                        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                                && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                            long bytes = Files.size(p);
                            if (!dryRun) {
                                Files.delete(p);
                            }
                            out.add(new Removal(p.getFileName().toString(), bytes));
                        }
                    } catch (NoSuchFileException e) {
                        // removed meanwhile by a concurrent cleaner
                    }
                }
            }
        }
        return out;
    }

    private static long treeBytes(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** CURRENT's version, or empty when it is missing or holds no version id. */
    private Optional<String> currentOrEmpty() throws IOException {
        try {
            return currentVersion();
        } catch (CorruptSnapshotException e) {
            return Optional.empty();
        }
    }

    interface PointerWriteHook {
        void before(String pointer) throws IOException;
    }

    private interface StoreAction<T> {
        T run() throws IOException;
    }

    /**
     * Verifies {@code version} fully (outside the lock: it takes seconds), then runs {@code action} under the store
     * lock once the version is seen still there. A concurrent delete (another process's prune) either renamed the
     * directory away before the lock, and the version is refused, or sees the pointer {@code action} writes naming
     * it and leaves it alone.
     */
    private <T> T verifiedThenUnderStoreLock(String version, StoreAction<T> action) throws IOException {
        requireKnown(version);
        try (Snapshot ignored = openAndVerify(version)) {
            // verified
        }
        return underStoreLockIfPresent(version, action);
    }

    /** Runs {@code action} under the store's lock unless {@code version}'s directory is gone. */
    private <T> T underStoreLockIfPresent(String version, StoreAction<T> action) throws IOException {
        return underStoreLock(() -> {
            if (!Files.isDirectory(dir.resolve(version))) {
                throw new IllegalArgumentException("version " + version + " in store " + dir
                        + " was deleted while it was being verified");
            }
            return action.run();
        });
    }

    /** Runs {@code action} holding the store's lock file (and, within this JVM, {@link #PROCESS_LOCK}). */
    private <T> T underStoreLock(StoreAction<T> action) throws IOException {
        synchronized (PROCESS_LOCK) {
            try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                return action.run();
            }
        }
    }

    // ------------------------------------------------------------------ publishing (package-private)

    /**
     * A new version id for a version published at {@code now}: its time, or, when the newest version in the store
     * (or the last id given out here) is as late or later, 1 ms after that one. Ids then sort in publish order
     * whatever the clock did: a clock stepped back between two runs (NTP correcting one that ran fast, a virtual
     * machine restored from a snapshot) otherwise dated the later version earlier, and the listing, prune's newest
     * N and its "newer than CURRENT" all took it for an old one. The manifest keeps the clock's time.
     */
    String newVersionId(Instant now) throws IOException {
        synchronized (lock) {
            String newest = lastVersionId;
            List<String> published = versions();
            for (int i = published.size() - 1; i >= 0; i--) {
                // the newest whose id is a time (a directory named like a version by hand may hold no date)
                if (idTime(published.get(i)).isPresent()) {
                    if (published.get(i).compareTo(newest) > 0) {
                        newest = published.get(i);
                    }
                    break;
                }
            }
            Instant start = now;
            Optional<Instant> newestTime = idTime(newest);
            if (newestTime.isPresent() && !now.isAfter(newestTime.get())) {
                start = newestTime.get().plusMillis(1);
            }
            for (int attempt = 0; ; attempt++) {
                Instant t = start.plusMillis(attempt);
                int millis = t.getNano() / 1_000_000;
                String id = ID_TIME.format(t) + "-" + String.format("%03x%03x", millis, RANDOM.nextInt(0x1000));
                if (id.compareTo(newest) > 0 && !Files.exists(dir.resolve(id))) {
                    lastVersionId = id;
                    return id;
                }
            }
        }
    }

    /** The time a version id gives (to the millisecond), or empty for one that is not a version id. */
    static Optional<Instant> idTime(String id) {
        if (!VERSION_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        try {
            Instant seconds = java.time.LocalDateTime.parse(id.substring(0, 15),
                    DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")).toInstant(ZoneOffset.UTC);
            // a millisecond field above 999 (an id written by hand) counts as the second's last millisecond
            return Optional.of(seconds.plusMillis(Math.min(999, Integer.parseInt(id.substring(16, 19), 16))));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A fresh temp dir to publish into, with the lock that tells cleaners its publish is alive. */
    PublishLock newTempDir() throws IOException {
        return PublishLock.newTempDir(dir);
    }

    /** Renames a verified temp dir to its version dir, fsyncs, and optionally switches CURRENT. */
    void commit(Path tmp, String version, boolean activate) throws IOException {
        Path target = dir.resolve(version);
        synchronized (lock) {
            if (Files.exists(target)) {
                throw new IllegalStateException("version directory already exists: " + target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            FileSync.fsync(dir);
        }
        if (activate) {
            try {
                writeCurrent(version);
            } catch (IOException e) {
                String current;
                try {
                    current = currentVersion().orElse("no version (the store had no CURRENT)");
                } catch (IOException | RuntimeException unreadable) {
                    current = "what it named before (" + unreadable.getMessage() + ")";
                }
                throw new PublishedNotActivatedException(version, dir, current, e);
            }
        }
    }

    private void writeCurrent(String version) throws IOException {
        writePointer(CURRENT, version);
    }

    /** Replaces the pointer file {@code name} (CURRENT or CANARY) with one line: temp file, fsync, rename, fsync. */
    private void writePointer(String name, String line) throws IOException {
        synchronized (lock) {
            beforePointerWrite.before(name);
            byte[] r = new byte[6];
            RANDOM.nextBytes(r);
            // unique temp name: concurrent writers (other processes) never write the same temp file
            Path tmp = dir.resolve(name + ".tmp-" + HexFormat.of().formatHex(r));
            try {
                Files.write(tmp, (line + "\n").getBytes(StandardCharsets.UTF_8));
                FileSync.fsync(tmp);
                try {
                    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("file system of " + dir + " cannot rename atomically", e);
                }
                FileSync.fsync(dir);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private void cleanStaleTempDirs() throws IOException {
        Instant cutoff = Instant.now().minus(STALE_TMP_AGE);
        removeStalePointerTemps(cutoff, false);
        // best effort: a concurrent cleaner may have removed an entry, and a publish does not fail over leftovers
        removeAbandonedPublishes(cutoff, false, true);
    }

    private static String abbreviate(String s) {
        // control characters (garbage in CURRENT) would garble the log line the message ends up in
        s = s.replaceAll("\\p{Cntrl}", "?");
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static String affinityVersion() {
        Properties p = new Properties();
        try (InputStream in = ModelStore.class.getResourceAsStream("affinity-store.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // fall through
        }
        return softwareVersion(p);
    }

    /**
     * The project version with the commit it was built from as semver build metadata, {@code 0.1.0-SNAPSHOT+1f569fa},
     * and {@code .dirty} when the tree had uncommitted changes: every snapshot build is then traceable to its code,
     * which the bare project version (the same for every build) was not. Built outside a git checkout, the commit
     * placeholder stays unfilled and the project version alone is given.
     */
    static String softwareVersion(Properties build) {
        String version = build.getProperty("version", "unknown");
        String commit = build.getProperty("commit", "");
        if (!commit.matches("[0-9a-f]{7,40}")) {
            return version;
        }
        return version + "+" + commit + ("true".equals(build.getProperty("dirty")) ? ".dirty" : "");
    }

    @Override
    public String toString() {
        return "ModelStore[" + dir + "]";
    }
}
