package io.affinity.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.Consent;
import io.affinity.testing.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded fuzzing of the store's readers: a small real snapshot (with precomputed recommendations and an added
 * directory) is copied into a fresh store per iteration, damaged once at random, and then listed, opened,
 * opened through CURRENT and activated. Oracle: an operation either succeeds with exactly the undamaged
 * snapshot's answers (and never succeeds after damage to checksummed bytes), or fails with a
 * {@link SnapshotException} whose message names the damaged file; nothing else (no NPE, IAE, buffer or Chronicle
 * Map errors, no hang), CURRENT is unchanged by a refused activation, and a failed open leaves no file of the
 * snapshot mapped or open (checked through /proc/self on Linux).
 *
 * <p>Reproduce a failure with the seed it prints: {@code -Daffinity.fuzz.seed=S -Daffinity.fuzz.iterations=1}.
 */
@FuzzTest
class SnapshotFuzzTest {
    private static final long SEED = Long.getLong("affinity.fuzz.seed", 20261124L);
    private static final int ITERATIONS = Integer.getInteger("affinity.fuzz.iterations", 1000);
    /** Hang guard for one iteration, far above its normal milliseconds; not a timing assertion. */
    private static final long HANG_SECONDS = 60;
    private static final boolean PROC = Files.isDirectory(Path.of("/proc/self/fd"));

    @TempDir
    static Path tmp;
    static Path pristineStore;
    static String version;
    static List<String> baseline;
    static List<String> dataFiles;
    static TestData data;
    static ExecutorService executor;

    @BeforeAll
    static void publish() throws Exception {
        executor = newExecutor();
        data = TestData.small();
        ModelStore store = ModelStore.open(tmp.resolve("pristine"));
        SnapshotBuilder b = data.fill(store.newSnapshot());
        CustomerRecsTest.recsFor(data, 7).forEach(b::putCustomerRecommendations);
        b.parameters(Map.of("minSupport", 0.01, "maxLength", 3, "orderSequence", false))
                .section("ingestReport", Map.of("rowsRead", 1234, "rejected", Map.of("badQuantity", 5)))
                .addDirectory("catalog", dir -> {
                    Files.writeString(dir.resolve("segments_1"), "segment list");
                    Files.write(dir.resolve("_0.cfs"), new byte[300]);
                });
        version = b.publish();
        pristineStore = store.directory();
        Path versionDir = pristineStore.resolve(version);
        try (Stream<Path> files = Files.walk(versionDir)) {
            dataFiles = files.filter(Files::isRegularFile).map(p -> versionDir.relativize(p).toString()).sorted().toList();
        }
        try (Snapshot s = store.open(version)) {
            baseline = answers(s);
            if (PROC && handlesInto(pristineStore).isEmpty()) {
                fail("the leak check sees no mapping of an open snapshot: it could not find a leak either");
            }
        }
        if (PROC && !handlesInto(pristineStore).isEmpty()) {
            fail("a closed snapshot still has files open or mapped: " + handlesInto(pristineStore));
        }
    }

    static volatile Thread fuzzThread;

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapshot-fuzz");
            t.setDaemon(true); // a hung iteration must not keep the JVM alive
            fuzzThread = t;
            return t;
        });
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
    }

    /** One damage applied to a copy of the store: what was done, and which names an error about it may give. */
    record Damage(String description, List<String> names, boolean checksummedBytesChanged, boolean removesCurrent,
                  boolean resealed, boolean removesVersion) {
        Damage(String description, List<String> names, boolean checksummedBytesChanged, boolean removesCurrent) {
            this(description, names, checksummedBytesChanged, removesCurrent, false, false);
        }

        Damage(String description, List<String> names, boolean checksummedBytesChanged, boolean removesCurrent,
               boolean resealed) {
            this(description, names, checksummedBytesChanged, removesCurrent, resealed, false);
        }
    }

    @Test
    void damagedSnapshotsOpenIdenticallyOrFailWithATypedErrorNamingTheFile() throws Exception {
        List<String> failures = new ArrayList<>();
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        int opened = 0;
        for (int i = 0; i < ITERATIONS && failures.size() < 10; i++) {
            long seed = SEED + i;
            Path storeDir = tmp.resolve("it-" + i);
            copyTree(pristineStore, storeDir);
            Random rnd = new Random(seed);
            Damage damage = damage(rnd, storeDir);
            kinds.merge(damage.description().replaceAll("[ (:].*", ""), 1, Integer::sum);
            if (damage.description().contains(".keys")) {
                kinds.merge("(of them to a .keys file)", 1, Integer::sum);
            }
            if (damage.description().contains("killed iterators")) {
                kinds.merge("(of them update flags of killed iterators)", 1, Integer::sum);
            }
            Future<List<String>> run = executor.submit(() -> check(storeDir, damage));
            List<String> problems;
            try {
                problems = run.get(HANG_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                problems = List.of("hung for over " + HANG_SECONDS + " s in " + Arrays.toString(fuzzThread.getStackTrace()));
                run.cancel(true);
                executor.shutdownNow();
                executor = newExecutor(); // the hung thread may never return
            } catch (ExecutionException e) {
                problems = List.of("check itself failed: " + e.getCause());
            }
            opened++;
            for (String p : problems) {
                failures.add("seed " + seed + " (-Daffinity.fuzz.seed=" + seed + " -Daffinity.fuzz.iterations=1), damage: "
                        + damage.description() + ": " + p);
            }
            if (problems.isEmpty()) {
                FileSync.deleteRecursively(storeDir);
            }
        }
        System.out.println("SnapshotFuzzTest: seed " + SEED + ", " + opened + " damaged stores, by kind " + kinds);
        if (!failures.isEmpty()) {
            fail(failures.size() + " problem(s):\n" + String.join("\n", failures));
        }
    }

    // ------------------------------------------------------------------ oracle

    private static List<String> check(Path storeDir, Damage damage) throws IOException {
        List<String> problems = new ArrayList<>();
        ModelStore store = ModelStore.open(storeDir);
        attempt(problems, damage, "versions()", () -> {
            store.versions();
            return null;
        });
        attempt(problems, damage, "manifest(v)", () -> {
            store.manifest(version);
            return null;
        });
        List<String> viaOpen = attempt(problems, damage, "open(v)", () -> {
            try (Snapshot s = store.open(version)) {
                return answers(s);
            }
        });
        List<String> viaCurrent = attempt(problems, damage, "openCurrent()", () -> {
            try (Snapshot s = store.openCurrent()) {
                return answers(s);
            }
        });
        String currentBefore = readCurrent(storeDir);
        List<String> activated = attempt(problems, damage, "activate(v)", () -> {
            store.activate(version);
            return List.of();
        });
        if (activated == null && !Objects.equals(currentBefore, readCurrent(storeDir))) {
            problems.add("a refused activate changed CURRENT from " + currentBefore + " to " + readCurrent(storeDir));
        }
        for (List<String> answers : Arrays.asList(viaOpen, viaCurrent)) {
            if (answers != null && damage.checksummedBytesChanged()) {
                problems.add("opened although checksummed bytes changed");
            }
            // a resealed manifest is what a writer wrote: it may describe another valid snapshot, so only the
            // typed-error part of the oracle applies
            if (answers != null && !damage.resealed() && !answers.equals(baseline)) {
                problems.add("opened, but answers differ from the undamaged snapshot, first difference: "
                        + firstDifference(answers));
            }
        }
        if (PROC) {
            List<String> handles = handlesInto(storeDir);
            if (!handles.isEmpty()) {
                problems.add("files left open or mapped: " + handles);
            }
        }
        return problems;
    }

    interface Operation {
        List<String> run() throws Exception;
    }

    /** Runs one operation: its answers, or null when it failed as allowed (else a problem is recorded). */
    private static List<String> attempt(List<String> problems, Damage damage, String what, Operation op) {
        try {
            List<String> out = op.run();
            return out == null ? List.of() : out;
        } catch (SnapshotException e) {
            String message = String.valueOf(e.getMessage());
            if (damage.names().stream().noneMatch(message::contains)) {
                problems.add(what + ": " + e.getClass().getSimpleName() + " names none of " + damage.names() + ": " + message);
            }
            return null;
        } catch (IllegalArgumentException e) {
            // documented: open, manifest and activate of a version the store does not hold
            if (!(damage.removesVersion() && !what.equals("openCurrent()")
                    && String.valueOf(e.getMessage()).contains("unknown version " + version))) {
                problems.add(what + ": " + describe(e));
            }
            return null;
        } catch (IllegalStateException e) {
            // documented: openCurrent on a store whose CURRENT does not exist
            if (!(damage.removesCurrent() && what.equals("openCurrent()"))) {
                problems.add(what + ": " + describe(e));
            }
            return null;
        } catch (IOException e) {
            // an I/O failure, as ModelStore documents: only moving a new CURRENT onto a directory of that name
            if (!(what.equals("activate(v)") && damage.description().equals("CURRENT a directory")
                    && String.valueOf(e.getMessage()).contains(ModelStore.CURRENT))) {
                problems.add(what + ": " + describe(e));
            }
            return null;
        } catch (Throwable e) {
            problems.add(what + ": " + describe(e));
            return null;
        }
    }

    private static String describe(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        String trace = w.toString();
        return trace.length() > 1500 ? trace.substring(0, 1500) + "..." : trace;
    }

    private static String firstDifference(List<String> answers) {
        for (int i = 0; i < Math.min(answers.size(), baseline.size()); i++) {
            if (!answers.get(i).equals(baseline.get(i))) {
                return "expected " + baseline.get(i) + " got " + answers.get(i);
            }
        }
        return "expected " + baseline.size() + " answers, got " + answers.size();
    }

    /** Every lookup a reader can make, as text. */
    static List<String> answers(Snapshot s) throws IOException {
        List<String> out = new ArrayList<>();
        out.add("manifest " + s.manifest());
        out.add("version " + s.version() + " sequence " + s.orderSequenceOnly() + " counts " + s.itemCount() + " "
                + s.ruleCount() + " " + s.customerCount() + " recs " + s.hasPrecomputedRecommendations());
        out.add("popular " + s.popularItems());
        List<String> itemIds = new ArrayList<>(data.items.keySet());
        itemIds.add("NO-SUCH-ITEM");
        for (String id : itemIds) {
            out.add("item " + id + " " + s.item(id) + " rules " + s.rulesWithAntecedentItem(id) + " tradeUps " + s.tradeUps(id));
        }
        List<String> customerIds = new ArrayList<>(data.customers.keySet());
        customerIds.add("C-NO-SUCH");
        for (String id : customerIds) {
            out.add("customer " + id + " " + s.customer(id) + " profile " + s.profile(id) + " recs " + s.precomputed(id));
            for (Consent.Channel c : Consent.Channel.values()) {
                out.add("consent " + id + " " + c + " " + s.consent(id, c));
            }
        }
        List<String> rules = new ArrayList<>();
        s.forEachRule(r -> rules.add(r.toString()));
        rules.sort(null);
        out.add("forEachRule " + rules);
        List<String> profiles = new ArrayList<>();
        s.forEachProfile((c, p) -> profiles.add(c + "=" + p));
        out.add("forEachProfile " + profiles);
        Optional<Path> catalog = s.subdirectory("catalog");
        out.add("catalog " + catalog.isPresent());
        if (catalog.isPresent()) {
            out.add("segments_1 " + Arrays.toString(Files.readAllBytes(catalog.get().resolve("segments_1"))));
            out.add("_0.cfs " + Arrays.toString(Files.readAllBytes(catalog.get().resolve("_0.cfs"))));
        }
        return out;
    }

    /** Open descriptors and mappings (Linux /proc) of files under {@code dir}. */
    static List<String> handlesInto(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().toString() + "/";
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains(prefix)) {
                out.add("mapped " + line.substring(line.indexOf(prefix)));
            }
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix)) {
                        out.add("open " + target);
                    }
                } catch (IOException ignored) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ damage

    private static Damage damage(Random rnd, Path storeDir) throws IOException {
        Path dir = storeDir.resolve(version);
        int kind = rnd.nextInt(100);
        if (kind < 30) {
            return flip(rnd, dir);
        } else if (kind < 42) {
            return truncate(rnd, dir);
        } else if (kind < 47) {
            String name = pick(rnd, dataFiles);
            byte[] extra = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 5000)];
            rnd.nextBytes(extra);
            Files.write(dir.resolve(name), extra, java.nio.file.StandardOpenOption.APPEND);
            // whitespace after the manifest's JSON changes nothing it says
            boolean harmless = name.equals(Snapshot.MANIFEST) && new String(extra, StandardCharsets.ISO_8859_1).isBlank();
            return new Damage("append " + name + " +" + extra.length + " bytes"
                    + (extra.length <= 8 ? " " + java.util.HexFormat.of().formatHex(extra) : ""), names(name), !harmless, false);
        } else if (kind < 52) {
            String name = pick(rnd, dataFiles);
            Files.delete(dir.resolve(name));
            return new Damage("delete " + name, names(name), true, false);
        } else if (kind < 57) {
            String name = pick(rnd, dataFiles);
            String other = pick(rnd, dataFiles.stream().filter(n -> !n.equals(name)).toList());
            Files.copy(dir.resolve(other), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            return new Damage("replace " + name + " by a copy of " + other, names(name), true, false);
        } else if (kind < 62) {
            return unexpectedFile(rnd, dir);
        } else if (kind < 65) {
            return lockWord(rnd, dir);
        } else if (kind < 88) {
            return editManifest(rnd, dir);
        } else {
            return damageCurrent(rnd, storeDir);
        }
    }

    /** Names an error about {@code relative} may give: the file's own name, or its directory's for added ones. */
    private static List<String> names(String relative) {
        return List.of(Path.of(relative).getFileName().toString());
    }

    private static Damage flip(Random rnd, Path dir) throws IOException {
        String name = pick(rnd, dataFiles);
        Path file = dir.resolve(name);
        long size = Files.size(file);
        if (size == 0) {
            return new Damage("flip none (" + name + " is empty)", names(name), false, false);
        }
        int where = rnd.nextInt(3);
        long at = where == 0 ? rnd.nextInt((int) Math.min(size, 32)) // header
                : where == 1 ? size - 1 - rnd.nextInt((int) Math.min(size, 16)) // footer
                : (long) (rnd.nextDouble() * size);
        int xor = 1 + rnd.nextInt(255);
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) at] ^= (byte) xor;
        Files.write(file, bytes);
        boolean checksummed = !inExcludedRange(name, at);
        return new Damage("flip " + name + " at " + at + " of " + size + " xor 0x" + Integer.toHexString(xor)
                + (checksummed ? "" : " (a lock word)"), names(name), checksummed, false);
    }

    private static Damage truncate(Random rnd, Path dir) throws IOException {
        String name = pick(rnd, dataFiles);
        Path file = dir.resolve(name);
        long size = Files.size(file);
        int header = name.endsWith(".bin") ? 4 + 1 + PopularFile.FORMAT_NAME.length() + 4
                : name.endsWith(".keys") ? 4 + 1 + KeyFile.FORMAT_NAME.length() + 4 : 64;
        long[] lengths = {0, 1, header - 1, size - 1, (long) (rnd.nextDouble() * size)};
        long length = Math.max(0, Math.min(size - 1, lengths[rnd.nextInt(lengths.length)]));
        if (size == 0) {
            return new Damage("truncate none (" + name + " is empty)", names(name), false, false);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
        return new Damage("truncate " + name + " from " + size + " to " + length, names(name), true, false);
    }

    private static Damage unexpectedFile(Random rnd, Path dir) throws IOException {
        String[] names = {"stray.tmp", "customer-recs.cmap.bak", "catalog/_1.cfs", "extra.cmap", ".hidden", "catalog/sub/x"};
        String name = names[rnd.nextInt(names.length)];
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[rnd.nextInt(100)];
        rnd.nextBytes(bytes);
        Files.write(file, bytes);
        // harmless: readers only read the files the manifest lists
        return new Damage("add unexpected file " + name, names(name), false, false);
    }

    /** Damage inside a Chronicle Map segment lock word: bytes the checksum deliberately skips. */
    private static Damage lockWord(Random rnd, Path dir) throws IOException {
        List<String> maps = dataFiles.stream().filter(n -> n.endsWith(".cmap")).toList();
        String name = pick(rnd, maps);
        Manifest.ChecksumExclusion x = pristineManifest().file(name).orElseThrow().checksumExcludes();
        int byteOfWord = rnd.nextInt(x.length());
        long at = x.offset() + rnd.nextInt(x.count()) * x.stride() + byteOfWord;
        int xor = 1 + rnd.nextInt(255);
        // Bit 30 alone (the update flag) is what a reader in another process holds while iterating, or leaves when
        // killed doing so: it cannot be told from damage (MapFiles.checkLockWords). From format 5 on nothing this
        // test reads needs that lock (profiles and rules are listed by their key files and lookups), so it must
        // change no answer; before, it blocked listing until Chronicle Map's lock timeout and was never drawn.
        Path file = dir.resolve(name);
        byte[] bytes = Files.readAllBytes(file);
        // Drawn last so that earlier seeds keep their damage: a quarter of these leave instead what processes
        // killed while iterating leave, the update flag alone, here in every segment of the map.
        if (rnd.nextInt(4) == 0) {
            for (int i = 0; i < x.count(); i++) {
                bytes[(int) (x.offset() + i * x.stride() + 3)] |= 0x40;
            }
            Files.write(file, bytes);
            return new Damage("lockword " + name + ": update flag set in all " + x.count() + " segments (killed iterators)",
                    names(name), false, false);
        }
        bytes[(int) at] ^= (byte) xor;
        Files.write(file, bytes);
        return new Damage("lockword " + name + " at " + at + " xor 0x" + Integer.toHexString(xor), names(name), false, false);
    }

    private static boolean inExcludedRange(String name, long at) throws IOException {
        Manifest.ChecksumExclusion x = pristineManifest().file(name).map(Manifest.FileEntry::checksumExcludes).orElse(null);
        if (x == null || at < x.offset()) {
            return false;
        }
        long i = (at - x.offset()) / x.stride();
        return i < x.count() && at - x.offset() - i * x.stride() < x.length();
    }

    private static Manifest pristineManifest() throws IOException {
        return Snapshot.readManifest(pristineStore.resolve(version));
    }

    private static Damage editManifest(Random rnd, Path dir) throws IOException {
        Path file = dir.resolve(Snapshot.MANIFEST);
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        List<String> names = new ArrayList<>(List.of(Snapshot.MANIFEST, "manifest"));
        String description;
        boolean resealed = false;
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            root.put("formatVersion", Manifest.CURRENT_FORMAT_VERSION + 1 + rnd.nextInt(3));
            description = "manifest formatVersion " + root.get("formatVersion");
        } else if (kind == 1) {
            root.put("version", "20000101-000000-00000" + rnd.nextInt(10));
            description = "manifest version " + root.get("version");
        } else if (kind == 2) {
            ObjectNode target = randomObject(rnd, root);
            target.put("unknownKey" + rnd.nextInt(100), rnd.nextBoolean() ? "x" : "[1,2]");
            // unknown keys are ignored by design (Json.MAPPER): harmless, though the checksum refuses it unless resealed
            description = "manifest extra key in " + path(root, target);
        } else {
            // a random value anywhere in the tree: removed, retyped or changed
            List<Object[]> slots = new ArrayList<>();
            collect(root, slots);
            Object[] slot = slots.get(rnd.nextInt(slots.size()));
            JsonNode parent = (JsonNode) slot[0];
            JsonNode old = slot[1] instanceof String key ? parent.get(key) : parent.get((Integer) slot[1]);
            JsonNode replacement = mutate(rnd, old);
            if (parent instanceof ObjectNode o) {
                if (replacement == null) {
                    o.remove((String) slot[1]);
                } else {
                    o.set((String) slot[1], replacement);
                }
            } else {
                ArrayNode a = (ArrayNode) parent;
                if (replacement == null) {
                    a.remove((Integer) slot[1]);
                } else {
                    a.set((Integer) slot[1], replacement);
                }
            }
            description = "manifest " + path(root, parent) + "." + slot[1] + ": " + old + " -> "
                    + (replacement == null ? "(removed)" : replacement);
            // an error about a file entry may name that file instead of the manifest
            if (parent.has("name")) {
                names.add(Path.of(parent.get("name").asText()).getFileName().toString());
            } else if (slot[1].equals("checksumExcludes") || containsEntry(root, parent)) {
                names.addAll(dataFiles.stream().map(n -> Path.of(n).getFileName().toString()).toList());
            }
            if (path(root, parent).startsWith("counts") || path(root, parent).startsWith("sections")) {
                names.addAll(dataFiles.stream().map(n -> Path.of(n).getFileName().toString()).toList());
            }
        }
        // Drawn last so that earlier seeds keep their damage. Resealed: as if a writer had written this content, to
        // reach the checks behind the manifest checksum (structure, counts, file entries, checksum exclusions).
        if (rnd.nextBoolean()) {
            Files.write(file, Snapshot.sealManifest(root));
            description += " (resealed)";
            resealed = true;
        } else {
            Json.MAPPER.writeValue(file.toFile(), root);
        }
        return new Damage(description, names, false, false, resealed);
    }

    private static boolean containsEntry(JsonNode root, JsonNode node) {
        for (JsonNode f : root.path("files")) {
            if (f.path("checksumExcludes") == node) {
                return true;
            }
        }
        return false;
    }

    private static String path(JsonNode root, JsonNode target) {
        if (root == target) {
            return "";
        }
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            String sub = path(e.getValue(), target);
            if (sub != null) {
                return sub.isEmpty() ? e.getKey() : e.getKey() + "." + sub;
            }
        }
        for (int i = 0; root.isArray() && i < root.size(); i++) {
            String sub = path(root.get(i), target);
            if (sub != null) {
                return sub.isEmpty() ? "[" + i + "]" : "[" + i + "]." + sub;
            }
        }
        return null;
    }

    private static void collect(JsonNode node, List<Object[]> slots) {
        if (node.isObject()) {
            for (var it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                slots.add(new Object[]{node, k});
                collect(node.get(k), slots);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                slots.add(new Object[]{node, i});
                collect(node.get(i), slots);
            }
        }
    }

    private static ObjectNode randomObject(Random rnd, ObjectNode root) {
        List<Object[]> slots = new ArrayList<>();
        collect(root, slots);
        List<ObjectNode> objects = new ArrayList<>(List.of(root));
        for (Object[] s : slots) {
            if (s[0] instanceof ObjectNode o && !objects.contains(o)) {
                objects.add(o);
            }
        }
        return objects.get(rnd.nextInt(objects.size()));
    }

    /** A different value (or null: remove it). */
    private static JsonNode mutate(Random rnd, JsonNode old) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int k = rnd.nextInt(12);
        switch (k) {
            case 0:
                return null;
            case 1:
                return f.textNode("x");
            case 2:
                return f.nullNode();
            case 3:
                return f.arrayNode();
            case 4:
                return f.objectNode();
            case 5:
                return f.booleanNode(true);
            case 6:
                return f.numberNode(-1 - rnd.nextInt(1000));
            case 7:
                return f.numberNode(rnd.nextBoolean() ? Long.MAX_VALUE : Integer.MAX_VALUE + 1L);
            case 8:
                return f.numberNode(new BigInteger("123456789012345678901234567890"));
            case 9:
                return f.numberNode(1e300);
            default:
                if (old.isIntegralNumber()) {
                    return f.numberNode(old.longValue() + (rnd.nextBoolean() ? 1 : -1));
                }
                if (old.isTextual() && !old.asText().isEmpty()) {
                    String s = old.asText();
                    int at = rnd.nextInt(s.length());
                    char c = s.charAt(at);
                    return f.textNode(s.substring(0, at) + (char) (c == 'a' ? 'b' : Character.isDigit(c) ? '0' + (c - '0' + 1) % 10 : 'a')
                            + s.substring(at + 1));
                }
                return f.numberNode(0.5);
        }
    }

    private static Damage damageCurrent(Random rnd, Path storeDir) throws IOException {
        Path current = storeDir.resolve(ModelStore.CURRENT);
        List<String> names = List.of(ModelStore.CURRENT);
        int kind = rnd.nextInt(9);
        if (kind == 8) {
            kind += rnd.nextInt(3); // 9 and 10 were added later: drawn so that earlier seeds keep their damage
        }
        switch (kind) {
            case 0: {
                byte[] garbage = new byte[1 + rnd.nextInt(64)];
                rnd.nextBytes(garbage);
                Files.write(current, garbage);
                return new Damage("CURRENT garbage " + Arrays.toString(garbage), names, false, false);
            }
            case 1:
                Files.write(current, new byte[0]);
                return new Damage("CURRENT empty", names, false, false);
            case 2:
                Files.writeString(current, " \n\t \r\n");
                return new Damage("CURRENT whitespace", names, false, false);
            case 3:
                Files.writeString(current, "../" + version + "\n");
                return new Damage("CURRENT ../version", names, false, false);
            case 4:
                Files.writeString(current, "20990101-000000-abcdef\n");
                return new Damage("CURRENT missing version 20990101-000000-abcdef", List.of("CURRENT", "20990101-000000-abcdef"), false, false);
            case 5:
                Files.delete(current);
                return new Damage("CURRENT deleted", names, false, true);
            case 6:
                Files.delete(current);
                Files.createDirectory(current);
                return new Damage("CURRENT a directory", names, false, false);
            case 9:
                // the version's manifest replaced by a directory of that name
                Files.delete(storeDir.resolve(version).resolve(Snapshot.MANIFEST));
                Files.createDirectory(storeDir.resolve(version).resolve(Snapshot.MANIFEST));
                return new Damage("manifest.json a directory", List.of(Snapshot.MANIFEST), true, false);
            case 10:
                // the version directory replaced by a file: the store no longer holds the version
                FileSync.deleteRecursively(storeDir.resolve(version));
                Files.writeString(storeDir.resolve(version), "not a directory");
                return new Damage("version directory a file", List.of(version), true, false, false, true);
            case 7:
                // a version id whose directory holds no snapshot
                Files.createDirectory(storeDir.resolve("20990101-000000-abcdef"));
                Files.writeString(current, "20990101-000000-abcdef\n");
                return new Damage("CURRENT names an empty version directory", List.of("CURRENT", "20990101-000000-abcdef"), false, false);
            default:
                // harmless: surrounding whitespace is trimmed
                Files.writeString(current, "  " + version + " \n\n");
                return new Damage("CURRENT version with surrounding whitespace", names, false, false);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String readCurrent(Path storeDir) {
        try {
            return Files.readString(storeDir.resolve(ModelStore.CURRENT), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static <T> T pick(Random rnd, List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.naturalOrder())::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
