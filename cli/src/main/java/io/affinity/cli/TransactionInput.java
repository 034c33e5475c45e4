package io.affinity.cli;

import io.affinity.store.Manifest;
import io.affinity.training.ReadableFile;
import io.affinity.training.ingest.ExchangeRates;
import io.affinity.training.ingest.ExcludedCustomers;
import io.affinity.training.ingest.IngestOptions;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The transaction-export options every verb that reads exports takes: the files, their column layout (a preset or
 * the retailer's own column names), their CSV dialect and their encoding, and which customer ids are not customers.
 */
final class TransactionInput {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Transaction exports, CSV or gzip CSV; several may be given.")
    List<Path> files;

    @Option(names = "--format", defaultValue = "auto",
            description = "Column layout: auto (detect from the header), online-retail, online-retail-ii, generic, "
                    + "generic-sequence (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--encoding", defaultValue = "UTF-8", paramLabel = "CHARSET",
            description = "Character encoding of the exports and, where the verb has one, of the --catalog file, "
                    + "e.g. windows-1252 for a Windows/Excel Latin-1 export (default: ${DEFAULT-VALUE}). Bytes that "
                    + "are not valid in it stop with file:line; they are never replaced.")
    Charset encoding;

    @Option(names = "--columns", paramLabel = "ROLE=HEADER,...",
            description = "Your own column names instead of a --format preset, e.g. customer=Kunde,"
                    + "order=Bestellnummer,timestamp=Datum,item=Artikel,quantity=Menge,price=Preis; required roles: "
                    + "customer, order, timestamp (or sequence, for an order sequence without dates), item, quantity, "
                    + "price; optional: description, category, country, currency. Every header named must be in the "
                    + "file. "
                    + "Timestamps as in the generic layout.")
    String columns;

    @Option(names = "--timestamp-format", paramLabel = "PATTERN",
            description = "With --columns: the export's own timestamp pattern instead of ISO 8601 (Java "
                    + "DateTimeFormatter letters), e.g. 'dd.MM.yyyy HH:mm', 'dd/MM/yyyy', 'MM/dd/yyyy[ HH:mm:ss]' "
                    + "([...] optional); read strictly: a row in another shape is malformed_timestamp.")
    String timestampFormat;

    @Option(names = "--delimiter", defaultValue = ",", paramLabel = "CHAR",
            description = "Field separator of the exports and, where the verb has one, of the --catalog file: , ; | "
                    + "or a tab (written \\t or tab); the --consent file (train) is always comma-separated "
                    + "(default: ${DEFAULT-VALUE}).")
    String delimiter;

    @Option(names = "--decimal-comma",
            description = "Quantities and prices (and, where the verb has one, the --catalog file's prices and "
                    + "costs) are written with a decimal comma (4,33), as in European exports (usually together "
                    + "with --delimiter ';'); a number with a dot is then rejected as malformed.")
    boolean decimalComma;

    @Option(names = "--error-budget", paramLabel = "SHARE",
            description = "Share of the rows read that may be malformed or conflicting before the verb stops, "
                    + "nothing published (default: 0.01).")
    Double errorBudget;

    @Option(names = "--exclude-customers", paramLabel = "FILE",
            description = "CSV (comma-separated, UTF-8) with a customer_id column: customers whose rows are not used "
                    + "(counted as excluded_customer), e.g. those who asked to be erased or objected to profiling; "
                    + "train also drops their consent-list rows and records the list in the manifest, and refuses a "
                    + "later run into that store without this option while its CURRENT version excluded anyone.")
    Path excludeCustomers;

    @Option(names = "--guest-customers", split = ",", paramLabel = "ID",
            description = "Customer ids your shop system writes for guest checkouts, e.g. 0 or a one-time-customer "
                    + "account, comma-separated: their rows are read as anonymous baskets (like a blank customer "
                    + "cell), not as one customer holding every guest's orders.")
    List<String> guestCustomers;

    @Option(names = "--time-zone", paramLabel = "ZONE",
            description = "The shop's time zone (IANA name, e.g. Europe/Berlin): timestamps written with a UTC offset "
                    + "(2011-05-06T22:30:00Z, +02:00) are converted to its local time, so that orders fall on the "
                    + "shop's days (purchase days, recency, the time split); timestamps without an offset are its "
                    + "local time already. Without it an offset is dropped and the clock time as written kept.")
    String timeZone;

    @Option(names = "--currency", paramLabel = "CODE",
            description = "The reporting currency (ISO 4217, e.g. EUR): every amount (spend, customer value, tiers, "
                    + "margins, catalogue prices) is in it and recorded as such. Without --exchange-rates the exports "
                    + "must hold no other currency; without either, an export whose currency column holds several "
                    + "stops, naming them.")
    String currency;

    @Option(names = "--exchange-rates", paramLabel = "FILE",
            description = "With --currency: CSV (comma-separated, UTF-8) currency,rate or currency,date,rate: what "
                    + "one unit of each currency is worth in the reporting currency (GBP,1.17 with --currency EUR), "
                    + "dated rates taken as of each order's day (the latest on or before it). Each row's price is "
                    + "converted by its currency column (and the --catalog's prices by its own, at the latest rate); "
                    + "a row whose currency has no rate is no_exchange_rate, counted against the error budget. "
                    + "Recorded (name, size, SHA-256) in the manifest and reports.")
    Path exchangeRates;

    private ExcludedCustomers excluded;
    private ExchangeRates rates;

    /** The {@code --exclude-customers} list, read once (null without the option). */
    ExcludedCustomers excludedCustomers() {
        if (excludeCustomers == null) {
            return null;
        }
        if (excluded == null) {
            ReadableFile.require("--exclude-customers", excludeCustomers);
            try {
                excluded = ExcludedCustomers.read(excludeCustomers);
            } catch (IOException e) {
                throw new AffinityCli.UserFacingException("--exclude-customers " + excludeCustomers
                        + " cannot be read: " + ErrorMessages.describe(e));
            }
        }
        return excluded;
    }

    /** The {@code --exchange-rates} file, read once against {@code --currency} (null without the option). */
    ExchangeRates exchangeRates() {
        if (exchangeRates == null) {
            return null;
        }
        if (rates == null) {
            ReadableFile.require(ExchangeRates.OPTION, exchangeRates);
            try {
                rates = ExchangeRates.read(exchangeRates, currency);
            } catch (IOException e) {
                throw new AffinityCli.UserFacingException(ExchangeRates.OPTION + " " + exchangeRates
                        + " cannot be read: " + ErrorMessages.describe(e));
            } catch (IllegalArgumentException e) {
                throw new AffinityCli.UserFacingException(e.getMessage());
            }
        }
        return rates;
    }

    /** {@code --error-budget} when given (checked: a share in [0, 1]), else null: the verb's default. */
    Double errorBudget() {
        if (errorBudget != null && !(errorBudget >= 0 && errorBudget <= 1)) {
            throw new AffinityCli.UserFacingException("--error-budget must be a share in [0, 1], was " + errorBudget);
        }
        return errorBudget;
    }

    /**
     * The export files by path, size and SHA-256, as a report's provenance records them (each read whole), then the
     * {@code --exchange-rates} file, which the report's amounts depend on as much.
     */
    List<Manifest.InputFile> provenance() throws IOException {
        List<Manifest.InputFile> inputs = new ArrayList<>(files.size() + 1);
        for (Path file : files) {
            inputs.add(Manifest.InputFile.of(file));
        }
        if (exchangeRates != null) {
            inputs.add(Manifest.InputFile.of(exchangeRates));
        }
        return inputs;
    }

    /** Default ingestion settings with this layout, dialect, error budget and excluded customers. */
    IngestOptions ingestOptions() {
        IngestOptions options;
        try {
            options = IngestOptions.fromOptions(format, columns, timestampFormat, delimiter, decimalComma,
                    errorBudget);
            if (guestCustomers != null) {
                options = options.withGuestCustomers(guestCustomers);
            }
            options = options.withTimeZone(IngestOptions.parseTimeZone(timeZone));
            options = options.withCurrency(currency, exchangeRates());
        } catch (IllegalArgumentException e) {
            throw new AffinityCli.UserFacingException(e.getMessage());
        }
        ExcludedCustomers list = excludedCustomers();
        return list == null ? options : options.withExcludedCustomers(list.ids());
    }
}
