package io.affinity.spark;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The one table that ingestion hands to every model stage: the order lines that passed validation, with the
 * order's attributes already resolved the way the single-machine loader resolves them (the order belongs to the
 * customer of its first identified line; its time and country are those of its first line).
 *
 * <p>Column meanings: {@code file} and {@code line} say where the row came from (file number in input order,
 * 1-based line of the row's start) and order the rows as the loader reads them; {@code time} is local time as
 * epoch seconds read as UTC (for sequence-ordered exports, sequence n is day n after 1970-01-01, as the
 * single-machine loader reads it); {@code customer} is
 * null for guest orders; {@code description} and {@code category} are the row's own cells (null when the export
 * has no such column or the cell is blank), voted per item by the stages that need them.
 */
public final class AcceptedLines {
    public static final String FILE = "file";
    public static final String LINE = "line";
    public static final String ORDER = "order_id";
    public static final String ITEM = "item";
    public static final String CUSTOMER = "customer";
    public static final String QUANTITY = "quantity";
    public static final String PRICE = "price";
    public static final String TIME = "time";
    public static final String COUNTRY = "country";
    public static final String DESCRIPTION = "description";
    public static final String CATEGORY = "category";

    public static final StructType SCHEMA = new StructType()
            .add(FILE, DataTypes.IntegerType, false)
            .add(LINE, DataTypes.LongType, false)
            .add(ORDER, DataTypes.StringType, false)
            .add(ITEM, DataTypes.StringType, false)
            .add(CUSTOMER, DataTypes.StringType, true)
            .add(QUANTITY, DataTypes.DoubleType, false)
            .add(PRICE, DataTypes.DoubleType, false)
            .add(TIME, DataTypes.LongType, false)
            .add(COUNTRY, DataTypes.StringType, false)
            .add(DESCRIPTION, DataTypes.StringType, true)
            .add(CATEGORY, DataTypes.StringType, true);

    /**
     * Optional column, after {@link #SCHEMA}'s: what the line's customer kept of it, its quantity less their returns
     * netted against it ({@code ReturnNetting}; 0 for a line returned in full). Customer value counts it; without
     * the column every line counts as kept whole. {@link SparkIngest} always adds it.
     */
    public static final String KEPT = "kept";

    /** {@link #SCHEMA} with {@link #KEPT}: what {@link SparkIngest} hands on. */
    public static final StructType SCHEMA_WITH_KEPT = SCHEMA.add(KEPT, DataTypes.DoubleType, false);

    private AcceptedLines() {
    }
}
