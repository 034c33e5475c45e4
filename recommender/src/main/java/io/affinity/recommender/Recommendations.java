package io.affinity.recommender;

import java.util.List;
import java.util.Objects;

/**
 * A ranked answer, with how it was reached.
 *
 * @param modelVersion the snapshot version that produced every item in this answer
 * @param items        best first
 * @param fallback     true when nothing personal or basket-specific was known and popular items were served
 * @param unknownItems input items the model has never seen (ignored for scoring)
 */
public record Recommendations(String modelVersion, List<Recommendation> items, boolean fallback,
                              List<String> unknownItems) {
    public Recommendations {
        Objects.requireNonNull(modelVersion, "modelVersion");
        items = List.copyOf(items);
        unknownItems = List.copyOf(unknownItems);
    }
}
