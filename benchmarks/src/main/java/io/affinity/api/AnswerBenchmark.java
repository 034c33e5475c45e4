package io.affinity.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import io.affinity.recommender.Recommendations;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The personalised endpoint's own work, without HTTP: for customers in turn, the served model's answer
 * ({@code Recommender.forCustomer}, limit 10, from the memory-mapped snapshot through the server's decoded-value
 * cache) written as the response body. {@code streaming} is what {@code GET /v1/customers/{id}/recommendations}
 * does per request (the streaming writer, {@link RecommendationsJson}); {@code databind} writes the same answer
 * as the wire records through Jackson data binding (the peer: the standard way, byte for byte the same JSON, a
 * test checks); {@code databindBlackbird} is the same with Jackson's Blackbird module (accessors generated with
 * method handles instead of reflection: the faster data binding, so the stronger peer); {@code recommendOnly} is the
 * answer without writing it and {@code writeOnly} the writer alone (over answers computed at set-up).
 * The body goes to a counting stream (bytes are counted, not kept), as the server's response stream would
 * take it.
 *
 * <p>Run (needs a model store; the README's first command makes one in {@code models}):
 * <pre>
 * ./affinity train --input data/sample/online-retail-2011-05-06.csv.gz --models models
 * mvn -B -q -o -DskipTests -pl benchmarks -am package
 * java -jar benchmarks/target/benchmarks.jar AnswerBenchmark -p store=models
 * </pre>
 * A customer-level figure: divide by nothing; each operation is one answer. On a machine shared with other
 * work, compare the three benchmarks of one run, not runs of different days.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true"})
public class AnswerBenchmark {
    /** A model store directory (the {@code --models} of {@code affinity train}); its current version is used. */
    @Param("models")
    public String store;
    /** Customers answered in turn (those of the snapshot with a profile, in id order). */
    @Param("2000")
    public int customers;
    @Param("10")
    public int limit;

    private Snapshot snapshot;
    private Recommender recommender;
    private RecommendationsJson streaming;
    private ObjectMapper databind;
    private ObjectMapper blackbird;
    private String[] ids;
    private int next;
    private Recommendations[] answers;
    private int nextAnswer;
    private final CountingStream out = new CountingStream();

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path dir = Path.of(store);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no model store at " + dir.toAbsolutePath()
                    + ": train one first (see this class's Javadoc) or pass -p store=DIR");
        }
        snapshot = ModelStore.open(dir).openCurrent();
        // As the server serves it (cli ServedModels): the decoded-value cache in front of the snapshot.
        CachedSnapshot cached = new CachedSnapshot(snapshot, 1 << 15);
        recommender = new Recommender(cached, RecommenderSettings.DEFAULTS);
        databind = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        blackbird = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .registerModule(new BlackbirdModule());
        streaming = new RecommendationsJson(databind.getFactory());
        List<String> found = new ArrayList<>();
        snapshot.forEachProfile((id, profile) -> {
            if (found.size() < customers) {
                found.add(id);
            }
        });
        if (found.isEmpty()) {
            throw new IllegalStateException("the snapshot in " + dir + " has no customers");
        }
        ids = found.toArray(String[]::new);
        answers = new Recommendations[ids.length];
        for (int i = 0; i < ids.length; i++) {
            answers[i] = recommender.forCustomer(ids[i], limit);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        snapshot.close();
    }

    private String nextCustomer() {
        String id = ids[next];
        next = next + 1 == ids.length ? 0 : next + 1;
        return id;
    }

    @Benchmark
    public long streaming() throws IOException {
        Recommendations r = recommender.forCustomer(nextCustomer(), limit);
        long before = out.count;
        streaming.write(r, null, out);
        return out.count - before;
    }

    @Benchmark
    public long databind() throws IOException {
        Recommendations r = recommender.forCustomer(nextCustomer(), limit);
        long before = out.count;
        databind.writeValue(out, Bodies.RecommendationsBody.of(r, null));
        return out.count - before;
    }

    @Benchmark
    public long databindBlackbird() throws IOException {
        Recommendations r = recommender.forCustomer(nextCustomer(), limit);
        long before = out.count;
        blackbird.writeValue(out, Bodies.RecommendationsBody.of(r, null));
        return out.count - before;
    }

    /** The writer alone, over answers computed once at set-up (as many as customers). */
    @Benchmark
    public long writeOnly() throws IOException {
        Recommendations r = answers[nextAnswer];
        nextAnswer = nextAnswer + 1 == answers.length ? 0 : nextAnswer + 1;
        long before = out.count;
        streaming.write(r, null, out);
        return out.count - before;
    }

    @Benchmark
    public Recommendations recommendOnly() {
        return recommender.forCustomer(nextCustomer(), limit);
    }

    /** Counts the body's bytes; ObjectMapper closes its target, so close() is a no-op. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }

        @Override
        public void close() {
        }
    }
}
