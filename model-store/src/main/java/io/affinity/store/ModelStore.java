package io.affinity.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.regex.Pattern;

/**
 * A directory of immutable model snapshots plus a {@code CURRENT} file naming the active one.
 *
 * <pre>
 * store/
 *   CURRENT                      one line: the active version id
 *   20261123-101500-1f43a9/      one directory per published version (see {@link Snapshot})
 *     items.cmap rules.cmap customers.cmap popular.bin manifest.json
 *   .tmp-3c9e.../                a publish in progress or abandoned: ignored by readers
 *   .deleting-20261120-.../      a version being deleted (or whose deletion was interrupted): ignored by readers
 *   CURRENT.lock                 taken while CURRENT is switched by activate or a version is deleted
 * </pre>
 * Version ids are {@code yyyyMMdd-HHmmss-MMMRRR} in UTC: MMM the millisecond of the second and RRR random, both
 * hex, so ids sort by time (to the millisecond) and are unique within a second.
 * Methods throw {@link IOException} for I/O failures and {@link SnapshotException}s for unusable snapshots.
 */
public final class ModelStore {
    static final String CURRENT = "CURRENT";
    static final String TMP_PREFIX = ".tmp-";
    /**
     * A version is deleted by renaming its directory to this prefix first (one atomic step, after which no reader
     * sees it as a version), then removing the files: a crash part-way leaves a directory nobody lists, which the
     * next {@link #prune} removes, never a half-deleted version.
     */
    static final String DELETING_PREFIX = ".deleting-";
    /** Lock file serialising CURRENT switches by {@link #activate} with {@link #delete}s, across processes. */
    static final String LOCK = "CURRENT.lock";
    static final Pattern VERSION_ID = Pattern.compile("\\d{8}-\\d{6}-[0-9a-f]{6}");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /** Temp dirs older than this are considered abandoned and removed by the next builder. */
    private static final Duration STALE_TMP_AGE = Duration.ofHours(6);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * File locks belong to the process, so two threads (or two ModelStore instances on one directory) of one JVM
     * would not exclude each other through {@link #LOCK} (the JDK throws instead): they queue here first.
     */
    private static final Object PROCESS_LOCK = new Object();

    private final Path dir;
    private final Object lock = new Object();
    /** Test hook: called by prune with each version right before it is deleted. */
    java.util.function.Consumer<String> beforePruneDelete = v -> { };
    private String lastVersionId = "";

    private ModelStore(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating if missing) the store directory. */
    public static ModelStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new ModelStore(dir.toAbsolutePath().normalize());
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

    private Snapshot openVerified(String version) throws IOException {
        Path versionDir = dir.resolve(version);
        if (!Files.isDirectory(versionDir)) {
            throw new CorruptSnapshotException(versionDir, "snapshot directory missing");
        }
        return Snapshot.open(versionDir, version);
    }

    /**
     * Makes {@code version} the active one, atomically. The snapshot is fully verified first (manifest, lengths,
     * checksums, map counts); an unknown or unverifiable version is refused and CURRENT stays as it was.
     *
     * @return the version CURRENT named just before (empty if none, or if it held no version id)
     */
    public Optional<String> activate(String version) throws IOException {
        requireKnown(version);
        try (Snapshot ignored = openVerified(version)) {
            // verified
        }
        // Under the store lock: a concurrent delete (another process's prune) either renamed the directory away
        // before this point, and the version is refused here, or sees CURRENT naming it and leaves it alone.
        return underStoreLock(() -> {
            if (!Files.isDirectory(dir.resolve(version))) {
                throw new IllegalArgumentException("version " + version + " in store " + dir
                        + " was deleted while it was being verified");
            }
            Optional<String> previous = currentOrEmpty();
            writeCurrent(version);
            return previous;
        });
    }

    /** Starts building a new snapshot; also removes temp dirs of long-abandoned publishes. */
    public SnapshotBuilder newSnapshot() throws IOException {
        cleanStaleTempDirs();
        return new SnapshotBuilder(this);
    }

    private void requireKnown(String version) {
        if (version == null || !VERSION_ID.matcher(version).matches()) {
            throw new IllegalArgumentException("not a version id: " + version);
        }
        Path versionDir = dir.resolve(version);
        if (!Files.isDirectory(versionDir)) {
            throw new IllegalArgumentException("unknown version " + version + " in store " + dir);
        }
    }

    // ------------------------------------------------------------------ retention

    /** Why a directory of the store is not listed by {@link #versions()}. */
    public enum SkippedKind {
        /** {@code .tmp-*}: a publish in progress, or abandoned (removed once 6 hours old). */
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
        out.sort(java.util.Comparator.comparing(Skipped::name));
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
     * Deletes a published version that CURRENT does not name, crash-safely: under the store lock CURRENT is read
     * again and the directory renamed to {@code .deleting-...} (then the store directory is fsynced), so that from
     * then on no reader lists it; only then are its files removed. A crash or failure part-way leaves that
     * unlisted directory behind, which the next {@link #prune} removes. A process that has the version open keeps
     * reading it (POSIX unlink semantics) until it closes it.
     *
     * @throws IllegalArgumentException for an unknown version
     * @throws IllegalStateException    when CURRENT names the version
     * @throws CorruptSnapshotException when CURRENT holds no version id: which version is in use is unknown, so
     *                                  nothing is deleted
     */
    public Removal delete(String version) throws IOException {
        requireKnown(version);
        return deleteUnlessCurrent(version).orElseThrow(() -> new IllegalStateException("version " + version
                + " is CURRENT in store " + dir + ": activate another version before deleting it"));
    }

    /** Empty (and nothing touched) when CURRENT names {@code version}. */
    private Optional<Removal> deleteUnlessCurrent(String version) throws IOException {
        Path versionDir = dir.resolve(version);
        Path doomed = underStoreLock(() -> {
            // Read again right before the rename: a train publish or an activate may have moved CURRENT since the
            // caller decided. An unreadable CURRENT throws: with it, which version is in use is unknown.
            if (currentVersion().filter(version::equals).isPresent()) {
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
        /** Newer than CURRENT: a candidate staged for roll-forward, or the version just rolled back from. */
        NEWER_THAN_CURRENT
    }

    /** A version prune keeps, with the first reason that applies (current, then newest, then newer). */
    public record Kept(String version, KeepReason reason) {
    }

    /**
     * What {@link #prune} did (or, with {@code dryRun}, would do).
     *
     * @param kept      versions left in place, oldest first
     * @param removed   versions deleted (or to delete), oldest first
     * @param spared    versions planned for deletion that CURRENT named by the time their turn came (an activate
     *                  ran meanwhile): left in place
     * @param leftovers {@code .deleting-*} directories of interrupted deletions and {@code .tmp-*} directories of
     *                  publishes abandoned over 6 hours ago, removed (or to remove)
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
     * Retention: deletes every version but the {@code keep} newest, never the CURRENT one (kept besides the
     * {@code keep}) and, unless {@code includeNewer}, never one newer than CURRENT (after a rollback those are the
     * versions rolled back from, or candidates published but not activated yet); deletions as {@link #delete}.
     * Also removes what interrupted deletions and long-abandoned publishes left behind. Needs a readable CURRENT:
     * without one, which version servers use is unknown.
     */
    public PruneResult prune(int keep, boolean includeNewer, boolean dryRun) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, was " + keep);
        }
        String current = currentVersion().orElseThrow(() -> new IllegalStateException("store " + dir
                + " has no CURRENT version: prune needs it to know which version is in use"));
        List<String> all = versions();
        List<Kept> kept = new ArrayList<>();
        List<String> doomed = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String v = all.get(i);
            if (v.equals(current)) {
                kept.add(new Kept(v, KeepReason.CURRENT));
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
        List<Removal> leftovers = removeLeftovers(dryRun);
        for (String v : doomed) {
            if (dryRun) {
                removed.add(new Removal(v, treeBytes(dir.resolve(v))));
                continue;
            }
            beforePruneDelete.accept(v);
            Optional<Removal> r;
            try {
                r = deleteUnlessCurrent(v);
            } catch (IllegalArgumentException gone) {
                continue; // deleted by a concurrent prune: not ours to report
            }
            if (r.isPresent()) {
                removed.add(r.get());
            } else {
                spared.add(v);
            }
        }
        if (dryRun) {
            return new PruneResult(true, kept, removed, spared, leftovers);
        }
        // Versions spared because they became CURRENT are kept too; report the final state.
        List<Kept> finalKept = new ArrayList<>(kept);
        spared.forEach(v -> finalKept.add(new Kept(v, KeepReason.CURRENT)));
        finalKept.sort(java.util.Comparator.comparing(Kept::version));
        return new PruneResult(false, finalKept, removed, spared, leftovers);
    }

    /** Removes (or measures, in a dry run) {@code .deleting-*} dirs and {@code .tmp-*} dirs over 6 hours old. */
    private List<Removal> removeLeftovers(boolean dryRun) throws IOException {
        Instant cutoff = Instant.now().minus(STALE_TMP_AGE);
        List<Removal> out = new ArrayList<>();
        for (Skipped s : skipped()) {
            Path p = dir.resolve(s.name());
            try {
                boolean stale = switch (s.kind()) {
                    case DELETING -> true;
                    case PUBLISHING -> Files.getLastModifiedTime(p).toInstant().isBefore(cutoff);
                    case INCOMPLETE -> false; // not ours to judge: maybe a copy in progress
                };
                if (!stale) {
                    continue;
                }
                long bytes = treeBytes(p);
                if (!dryRun) {
                    try {
                        FileSync.deleteRecursively(p);
                    } catch (UncheckedIOException e) { // Files.walk's way of failing
                        throw e.getCause();
                    }
                }
                out.add(new Removal(s.name(), bytes));
            } catch (NoSuchFileException e) {
                // removed meanwhile by a concurrent prune or publish: nothing left to do
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

    private interface StoreAction<T> {
        T run() throws IOException;
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

    String newVersionId(Instant now) {
        synchronized (lock) {
            for (int attempt = 0; ; attempt++) {
                Instant t = now.plusMillis(attempt);
                int millis = t.getNano() / 1_000_000;
                String id = ID_TIME.format(t) + "-" + String.format("%03x%03x", millis, RANDOM.nextInt(0x1000));
                if (id.compareTo(lastVersionId) > 0 && !Files.exists(dir.resolve(id))) {
                    lastVersionId = id;
                    return id;
                }
            }
        }
    }

    Path newTempDir() throws IOException {
        byte[] r = new byte[8];
        RANDOM.nextBytes(r);
        return Files.createDirectory(dir.resolve(TMP_PREFIX + HexFormat.of().formatHex(r)));
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
            writeCurrent(version);
        }
    }

    private void writeCurrent(String version) throws IOException {
        synchronized (lock) {
            byte[] r = new byte[6];
            RANDOM.nextBytes(r);
            // unique temp name: concurrent activations (other processes) never write the same temp file
            Path tmp = dir.resolve(CURRENT + ".tmp-" + HexFormat.of().formatHex(r));
            try {
                Files.write(tmp, (version + "\n").getBytes(StandardCharsets.UTF_8));
                FileSync.fsync(tmp);
                try {
                    Files.move(tmp, dir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
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
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
            for (Path p : ds) {
                try {
                    FileTime mtime = Files.getLastModifiedTime(p);
                    if (mtime.toInstant().isBefore(cutoff)) {
                        FileSync.deleteRecursively(p);
                    }
                } catch (IOException ignored) {
                    // best effort: a concurrent cleaner may have removed it
                }
            }
        }
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
        return p.getProperty("version", "unknown");
    }

    @Override
    public String toString() {
        return "ModelStore[" + dir + "]";
    }
}
