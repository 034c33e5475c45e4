package io.affinity.api;

import io.affinity.store.ModelStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real server on port 0 over a model store of versions published by {@link TestStores#publish} (each item's
 * description ends with "@" and its version's tag, so an answer shows which version produced it), the first
 * version active, the admin endpoints behind a bearer token.
 */
final class TaggedStoreServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final ModelStore store;
    /** version id -> tag of its items; tests add the versions they publish later */
    final Map<String, String> tags = new HashMap<>();
    /** the versions published at start, in order */
    final List<String> versions = new ArrayList<>();
    final SwappableModelSource source = new SwappableModelSource();
    final ModelAdmin admin;
    final AffinityServer server;

    TaggedStoreServer(Path storeDir, String token, List<String> versionTags) throws Exception {
        store = ModelStore.open(storeDir);
        for (String tag : versionTags) {
            String v = TestStores.publish(store, tag);
            tags.put(v, tag);
            versions.add(v);
        }
        store.activate(versions.get(0));
        admin = new ModelAdmin(store, source, TestStores::serve);
        admin.reload();
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source,
                new ServerOptions(AccessControl.of(token, List.of()), admin, Duration.ofSeconds(5))).start();
    }

    /** A request without a body, with the bearer token when {@code token} is not null. */
    HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Override
    public void close() {
        server.close();
        admin.close();
        source.close(Duration.ofSeconds(5));
    }
}
