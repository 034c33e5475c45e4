package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code affinity serve} as an operator runs it: its own JVM, stopped by a signal, read from its standard error.
 */
@IntegrationTest
class ServeProcessTest {
    @TempDir
    Path dir;
    private Path models;
    private Process process;

    @BeforeEach
    void trainATinyStore() throws Exception {
        // Customer ids no build id, version id or temporary path can hold ('q' is not hex): "c1" was in one
        // build's commit hash, and the start-up line that names the build then looked like a logged customer id.
        Path orders = Files.write(dir.resolve("orders.csv"), List.of(
                "customer_id,order_id,timestamp,item_id,quantity,unit_price", "qcust1,o1,2011-05-01,A,1,1.0",
                "qcust1,o1,2011-05-01,B,1,2.0", "qcust2,o2,2011-05-02,A,1,1.0", "qcust2,o2,2011-05-02,B,1,2.0"));
        models = dir.resolve("models");
        StringWriter err = new StringWriter();
        assertEquals(0, AffinityCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "train", "--input",
                orders.toString(), "--recommender", "rules", "--models", models.toString()), err.toString());
    }

    @AfterEach
    void killTheServer() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A running server: its process, and its standard error and output as read so far. */
    private final class Server {
        final StringBuffer output = new StringBuffer();
        final CountDownLatch serving = new CountDownLatch(1);

        Server(String... args) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // The flags Chronicle Map needs, as this JVM was given them (the launcher passes the same).
            for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("--enable-native-access")
                        || a.startsWith("--sun-misc")) {
                    command.add(a);
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), AffinityCli.class.getName(),
                    "serve", "--models", models.toString(), "--host", "127.0.0.1", "--port", "0"));
            for (String option : List.of("--warm-up", "--watch-interval")) {
                if (!List.of(args).contains(option)) {
                    command.addAll(List.of(option, "0"));
                }
            }
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.startsWith("serving model")) {
                            serving.countDown();
                        }
                    }
                } catch (java.io.IOException e) {
                    output.append("(reading the output failed: ").append(e).append(")\n");
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void awaitServing() throws Exception {
            assertTrue(serving.await(60, TimeUnit.SECONDS) || !process.isAlive(), "not serving after 60 s: " + output);
            assertTrue(process.isAlive(), "exited: " + output);
        }

        int awaitExit() throws Exception {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running 30 s after the signal: " + output);
            Thread.sleep(100); // the reader's last lines
            return process.exitValue();
        }
    }

    /**
     * The operator reads at start which build serves which model from where, and which journals it uses (counts,
     * never ids): the build was nowhere, though replicas of two builds can serve one store during an upgrade.
     */
    @Test
    void startUpSaysWhichBuildServesWhatAndWhereWithoutIds() throws Exception {
        Server server = new Server();
        server.awaitServing();
        String out = server.output.toString();
        String build = io.affinity.store.Manifest.Software.current().affinityVersion();
        assertTrue(out.contains("affinity " + build + " (Java "), out);
        assertTrue(out.contains("consent journal " + models.resolve("consent.journal")), out);
        assertTrue(out.contains("serving model "), out);
        assertFalse(out.contains("qcust"), "no customer id: " + out);
        assertTrue(process.toHandle().destroy());
        assertEquals(0, server.awaitExit(), server.output.toString());
    }

    /**
     * A journal serve cannot open for appending (here its lock file's place is taken by a directory, which stops root
     * too; a read-only model store does the same to another user) stops start-up with one line naming the journal
     * and the option that moves it: the journals default to the model store, which an operator may have made
     * read-only, and the bare "consent.journal.lock: Is a directory" did not say what to do.
     */
    @Test
    void aJournalThatCannotBeOpenedStopsStartUpNamingItsOption() throws Exception {
        for (String journal : List.of("consent.journal", "availability.journal")) {
            Path lock = Files.createDirectory(models.resolve(journal + ".lock"));
            StringWriter err = new StringWriter();
            int code = AffinityCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--models",
                    models.toString(), "--host", "127.0.0.1", "--port", "0", "--warm-up", "0");
            assertEquals(1, code, err.toString());
            String option = journal.startsWith("consent") ? "--consent-journal" : "--availability-journal";
            assertTrue(err.toString().contains(models.resolve(journal) + " (" + option + ") cannot be opened"),
                    err.toString());
            assertTrue(err.toString().contains("give this user write access there, or name a writable place with "
                    + option), err.toString());
            assertFalse(err.toString().contains("\tat "), err.toString());
            Files.delete(lock);
        }
    }

    /**
     * The journals are opened before the model is verified and loaded, so that a journal serve cannot use stops
     * start-up at once rather than after minutes of loading a large model: with both wrong, the journal is named.
     */
    @Test
    void aJournalErrorComesBeforeTheModelIsLoaded() throws Exception {
        Files.createDirectory(models.resolve("consent.journal.lock"));
        String version = io.affinity.store.ModelStore.open(models).currentVersion().orElseThrow();
        Files.delete(models.resolve(version).resolve("rules.cmap")); // fails the model's verification
        StringWriter err = new StringWriter();
        int code = AffinityCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--models",
                models.toString(), "--host", "127.0.0.1", "--port", "0", "--warm-up", "0");
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().contains("(--consent-journal) cannot be opened"), err.toString());
        assertFalse(err.toString().contains("rules.cmap"), err.toString());
    }

    /**
     * SIGTERM is how every service manager stops a server: after the graceful stop the process ends with 0. It
     * ended with the JVM's 143 (128 + SIGTERM), which systemd counts as a failed service unless told otherwise.
     */
    @Test
    void sigtermStopsTheServerGracefullyWithExitCodeZero() throws Exception {
        Server server = new Server();
        server.awaitServing();
        // SIGTERM, through the handle: Process.destroy() would also close the streams the server still writes to.
        assertTrue(process.toHandle().destroy());
        int code = server.awaitExit();
        assertEquals(0, code, server.output.toString());
        assertTrue(server.output.toString().contains("stopping: in-flight requests finished"), server.output.toString());
        assertTrue(server.output.toString().contains("stopped: model versions and journals closed"),
                server.output.toString());
        assertFalse(server.output.toString().contains("\tat "), "no stack trace: " + server.output);
    }

    /**
     * What a client sends never reaches the log: Jetty logged a WARN quoting a Host header or CONNECT target it could
     * not parse ("Bad port [...]", "Bad IPv6 host: [...]"), so anyone who could reach the port, without credentials,
     * wrote lines of their choosing into the log, one per request, each as long as the header limit allows.
     */
    @Test
    void requestsJettyRefusesLeaveNoTraceOfTheirContentInTheLog() throws Exception {
        Server server = new Server();
        server.awaitServing();
        java.util.regex.Matcher port = java.util.regex.Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/")
                .matcher(server.output);
        assertTrue(port.find(), server.output.toString());
        String marker = "LOGGED-BY-CLIENT-4711";
        for (String request : List.of(
                "GET /health HTTP/1.1\r\nHost: [" + marker + "\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: example:" + marker + "\r\n\r\n",
                "CONNECT " + marker + " HTTP/1.1\r\nHost: example\r\n\r\n",
                "CONNECT /" + marker + " HTTP/1.1\r\nHost: example\r\n\r\n",
                "GET http://" + marker + ":99999/health HTTP/1.1\r\nHost: example\r\n\r\n",
                "GET /v1/customers/" + marker + "/recommendations HTTP/1.1\r\nHost: [" + marker + "\r\n\r\n")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Integer.parseInt(port.group(1)))) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                assertTrue(status.startsWith("HTTP/1.1 4"), request + " -> " + status);
            }
        }
        assertTrue(process.toHandle().destroy());
        assertEquals(0, server.awaitExit(), server.output.toString());
        assertFalse(server.output.toString().contains(marker), server.output.toString());
    }

    /**
     * A store served from local copies ({@code --local-copy}), as replicas on a read-only volume serve it: the
     * version is copied beside the process, answered from there, and nothing is left once the server has stopped.
     * (That a store this user may not write opens this way is tested in model-store, not as root.)
     */
    @Test
    void servesFromLocalCopiesAndLeavesNothingBehind() throws Exception {
        Path copies = dir.resolve("copies");
        Server server = new Server("--local-copy", copies.toString(), "--consent-journal",
                dir.resolve("consent.journal").toString(), "--availability-journal", "none");
        server.awaitServing();
        String out = server.output.toString();
        assertTrue(out.contains("model versions are opened from copies in " + copies + "/affinity-"), out);
        String version = io.affinity.store.ModelStore.open(models).currentVersion().orElseThrow();
        List<Path> opened;
        try (java.util.stream.Stream<Path> files = Files.walk(copies, 2)) {
            opened = files.filter(p -> p.getFileName().toString().startsWith(version)).toList();
        }
        assertEquals(1, opened.size(), opened.toString());
        assertTrue(Files.isRegularFile(opened.get(0).resolve("rules.cmap")));
        assertTrue(process.toHandle().destroy());
        assertEquals(0, server.awaitExit(), server.output.toString());
        try (java.util.stream.Stream<Path> left = Files.list(copies)) {
            assertEquals(List.of(), left.toList(), "left behind: " + server.output);
        }

        StringWriter err = new StringWriter();
        int code = AffinityCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--models",
                models.toString(), "--host", "127.0.0.1", "--port", "0", "--local-copy",
                models.resolve("copies").toString());
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().contains("--local-copy " + models.resolve("copies") + ": the local copy directory "),
                err.toString());
        assertTrue(err.toString().contains("is inside the model store"), err.toString());
    }
    /**
     * A keys file with scopes, as an operator writes it: the shop page's key (readable by every visitor of the page)
     * gets recommendations only, the CRM's key profiles, consent and exports, and a key of the format before scopes
     * keeps every right (that the warm-up needs none of them is WarmUpHttpTest's). A rewritten file is put in force
     * while the server runs (keys rotated without a restart); a wrong one leaves the keys as they were.
     */
    @Test
    void aKeysFileGivesEachKeyItsScopes() throws Exception {
        String page = "page-key-0123456789abcdef";
        String crm = "crm-key-0123456789abcdef";
        String old = "old-style-key-0123456789";
        Path keys = Files.writeString(dir.resolve("keys"), "# shop pages (public)\n" + page + "  recommendations "
                + "client=shop\n# CRM backend\n" + crm + " profiles, consent,exports client=crm\n" + old + "\n");
        Path token = Files.writeString(dir.resolve("admin-token"), "admin-token-0123456789ab\n");
        Server server = new Server("--api-keys-file", keys.toString(), "--admin-token-file", token.toString(),
                "--watch-interval", "1");
        server.awaitServing();
        String out = server.output.toString();
        assertTrue(out.contains("API keys required (3 keys; recommendations 2, profiles 2, consent 2, exports 2; "
                + "clients crm 1, shop 1, unnamed 1)"), out);
        java.util.regex.Matcher port = java.util.regex.Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/")
                .matcher(out);
        assertTrue(port.find(), out);
        String base = "http://127.0.0.1:" + port.group(1);
        String bought = base + "/v1/items/A/bought-together";
        String export = base + "/v1/campaigns/offers?channel=email";
        String feed = base + "/v1/consent/changes";
        assertEquals(200, status(bought, page));
        assertEquals(403, status(export, page));
        assertEquals(403, status(feed, page));
        assertEquals(403, status(bought, crm));
        assertEquals(200, status(export, crm));
        assertEquals(200, status(feed, crm));
        for (String url : List.of(bought, export, feed)) {
            assertEquals(200, status(url, old), url);
        }
        assertEquals(401, status(bought, null));

        // Rotation without a restart: the page's key replaced, the CRM's key kept; a wrong file changes nothing.
        String newPage = "new-page-key-0123456789ab";
        Files.writeString(keys, newPage + " recommendations client=shop\n" + crm + " profiles,consent,exports "
                + "client=crm\n");
        awaitStatus(bought, newPage, 200, server);
        assertEquals(401, status(bought, page));
        assertEquals(200, status(export, crm));
        Files.writeString(keys, newPage + " recommendation\n");
        awaitOutput(server, "the API keys loaded before stay in force: " + keys + ":1: scope 1 after the key");
        assertEquals(200, status(bought, newPage));
        assertEquals(200, status(export, crm));

        // The admin token rotates the same way; a file of two lines is refused and the token in force stays.
        String admin = base + "/admin/models";
        assertEquals(200, statusWithToken(admin, "admin-token-0123456789ab"));
        Files.writeString(token, "admin-token-rotated-012345\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (statusWithToken(admin, "admin-token-rotated-012345") != 200) {
            assertTrue(System.nanoTime() < deadline, "rotated token not in force: " + server.output);
            Thread.sleep(100);
        }
        assertEquals(401, statusWithToken(admin, "admin-token-0123456789ab"));
        Files.writeString(token, "# rotated\nadmin-token-third-0123456\n");
        awaitOutput(server, "WARNING: the admin token loaded before stays in force: --admin-token-file " + token
                + ": the file must hold the token on one line");
        assertEquals(200, statusWithToken(admin, "admin-token-rotated-012345"));
        assertTrue(process.toHandle().destroy());
        assertEquals(0, server.awaitExit(), server.output.toString());
        assertTrue(server.output.toString().contains("API keys reloaded from " + keys + ": 2 keys; recommendations 1, "
                + "profiles 1, consent 1, exports 1; clients crm 1, shop 1"), server.output.toString());
        assertTrue(server.output.toString().contains("admin token reloaded from " + token), server.output.toString());
        for (String key : List.of(page, crm, old, newPage, "admin-token-0123456789ab", "admin-token-rotated-012345",
                "admin-token-third-0123456")) {
            assertFalse(server.output.toString().contains(key), "a key in the log: " + server.output);
        }
    }

    private static void awaitStatus(String url, String key, int expected, Server server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (status(url, key) != expected) {
            assertTrue(System.nanoTime() < deadline, "not " + expected + " after 20 s: " + server.output);
            Thread.sleep(100);
        }
    }

    private static void awaitOutput(Server server, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!server.output.toString().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "'" + text + "' not said after 20 s: " + server.output);
            Thread.sleep(100);
        }
    }

    private static int statusWithToken(String url, String token) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                url)).header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers
                .discarding()).statusCode();
    }

    private static int status(String url, String key) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return java.net.http.HttpClient.newHttpClient().send(b.build(), java.net.http.HttpResponse.BodyHandlers
                .discarding()).statusCode();
    }
}
