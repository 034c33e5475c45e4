package io.affinity.training.ingest;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * How a CSV export separates its fields and writes decimals. European spreadsheet and ERP exports use {@code ;}
 * between fields because the comma is their decimal separator ({@code 4,33}); other systems write tabs or pipes.
 *
 * @param delimiter    the field separator: {@code ,} (default), {@code ;}, tab or {@code |}
 * @param decimalComma true when quantities and prices are written with a decimal comma ({@code 4,33}); a dot in
 *                     such a number is then refused rather than guessed (it may be a thousands separator, so
 *                     {@code 1.234} could mean 1234 or 1.234)
 */
public record CsvDialect(char delimiter, boolean decimalComma) implements Serializable {
    /** Comma-separated, decimal dot: RFC 4180 as most tools write it. */
    public static final CsvDialect DEFAULT = new CsvDialect(',', false);

    private static final String DELIMITERS = ",;\t|";

    public CsvDialect {
        if (DELIMITERS.indexOf(delimiter) < 0) {
            throw new IllegalArgumentException("delimiter must be one of , ; tab |, was " + name(delimiter));
        }
    }

    /**
     * A delimiter as users type it: {@code ,} {@code ;} {@code |}, and a tab as {@code \t}, {@code tab} or the tab
     * character itself.
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static char parseDelimiter(String text) {
        if (text != null) {
            String t = text.equals("\t") ? text : text.strip();
            if (t.equals("\t") || t.equals("\\t") || t.equalsIgnoreCase("tab")) {
                return '\t';
            }
            if (t.length() == 1 && DELIMITERS.indexOf(t.charAt(0)) >= 0) {
                return t.charAt(0);
            }
        }
        throw new IllegalArgumentException("must be one of , ; | or a tab (written \\t or tab), was '" + text + "'");
    }

    /**
     * The delimiter as shown in messages, spelt as {@code --delimiter} takes it: {@code ','}, {@code ';'},
     * {@code tab}, {@code '|'}.
     */
    static String name(char delimiter) {
        return delimiter == '\t' ? "tab" : "'" + delimiter + "'";
    }

    /**
     * The number text in dot notation for {@link Double#parseDouble}, or null when it cannot be a number in this
     * dialect (a dot under {@link #decimalComma}).
     */
    String decimal(String text) {
        if (!decimalComma) {
            return text;
        }
        return text.indexOf('.') >= 0 ? null : text.replace(',', '.');
    }

    /**
     * Why a header read with this delimiter came out as a single column, when another delimiter explains it
     * (e.g. {@code "the header has no ',' but contains ';': the file looks ';'-separated, pass --delimiter ';'"}),
     * else the empty string. Callers put it first: it is the real problem. A one-column header is otherwise
     * reported as "column X missing", which hides the real problem since the names are visibly there.
     */
    String delimiterHint(List<String> header) {
        char c = otherDelimiter(header);
        return c == 0 ? "" : String.format(Locale.ROOT, "the header has no %s but contains %s: the file looks "
                + "%s-separated, pass --delimiter %s", name(delimiter), name(c), name(c), name(c));
    }

    /**
     * As {@link #delimiterHint}, for a catalogue read with the exports' delimiter. There is no separate option for
     * it, so "pass --delimiter X" alone would break the exports when they are right: the hint says both ways out.
     */
    String catalogueDelimiterHint(List<String> header) {
        char c = otherDelimiter(header);
        return c == 0 ? "" : String.format(Locale.ROOT, "the header has no %s but contains %s: the catalogue looks "
                + "%s-separated, and it is read with the exports' --delimiter %s (one option serves both files): save "
                + "it %s-separated like the exports, or pass --delimiter %s if the exports are %s-separated too",
                name(delimiter), name(c), name(c), name(delimiter), name(delimiter), name(c), name(c));
    }

    /** The delimiter a one-column header contains instead of this one, or 0. */
    private char otherDelimiter(List<String> header) {
        if (header.size() != 1) {
            return 0;
        }
        String only = header.get(0);
        for (char c : DELIMITERS.toCharArray()) {
            if (c != delimiter && only.indexOf(c) >= 0) {
                return c;
            }
        }
        return 0;
    }
}
