package io.affinity.testing;

import java.util.regex.Pattern;

/**
 * Whole-word search, for tests that check a short customer id ({@code c3}) appears nowhere in a message or manifest:
 * a plain {@code contains} also matches inside the hexadecimal of a version id or a checksum ({@code ...8ac3f...}),
 * and such a test then fails about once in fifty runs, depending on the random and time-based hex of the run.
 */
public final class Words {
    private Words() {
    }

    /** Whether {@code word} stands in {@code text} with no letter or digit next to it. */
    public static boolean containsWord(String text, String word) {
        return Pattern.compile("(?<![0-9A-Za-z])" + Pattern.quote(word) + "(?![0-9A-Za-z])").matcher(text).find();
    }
}
