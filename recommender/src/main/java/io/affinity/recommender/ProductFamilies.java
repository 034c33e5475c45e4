package io.affinity.recommender;

import java.util.Locale;
import java.util.Set;

/**
 * Pragmatic product families: items whose descriptions are equal once colour words are removed
 * ({@code "RED RETROSPOT MUG"} and {@code "BLUE RETROSPOT MUG"} are variants of {@code "RETROSPOT MUG"}), with
 * the word joining two colours ({@code "BLACK AND WHITE DOG BOWL"} is a {@code "DOG BOWL"}).
 * Retail exports rarely carry a family or a size/colour attribute; colour is by far the most common
 * variant axis in gift and home catalogues, and the rule is easy to check by eye. Items without a
 * description form a family of their own (keyed by item id).
 */
public final class ProductFamilies {
    /** Colour and shade words removed from descriptions, upper case. */
    public static final Set<String> COLOUR_WORDS = Set.of("RED", "BLUE", "GREEN", "PINK", "WHITE", "BLACK", "IVORY",
            "CREAM", "YELLOW", "ORANGE", "PURPLE", "LILAC", "GOLD", "SILVER", "GREY", "GRAY", "BROWN", "TURQUOISE",
            "AQUA", "BEIGE", "NAVY", "TEAL", "MAUVE", "MAGENTA", "CHOCOLATE", "PEACH", "LIME", "MINT", "COPPER",
            "BRONZE", "LIGHT", "DARK", "PASTEL", "BRIGHT");

    private ProductFamilies() {
    }

    /** The family key of an item: its description without colour words, or {@code "#" + itemId} when empty. */
    public static String familyOf(String itemId, String description) {
        if (description == null || description.isBlank()) {
            return "#" + itemId;
        }
        StringBuilder key = new StringBuilder();
        String[] words = description.toUpperCase(Locale.ROOT).split("[\\s,/]+");
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            if (!word.isEmpty() && !isColour(word, i == words.length - 1) && !joinsTwoColours(words, i)) {
                if (key.length() > 0) {
                    key.append(' ');
                }
                key.append(word);
            }
        }
        return key.length() == 0 ? "#" + itemId : key.toString();
    }

    /**
     * Whether {@code word} (upper case) is a colour word where it stands, {@code last} in its description: LIGHT is a
     * shade before a colour ("LIGHT PINK") but the product as the last word ("NIGHT LIGHT", "TABLE LIGHT").
     */
    public static boolean isColour(String word, boolean last) {
        return COLOUR_WORDS.contains(word) && !(last && word.equals("LIGHT"));
    }

    /** "AND" or "&" between two colour words ("BLACK AND WHITE") is part of the colour, not of the product. */
    private static boolean joinsTwoColours(String[] words, int i) {
        return (words[i].equals("AND") || words[i].equals("&")) && i > 0 && i + 1 < words.length
                && COLOUR_WORDS.contains(words[i - 1]) && COLOUR_WORDS.contains(words[i + 1]);
    }
}
