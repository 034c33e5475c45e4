package io.affinity.training.ingest;

/**
 * One data row of an export after the checks that need nothing but the row itself. The checks that need other
 * rows (the order's first file, its customer, duplicate lines) come after {@link #malformed()} and before
 * {@link #laterReason()}, in {@link TransactionLoader}'s order; the single-machine loader applies them while
 * streaming, the Spark ingestion with joins over all rows. Both read rows with {@link ExportReader}, so a row
 * means the same in both.
 *
 * @param line        physical line of the row's start in its file (header = line 1)
 * @param malformed   the first malformed reason, or null for a well-formed row
 * @param detail      what is wrong, for the report's samples (null when the reason says it all); never a customer id
 * @param order       the order number, stripped (empty only for rows malformed by column count)
 * @param item        the normalised item id (null for rows malformed by column count or blanks)
 * @param customer    the normalised customer id, or null for a guest (blank or placeholder cell)
 * @param placeholder the customer cell was a placeholder such as {@code NULL}, read as blank
 * @param quantity    the quantity (NaN when malformed)
 * @param price       the unit price (NaN when malformed)
 * @param time        the shop's local time as epoch seconds read as UTC, or the order's sequence number (0 when
 *                    malformed)
 * @param timeOffset  the timestamp was written with a UTC offset or zone (converted to the load's time zone, or
 *                    dropped without one)
 * @param country     the stripped country cell, "" without one
 * @param description the stripped description cell, or null when blank or absent (it takes no part in a vote)
 * @param category    the stripped category cell, or null when blank or absent
 * @param hash        64-bit hash of all fields, for exact duplicate lines
 * @param laterReason the first of the rejections that come after the cross-row checks (cancellation,
 *                    adjustment, zero quantity, non-positive price, non-product code), or null
 * @param orderColumn the mapping's name of the order column, for the conflict message
 * @param currency    the ISO 4217 code of the row's currency cell as written (before conversion: {@link #price()} is
 *                    in the reporting currency), or null without a currency column or when the cell is no code
 */
public record ScannedRow(long line, RejectReason malformed, String detail, String order, String item,
                         String customer, boolean placeholder, double quantity, double price, long time,
                         boolean timeOffset, String country, String description, String category, long hash, RejectReason laterReason,
                         String orderColumn, String currency) {

    /**
     * True when the row counts as a sighting of its order number, which decides the order's first file: every
     * row but those malformed by column count or blank fields (whose order number may be missing or shifted).
     */
    public boolean registersOrder() {
        return malformed != RejectReason.MALFORMED_COLUMN_COUNT && malformed != RejectReason.MALFORMED_BLANK_FIELD;
    }

    /** The sample detail of an {@link RejectReason#ORDER_CUSTOMER_CONFLICT}: names the order, not the customers. */
    public String conflictDetail() {
        return conflictDetail(orderColumn, order);
    }

    /** {@link #conflictDetail()} of an order in a file whose order column is {@code orderColumn}. */
    public static String conflictDetail(String orderColumn, String order) {
        return orderColumn + " '" + (order.length() <= 40 ? order : order.substring(0, 40) + "...")
                + "' already belongs to another customer";
    }
}
