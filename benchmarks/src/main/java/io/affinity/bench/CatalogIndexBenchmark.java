package io.affinity.bench;

import io.affinity.recommender.ItemFacts;
import io.affinity.store.CatalogAnalysis;
import io.affinity.training.CatalogIndexWriter;
import io.affinity.training.ingest.CatalogFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * What accent folding costs when training writes the catalogue index: the same synthetic European catalogue
 * (seeded: descriptions of 3 to 6 words, half of the vocabulary accented or none of it, a category, a family and two
 * text attributes per item, one numeric) written with {@code LOWER_CASE} (the analysis before format 5) and
 * {@code ASCII_FOLDING} (training's now), in one run. One operation writes the whole index into a fresh
 * directory (documents, merge to one segment, commit with fsync), as {@code CatalogIndexWriter.write} does in
 * {@code train}; the directory is deleted after each iteration.
 *
 * <pre>
 * mvn -B -q -o -DskipTests -pl benchmarks -am package
 * java -jar benchmarks/target/benchmarks.jar CatalogIndexBenchmark
 * java -jar benchmarks/target/benchmarks.jar CatalogIndexBenchmark -p items=5000 -p accented=true -f 1 -wi 3 -i 5
 * </pre>
 * On a machine shared with other work, wall-clock times of runs minutes apart are not comparable; {@link
 * CatalogIndexAb} alternates the two analyses in one process and compares thread CPU time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class CatalogIndexBenchmark {
    @Param({"20000"})
    public int items;

    @Param({"LOWER_CASE", "ASCII_FOLDING"})
    public String analysis;

    /** Whether half the vocabulary is accented (a French or Nordic catalogue) or none of it (UCI Online Retail). */
    @Param({"true", "false"})
    public boolean accented;

    private static final String[] WORDS = {"café", "crème", "brûlée", "cafétière", "smørrebrød", "straße", "jalapeño",
            "garçon", "bœuf", "blåbær", "müsli", "köttbullar", "façade", "pâtisserie", "señorita", "æble", "søster",
            "größe", "naïve", "piñata", "tea", "cup", "saucer", "holder", "lantern", "bag", "jumbo", "red", "white",
            "heart", "vintage", "set", "glass", "bottle", "candle", "wooden", "frame", "box", "tin", "cake"};
    private static final String[] BRANDS = {"Crème Brûlée", "Jalapeño & Co", "Müller", "Garçon", "Blåbær", "Acme",
            "Bolt", "Søstrene", "Äpfel", "Château"};

    private List<ItemFacts> facts;
    private CatalogFile catalog;
    private CatalogAnalysis chosen;
    private Path work;
    private int run;

    /** A generated catalogue: the items as training has them and the catalogue file's rows. */
    record Catalogue(List<ItemFacts> facts, CatalogFile file) {
    }

    /**
     * The seeded catalogue of {@code items} items, its CSV written into {@code work}: descriptions of 3 to 6 words
     * (half upper case), a category, and a catalogue row with a two-word family, a brand, a colour and a weight.
     */
    static Catalogue catalogue(int items, boolean accented, Path work) throws IOException {
        Random rnd = new Random(42);
        List<ItemFacts> facts = new ArrayList<>(items);
        StringBuilder csv = new StringBuilder("item_id,family,brand,colour,weight_kg\n");
        for (int i = 0; i < items; i++) {
            String id = "P" + i;
            int words = 3 + rnd.nextInt(4);
            StringBuilder description = new StringBuilder();
            for (int w = 0; w < words; w++) {
                String word = word(rnd, accented);
                description.append(w == 0 ? "" : " ")
                        .append(rnd.nextBoolean() ? word.toUpperCase(Locale.ROOT) : word);
            }
            facts.add(new ItemFacts(id, description.toString(), word(rnd, accented), 1 + rnd.nextInt(5000) / 100.0,
                    rnd.nextInt(500), rnd.nextInt(300), rnd.nextInt(2000)));
            csv.append(id).append(',').append(word(rnd, accented)).append(' ').append(word(rnd, accented)).append(',')
                    .append(accented ? BRANDS[rnd.nextInt(BRANDS.length)] : "Acme " + rnd.nextInt(10)).append(',')
                    .append(word(rnd, accented)).append(',').append(rnd.nextInt(1000) / 100.0).append('\n');
        }
        Path file = Files.writeString(work.resolve("catalogue.csv"), csv);
        try {
            return new Catalogue(facts, CatalogFile.read(file, 0));
        } catch (CatalogFile.CatalogException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A word of the vocabulary; without accents, from its unaccented half only. */
    private static String word(Random rnd, boolean accented) {
        return accented ? WORDS[rnd.nextInt(WORDS.length)] : WORDS[20 + rnd.nextInt(WORDS.length - 20)];
    }

    @Setup(Level.Trial)
    public void generate() throws IOException {
        chosen = CatalogAnalysis.valueOf(analysis);
        work = Files.createTempDirectory("catalog-index-bench");
        Catalogue generated = catalogue(items, accented, work);
        facts = generated.facts();
        catalog = generated.file();
    }

    @Benchmark
    public Path write() throws IOException {
        Path dir = Files.createDirectory(work.resolve("index-" + run++));
        CatalogIndexWriter.write(dir, facts, catalog, chosen);
        return dir;
    }

    @TearDown(Level.Iteration)
    public void deleteIndexes() throws IOException {
        try (Stream<Path> dirs = Files.list(work)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                delete(dir);
            }
        }
    }

    @TearDown(Level.Trial)
    public void deleteAll() throws IOException {
        delete(work);
    }

    static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
