package io.affinity.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.affinity.store.CatalogAnalysis;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link SwappableModelSource} in step with a {@link ModelStore}: loads the version CURRENT names and the
 * canary CANARY names (on demand or by watching), activates another version (roll back or forward, or promote the
 * canary), starts and stops canaries, lists versions. A snapshot is opened and fully verified before it is
 * installed, so one that fails verification is refused and the model being served stays; a canary that cannot be
 * served leaves CURRENT's version answering every customer. Operations are serialised; requests are never blocked
 * by them.
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
    /** CURRENT's version and why it last could not be opened for a failure of the system, so it is logged once. */
    private volatile String lastUnopened;
    /** Why CURRENT was last unreadable (it names the content), so each distinct content is reported once. */
    private volatile String lastBadCurrent;
    /**
     * Why the store's canary is not served here (a damaged CANARY, or its version refused), or null; also what
     * was last logged about it, so each distinct reason is logged once.
     */
    private volatile String canaryError;
    /** The canary version whose loading last failed, and its files then: retried by the watcher once they change. */
    private volatile String lastRefusedCanary;
    private volatile String refusedCanaryFiles;
    /**
     * The version the store's CURRENT named when this server last failed to serve it (it serves an older one), until
     * CURRENT's version is served: what {@code affinity_model_current_refused} shows, so that an alert need not read
     * logs. Null while CURRENT's version is served (or CURRENT names nothing usable, which is not a refusal).
     */
    private volatile String refusedCurrent;
    /** Versions refused since start (reloads, activations, canaries and the watcher; the watcher once per change). */
    private final AtomicLong refusals = new AtomicLong();

    /** Opens a version of the store (tests: one that fails as a system short of file descriptors does). */
    interface VersionOpener {
        Snapshot open(String version) throws IOException;
    }

    VersionOpener opener;

    /** @param serve turns a verified snapshot into the model served (scorer, summary) */
    public ModelAdmin(ModelStore store, SwappableModelSource source, Function<Snapshot, ServedModel> serve) {
        this.store = Objects.requireNonNull(store, "store");
        this.opener = store::open;
        this.source = Objects.requireNonNull(source, "source");
        this.serve = Objects.requireNonNull(serve, "serve");
    }

    public SwappableModelSource source() {
        return source;
    }

    /** The version CURRENT names that this server refused and does not serve, or null (see {@link #refusedCurrent}). */
    public String refusedCurrent() {
        return refusedCurrent;
    }

    /** Versions refused (failing verification or access checks) since start. */
    public long refusals() {
        return refusals.get();
    }

    /** Opens a version for an operation, counting a refusal. */
    private Snapshot open(String version) throws IOException {
        try {
            return opener.open(version);
        } catch (IOException | SnapshotException e) {
            refusals.incrementAndGet();
            throw e;
        }
    }

    /**
     * What a reload or activation did.
     *
     * @param canary         the canary served afterwards (null: none)
     * @param promotedCanary the canary an activation of its version promoted (null: none)
     * @param canaryError    why the store's canary is not served (a damaged CANARY, or its version refused): every
     *                       customer gets {@code activeVersion} (null: no such problem)
     * @param consentWarning what an activation costs in consent (an older consent list served, see
     *                       {@link ModelStore#consentSetBack}; null: nothing)
     */
    public record Change(String previousVersion, String activeVersion, boolean changed,
                         @JsonInclude(JsonInclude.Include.NON_NULL) ModelStore.Canary canary,
                         @JsonInclude(JsonInclude.Include.NON_NULL) ModelStore.Canary promotedCanary,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String canaryError,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String consentWarning) {
        public Change(String previousVersion, String activeVersion, boolean changed) {
            this(previousVersion, activeVersion, changed, null, null, null);
        }

        public Change(String previousVersion, String activeVersion, boolean changed, ModelStore.Canary canary,
                      ModelStore.Canary promotedCanary, String canaryError) {
            this(previousVersion, activeVersion, changed, canary, promotedCanary, canaryError, null);
        }
    }

    /**
     * What starting or stopping a canary did.
     *
     * @param previous    the canary the store's CANARY named before (null: none)
     * @param canary      the canary this server serves now (null: none)
     * @param current     the version answering every other customer
     * @param canaryError why the store's canary is not served here (null: no such problem)
     */
    public record CanaryChange(ModelStore.Canary previous, ModelStore.Canary canary, String current,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String canaryError) {
    }

    /**
     * One version of the store, with its manifest.
     *
     * @param serving this server answers requests from it (as the active model or as the canary)
     * @param canary  the store's CANARY names it
     */
    public record VersionInfo(String version, boolean current, boolean serving, boolean canary, Manifest manifest) {
    }

    /**
     * The store's pointers and what this server serves, for {@code GET /admin/models}.
     *
     * @param current        the version the store's CURRENT names (null: none, or CURRENT unusable)
     * @param currentError   why CURRENT names no version: it cannot be read, or holds no version id (null: no problem)
     * @param canary         what the store's CANARY names (null: none, or damaged)
     * @param servingCanary  the canary this server serves (null: none)
     * @param canaryError    why this server does not serve the store's canary: CANARY is damaged (it then serves
     *                       CURRENT alone) or its version was refused (null: no such problem)
     */
    public record Status(String serving, String current, String currentError, ModelStore.Canary canary,
                         ModelStore.Canary servingCanary, String canaryError, List<VersionInfo> versions) {
    }

    /** CURRENT names no version to load: it is missing, empty or holds something else. */
    public static final class NothingToLoadException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NothingToLoadException(String message) {
            super(message);
        }
    }

    /** CANARY as read: the canary (null: none) or, when it is damaged, why. */
    private record CanaryRead(ModelStore.Canary canary, String error) {
    }

    /** A snapshot verified by the operation that installs it, so that it is not opened a second time. */
    private static final class Preopened implements AutoCloseable {
        private Snapshot snapshot;

        Preopened(Snapshot snapshot) {
            this.snapshot = snapshot;
        }

        /** The snapshot if it is {@code version}'s (then the caller owns it), else null. */
        Snapshot take(String version) {
            if (snapshot != null && snapshot.version().equals(version)) {
                Snapshot s = snapshot;
                snapshot = null;
                return s;
            }
            return null;
        }

        @Override
        public void close() {
            if (snapshot != null) {
                snapshot.close();
                snapshot = null;
            }
        }
    }

    /**
     * Serves what the store's CURRENT and CANARY name, if this server does not already. Throws
     * {@link SnapshotException} when CURRENT's version fails verification (the model being served stays),
     * {@link NothingToLoadException} when CURRENT is missing, empty or holds no version id. A damaged CANARY, or
     * a canary version that fails verification, does not fail the reload: every customer is then answered by
     * CURRENT's version, and {@link Change#canaryError()} says why.
     */
    public Change reload() throws IOException {
        synchronized (lock) {
            CanaryRead canary = readCanary();
            return apply(canary, wantedCurrent(), new Preopened(null), true);
        }
    }

    /** The version CURRENT names, or the {@link NothingToLoadException} saying why there is none. */
    private String wantedCurrent() throws IOException {
        try {
            return store.currentVersion().orElseThrow(
                    () -> new NothingToLoadException("the model store has no CURRENT version yet"));
        } catch (SnapshotException e) {
            // No snapshot was opened, so none "failed verification": the pointer itself is unusable.
            throw new NothingToLoadException("the model store's CURRENT names no version to load: "
                    + e.getMessage());
        }
    }

    /**
     * Makes {@code version} the store's CURRENT (verifying it) and serves it. Activating the canary's version
     * promotes it: the store clears CANARY with the switch, and this server moves the canary's open generation to
     * every customer without opening it again. Another version leaves the canary running. Throws
     * {@link SnapshotException} when it fails verification (nothing changes), {@link IllegalArgumentException}
     * for an unknown version.
     */
    public Change activate(String version) throws IOException {
        synchronized (lock) {
            boolean servedAsCanary = source.canary().map(c -> c.version().equals(version)).orElse(false);
            try (Preopened opened = new Preopened(servedAsCanary ? null : open(version))) {
                // The version was just opened, so verified: the store need not read and checksum it again.
                ModelStore.Activation activation = opened.snapshot != null
                        ? store.activateReporting(opened.snapshot) : store.activateReporting(version);
                Change c = apply(readCanary(), version, opened, true);
                String consentWarning = activation.previous().filter(p -> !p.equals(version))
                        .flatMap(p -> consentSetBack(p, version)).orElse(null);
                return new Change(c.previousVersion(), c.activeVersion(), c.changed(), c.canary(),
                        activation.promotedCanary().orElse(c.promotedCanary()), c.canaryError(), consentWarning);
            }
        }
    }

    /**
     * Starts (replaces, or re-weights) the store's canary: {@code version} for {@code percent} percent of
     * customers, verified first, then served here. Throws {@link SnapshotException} when it fails verification
     * (nothing changes), {@link IllegalArgumentException} for an unknown version or a percent outside 1..99,
     * {@link IllegalStateException} when CURRENT names {@code version} or nothing.
     */
    public CanaryChange startCanary(String version, int percent) throws IOException {
        new ModelStore.Canary(version, percent); // the percent checked before anything is opened
        synchronized (lock) {
            boolean servedAsCanary = source.canary().map(c -> c.version().equals(version)).orElse(false);
            try (Preopened opened = new Preopened(servedAsCanary ? null : open(version))) {
                ModelStore.Canary previous = (opened.snapshot != null ? store.startCanary(opened.snapshot, percent)
                        : store.startCanary(version, percent)).orElse(null);
                Change c = apply(readCanary(), wantedCurrent(), opened, true);
                return new CanaryChange(previous, c.canary(), c.activeVersion(), c.canaryError());
            }
        }
    }

    /**
     * Stops the store's canary (a damaged CANARY is removed too); every customer gets the version the store's
     * CURRENT names now, which is not always the one served: another process may have promoted the canary (or
     * moved CURRENT) since this server last looked, and stopping the served canary beside the old version would
     * send its customers back to a version the store no longer names until the next watch. When CURRENT names no
     * usable version, the served one stays, alone.
     */
    public CanaryChange stopCanary() throws IOException {
        synchronized (lock) {
            ModelStore.Canary previous = store.stopCanary().orElse(null);
            try {
                Change c = apply(new CanaryRead(null, null), wantedCurrent(), new Preopened(null), true);
                return new CanaryChange(previous, c.canary(), c.activeVersion(), c.canaryError());
            } catch (NothingToLoadException | SnapshotException e) {
                // The stop itself succeeded; the watcher logs an unusable CURRENT, as it does on every look.
                syncCanary(new CanaryRead(null, null), servingVersion(), new Preopened(null), true);
                return new CanaryChange(previous, servedCanary(), servingVersion(), canaryError);
            }
        }
    }

    /**
     * Brings the source to CURRENT = {@code wanted} and to {@code canary}: CURRENT first (promoting the served
     * canary when CURRENT now names its version), then the canary. Logs what changed.
     */
    private Change apply(CanaryRead canary, String wanted, Preopened preopened, boolean explicit) throws IOException {
        String serving = servingVersion();
        ModelStore.Canary promoted = null;
        boolean changed = false;
        if (!wanted.equals(serving)) {
            Optional<ServedCanary> servedCanary = source.canary();
            if (servedCanary.filter(c -> c.version().equals(wanted)).isPresent()) {
                source.promoteCanary();
                promoted = new ModelStore.Canary(wanted, servedCanary.get().percent());
                LOG.info("canary {} promoted: it now answers every customer (was {} besides it)", wanted, serving);
            } else {
                Snapshot opened = preopened.take(wanted);
                if (opened == null) {
                    try {
                        opened = open(wanted);
                    } catch (IllegalArgumentException e) {
                        // A 404 would read as "no such endpoint": the pointer names a version the store does not hold.
                        throw new NothingToLoadException("the model store's CURRENT names version " + wanted
                                + ", which the store does not hold (deleted, or CURRENT written by hand?)");
                    } catch (IOException | SnapshotException e) {
                        refusedCurrent = wanted;
                        throw e;
                    }
                }
                try {
                    install(opened);
                } catch (RuntimeException e) {
                    refusals.incrementAndGet();
                    refusedCurrent = wanted;
                    throw e;
                }
            }
            changed = true;
        }
        refusedCurrent = null; // CURRENT's version is served
        syncCanary(canary, wanted, preopened, explicit);
        return new Change(serving, wanted, changed, servedCanary(), promoted, canaryError);
    }

    /**
     * Serves the canary {@code read} names beside CURRENT {@code current}, or none: a CANARY naming CURRENT's
     * version (a promotion cut short) means none; a damaged CANARY, or a canary version that fails verification,
     * means CURRENT alone (logged once per reason; a refused version is tried again when its files change, or on
     * an explicit operation).
     */
    private void syncCanary(CanaryRead read, String current, Preopened preopened, boolean explicit) {
        Optional<ServedCanary> served = source.canary();
        if (read.error() != null) {
            served.ifPresent(c -> source.stopCanary());
            String why = "the model store's CANARY is not followed: " + read.error();
            if (!why.equals(canaryError)) {
                LOG.warn("{}; serving {} alone to every customer{}", why, current,
                        served.map(c -> " (canary " + c.version() + " stopped)").orElse(""));
            }
            canaryError = why;
            lastRefusedCanary = null;
            return;
        }
        ModelStore.Canary wanted = read.canary() == null || read.canary().version().equals(current) ? null
                : read.canary();
        if (wanted == null) {
            canaryError = null;
            lastRefusedCanary = null;
            if (served.isPresent()) {
                source.stopCanary();
                LOG.info("canary {} stopped: {} answers every customer", served.get().version(), current);
            }
            return;
        }
        if (served.isPresent() && served.get().version().equals(wanted.version())) {
            canaryError = null;
            if (served.get().percent() != wanted.percent()) {
                source.setCanaryPercent(wanted.percent());
                LOG.info("canary {} now answers {}% of customers (was {}%)", wanted.version(), wanted.percent(),
                        served.get().percent());
            }
            return;
        }
        String files = filesOf(wanted.version());
        boolean retry = wanted.version().equals(lastRefusedCanary);
        if (retry && !explicit && files.equals(refusedCanaryFiles)) {
            return; // refused before, its files unchanged: logged then, and canaryError still says why
        }
        Snapshot opened = preopened.take(wanted.version());
        ServedModel model;
        try {
            if (opened == null) {
                opened = opener.open(wanted.version());
            }
            model = serveOrClose(opened);
        } catch (IOException | RuntimeException e) {
            refusals.incrementAndGet();
            served.ifPresent(c -> source.stopCanary());
            if (StoreFailures.ofTheSystem(e)) {
                // tried again at the next look, not once the version's files change (logged once per reason)
                String why = "canary " + wanted.version() + " could not be opened: " + io.affinity.store.FileFailures.describe(e);
                if (!why.equals(canaryError)) {
                    LOG.warn("{}, serving {} alone to every customer; tried again every watch interval", why,
                            current);
                }
                canaryError = why;
                lastRefusedCanary = null;
                refusedCanaryFiles = null;
                return;
            }
            canaryError = "canary " + wanted.version() + " refused: " + e.getMessage();
            LOG.warn("canary {} refused{}, serving {} alone to every customer: {}", wanted.version(),
                    retry ? " again" : "", current, e.getMessage());
            lastRefusedCanary = wanted.version();
            refusedCanaryFiles = files;
            return;
        }
        Catalog catalog = model.catalog();
        Snapshot snapshot = opened;
        source.startCanary(model, closer(snapshot, catalog), wanted.percent());
        canaryError = null;
        lastRefusedCanary = null;
        refusedCanaryFiles = null;
        LOG.info("canary {} installed: it answers {}% of customers, {} the others{}", wanted.version(),
                wanted.percent(), current, served.map(c -> " (replaces canary " + c.version() + ")").orElse(""));
        warnAboutOldFormats(snapshot, catalog);
    }

    private CanaryRead readCanary() {
        try {
            return new CanaryRead(store.canary().orElse(null), null);
        } catch (IOException | RuntimeException e) {
            return new CanaryRead(null, e.getMessage());
        }
    }

    private ModelStore.Canary servedCanary() {
        return source.canary().map(c -> new ModelStore.Canary(c.version(), c.percent())).orElse(null);
    }

    /**
     * Every complete version, oldest first, with its manifest, and the store's pointers; a version whose manifest
     * is unreadable is skipped and logged.
     */
    public List<VersionInfo> versions() throws IOException {
        return status().versions();
    }

    /** The store's CURRENT and CANARY, what this server serves, and every version (as {@link #versions()}). */
    public Status status() throws IOException {
        // CANARY before CURRENT, as the server follows them
        CanaryRead canary = readCanary();
        Optional<String> current;
        String currentError = null;
        try {
            current = store.currentVersion();
        } catch (IOException | SnapshotException e) {
            // the listing is what an operator chooses a version to activate from: it must not fail with CURRENT
            current = Optional.empty();
            currentError = io.affinity.store.FileFailures.describe(e);
        }
        String serving = servingVersion();
        ModelStore.Canary servingCanary = servedCanary();
        String servingCanaryVersion = servingCanary == null ? null : servingCanary.version();
        String canaryVersion = canary.canary() == null ? null : canary.canary().version();
        List<VersionInfo> out = new ArrayList<>();
        for (String v : store.versions()) {
            try {
                out.add(new VersionInfo(v, current.map(v::equals).orElse(false),
                        v.equals(serving) || v.equals(servingCanaryVersion), v.equals(canaryVersion),
                        store.manifest(v)));
            } catch (SnapshotException e) {
                LOG.warn("version {} is not listed: {}", v, e.getMessage());
            }
        }
        String error = canary.error() != null ? "the model store's CANARY is not followed: " + canary.error()
                : canaryError;
        return new Status(serving, current.orElse(null), currentError, canary.canary(), servingCanary, error, out);
    }

    /**
     * Checks CURRENT and CANARY every {@code interval} and serves what they name; failures are logged once. A
     * CURRENT that is empty or holds no version id is not followed (logged once per distinct content); a refused
     * version is retried when the files of its directory change (repaired), else only by {@link #reload}. A
     * damaged CANARY stops the canary (CURRENT answers every customer), logged once per distinct content.
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

    /**
     * One tick of the watcher: serves the version CURRENT names if it changed (or was repaired), and the canary
     * CANARY names; never throws.
     */
    void followCurrent() {
        synchronized (lock) {
            try {
                follow();
            } catch (RuntimeException e) {
                LOG.warn("following the model store failed, still serving {}: {}", servingVersion(), e.toString());
            }
        }
    }

    private void follow() {
        // CANARY before CURRENT: a promotion switches CURRENT before it removes CANARY (ModelStore#activateReporting)
        CanaryRead canary = readCanary();
        String wanted;
        try {
            wanted = store.currentVersion().orElse(null);
        } catch (IOException | RuntimeException e) {
            String why = io.affinity.store.FileFailures.describe(e);
            if (!why.equals(lastBadCurrent)) {
                LOG.warn("the model store's CURRENT is not followed, still serving {}: {}", servingVersion(), why);
            }
            lastBadCurrent = why;
            return;
        }
        lastBadCurrent = null;
        if (wanted == null) {
            return;
        }
        String serving = servingVersion();
        boolean promotion = source.canary().map(c -> c.version().equals(wanted)).orElse(false);
        boolean retry = false;
        String files = null;
        if (!wanted.equals(serving) && !promotion) {
            files = filesOf(wanted);
            retry = wanted.equals(lastRefused);
            if (retry && files.equals(refusedFiles)) {
                canaryBesideRefusedCurrent(canary, wanted); // refused before, files unchanged
                return;
            }
        }
        try {
            Change c = apply(canary, wanted, new Preopened(null), false);
            // An activate may have made the swap before this tick: nothing to report then.
            if (c.changed() && c.promotedCanary() == null) {
                LOG.info("model {} now serving (was {}), picked up from CURRENT", c.activeVersion(),
                        c.previousVersion());
                if (c.previousVersion() != null) {
                    consentSetBack(c.previousVersion(), c.activeVersion());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (StoreFailures.ofTheSystem(e)) {
                // Too many open files, an I/O error of a network volume: nothing to repair in the version, so it
                // is tried again at the next tick, not once its files change (logged once per reason).
                String why = wanted + ": " + io.affinity.store.FileFailures.describe(e);
                if (!why.equals(lastUnopened)) {
                    LOG.warn("model {} could not be opened, still serving {}: {}; tried again every watch interval",
                            wanted, servingVersion(), io.affinity.store.FileFailures.describe(e));
                }
                lastUnopened = why;
                lastRefused = null;
                refusedFiles = null;
                canaryBesideRefusedCurrent(canary, wanted);
                return;
            }
            LOG.warn("model {} refused{}, still serving {}: {}", wanted, retry ? " again after its files changed" : "",
                    servingVersion(), e.getMessage());
            lastRefused = wanted;
            refusedFiles = files;
            canaryBesideRefusedCurrent(canary, wanted);
        }
        lastUnopened = null;
    }

    /**
     * CANARY while CURRENT names {@code refused}, a version this server cannot serve (damaged, or too new for this
     * release: a newer release published first), so that it answers from an older one. A new canary waits for a CURRENT
     * this server serves (a canary is weighed against CURRENT's version, not against a stale one), and the listing says
     * so ({@code canaryError}, logged once); but the canary it serves follows CANARY still: stopped, replaced or damaged,
     * it stops here too, and a new percent applies. Before, nothing of CANARY was followed while CURRENT was refused: a
     * stopped canary went on answering its slice from this server.
     */
    private void canaryBesideRefusedCurrent(CanaryRead read, String refused) {
        String serving = servingVersion();
        ModelStore.Canary wanted = read.error() != null || read.canary() == null
                || read.canary().version().equals(serving) ? null : read.canary();
        Optional<ServedCanary> served = source.canary();
        if (served.isPresent()) {
            if (wanted == null || !wanted.version().equals(served.get().version())) {
                source.stopCanary();
                LOG.info("canary {} stopped: {} answers every customer (CURRENT's version {} is refused here)",
                        served.get().version(), serving, refused);
            } else {
                if (served.get().percent() != wanted.percent()) {
                    source.setCanaryPercent(wanted.percent());
                    LOG.info("canary {} now answers {}% of customers (was {}%)", wanted.version(), wanted.percent(),
                            served.get().percent());
                }
                canaryError = null;
                return;
            }
        }
        if (wanted == null) {
            canaryError = null; // a damaged CANARY: the listing says so from the file itself
            return;
        }
        String why = "canary " + wanted.version() + " is not served while CURRENT's version " + refused
                + " is refused: serving " + serving + " alone to every customer";
        if (!why.equals(canaryError)) {
            LOG.warn("{}", why);
        }
        canaryError = why;
        lastRefusedCanary = null;
    }

    /**
     * {@link ModelStore#consentSetBack}, logged as a warning when there is one: switching to a version trained with
     * an older consent list (a rollback) drops the opt-outs only the newer list held. The switch is done, so a
     * manifest that cannot be read now only costs the warning.
     */
    private Optional<String> consentSetBack(String from, String to) {
        try {
            Optional<String> warning = store.consentSetBack(from, to);
            warning.ifPresent(w -> LOG.warn("{}", w));
            return warning;
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
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
        ServedModel model = serveOrClose(snapshot);
        lastRefused = null;
        refusedFiles = null;
        Catalog catalog = model.catalog();
        source.swap(model, closer(snapshot, catalog));
        LOG.info("model {} installed", snapshot.version());
        warnAboutOldFormats(snapshot, catalog);
    }

    /** What closes a served version once retired and released: its catalogue index, then its snapshot. */
    private static AutoCloseable closer(Snapshot snapshot, Catalog catalog) {
        return () -> {
            try (snapshot) {
                if (catalog != null) {
                    catalog.close();
                }
            }
        };
    }

    /** The served model of a verified snapshot; the snapshot is closed if that fails. */
    private ServedModel serveOrClose(Snapshot snapshot) {
        try {
            return serve.apply(snapshot);
        } catch (RuntimeException e) {
            snapshot.close();
            throw e;
        }
    }

    /** What an operator must know about a snapshot written by older software. */
    private static void warnAboutOldFormats(Snapshot snapshot, Catalog catalog) {
        Object cap = snapshot.manifest().parameters().get("historyItems");
        if (cap != null) {
            // Trained before histories were stored whole: its answers about a customer's purchases miss their
            // items beyond the cap (README, "Model snapshots"), which nothing else would tell an operator.
            LOG.warn("model {} stores customer histories cut to {} items each (trained by an older version): "
                    + "previouslyBought, excludeBoughtWithinDays and repeat purchase details miss the items beyond; "
                    + "retrain to store them whole", snapshot.version(), cap);
        }
        if (catalog != null && catalog.analysis() == CatalogAnalysis.LOWER_CASE) {
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
