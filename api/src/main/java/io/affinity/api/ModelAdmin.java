package io.affinity.api;

import io.affinity.store.Manifest;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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

    /**
     * Serves the version CURRENT names if it is not the one being served. Throws {@link SnapshotException} when
     * it fails verification (the model being served stays), {@link IllegalStateException} when CURRENT is unset.
     */
    public Change reload() throws IOException {
        synchronized (lock) {
            String wanted = store.currentVersion().orElseThrow(
                    () -> new IllegalStateException("the model store has no CURRENT version yet"));
            String serving = servingVersion();
            if (wanted.equals(serving)) {
                return new Change(serving, serving, false);
            }
            install(store.open(wanted));
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

    /** Checks CURRENT every {@code interval} and serves a newly published version; failures are logged once. */
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
            watcher.scheduleWithFixedDelay(this::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void reloadQuietly() {
        String wanted = null;
        try {
            wanted = store.currentVersion().orElse(null);
            if (wanted == null || wanted.equals(servingVersion()) || wanted.equals(lastRefused)) {
                return;
            }
            Change c = reload();
            LOG.info("model {} now serving (was {}), picked up from CURRENT", c.activeVersion(), c.previousVersion());
        } catch (IOException | RuntimeException e) {
            if (wanted != null && !wanted.equals(lastRefused)) {
                LOG.warn("model {} refused, still serving {}: {}", wanted, servingVersion(), e.getMessage());
            }
            lastRefused = wanted;
        }
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
