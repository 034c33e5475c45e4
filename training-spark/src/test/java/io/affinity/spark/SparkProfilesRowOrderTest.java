package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.RowOrderExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark-train} publishes the same customer profiles, to the last bit and byte for byte, from the same export
 * in another row order: an order's spend was summed over its lines in the export's order, and the value models
 * fitted over customers in the order of their first line. The same for the customers' histories and lists
 * (customers.cmap, customer-recs.cmap), which were put in the order Spark's partitions gave them.
 */
@IntegrationTest
class SparkProfilesRowOrderTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        LocalSpark.get();
    }

    private Path trained(String name, List<String> rows) throws Exception {
        Path input = RowOrderExport.write(dir.resolve(name + ".csv"), rows);
        Path models = dir.resolve(name);
        SparkTrainTest.Run run = SparkTrainTest.run("--input", input.toString(), "--models", models.toString(),
                "--lists", "tifu-knn", "--validation-days", "0");
        assertEquals(0, run.exit(), run.err());
        ModelStore store = ModelStore.open(models);
        return store.directory().resolve(store.currentVersion().orElseThrow());
    }

    @Test
    void theSameExportInAnotherRowOrderPublishesByteIdenticalProfilesAndHistories() throws Exception {
        Path a = trained("forward", RowOrderExport.rows());
        // and with another number of shuffle partitions (a cluster's setting): the histories came in the order of
        // Spark's hash partitions, which follows that number, not in customer id order as train puts them
        SparkSession spark = LocalSpark.get();
        String partitions = spark.conf().get("spark.sql.shuffle.partitions");
        Path b;
        try {
            spark.conf().set("spark.sql.shuffle.partitions", "3");
            b = trained("shuffled", RowOrderExport.shuffled(9));
        } finally {
            spark.conf().set("spark.sql.shuffle.partitions", partitions);
        }
        StringBuilder profilesA = new StringBuilder();
        StringBuilder profilesB = new StringBuilder();
        try (Snapshot sa = ModelStore.open(a.getParent()).openCurrent();
             Snapshot sb = ModelStore.open(b.getParent()).openCurrent()) {
            for (int c = 0; c < 80; c++) {
                profilesA.append(sa.profile("c" + c).orElseThrow()).append('\n');
                profilesB.append(sb.profile("c" + c).orElseThrow()).append('\n');
            }
        }
        assertEquals(profilesA.toString(), profilesB.toString());
        for (String file : List.of("profiles.cmap", "customers.cmap", "customer-recs.cmap")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), file);
        }
    }
}
