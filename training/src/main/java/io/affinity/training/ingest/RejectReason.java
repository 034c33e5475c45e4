package io.affinity.training.ingest;

/**
 * Why a row was not loaded. Every row read gets exactly one reason or is accepted; when several apply, the
 * first in this order wins (so malformed rows are always counted against the error budget).
 */
public enum RejectReason {
    /** The row has more or fewer fields than the header. */
    MALFORMED_COLUMN_COUNT("malformed_column_count", true),
    /** Order, item, quantity, unit price or timestamp is blank. */
    MALFORMED_BLANK_FIELD("malformed_blank_field", true),
    /** Quantity is not a finite number. */
    MALFORMED_QUANTITY("malformed_quantity", true),
    /** Unit price is not a finite number. */
    MALFORMED_PRICE("malformed_price", true),
    /** Timestamp matches none of the mapping's patterns. */
    MALFORMED_TIMESTAMP("malformed_timestamp", true),
    /** The order sequence (an export without timestamps) is not a whole number from 0 to 10<sup>9</sup>. */
    MALFORMED_SEQUENCE("malformed_sequence", true),
    /** The customer or item id is longer than {@code Ids.MAX_ID_LENGTH} (128) characters: no model can store it. */
    MALFORMED_ID_TOO_LONG("malformed_id_too_long", true),
    /** The currency cell is blank or not an ISO 4217 code ({@code €}, {@code EURO}). */
    MALFORMED_CURRENCY("malformed_currency", true),
    /**
     * The exchange-rates file has no rate for the row's currency (on or before its day, for a dated file). Counted
     * against the error budget: summed unconverted its amounts would be wrong, and dropped the customers' spend would
     * be, so a file lacking a currency the exports use in earnest must stop training.
     */
    NO_EXCHANGE_RATE("no_exchange_rate", true),
    /**
     * The order number already belongs to another customer (order numbers reused, e.g. restarting per store or
     * channel). Counted against the error budget as malformed rows are: the export's keys are broken, and a
     * file with many such rows must stop training rather than lose those purchases or give them to the wrong
     * customer.
     */
    ORDER_CUSTOMER_CONFLICT("order_customer_conflict", true),
    /** The order number was already seen in an earlier file (overlapping exports). */
    DUPLICATE_INVOICE_FROM_OTHER_FILE("duplicate_invoice_from_other_file", false),
    /** Same file, same content as an earlier line: the first is kept. */
    DUPLICATE_LINE("duplicate_line", false),
    /**
     * The customer is on the list of customers whose data is not used ({@code --exclude-customers}: erased, or
     * objected to profiling). First of the reasons a row carries by itself, so that every row of such a customer
     * is counted here, whatever else it is.
     */
    EXCLUDED_CUSTOMER("excluded_customer", false),
    /** Cancellation prefix on the order number, or a negative quantity. */
    CANCELLATION("cancellation", false),
    /** Adjustment prefix on the order number (bad-debt write-offs). */
    ADJUSTMENT("adjustment", false),
    /** Quantity is zero. */
    ZERO_QUANTITY("zero_quantity", false),
    /** Unit price is zero or negative (free samples, write-offs). */
    NON_POSITIVE_PRICE("non_positive_price", false),
    /** The item is a non-product code (postage, fees, vouchers...). */
    NON_PRODUCT_CODE("non_product_code", false);

    private final String code;
    private final boolean malformed;

    RejectReason(String code, boolean malformed) {
        this.code = code;
        this.malformed = malformed;
    }

    /** The stable name used in reports and manifests. */
    public String code() {
        return code;
    }

    /** True for reasons that count against the error budget. */
    public boolean isMalformed() {
        return malformed;
    }
}
