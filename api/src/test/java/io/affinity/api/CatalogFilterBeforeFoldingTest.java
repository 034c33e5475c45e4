package io.affinity.api;

import io.affinity.store.CatalogAnalysis;
import io.affinity.testing.UnitTest;

/**
 * Every filter and search answer of {@link CatalogFilterTest} on an index written as snapshots of format 4 and
 * before hold it (lower case only, no analysis recorded): such snapshots answer as they did.
 */
@UnitTest
class CatalogFilterBeforeFoldingTest extends CatalogFilterTest {
    @Override
    CatalogAnalysis analysis() {
        return CatalogAnalysis.LOWER_CASE;
    }
}
