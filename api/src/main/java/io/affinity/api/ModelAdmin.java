package io.affinity.api;

import io.affinity.store.Manifest;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link SwappableModelSource} in step with a {@link ModelStore}: loads the version CURRENT names
 * (on demand or by watching), activates another version (roll back or forward), lists versions. A snapshot is
 * opened and fully verified before it is installed, so one that fails verification is refused and the model
 * being served stays. Operations are serialised; requests are never blocked by them.
 */
public final class ModelAdmin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelAdmin.class);

    private final ModelStore store;
    private final SwappableModelSource source;
    private final Function<Snapshot, ServedModel> serve;
    private final Object lock = new Object();
    private ScheduledExecutorService watcher;
    /** The CURRENT version whose loading last failed, so the watcher reports it once, not every tick. */
    private volatile String lastRefused;
    /** The files of {@link #lastRefused} when it was refused: the watcher retries it once they change. */
    private volatile String refusedFiles;
    /** Why CURRENT was last unreadable (it names the content), so each distinct content is reported once. */
    private volatile String lastBadCurrent;

    /** @param serve turns a verified snapshot into the model served (scorer, summary) */
    public ModelAdmin(ModelStore store, SwappableModelSource source, Function<Snapshot, ServedModel> serve) {
        this.store = Objects.requireNonNull(store, "store");
        this.source = Objects.requireNonNull(source, "source");
        this.serve = Objects.requireNonNull(serve, "serve");
    }

    public SwappableModelSource source() {
        return source;
    }

    /** What a reload or activation did. */
    public record Change(String previousVersion, String activeVersion, boolean changed) {
    }

    /** One version of the store, with its manifest. */
    public record VersionInfo(String version, boolean current, boolean serving, Manifest manifest) {
    }

    /** CURRENT names no version to load: it is missing, empty or holds something else. */
    public static final class NothingToLoadException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NothingToLoadException(String message) {
            super(message);
        }
    }

    /**
     * Serves the version CURRENT names if it is not the one being served. Throws {@link SnapshotException} when
     * it fails verification (the model being served stays), {@link NothingToLoadException} when CURRENT is
     * missing, empty or holds no version id.
     */
    public Change reload() throws IOException {
        synchronized (lock) {
            String wanted;
            try {
                wanted = store.currentVersion().orElseThrow(
                        () -> new NothingToLoadException("the model store has no CURRENT version yet"));
            } catch (SnapshotException e) {
                // No snapshot was opened, so none "failed verification": the pointer itself is unusable.
                throw new NothingToLoadException("the model store's CURRENT names no version to load: "
                        + e.getMessage());
            }
            String serving = servingVersion();
            if (wanted.equals(serving)) {
                return new Change(serving, serving, false);
            }
            Snapshot opened;
            try {
                opened = store.open(wanted);
            } catch (IllegalArgumentException e) {
                // A 404 would read as "no such endpoint": the pointer names a version the store does not hold.
                throw new NothingToLoadException("the model store's CURRENT names version " + wanted
                        + ", which the store does not hold (deleted, or CURRENT written by hand?)");
            }
            install(opened);
            return new Change(serving, wanted, true);
        }
    }

    /**
     * Makes {@code version} the store's CURRENT (verifying it) and serves it. Throws {@link SnapshotException}
     * when it fails verification (nothing changes), {@link IllegalArgumentException} for an unknown version.
     */
    public Change activate(String version) throws IOException {
        synchronized (lock) {
            String serving = servingVersion();
            Snapshot opened = store.open(version);
            try {
                store.activate(version);
            } catch (IOException | RuntimeException e) {
                opened.close();
                throw e;
            }
            install(opened);
            return new Change(serving, version, !version.equals(serving));
        }
    }

    /** Every complete version, oldest first, with its manifest; a version whose manifest is unreadable is skipped and logged. */
    public List<VersionInfo> versions() throws IOException {
        Optional<String> current = store.currentVersion();
        String serving = servingVersion();
        List<VersionInfo> out = new ArrayList<>();
        for (String v : store.versions()) {
            try {
                out.add(new VersionInfo(v, current.map(v::equals).orElse(false), v.equals(serving), store.manifest(v)));
            } catch (SnapshotException e) {
                LOG.warn("version {} is not listed: {}", v, e.getMessage());
            }
        }
        return out;
    }

    /**
     * Checks CURRENT every {@code interval} and serves a newly published version; failures are logged once. A
     * CURRENT that is empty or holds no version id is not followed (logged once per distinct content); a refused
     * version is retried when the files of its directory change (repaired), else only by {@link #reload}.
     */
    public void watch(Duration interval) {
        synchronized (lock) {
            if (watcher != null) {
                throw new IllegalStateException("already watching");
            }
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "affinity-model-watch");
                t.setDaemon(true);
                return t;
            });
            long ms = interval.toMillis();
            watcher.scheduleWithFixedDelay(this::followCurrent, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** One tick of the watcher: serves the version CURRENT names if it changed (or was repaired); never throws. */
    void followCurrent() {
        String wanted;
        try {
            wanted = store.currentVersion().orElse(null);
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage());
            if (!why.equals(lastBadCurrent)) {
                LOG.warn("the model store's CURRENT is not followed, still serving {}: {}", servingVersion(), why);
            }
            lastBadCurrent = why;
            return;
        }
        lastBadCurrent = null;
        if (wanted == null || wanted.equals(servingVersion())) {
            return;
        }
        String files = filesOf(wanted);
        boolean retry = wanted.equals(lastRefused);
        if (retry && files.equals(refusedFiles)) {
            return;
        }
        try {
            Change c = reload();
            // An activate may have made the swap between the check above and reload(): nothing to report then.
            if (c.changed()) {
                LOG.info("model {} now serving (was {}), picked up from CURRENT", c.activeVersion(),
                        c.previousVersion());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("model {} refused{}, still serving {}: {}", wanted, retry ? " again after its files changed" : "",
                    servingVersion(), e.getMessage());
            lastRefused = wanted;
            refusedFiles = files;
        }
    }

    /** Name, size and modification time of each file in a version's directory: changes when it is repaired. */
    private String filesOf(String version) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(store.directory().resolve(version))) {
            for (Path f : files.sorted().toList()) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                sb.append(f.getFileName()).append(' ').append(a.size()).append(' ').append(a.lastModifiedTime())
                        .append('\n');
            }
        } catch (IOException | RuntimeException e) {
            sb.append("unlisted: ").append(e.getMessage());
        }
        return sb.toString();
    }

    private void install(Snapshot snapshot) {
        ServedModel model;
        try {
            model = serve.apply(snapshot);
        } catch (RuntimeException e) {
            snapshot.close();
            throw e;
        }
        lastRefused = null;
        refusedFiles = null;
        Catalog catalog = model.catalog();
        source.swap(model, () -> {
            try (snapshot) {
                if (catalog != null) {
                    catalog.close();
                }
            }
        });
        LOG.info("model {} installed", snapshot.version());
        Object cap = snapshot.manifest().parameters().get("historyItems");
        if (cap != null) {
            // Trained before histories were stored whole: its answers about a customer's purchases miss their
            // items beyond the cap (README, "Model snapshots"), which nothing else would tell an operator.
            LOG.warn("model {} stores customer histories cut to {} items each (trained by an older version): "
                    + "previouslyBought, excludeBoughtWithinDays and repeat purchase details miss the items beyond; "
                    + "retrain to store them whole", snapshot.version(), cap);
        }
        if (catalog != null && catalog.analysis() == io.affinity.store.CatalogAnalysis.LOWER_CASE) {
            // Indexed before accent folding: it is queried as it was indexed, so `cafe` does not find `café` there
            // while it does in a retrained one (README, "Catalogue, filters and search").
            LOG.warn("model {} has a catalogue index written before accent folding (snapshot format {}): q, filter, "
                    + "boost and pin match accents exactly on it; retrain to match with or without accents",
                    snapshot.version(), snapshot.manifest().formatVersion());
        }
    }

    private String servingVersion() {
        return source.current().map(m -> m.snapshot().version()).orElse(null);
    }

    /** Stops watching; the served model is left to its source. */
    @Override
    public void close() {
        synchronized (lock) {
            if (watcher != null) {
                watcher.shutdownNow();
                watcher = null;
            }
        }
    }
}
