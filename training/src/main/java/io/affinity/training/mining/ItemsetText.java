package io.affinity.training.mining;

/**
 * Decimal text of item ids and support counts as ASCII bytes, for the itemset file format: written by hand
 * because millions of lines through String.valueOf (or string concatenation, whose first use also costs a
 * bootstrap at start-up) would dominate a mining run.
 */
final class ItemsetText {
    private ItemsetText() {
    }

    /** Number of decimal digits of {@code v >= 0}. */
    static int digits(long v) {
        int d = 1;
        while (v >= 10) {
            d++;
            v /= 10;
        }
        return d;
    }

    /** Length of an item's text in a line, {@code "id "}: its digits and the space after it. */
    static int itemLength(int id) {
        // Branches rather than divisions: the C1-only JIT the launcher uses for mine keeps divisions.
        if (id < 10) {
            return 2;
        }
        if (id < 100) {
            return 3;
        }
        if (id < 1000) {
            return 4;
        }
        if (id < 10000) {
            return 5;
        }
        return digits(id) + 1;
    }

    /** Writes {@code v >= 0} in decimal at {@code pos}; returns the position after it. */
    static int writeNumber(byte[] b, int pos, long v) {
        int end = pos + digits(v);
        int p = end;
        do {
            b[--p] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v > 0);
        return end;
    }

    /** {@code "id "}. */
    static byte[] item(int id) {
        byte[] t = new byte[itemLength(id)];
        writeNumber(t, 0, id);
        t[t.length - 1] = ' ';
        return t;
    }

    /** {@code "#SUP: count\n"}. */
    static byte[] support(long count) {
        byte[] t = new byte[6 + digits(count) + 1];
        t[0] = '#';
        t[1] = 'S';
        t[2] = 'U';
        t[3] = 'P';
        t[4] = ':';
        t[5] = ' ';
        writeNumber(t, 6, count);
        t[t.length - 1] = '\n';
        return t;
    }
}
