package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.IntegrationTest;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

@IntegrationTest
class AcceptedLinesTest {
    @Test
    void theSchemaRoundTripsThroughSpark() {
        Row row = RowFactory.create(0, 2L, "536365", "85123A", null, 6.0, 2.55, 1291191960L, "United Kingdom",
                "WHITE HANGING HEART T-LIGHT HOLDER", null);
        List<Row> back = LocalSpark.get().createDataFrame(List.of(row), AcceptedLines.SCHEMA).collectAsList();
        assertEquals(List.of(row), back);
    }
}
