package io.affinity.cli;

import io.affinity.api.AffinityServer;
import io.affinity.api.ConsentJournal;
import io.affinity.api.ApiConfig;
import io.affinity.api.ModelSource;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code affinity serve}: serves the active snapshot of a model store over HTTP until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the active model snapshot of a model store over HTTP.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--models", defaultValue = "models", description = "Model store directory (default: ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--max-limit", defaultValue = "100", description = "Largest 'limit' a request may ask for (default: ${DEFAULT-VALUE}).")
    int maxLimit;

    @Option(names = "--max-basket-items", defaultValue = "200", description = "Largest basket accepted (default: ${DEFAULT-VALUE}).")
    int maxBasketItems;

    @Option(names = "--margin-rate", defaultValue = "0.3", description = "Share of an item's price that is margin, for offer values (default: ${DEFAULT-VALUE}).")
    double marginRate;

    @Option(names = "--consent-journal", description = "Run-time consent journal (default: consent.journal in the model store).")
    Path consentJournal;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(models)) {
            throw new AffinityCli.UserFacingException("no model store at " + models
                    + "; train one first: ./affinity train --input FILE --models " + models);
        }
        ModelStore store = ModelStore.open(models);
        if (store.currentVersion().isEmpty()) {
            throw new AffinityCli.UserFacingException("model store " + models + " has no published snapshot yet");
        }
        Snapshot snapshot = store.openCurrent();
        ApiConfig defaults = ApiConfig.defaults();
        ApiConfig config = new ApiConfig(host, port, defaults.defaultLimit(), maxLimit, maxBasketItems,
                defaults.maxBodyBytes());
        ConsentJournal journal = ConsentJournal.open(consentJournal != null ? consentJournal
                : models.resolve("consent.journal"));
        if (journal.failure() != null) {
            System.err.println("affinity serve: WARNING: " + journal.failure());
        }
        AffinityServer server = AffinityServer.create(config, ModelSource.fixed(ServedModels.of(snapshot)), journal,
                marginRate);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close(); // stops accepting, lets in-flight requests finish
            snapshot.close();
            try {
                journal.close();
            } catch (java.io.IOException e) {
                System.err.println("affinity serve: closing the consent journal failed: " + e.getMessage());
            }
            stopped.countDown();
        }, "affinity-shutdown"));
        server.start();
        System.err.printf("serving model %s (%d items, %d rules, %d customers) on http://%s:%d/%n",
                snapshot.version(), snapshot.itemCount(), snapshot.ruleCount(), snapshot.customerCount(),
                host, server.port());
        stopped.await();
        return 0;
    }
}
