package io.affinity.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * </pre>
 * Version ids are {@code yyyyMMdd-HHmmss-MMMRRR} in UTC: MMM the millisecond of the second and RRR random, both
 * hex, so ids sort by time (to the millisecond) and are unique within a second.
 * Methods throw {@link IOException} for I/O failures and {@link SnapshotException}s for unusable snapshots.
 */
public final class ModelStore {
    static final String CURRENT = "CURRENT";
    static final String TMP_PREFIX = ".tmp-";
    static final Pattern VERSION_ID = Pattern.compile("\\d{8}-\\d{6}-[0-9a-f]{6}");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /** Temp dirs older than this are considered abandoned and removed by the next builder. */
    private static final Duration STALE_TMP_AGE = Duration.ofHours(6);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Object lock = new Object();
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
     */
    public void activate(String version) throws IOException {
        requireKnown(version);
        try (Snapshot ignored = openVerified(version)) {
            // verified
        }
        writeCurrent(version);
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
