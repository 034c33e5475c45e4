package io.affinity.bench;

import io.affinity.training.mining.FimiReader;
import io.affinity.training.mining.FpGrowth;
import io.affinity.training.mining.TransactionDatabase;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import smile.association.FPGrowth;
import smile.association.FPTree;
import smile.association.ItemSet;

/**
 * The peer in the whole-process comparison: Smile 2.6.0's FPGrowth on a FIMI file, run as its own JVM by
 * {@code benchmarks/mine-vs-smile.sh}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.affinity.bench.SmileFpGrowthMain FILE MIN_SUPPORT [OUTPUT]
 * </pre>
 *
 * <p>To keep the comparison about the miners, it reads the file with Affinity's {@link FimiReader} (a fast byte
 * scanner, so Smile is not penalised by a slow parser), uses the same support threshold
 * ({@link FpGrowth#minSupportCount}, i.e. ceil(minSupport x transactions)), and, when OUTPUT is given, writes
 * the same line format as {@code affinity mine --output} through a byte buffer. The last stdout line is
 * {@code itemsets=N}, like {@code affinity mine}, so that the script can check both found the same number.
 */
public final class SmileFpGrowthMain {
    private SmileFpGrowthMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: SmileFpGrowthMain FILE MIN_SUPPORT [OUTPUT]");
            System.exit(2);
        }
        long start = System.nanoTime();
        TransactionDatabase db = FimiReader.read(Path.of(args[0]));
        int minSupportCount = Math.toIntExact(FpGrowth.minSupportCount(Double.parseDouble(args[1]), db.size()));
        int[][] transactions = new int[db.size()][];
        for (int t = 0; t < db.size(); t++) {
            transactions[t] = db.transaction(t);
        }
        FPTree tree = FPTree.of(minSupportCount, transactions);
        long count;
        if (args.length == 3) {
            try (LineWriter out = new LineWriter(Files.newOutputStream(Path.of(args[2])))) {
                count = FPGrowth.apply(tree).peek(out::write).count();
            }
        } else {
            count = FPGrowth.apply(tree).count();
        }
        System.err.printf(Locale.ROOT, "smile: %d transactions, min support count %d, %.3f s%n", db.size(),
                minSupportCount, (System.nanoTime() - start) / 1e9);
        System.out.println("itemsets=" + count);
    }

    /** {@code 38 39 #SUP: 3031} lines through a byte buffer, as Affinity writes them. */
    private static final class LineWriter implements AutoCloseable {
        private final OutputStream out;
        private final byte[] digits = new byte[20];

        LineWriter(OutputStream out) {
            this.out = new BufferedOutputStream(out, 1 << 16);
        }

        void write(ItemSet set) {
            try {
                int[] items = set.items;
                for (int i = 0; i < items.length; i++) {
                    if (i > 0) {
                        out.write(' ');
                    }
                    number(items[i]);
                }
                out.write(SUP, 0, SUP.length);
                number(set.support);
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void number(int v) throws IOException {
            int p = digits.length;
            do {
                digits[--p] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v > 0);
            out.write(digits, p, digits.length - p);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        private static final byte[] SUP = " #SUP: ".getBytes(StandardCharsets.US_ASCII);
    }
}
