package io.affinity.cli;

import io.affinity.api.AccessControl;
import io.affinity.api.ApiKey;
import io.affinity.api.AffinityServer;
import io.affinity.api.ApiConfig;
import io.affinity.api.BusinessRuleConfig;
import io.affinity.api.ConsentJournal;
import io.affinity.api.CorsPolicy;
import io.affinity.api.ItemAvailability;
import io.affinity.api.ModelAdmin;
import io.affinity.api.ServedModel;
import io.affinity.api.ServerOptions;
import io.affinity.api.SwappableModelSource;
import io.affinity.store.ConsentJournalFile;
import io.affinity.store.ModelStore;
import io.affinity.store.SnapshotShutdown;
import io.affinity.training.ReadableFile;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code affinity serve}: serves the active snapshot of a model store over HTTP until stopped, picking up newly
 * published snapshots and canaries (watching CURRENT and CANARY, or on {@code POST /admin/models/reload}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the active model snapshot of a model store over HTTP.")
final class ServeCommand implements Callable<Integer> {
    static final int MIN_SECRET_LENGTH = AccessControl.MIN_SECRET_LENGTH;
    /** The admin token file's bytes as read at start (what its follower compares with). */
    private byte[] adminTokenRead;

    @Option(names = "--models", defaultValue = "models", description = "Model store directory (default: ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--max-limit", defaultValue = "100", description = "Largest 'limit' a request may ask for; "
            + "a request without 'limit' gets 10 items, or this many when it is smaller (default: ${DEFAULT-VALUE}).")
    int maxLimit;

    @Option(names = "--max-basket-items", defaultValue = "200", description = "Largest basket accepted (default: ${DEFAULT-VALUE}).")
    int maxBasketItems;

    @Option(names = "--virtual-threads", arity = "1", defaultValue = "false", paramLabel = "true|false",
            description = "Run Jetty's work on virtual threads (JDK 21+; ignored on 17) instead of a pool of 8-250 "
                    + "platform threads (default: ${DEFAULT-VALUE}).")
    boolean virtualThreads;

    @Option(names = "--cors-origins", split = ",", paramLabel = "ORIGIN",
            description = "Browser origins whose pages may call the /v1 endpoints (CORS), comma-separated, each "
                    + "scheme://host[:port] as the browser sends it (https://shop.example), or '*' for any; default "
                    + "none. An API key a page sends is readable by its visitors.")
    List<String> corsOrigins;

    @Option(names = "--watch-interval", defaultValue = "10", paramLabel = "SECONDS",
            description = "Check the store's CURRENT and CANARY this often and serve what they name (a new version, a "
                    + "canary started, re-weighted, stopped or promoted); 0 disables (default: ${DEFAULT-VALUE}).")
    int watchSeconds;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "File holding the admin bearer token (else env AFFINITY_ADMIN_TOKEN; neither: admin endpoints disabled).")
    Path adminTokenFile;

    @Option(names = "--api-keys-file", paramLabel = "FILE",
            description = "File with one API key per line, each optionally followed by its scopes (recommendations, "
                    + "profiles, consent, exports; comma-separated; none: all); when given, /v1 endpoints need header "
                    + "X-API-Key. Reloaded when it changes (checked every --watch-interval).")
    Path apiKeysFile;

    /** What the snapshot's release gets when the requests used the whole shutdown grace. */
    private static final Duration SNAPSHOT_CLOSE_MIN_WAIT = Duration.ofMillis(500);

    @Option(names = "--shutdown-grace", defaultValue = "10", paramLabel = "SECONDS",
            description = "On stop, time in-flight requests get to finish (default: ${DEFAULT-VALUE}).")
    int shutdownGraceSeconds;

    @Option(names = "--warm-up", defaultValue = "20", paramLabel = "SECONDS",
            description = "After start, the server sends its own requests to its recommendation endpoints for this "
                    + "long while /ready answers 503, so that traffic meets compiled code; 0 = ready at once "
                    + "(default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Option(names = "--margin-rate", defaultValue = "0.3", description = "Share of an item's price that is margin, for offer values of items without a catalogue cost (default: ${DEFAULT-VALUE}).")
    double marginRate;

    @Option(names = "--consent-journal", description = "Run-time consent journal (default: consent.journal in the model store).")
    Path consentJournal;

    @Option(names = "--exclude-bought-within-days", defaultValue = "0", paramLabel = "DAYS",
            description = "Default for excludeBoughtWithinDays: do not recommend or offer (next-best offers, upsell "
                    + "with a customer, campaign exports) what the customer bought this recently (repeat purchases, "
                    + "bought in 2+ orders, stay); 0 = off (default: ${DEFAULT-VALUE}).")
    int excludeBoughtWithinDays;

    @Option(names = "--availability-journal", paramLabel = "FILE",
            description = "Journal of stock changes (PUT /admin/items/{id}/availability), replayed at start "
                    + "(default: availability.journal in the model store; 'none' keeps them in memory only).")
    String availabilityJournal;

    @Option(names = "--local-copy", paramLabel = "DIR",
            description = "Open each model version from a private copy in DIR (a local disk, outside the model "
                    + "store) instead of in place: for a model store this user may read but not write, such as a "
                    + "read-only volume replicas share. DIR needs room for the versions open at once (served, "
                    + "canary, one loading); copies are removed when a version is closed (default: in place).")
    Path localCopy;

    @Override
    public Integer call() throws Exception {
        notNegative("--watch-interval", watchSeconds);
        notNegative("--shutdown-grace", shutdownGraceSeconds);
        notNegative("--warm-up", warmUpSeconds);
        notNegative("--exclude-bought-within-days", excludeBoughtWithinDays);
        if (maxLimit < 1) {
            throw new AffinityCli.UserFacingException("--max-limit must be at least 1, was " + maxLimit);
        }
        if (maxBasketItems < 1) {
            throw new AffinityCli.UserFacingException("--max-basket-items must be at least 1, was " + maxBasketItems);
        }
        apiConfig(); // --cors-origins checked with the other flags, before any file is touched
        if (!(marginRate > 0 && marginRate <= 1)) {
            throw new AffinityCli.UserFacingException("--margin-rate must be a share of the price in (0, 1], was "
                    + marginRate);
        }
        ReadableFile.require("--admin-token-file", adminTokenFile);
        ReadableFile.require("--api-keys-file", apiKeysFile);
        if (consentJournal != null && consentJournal.toString().equals("none")) {
            // --availability-journal takes "none"; consent must not: a server without its journal would forget
            // opt-outs across restarts and miss the ones other servers recorded (it used to create ./none).
            throw new AffinityCli.UserFacingException("--consent-journal none: consent changes must be journaled "
                    + "(an opt-out must survive a restart and reach every server); leave the option out to use "
                    + "consent.journal in the model store");
        }
        OptionFiles.inExistingDirectory("--consent-journal", consentJournal);
        boolean availabilityInMemory = "none".equals(availabilityJournal);
        OptionFiles.inExistingDirectory("--availability-journal",
                availabilityJournal == null || availabilityInMemory ? null : Path.of(availabilityJournal));
        checkBindable();
        String adminToken = adminToken();
        byte[] apiKeysRead = apiKeysFile == null ? null : Files.readAllBytes(apiKeysFile);
        List<ApiKey> apiKeys = apiKeysFile == null ? List.of() : ApiKeysFile.parse(apiKeysFile, apiKeysRead);
        ModelStore store = localCopy == null ? ModelStores.existing(models) : localCopies(ModelStores.existing(models));
        // Which build this is, once the command line is known to be good (a bad one gets its one line alone), before
        // the model: replicas of two builds serve one store during an upgrade.
        System.err.println(new AffinityCli.Version().getVersion()[0]);
        store.localCopies().ifPresent(copies -> System.err.println("model versions are opened from copies in "
                + copies));
        // The journals before the model: a journal serve cannot use stops start-up in a second, not after a large
        // model's verification and load.
        Path consentFile = consentJournal != null ? consentJournal : models.resolve(ConsentJournalFile.FILE_NAME);
        ConsentJournal journal;
        try {
            journal = ConsentJournal.open(consentFile);
        } catch (IOException e) {
            throw journalUnusable(consentFile, "--consent-journal", e);
        }
        if (journal.failure() != null) {
            System.err.println("affinity serve: WARNING: " + journal.failure());
        }
        Path availabilityFile = availabilityInMemory ? null : availabilityJournal == null
                ? models.resolve("availability.journal") : Path.of(availabilityJournal);
        ItemAvailability availability;
        try {
            availability = availabilityFile == null ? ItemAvailability.inMemory()
                    : ItemAvailability.journaled(availabilityFile);
        } catch (IOException e) {
            throw journalUnusable(availabilityFile, "--availability-journal", e);
        }
        // Which journals a replica uses, and what it read from them: a replica on the wrong file would otherwise
        // ignore every opt-out recorded through the others without a trace. Counts only, never ids.
        if (journal.failure() == null) {
            System.err.printf(Locale.ROOT, "consent journal %s: %,d changes replayed, %,d customer-channel consents in "
                    + "effect%n", consentFile, journal.replayedAtOpen(), journal.inEffect());
        } else {
            // What personal answers go on with until the journal is repaired: an objection to profiling must hold.
            System.err.printf(Locale.ROOT, "consent journal %s: %,d customer-channel consents read from its readable "
                    + "lines, in effect for personal answers (objections to profiling hold)%n", consentFile,
                    journal.inEffect());
        }
        System.err.println(availabilityFile == null
                ? "availability journal: none (stock changes kept in memory only)"
                : String.format(Locale.ROOT, "availability journal %s: %,d changes replayed, %,d items with a stock statement",
                        availabilityFile, availability.replayedAtOpen(), availability.inEffect()));
        SwappableModelSource source = new SwappableModelSource();
        ModelAdmin admin = new ModelAdmin(store, source, ServedModels::of);
        // A CURRENT failing verification stops start-up here, with the reason; a canary that cannot be served does
        // not (CURRENT answers every customer), and is said below.
        ModelAdmin.Change loaded = admin.reload();
        AccessControl access = AccessControl.withScopedKeys(adminToken, apiKeys);
        ApiConfig config = apiConfig();
        Duration grace = Duration.ofSeconds(shutdownGraceSeconds);
        BusinessRuleConfig ruleDefaults = new BusinessRuleConfig(excludeBoughtWithinDays,
                BusinessRuleConfig.defaults().repeatMinOrders(), availability);
        AffinityServer server = AffinityServer.create(config, source,
                new ServerOptions(access, admin, grace, journal, marginRate, ruleDefaults)
                        .withWarmUp(Duration.ofSeconds(warmUpSeconds)));
        CountDownLatch stopped = new CountDownLatch(1);
        // Not Runtime.addShutdownHook: JVM hooks run concurrently, and Chronicle Map's would close the snapshot
        // under the requests the graceful stop lets finish.
        SnapshotShutdown.beforeSnapshotsClose(() -> {
            long stopStarted = System.nanoTime();
            admin.close();
            server.close(); // stops accepting, lets in-flight requests finish (up to the grace)
            // One grace for the whole stop: the requests had it above; a lease still open after their connections
            // closed gets what is left of it (at least a moment), not a second grace.
            Duration left = grace.minusNanos(System.nanoTime() - stopStarted);
            source.close(left.compareTo(SNAPSHOT_CLOSE_MIN_WAIT) < 0 ? SNAPSHOT_CLOSE_MIN_WAIT : left);
            try {
                availability.close();
            } catch (IOException e) {
                System.err.println("closing the availability journal failed: " + e.getMessage());
            }
            try {
                journal.close();
            } catch (IOException e) {
                System.err.println("affinity serve: closing the consent journal failed: " + e.getMessage());
            }
            store.closeLocalCopies();
            // Every journal change was forced to disk before it was answered: closing loses nothing.
            System.err.println("stopped: model versions and journals closed");
            stopped.countDown();
        });
        exitWithZeroOnStopSignals();
        try {
            server.start();
        } catch (RuntimeException e) {
            // Another process took the port between the check above and now.
            if (e.getClass().getSimpleName().contains("Bind") || e.getCause() instanceof BindException) {
                throw new AffinityCli.UserFacingException("cannot listen on " + host + ":" + port + ": "
                        + ErrorMessages.describe(e.getCause() != null ? e.getCause() : e));
            }
            throw e;
        }
        if (watchSeconds > 0) {
            admin.watch(Duration.ofSeconds(watchSeconds));
            List<FollowedFile> credentials = new ArrayList<>();
            if (apiKeysFile != null) {
                credentials.add(ApiKeysFile.follower(apiKeysFile, access, apiKeysRead));
            }
            if (adminTokenFile != null && adminToken != null) {
                credentials.add(new FollowedFile("admin token file", adminTokenFile, adminTokenRead,
                        "the admin token loaded before stays", bytes -> {
                            access.replaceAdminToken(adminToken(adminTokenFile, bytes));
                            return "admin token reloaded from " + adminTokenFile;
                        }, access::recordRefusedAdminTokenReload));
            }
            follow(credentials);
        }
        ServedModel served = source.current().orElseThrow();
        System.err.printf("serving model %s (%d items, %d rules, %d customers) on http://%s:%d/; admin endpoints %s%s%n",
                served.snapshot().version(), served.snapshot().itemCount(), served.snapshot().ruleCount(),
                served.snapshot().customerCount(), host, server.port(),
                access.adminEnabled() ? "enabled" : "disabled (no admin token)",
                access.apiKeysRequired() ? "; API keys required (" + ApiKeysFile.describe(apiKeys) + ")" : "");
        CorsPolicy cors = config.cors();
        if (cors.enabled()) {
            System.err.println("browser pages of " + (cors.anyOrigin() ? "any origin"
                    : String.join(", ", new java.util.TreeSet<>(cors.origins()))) + " may call /v1 (CORS)");
        }
        if (loaded.canary() != null) {
            System.err.printf("canary %s answers %d%% of customers%n", loaded.canary().version(),
                    loaded.canary().percent());
        }
        if (loaded.canaryError() != null) {
            System.err.println("affinity serve: WARNING: " + loaded.canaryError() + "; " + served.snapshot().version()
                    + " answers every customer");
        }
        if (warmUpSeconds > 0) {
            System.err.printf("warming up for %d s (its own requests); /ready answers 503 until then%n", warmUpSeconds);
        }
        stopped.await();
        return 0;
    }

    /** Rotating secrets without a restart: their files are looked at, by one thread, as often as the store. */
    private void follow(List<FollowedFile> files) {
        if (files.isEmpty()) {
            return;
        }
        java.util.concurrent.ScheduledExecutorService watch = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "affinity-credentials-watch");
                    t.setDaemon(true);
                    return t;
                });
        watch.scheduleWithFixedDelay(() -> {
            for (FollowedFile file : files) {
                String said = file.check();
                if (said != null) {
                    System.err.println(said);
                }
            }
        }, watchSeconds, watchSeconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * SIGTERM and SIGINT start the graceful stop above (which runs from the JVM's shutdown, whatever began it) and end
     * the process with 0: a stop asked for is a clean end. The JVM's own handling ends it with 128 + the signal
     * (143 for SIGTERM), which service managers count as a failure (systemd, unless told SuccessExitStatus=143).
     * Where the signals cannot be handled (another platform, -Xrs) the JVM's handling stays.
     */
    private static void exitWithZeroOnStopSignals() {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> System.exit(0));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // not a signal here, or reserved by the JVM: its default handling (exit 128 + signal) stays
            }
        }
    }

    /**
     * A journal that cannot be opened for appending, named with the option that moves it: by default the journals
     * are in the model store, which an operator may have made read-only (see README, "Files and permissions").
     */
    /** The store opening its versions from copies under {@code --local-copy}; a directory it cannot use stops here. */
    private ModelStore localCopies(ModelStore store) {
        try {
            return store.withLocalCopies(localCopy);
        } catch (IllegalArgumentException e) {
            throw new AffinityCli.UserFacingException("--local-copy " + localCopy + ": " + e.getMessage());
        } catch (IOException e) {
            throw new AffinityCli.UserFacingException("--local-copy " + localCopy + " cannot be used: "
                    + ErrorMessages.describe(e));
        }
    }

    private static AffinityCli.UserFacingException journalUnusable(Path file, String option, IOException e) {
        // The advice only for the file system refusing (permissions, a read-only mount, a directory in the way), not
        // for a journal line that does not read, whose message says where it is.
        String advice = e instanceof java.nio.file.FileSystemException ? "; serve appends to it and locks "
                + file.getFileName() + ".lock beside it: give this user write access there, or name a writable "
                + "place with " + option : "";
        return new AffinityCli.UserFacingException(file + " (" + option + ") cannot be opened: "
                + ErrorMessages.describe(e) + advice);
    }

    /** The request limits the flags give (checked in {@link #call()} before anything else). */
    ApiConfig apiConfig() {
        ApiConfig defaults = ApiConfig.defaults();
        // An operator capping answers below the usual default of 10 means every answer, those without a limit too.
        return new ApiConfig(host, port, Math.min(defaults.defaultLimit(), maxLimit), maxLimit, maxBasketItems,
                defaults.maxBodyBytes(), virtualThreads, corsPolicy(), defaults.bodyTimeout());
    }

    private CorsPolicy corsPolicy() {
        if (corsOrigins == null || corsOrigins.isEmpty()) {
            return CorsPolicy.none();
        }
        try {
            return CorsPolicy.of(corsOrigins);
        } catch (IllegalArgumentException e) {
            throw new AffinityCli.UserFacingException("--cors-origins: " + e.getMessage());
        }
    }

    /**
     * Fails with one clear line when the server could not listen: an unresolvable --host (Javalin reports any bind
     * failure as "port already in use") or a port another process holds (Javalin logs an ERROR and a stack trace).
     * Checked before the model is loaded, so the user learns it at once.
     */
    private void checkBindable() {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new AffinityCli.UserFacingException("--host " + host + ": not an address or a host name that "
                    + "resolves; give an interface address of this machine (0.0.0.0 for all, 127.0.0.1 for local)");
        }
        if (port < 0 || port > 65535) {
            throw new AffinityCli.UserFacingException("--port must be in 0..65535 (0 picks a free one), was " + port);
        }
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Jetty does: a port in TIME_WAIT is free for the server too
            probe.bind(new InetSocketAddress(address, port));
        } catch (BindException e) {
            String why = String.valueOf(e.getMessage());
            throw new AffinityCli.UserFacingException("cannot listen on " + host + ":" + port + ": " + why
                    + (why.contains("in use") ? " (another server is running there; stop it or pick another --port)"
                    : why.contains("assign") ? " (--host is not an address of this machine)" : ""));
        } catch (IOException e) {
            throw new AffinityCli.UserFacingException("cannot listen on " + host + ":" + port + ": "
                    + ErrorMessages.describe(e));
        }
    }

    private String adminToken() throws IOException {
        if (adminTokenFile != null) {
            adminTokenRead = Files.readAllBytes(adminTokenFile);
            return adminToken(adminTokenFile, adminTokenRead);
        }
        String env = System.getenv("AFFINITY_ADMIN_TOKEN");
        if (env == null || env.isBlank()) {
            return null;
        }
        String token = env.trim();
        // Checked here, before the model is opened and verified, and naming where the token came from.
        if (token.length() < MIN_SECRET_LENGTH) {
            throw new AffinityCli.UserFacingException("AFFINITY_ADMIN_TOKEN must be at least " + MIN_SECRET_LENGTH
                    + " characters, has " + token.length());
        }
        if (token.chars().anyMatch(Character::isISOControl)) {
            throw new AffinityCli.UserFacingException("AFFINITY_ADMIN_TOKEN must be one line, with no line break "
                    + "or control character inside it");
        }
        return token;
    }

    /** The token an admin token file's bytes hold; fails naming the file, never showing the token. */
    static String adminToken(Path adminTokenFile, byte[] content) {
        String token = FollowedFile.utf8(content, "admin token file", adminTokenFile).trim();
        if (token.isEmpty()) {
            throw new AffinityCli.UserFacingException("admin token file " + adminTokenFile + " is empty");
        }
        if (token.length() < MIN_SECRET_LENGTH) {
            throw new AffinityCli.UserFacingException("admin token file " + adminTokenFile + ": the token must "
                    + "be at least " + MIN_SECRET_LENGTH + " characters, has " + token.length());
        }
        if (token.chars().anyMatch(Character::isISOControl)) {
            // A comment line or a second token would become part of the token, line break included, which no
            // request can send in a header: admin would be enabled and every call refused. Never show it.
            throw new AffinityCli.UserFacingException("--admin-token-file " + adminTokenFile + ": the file must "
                    + "hold the token on one line, with no line break or control character inside it (no "
                    + "comments, one token)");
        }
        return token;
    }

    private static void notNegative(String option, int value) {
        if (value < 0) {
            throw new AffinityCli.UserFacingException(option + " must not be negative, was " + value);
        }
    }
}
