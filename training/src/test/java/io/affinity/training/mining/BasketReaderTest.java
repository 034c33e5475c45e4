package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The basket format (one basket of comma-separated labels per line) and mining it with labels in the output. */
@UnitTest
class BasketReaderTest {
    @TempDir
    Path dir;

    @Test
    void labelsAreNumberedInOrderOfFirstAppearanceAndBasketsKeptAsSets() throws IOException {
        Path in = dir.resolve("baskets.csv");
        Files.writeString(in, "whole milk, yogurt ,coffee\n\"bags, paper\",whole milk,whole milk\n\nyogurt\r\n");
        BasketReader.Labelled l = BasketReader.read(in, StandardCharsets.UTF_8, "--encoding");
        assertEquals(List.of("whole milk", "yogurt", "coffee", "bags, paper"), l.labels());
        TransactionDatabase db = l.transactions();
        assertEquals(4, db.size(), "the blank line is an empty basket");
        assertEquals(List.of(0, 1, 2), ints(db.transaction(0)));
        assertEquals(List.of(0, 3), ints(db.transaction(1)), "a label named twice counts once");
        assertEquals(List.of(), ints(db.transaction(2)));
        assertEquals(List.of(1), ints(db.transaction(3)));
    }

    @Test
    void badInputNamesFileAndLine() throws IOException {
        Path empty = dir.resolve("empty-label.csv");
        Files.writeString(empty, "a,b\na,,b\n");
        FimiFormatException e = assertThrows(FimiFormatException.class,
                () -> BasketReader.read(empty, StandardCharsets.UTF_8, "--encoding"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(empty + ":2: item 2 of the basket is empty"), e.getMessage());
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, "caf\u00e9,tea\nbread\n".getBytes(StandardCharsets.ISO_8859_1));
        FimiFormatException bad = assertThrows(FimiFormatException.class,
                () -> BasketReader.read(latin1, StandardCharsets.UTF_8, "--encoding"));
        assertEquals(1, bad.line());
        assertTrue(bad.getMessage().contains("--encoding windows-1252"), bad.getMessage());
        assertEquals(List.of("caf\u00e9", "tea", "bread"),
                BasketReader.read(latin1, StandardCharsets.ISO_8859_1, "--encoding").labels());
    }

    /**
     * A double quote opened and closed on a later line made one label of the lines between ("multi\nline"): the
     * baskets in between merged into one, the total a fractional support is taken of shrank, and the label was
     * written back with its line break, splitting an itemset over two lines of --output.
     */
    @Test
    void aLabelSpanningLinesIsRefusedNamingWhereTheQuoteOpened() throws IOException {
        Path in = dir.resolve("open-quote.csv");
        Files.writeString(in, "a,b\nc,\"d\ne,f\ng,h\",i\nj\n");
        FimiFormatException e = assertThrows(FimiFormatException.class,
                () -> BasketReader.read(in, StandardCharsets.UTF_8, "--encoding"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(in + ":2: item 2 of the basket spans 3 lines"), e.getMessage());
        Path crlf = dir.resolve("crlf.csv");
        Files.writeString(crlf, "a,\"b\r\n\",c\r\n");
        FimiFormatException r = assertThrows(FimiFormatException.class,
                () -> BasketReader.read(crlf, StandardCharsets.UTF_8, "--encoding"));
        assertEquals(1, r.line());
    }

    @Test
    void minedItemsetsAndRulesAreWrittenWithLabels() throws IOException {
        Path in = dir.resolve("baskets.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(in))) {
            out.write("milk,bread\nmilk,bread,\"jam {strawberry}\"\nmilk\nbread,\"jam {strawberry}\"\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        Path itemsets = dir.resolve("itemsets.txt");
        Path rules = dir.resolve("rules.txt");
        MiningRun.Result r = MiningRun.run(new MiningRun.Job(in, 0.5, 0, ItemsetTarget.ALL, 2, 0,
                Optional.of(new RuleParameters(0.6, 0)), Optional.of(itemsets), Optional.of(rules),
                MiningRun.InputFormat.BASKET, StandardCharsets.UTF_8));
        // Supports of 4 baskets, threshold 2: milk 3, bread 3, jam 2, {milk,bread} 2, {bread,jam} 2.
        assertEquals(4, r.transactions());
        assertEquals(5, r.itemsets());
        assertEquals(List.of("{\"jam {strawberry}\"} #SUP: 2", "{bread,\"jam {strawberry}\"} #SUP: 2",
                        "{bread} #SUP: 3", "{milk,bread} #SUP: 2", "{milk} #SUP: 3"),
                Files.readAllLines(itemsets).stream().sorted().toList());
        // Rules at confidence 0.6: milk=>bread 2/3, bread=>milk 2/3, bread=>jam 2/3, jam=>bread 2/2.
        assertEquals(OptionalLong.of(4), r.rules());
        List<String> lines = Files.readAllLines(rules).stream().sorted().toList();
        assertEquals(4, lines.size());
        assertTrue(lines.get(0).startsWith("{\"jam {strawberry}\"} => {bread} #SUP: 2 conf=1.00000"), lines.get(0));
        assertTrue(lines.get(1).startsWith("{bread} => {\"jam {strawberry}\"} #SUP: 2 conf=0.666667"), lines.get(1));
        assertTrue(lines.get(2).startsWith("{bread} => {milk} #SUP: 2 conf=0.666667"), lines.get(2));
        assertTrue(lines.get(3).startsWith("{milk} => {bread} #SUP: 2 conf=0.666667"), lines.get(3));
    }

    @Test
    void itemsetsAloneAreWrittenWithLabelsToo() throws IOException {
        Path in = dir.resolve("baskets.csv");
        Files.writeString(in, "milk,bread\nmilk\n");
        Path itemsets = dir.resolve("itemsets.txt");
        for (ItemsetTarget target : ItemsetTarget.values()) {
            MiningRun.Result r = MiningRun.run(new MiningRun.Job(in, 0.5, 0, target, 1, 0, Optional.empty(),
                    Optional.of(itemsets), Optional.empty(), MiningRun.InputFormat.BASKET, StandardCharsets.UTF_8));
            List<String> expected = switch (target) {
                case ALL -> List.of("{bread} #SUP: 1", "{milk,bread} #SUP: 1", "{milk} #SUP: 2");
                case CLOSED -> List.of("{milk,bread} #SUP: 1", "{milk} #SUP: 2");
                case MAXIMAL -> List.of("{milk,bread} #SUP: 1");
            };
            assertEquals(expected, Files.readAllLines(itemsets).stream().sorted().toList(), target.toString());
            assertEquals(expected.size(), r.itemsets());
        }
    }

    private static List<Integer> ints(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
