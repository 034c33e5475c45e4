package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version is warmed in process before it is installed ({@link VersionWarmUp}, called by {@link ModelAdmin}): its
 * caches are filled while the old version still answers, within a time budget, with counts only in the log.
 */
@IntegrationTest
class VersionWarmUpTest {
    @TempDir
    Path dir;
    private ModelStore store;
    private SwappableModelSource source;
    private String first;
    private String second;
    /** Reads of the second version's snapshot while it was served, and before. */
    private final AtomicInteger readsWhileServed = new AtomicInteger();
    private final AtomicInteger readsBeforeServed = new AtomicInteger();
    /** Time each read of the second version takes (the slow-store test). */
    private volatile long readMillis;

    @BeforeEach
    void twoVersions() throws Exception {
        store = ModelStore.open(dir.resolve("models"));
        first = TestStores.publish(store, "first");
        second = TestStores.publish(store, "second");
        store.activate(first);
        source = new SwappableModelSource();
    }

    @AfterEach
    void close() {
        source.close(Duration.ofSeconds(5));
    }

    /** TestStores.serve, the second version's snapshot counting its reads by whether it was served then. */
    private ServedModel serve(Snapshot snapshot) {
        ServedModel plain = TestStores.serve(snapshot);
        if (!snapshot.version().equals(second)) {
            return plain;
        }
        ModelSnapshot counting = new Counting(plain.snapshot());
        return new ServedModel(counting, new Recommender(counting, RecommenderSettings.DEFAULTS), plain.summary(),
                plain.catalog());
    }

    private final class Counting extends ForwardingSnapshot {
        Counting(ModelSnapshot delegate) {
            super(delegate);
        }

        private void read() {
            boolean served = source.current().map(m -> m.snapshot() == this).orElse(false);
            (served ? readsWhileServed : readsBeforeServed).incrementAndGet();
            if (readMillis > 0) {
                try {
                    Thread.sleep(readMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public Optional<CustomerHistory> customer(String customerId) {
            read();
            return super.customer(customerId);
        }

        @Override
        public List<AssociationRule> rulesWithAntecedentItem(String itemId) {
            read();
            return super.rulesWithAntecedentItem(itemId);
        }

        @Override
        public Optional<ItemFacts> item(String itemId) {
            read();
            return super.item(itemId);
        }
    }

    private String served() {
        return source.current().orElseThrow().snapshot().version();
    }

    @Test
    void aNewVersionAnswersItsCustomersAndItemsBeforeItIsServed() throws Exception {
        try (ModelAdmin admin = new ModelAdmin(store, source, this::serve)) {
            admin.reload();
            assertEquals(first, served());
            admin.activate(second);
            assertEquals(second, served());
            assertTrue(readsBeforeServed.get() > 0, "the second version was read before it was installed");
            assertEquals(0, readsWhileServed.get(), "nothing read it after the swap yet");
            assertEquals(2, admin.warmUps(), "the first version at reload, the second at activate");
            // TestStores: 10 customers and their items' popularity list, all made within the budget
            assertEquals(0, admin.warmUpsCutShort());
            assertTrue(admin.warmUpAnswers() >= 2L * TestStores.CUSTOMERS, "answers: " + admin.warmUpAnswers());
        }
    }

    @Test
    void aSlowVersionIsWarmedForItsBudgetOnlyAndThenInstalled() throws Exception {
        readMillis = 20;
        try (ModelAdmin admin = new ModelAdmin(store, source, this::serve).withWarmUpBudget(Duration.ofMillis(100))) {
            admin.reload();
            long start = System.nanoTime();
            admin.activate(second);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(second, served());
            assertEquals(1, admin.warmUpsCutShort(), "the budget ran out before every answer was made");
            // one answer in progress when the budget runs out finishes: 100 ms plus a few reads of 20 ms
            assertTrue(tookMillis < 2_000, "the activation took " + tookMillis + " ms");
            assertTrue(readsBeforeServed.get() > 0);
        }
    }

    @Test
    void aZeroBudgetInstallsTheVersionCold() throws Exception {
        try (ModelAdmin admin = new ModelAdmin(store, source, this::serve).withWarmUpBudget(Duration.ZERO)) {
            admin.reload();
            admin.activate(second);
            assertEquals(second, served());
            assertEquals(0, readsBeforeServed.get());
            assertEquals(0, admin.warmUps());
        }
    }

    @Test
    void theLogSaysCountsNeverCustomerIds() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // slf4j-simple (the tests' binding) writes to System.err as it is at each call.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (ModelAdmin admin = new ModelAdmin(store, source, this::serve)) {
            admin.reload();
            admin.activate(second);
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("model " + second + " warmed before install: "), log);
        for (int c = 0; c < TestStores.CUSTOMERS; c++) {
            assertFalse(log.contains(TestStores.customerId(c)), "customer id in the log: " + log);
        }
    }

    @Test
    void aNegativeBudgetIsRefused() {
        ModelAdmin admin = new ModelAdmin(store, source, this::serve);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> admin.withWarmUpBudget(Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("must be >= 0"), e.getMessage());
    }
}
