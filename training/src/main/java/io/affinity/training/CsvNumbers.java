package io.affinity.training;

import java.math.BigDecimal;

/** Numbers as the CSV files Affinity writes for spreadsheets and notebooks give them. */
public final class CsvNumbers {
    private CsvNumbers() {
    }

    /**
     * The shortest decimal that reads back as the same double, in plain notation (never E notation, never
     * trailing zeros): a spreadsheet shows it as written and a notebook reads back the exact value.
     */
    public static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
