package io.affinity.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One in-process Spark for all tests of the module (starting one costs seconds): two local threads, each task tried
 * up to twice as a cluster retries a failed one (local mode's default is once), no web UI, few shuffle partitions
 * because test data is small, and loopback only (the machine has no other network).
 */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .appName("affinity-tests")
                    .master("local[2,2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "4")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop, "spark-stop"));
        }
        return session;
    }
}
