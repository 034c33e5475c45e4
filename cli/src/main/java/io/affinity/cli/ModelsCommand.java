package io.affinity.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.affinity.store.Invocation;
import io.affinity.store.Manifest;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code affinity models}: the versions of a model store, from the command line, on the store's directory itself
 * (no server needed): list, show, verify, activate (roll back or forward), canary (staged rollout) and prune
 * (retention).
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Model versions of a store: list, show a manifest, verify, activate (roll back or forward), "
                + "canary (serve a version to a slice of customers first), prune old ones.",
                "Works on the store directory itself; servers watching it (serve --watch-interval) follow CURRENT "
                        + "and CANARY."},
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Verify.class,
                ModelsCommand.Activate.class, ModelsCommand.CanaryCommand.class, ModelsCommand.Prune.class})
final class ModelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // A verb without its subcommand is a mistake on the command line itself: usage and exit 2.
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing required subcommand: list, show, verify, activate, canary or prune");
    }

    /** {@code --models DIR}, shared by every subcommand. */
    static final class StoreOption {
        @Option(names = "--models", defaultValue = "models", paramLabel = "DIR",
                description = "Model store directory (default: ${DEFAULT-VALUE}).")
        Path models;
    }

    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            // the manifest's numbers printed as written (1.0 stays 1.0), not rounded through double
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    /**
     * {@code version} if it names a directory the store knows (a published version, or one named like a version
     * but incomplete, which opening then reports as such); else one line saying how to see the valid ones.
     */
    static String known(ModelStore store, Path models, String version) throws IOException {
        if (store.versions().contains(version) || store.skipped().stream().anyMatch(
                s -> s.kind() == ModelStore.SkippedKind.INCOMPLETE && s.name().equals(version))) {
            return version;
        }
        throw new AffinityCli.UserFacingException("unknown version '" + version + "' in model store " + models
                + "; the versions are listed by: ./affinity models list --models " + shell(models));
    }

    /** The version CURRENT names; without one, an error saying what to do instead. */
    static String current(ModelStore store, Path models, String instead) throws IOException {
        return store.currentVersion().orElseThrow(() -> new AffinityCli.UserFacingException("model store " + models
                + " has no CURRENT version: " + instead));
    }

    /** The path as a shell word, for commands the user may copy. */
    static String shell(Path path) {
        String s = path.toString();
        return s.matches("[A-Za-z0-9_./=:@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    static String size(long bytes) {
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        return bytes < 1_000_000_000 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6)
                : String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    private static String created(String iso) {
        try {
            return CREATED.format(Instant.parse(iso));
        } catch (DateTimeParseException | NullPointerException e) {
            return String.valueOf(iso);
        }
    }

    /** The canary CANARY names, and why it cannot be read when it is damaged. */
    record CanaryState(Optional<ModelStore.Canary> canary, String error) {
        static CanaryState of(ModelStore store) throws IOException {
            try {
                return new CanaryState(store.canary(), null);
            } catch (SnapshotException e) {
                return new CanaryState(Optional.empty(), ErrorMessages.describe(e));
            }
        }

        boolean names(String version) {
            return canary.filter(c -> c.version().equals(version)).isPresent();
        }
    }

    /** What to do about a damaged CANARY, after what is wrong with it. */
    static final String REPAIR_CANARY = "./affinity models canary --stop removes it";

    private static String servedModel(Manifest m) {
        JsonNode served = m.sections().get("servedModel");
        JsonNode name = served == null ? null : served.get("name");
        return name != null && name.isTextual() ? name.asText() : null;
    }

    // ------------------------------------------------------------------ list

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"One line per version, oldest first: version id, creation time (UTC), format version, "
                    + "served recommender, items, customers, rules, size on disk; '*' marks CURRENT, '~' the "
                    + "canary (with its percent).",
                    "Directories that are not versions (a publish in progress, an interrupted deletion) are not "
                            + "listed but counted."})
    static final class ListVersions implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOption store;
        @Option(names = "--json", description = "Print JSON (store, current, canary with its percent, versions with "
                + "their counts and bytes, skipped directories) instead of the table.")
        boolean json;

        /** One row of the listing; {@code manifest} null and {@code error} set when the manifest is unreadable. */
        record Row(String version, boolean current, long bytes, Manifest manifest, String error) {
        }

        @Override
        public Integer call() throws Exception {
            ModelStore s = ModelStores.existing(store.models, false);
            Optional<String> current;
            String currentError = null;
            try {
                current = s.currentVersion();
            } catch (SnapshotException e) { // listed all the same: the listing is how one picks a version to activate
                current = Optional.empty();
                currentError = ErrorMessages.describe(e);
            }
            List<Row> rows = new ArrayList<>();
            for (String v : s.versions()) {
                try {
                    rows.add(new Row(v, current.filter(v::equals).isPresent(), s.bytes(v), s.manifest(v), null));
                } catch (SnapshotException | IOException | IllegalArgumentException e) {
                    // a damaged manifest is listed as such (verify says more); one deleted meanwhile is gone
                    if (Files.isDirectory(s.directory().resolve(v))) {
                        rows.add(new Row(v, current.filter(v::equals).isPresent(), 0, null, ErrorMessages.describe(e)));
                    }
                }
            }
            List<ModelStore.Skipped> skipped = s.skipped();
            CanaryState canary = CanaryState.of(s);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(jsonBody(s, current, currentError, canary, rows, skipped)));
            } else {
                table(out, current, currentError, canary, rows, skipped);
            }
            out.flush();
            return 0;
        }

        private Map<String, Object> jsonBody(ModelStore s, Optional<String> current, String currentError,
                                             CanaryState canary, List<Row> rows, List<ModelStore.Skipped> skipped) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("store", s.directory().toString());
            body.put("current", current.orElse(null));
            if (currentError != null) {
                body.put("currentError", currentError);
            }
            body.put("canary", canary.canary().orElse(null));
            if (canary.error() != null) {
                body.put("canaryError", canary.error());
            }
            List<Map<String, Object>> versions = new ArrayList<>();
            for (Row r : rows) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("version", r.version());
                v.put("current", r.current());
                v.put("canary", canary.names(r.version()));
                if (r.manifest() != null) {
                    v.put("createdAt", r.manifest().createdAt());
                    v.put("formatVersion", r.manifest().formatVersion());
                    v.put("servedModel", servedModel(r.manifest()));
                    v.put("counts", r.manifest().counts());
                    v.put("bytes", r.bytes());
                } else {
                    v.put("error", r.error());
                }
                versions.add(v);
            }
            body.put("versions", versions);
            List<Map<String, Object>> skip = new ArrayList<>();
            for (ModelStore.Skipped k : skipped) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", k.name());
                m.put("kind", k.kind().name().toLowerCase(Locale.ROOT));
                m.put("why", k.kind().description());
                skip.add(m);
            }
            body.put("skipped", skip);
            return body;
        }

        private void table(PrintWriter out, Optional<String> current, String currentError, CanaryState canary,
                           List<Row> rows, List<ModelStore.Skipped> skipped) {
            String canaryNote = canary.error() != null ? ", CANARY unreadable (" + canary.error() + "; servers "
                    + "serve CURRENT alone); " + REPAIR_CANARY
                    : canary.canary().map(c -> ", canary " + c.version() + " at " + c.percent() + "%").orElse("");
            out.printf(Locale.ROOT, "store %s: %d version%s, CURRENT %s%s%n", store.models, rows.size(),
                    rows.size() == 1 ? "" : "s", current.orElse(currentError != null ? "unreadable (" + currentError
                            + "); ./affinity models activate VERSION repairs it" : "not set"), canaryNote);
            if (!rows.isEmpty()) {
                out.printf(Locale.ROOT, "  %-22s  %-19s  %6s  %-10s %9s %10s %9s %10s%n", "version", "created (UTC)",
                        "format", "served", "items", "customers", "rules", "size");
            }
            for (Row r : rows) {
                boolean isCanary = canary.names(r.version());
                String mark = r.current() ? "*" : isCanary ? "~" : " ";
                // CANARY naming CURRENT's version (a promotion cut short) means no canary: the '*' says it all
                String percent = isCanary && !r.current()
                        ? "  canary " + canary.canary().orElseThrow().percent() + "%" : "";
                Manifest m = r.manifest();
                if (m == null) {
                    out.printf(Locale.ROOT, "%s %-22s  unreadable: %s%s%n", mark, r.version(), r.error(), percent);
                    continue;
                }
                String served = servedModel(m);
                out.printf(Locale.ROOT, "%s %-22s  %-19s  %6d  %-10s %,9d %,10d %,9d %10s%s%n", mark, r.version(),
                        created(m.createdAt()), m.formatVersion(), served == null ? "-" : served, m.counts().items(),
                        m.counts().customers(), m.counts().rules(), size(r.bytes()), percent);
            }
            if (current.isPresent() && rows.stream().noneMatch(Row::current)) {
                out.printf("CURRENT names %s, which is not a complete version here: servers cannot load it%n",
                        current.get());
            }
            canary.canary().filter(c -> rows.stream().noneMatch(r -> r.version().equals(c.version())))
                    .ifPresent(c -> out.printf("CANARY names %s, which is not a complete version here: servers serve "
                            + "CURRENT alone%n", c.version()));
            if (!skipped.isEmpty()) {
                out.printf(Locale.ROOT, "skipped %d director%s that %s not a version:%n", skipped.size(),
                        skipped.size() == 1 ? "y" : "ies", skipped.size() == 1 ? "is" : "are");
                for (ModelStore.Skipped k : skipped) {
                    out.printf("  %s (%s)%n", k.name(), k.kind().description());
                }
            }
        }
    }

    // ------------------------------------------------------------------ show

    @Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Print the manifest of a version as JSON: inputs, parameters, ingest report, served model, "
                    + "counts, files with sizes and checksums.",
                    "When the version is the canary, a line on standard error says so, with its percent ('~ ')."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOption store;
        @Parameters(arity = "0..1", paramLabel = "VERSION", description = "Version id (default: the CURRENT one).")
        String version;
        @Option(names = "--command", description = "Print instead the command that published the version, as a "
                + "shell line to run it again (cd to the directory it ran in, then ./affinity with the arguments "
                + "as given); run it with the recorded software version (the manifest's software) on the inputs "
                + "the manifest lists by SHA-256.")
        boolean command;

        @Override
        public Integer call() throws Exception {
            ModelStore s = ModelStores.existing(store.models, false);
            String v = version == null ? current(s, store.models, "name the version to show")
                    : known(s, store.models, version);
            Manifest manifest = s.manifest(v); // checked: a damaged manifest is an error naming the file
            PrintWriter out = spec.commandLine().getOut();
            if (command) {
                Invocation invocation = Invocation.of(manifest.sections().get(Invocation.SECTION)).orElseThrow(
                        () -> new AffinityCli.UserFacingException("version " + v + " does not record the command "
                                + "that published it (published before commands were recorded, or not by train "
                                + "or spark-train): its inputs and parameters are in 'affinity models show " + v
                                + "'"));
                out.println(invocation.commandLine());
                out.flush();
                return 0;
            }
            JsonNode tree = JSON.readTree(s.directory().resolve(v).resolve("manifest.json").toFile());
            out.println(JSON.writeValueAsString(tree));
            out.flush();
            // On standard error, so that standard output stays the manifest's JSON for scripts.
            CanaryState canary = CanaryState.of(s);
            if (canary.names(v) && !Optional.of(v).equals(Activate.currentOrEmpty(s))) {
                PrintWriter err = spec.commandLine().getErr();
                err.printf("~ %s is the canary: it answers %d%% of customers%n", v,
                        canary.canary().orElseThrow().percent());
                err.flush();
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------ verify

    @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Open versions as a server does, verifying everything (manifest, file sizes, checksums, "
                    + "entry counts), and print OK or the file and the reason for each.",
                    "Exit code 1 when any version fails."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOption store;
        @Option(names = "--all", description = "Verify every version of the store.")
        boolean all;
        @Parameters(arity = "0..*", paramLabel = "VERSION", description = "Versions to verify (default: the CURRENT one).")
        List<String> versions;

        @Override
        public Integer call() throws Exception {
            boolean named = versions != null && !versions.isEmpty();
            if (all && named) {
                throw new AffinityCli.UserFacingException("--all verifies every version: give either --all or versions");
            }
            ModelStore s = ModelStores.existing(store.models, false);
            List<String> todo = new ArrayList<>();
            if (all) {
                todo.addAll(s.versions());
            } else if (named) {
                for (String v : versions) {
                    todo.add(known(s, store.models, v));
                }
            } else {
                todo.add(current(s, store.models, "name the versions to verify, or give --all"));
            }
            PrintWriter out = spec.commandLine().getOut();
            List<String> failed = new ArrayList<>();
            for (String v : todo) {
                String problem = verify(s, v);
                if (problem == null) {
                    Manifest m = s.manifest(v);
                    out.printf(Locale.ROOT, "OK      %s  format %d, %d files, %,d bytes: sizes, checksums and counts "
                            + "match the manifest%n", v, m.formatVersion(), m.files().size(), s.bytes(v));
                } else {
                    failed.add(v);
                    out.printf("FAILED  %s  %s%n", v, problem);
                }
                out.flush();
            }
            if (!failed.isEmpty()) {
                throw new AffinityCli.UserFacingException(failed.size() + " of " + todo.size() + " version"
                        + (todo.size() == 1 ? "" : "s") + " failed verification: " + String.join(", ", failed));
            }
            return 0;
        }

        /** Null when {@code version} opens with every check passed, else the file and the reason. */
        static String verify(ModelStore store, String version) throws IOException {
            try (Snapshot ignored = store.open(version)) {
                return null;
            } catch (SnapshotException | IllegalArgumentException | UncheckedIOException e) {
                return ErrorMessages.describe(e);
            } catch (IOException e) {
                // a file that cannot be read (permissions, I/O error) fails this version, not the whole run
                return ErrorMessages.describe(e);
            }
        }
    }

    // ------------------------------------------------------------------ activate

    @Command(name = "activate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Make a version the CURRENT one (roll back or forward): it is verified first and refused, "
                    + "CURRENT unchanged, if it fails; then CURRENT is replaced atomically.",
                    "Activating the canary's version promotes it: the canary ends with the switch. Activating another "
                            + "version leaves a running canary as it is (models canary --stop ends it).",
                    "Servers watching the store switch within their --watch-interval (default 10 s); one started "
                            + "with --watch-interval 0 needs POST /admin/models/reload."})
    static final class Activate implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOption store;
        @Parameters(arity = "1", paramLabel = "VERSION", description = "Version id to activate.")
        String version;

        @Override
        public Integer call() throws Exception {
            ModelStore s = ModelStores.existing(store.models, false);
            known(s, store.models, version);
            Optional<String> before = currentOrEmpty(s);
            ModelStore.Activation activation;
            try {
                activation = s.activateReporting(version);
            } catch (SnapshotException e) {
                throw new AffinityCli.UserFacingException("version " + version + " failed verification and was not "
                        + "activated; CURRENT is unchanged (" + before.orElse("not set") + "): "
                        + ErrorMessages.describe(e));
            }
            Optional<String> previous = activation.previous();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("verified %s: sizes, checksums and counts match the manifest%n", version);
            activation.promotedCanary().ifPresent(c -> out.printf("canary %s (%d%% of customers) promoted: CANARY "
                    + "removed with the switch, %s answers every customer%n", c.version(), c.percent(), c.version()));
            activation.canary().ifPresent(c -> out.printf("canary %s keeps answering %d%% of customers beside the new "
                    + "CURRENT; ./affinity models canary --stop --models %s ends it%n", c.version(), c.percent(),
                    shell(store.models)));
            if (previous.filter(version::equals).isPresent()) {
                out.printf("CURRENT was already %s: nothing changed%n", version);
            } else {
                out.printf("CURRENT: %s -> %s%n", previous.orElse("(not set)"), version);
                out.println("servers watching this store switch to it within their --watch-interval (default 10 s; "
                        + "with 0, POST /admin/models/reload)");
                previous.ifPresent(p -> out.printf("to undo: ./affinity models activate %s --models %s%n", p,
                        shell(store.models)));
            }
            out.flush();
            if (previous.isPresent() && !previous.get().equals(version)) {
                PrintWriter err = spec.commandLine().getErr();
                consentSetBack(s, previous.get(), version).ifPresent(w -> err.println("WARNING: " + w));
                err.flush();
            }
            return 0;
        }

        /** The activation is done: a manifest that cannot be read now only costs the warning. */
        private static Optional<String> consentSetBack(ModelStore s, String from, String to) {
            try {
                return s.consentSetBack(from, to);
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        static Optional<String> currentOrEmpty(ModelStore s) throws IOException {
            try {
                return s.currentVersion();
            } catch (SnapshotException e) {
                return Optional.empty(); // activating repairs an unreadable CURRENT
            }
        }
    }

    // ------------------------------------------------------------------ canary

    @Command(name = "canary", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Start a canary: VERSION answers N percent of customers (a stable slice: a hash of each "
                    + "customer id, salted by the version, so every server and every restart agrees, and each new "
                    + "canary takes a fresh slice), CURRENT the others. Verified first, as activate does; written to "
                    + "the store's CANARY beside CURRENT. Again with another N re-weights it (raising N keeps every "
                    + "customer it had), with another VERSION replaces it.",
                    "--stop ends it (and removes a damaged CANARY). ./affinity models activate VERSION promotes it.",
                    "Servers watching the store follow within their --watch-interval (default 10 s); one started with "
                            + "--watch-interval 0 needs POST /admin/models/reload. Requests naming no customer and "
                            + "campaign exports stay on CURRENT."})
    static final class CanaryCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOption store;
        @Parameters(arity = "0..1", paramLabel = "VERSION", description = "Version id to serve as the canary.")
        String version;
        @Option(names = "--percent", paramLabel = "N", description = "Percent of customers the canary answers, 1 to "
                + "99.")
        Integer percent;
        @Option(names = "--stop", description = "End the canary: CURRENT answers every customer.")
        boolean stop;

        @Override
        public Integer call() throws Exception {
            if (stop && (version != null || percent != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--stop ends the canary: give either "
                        + "VERSION --percent N or --stop");
            }
            if (!stop && (version == null || percent == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), version == null
                        ? "Missing VERSION --percent N (start a canary) or --stop (end it)"
                        : "Missing --percent N: the percent of customers " + version + " answers, 1 to 99");
            }
            if (!stop && (percent < 1 || percent > 99)) {
                throw new AffinityCli.UserFacingException("--percent must be 1 to 99, was " + percent + " (100 is "
                        + "./affinity models activate " + version + ", 0 is --stop)");
            }
            ModelStore s = ModelStores.existing(store.models, false);
            PrintWriter out = spec.commandLine().getOut();
            if (stop) {
                // Read first, so that the answer can say whether it removed a damaged CANARY or found none.
                String damaged = CanaryState.of(s).error();
                Optional<ModelStore.Canary> previous = s.stopCanary();
                if (previous.isEmpty() && damaged != null) {
                    out.printf("removed the damaged CANARY (%s): CURRENT %s answers every customer%n", damaged,
                            Activate.currentOrEmpty(s).orElse("(not set)"));
                    out.println(WATCHERS);
                } else if (previous.isEmpty()) {
                    out.println("no canary was running: nothing to stop");
                } else {
                    out.printf("canary %s (%d%% of customers) stopped: CURRENT %s answers every customer%n",
                            previous.get().version(), previous.get().percent(),
                            Activate.currentOrEmpty(s).orElse("(not set)"));
                    out.println(WATCHERS);
                }
                out.flush();
                return 0;
            }
            known(s, store.models, version);
            String current = current(s, store.models, "a canary is compared with CURRENT; activate a version first");
            Optional<ModelStore.Canary> previous;
            try {
                previous = s.startCanary(version, percent);
            } catch (SnapshotException e) {
                throw new AffinityCli.UserFacingException("version " + version + " failed verification and is not the "
                        + "canary; the canary is unchanged: " + ErrorMessages.describe(e));
            } catch (IllegalStateException e) {
                throw new AffinityCli.UserFacingException(e.getMessage());
            }
            out.printf("verified %s: sizes, checksums and counts match the manifest%n", version);
            out.printf("canary: %s answers %d%% of customers, CURRENT %s the others%s%n", version, percent, current,
                    previous.map(p -> p.version().equals(version) ? " (was " + p.percent() + "%)"
                            : " (replaces canary " + p.version() + " at " + p.percent() + "%)").orElse(""));
            out.println(WATCHERS);
            out.printf("to promote: ./affinity models activate %s --models %s%n", version, shell(store.models));
            out.printf("to stop:    ./affinity models canary --stop --models %s%n", shell(store.models));
            out.flush();
            return 0;
        }

        private static final String WATCHERS = "servers watching this store follow within their --watch-interval "
                + "(default 10 s; with 0, POST /admin/models/reload)";
    }

    // ------------------------------------------------------------------ prune

    @Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Delete all but the N newest versions, never the CURRENT one nor the canary (kept besides the "
                    + "N) and, unless --include-newer, never one newer than CURRENT (after a rollback: the versions "
                    + "rolled back from).",
                    "Each version is renamed to .deleting-* (never listed) before its files are removed, so an "
                            + "interrupted prune leaves no half-deleted version; the next prune removes what it "
                            + "left, and the temp dirs (.tmp-*) of publishes whose process is gone (those of a "
                            + "live publish are left alone, however old they look).",
                    "A running server keeps serving a version deleted under it; point one that does not watch "
                            + "the store (--watch-interval 0) at a kept version first."})
    static final class Prune implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOption store;
        @Option(names = "--keep", required = true, paramLabel = "N",
                description = "Newest versions to keep, at least 1; CURRENT is kept in addition.")
        int keep;
        @Option(names = "--dry-run", description = "Print what would be deleted and the bytes it would free; "
                + "delete nothing.")
        boolean dryRun;
        @Option(names = "--include-newer", description = "Also delete versions newer than CURRENT beyond the N "
                + "newest.")
        boolean includeNewer;

        @Override
        public Integer call() throws Exception {
            if (keep < 1) {
                throw new AffinityCli.UserFacingException("--keep must be at least 1 (the newest version is always "
                        + "kept), was " + keep);
            }
            ModelStore s = ModelStores.existing(store.models, false);
            current(s, store.models, "prune needs it to know which version is in use; activate one first");
            CanaryState canary = CanaryState.of(s);
            if (canary.error() != null) {
                throw new AffinityCli.UserFacingException(canary.error() + ": prune needs it to know which versions "
                        + "are in use; " + REPAIR_CANARY);
            }
            ModelStore.PruneResult r = s.prune(keep, includeNewer, dryRun);
            PrintWriter out = spec.commandLine().getOut();
            String delete = dryRun ? "would delete" : "deleted";
            String remove = dryRun ? "would remove" : "removed";
            // one line per version, oldest first, then the leftovers
            TreeMap<String, String> lines = new TreeMap<>();
            for (ModelStore.Kept k : r.kept()) {
                String why = switch (k.reason()) {
                    case CURRENT -> r.spared().contains(k.version()) ? "CURRENT (activated while pruning)" : "CURRENT";
                    case CANARY -> r.spared().contains(k.version()) ? "the canary (started while pruning)"
                            : "the canary" + canary.canary().filter(c -> c.version().equals(k.version()))
                            .map(c -> " (" + c.percent() + "%)").orElse("");
                    case NEWEST -> keep == 1 ? "the newest" : "among the " + keep + " newest";
                    case NEWER_THAN_CURRENT -> "newer than CURRENT (--include-newer deletes it)";
                };
                lines.put(k.version(), String.format("%-13s %s  %s", "kept", k.version(), why));
            }
            for (ModelStore.Removal v : r.removed()) {
                lines.put(v.name(), String.format("%-13s %s  %s", delete, v.name(), size(v.bytes())));
            }
            lines.values().forEach(out::println);
            for (ModelStore.Removal v : r.leftovers()) {
                out.printf("%-13s %s  %s (%s)%n", remove, v.name(), size(v.bytes()), leftover(v.name()));
            }
            for (ModelStore.Skipped k : s.skipped()) {
                if (k.kind() == ModelStore.SkippedKind.INCOMPLETE) {
                    // Its space is not freed: say so, or the total below reads as the store's whole saving.
                    out.printf("%-13s %s  (%s: prune never deletes it; inspect it and remove it by hand)%n",
                            "left alone", k.name(), k.kind().description());
                }
            }
            String what = r.removed().size() + " version" + (r.removed().size() == 1 ? "" : "s")
                    + (r.leftovers().isEmpty() ? "" : " and " + r.leftovers().size() + " leftover"
                    + (r.leftovers().size() == 1 ? "" : "s"));
            out.printf(Locale.ROOT, "%s %s: %,d bytes (%s) %s%n", delete, what, r.bytes(), size(r.bytes()),
                    dryRun ? "would be freed" : "freed");
            out.flush();
            return 0;
        }

        /** What a leftover prune removed was, by its name. */
        private static String leftover(String name) {
            if (name.startsWith(".deleting-")) {
                return "interrupted deletion";
            }
            if (name.startsWith(".tmp-")) {
                return name.endsWith(".lock") ? "lock file of a publish whose process is gone"
                        : "abandoned publish: its process is gone";
            }
            return "pointer write abandoned over 6 hours ago"; // CURRENT.tmp-*, CANARY.tmp-*
        }
    }
}
