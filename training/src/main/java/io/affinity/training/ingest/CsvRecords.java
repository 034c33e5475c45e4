package io.affinity.training.ingest;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import java.io.Closeable;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The records of a retailer's CSV file, read as every reader of one reads them (exports, catalogue, consent and
 * exclusion lists, {@code mine}'s baskets): decoded strictly ({@link StrictTextReader}), a quote left open an error
 * rather than the rest of the file in one field, and every record returned whatever its number of fields (each
 * reader reports a wrong one with its line).
 *
 * <p>It also tells a file cut mid-line from one that is complete. A copy or download that stops part-way leaves a
 * last line without the line break every other line ends with; read on, the cut row was one malformed row among
 * thousands, within any error budget, and the run used part of the file without a word, while a cut gzip file
 * stopped with "truncated?". Some writers end no file with a line break, so a missing one alone proves nothing; a
 * last line that lacks it <em>and</em> does not parse is reported as cut ({@link #explain}).
 */
public final class CsvRecords implements Iterable<CsvRecord>, Closeable {
    private final StrictTextReader text;
    private final CsvReader<CsvRecord> csv;
    private final Iterator<CsvRecord> records;
    private CsvRecord last;
    /** What looking past {@link #last} threw, thrown when the caller asks for the next record itself. */
    private RuntimeException pending;

    private CsvRecords(StrictTextReader text, char delimiter, boolean skipEmptyLines) {
        this.text = Objects.requireNonNull(text, "text");
        this.csv = CsvReader.builder()
                .fieldSeparator(delimiter)
                .detectBomHeader(false) // StrictTextReader drops the BOM
                .skipEmptyLines(skipEmptyLines)
                // an unclosed quote would swallow the rest of the file into one field: fail instead
                .allowUnclosedQuote(false)
                .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
                .missingFieldStrategy(FieldMismatchStrategy.IGNORE)
                .ofCsvRecord(text);
        this.records = csv.iterator();
    }

    /**
     * @param skipEmptyLines false where an empty line means something (an empty basket)
     */
    public static CsvRecords open(StrictTextReader text, char delimiter, boolean skipEmptyLines) {
        return new CsvRecords(text, delimiter, skipEmptyLines);
    }

    /** Comma-separated, empty lines skipped: the consent and exclusion lists. */
    public static CsvRecords open(StrictTextReader text) {
        return open(text, ',', true);
    }

    /**
     * The file's records, once (a second call continues where the first stopped). As the CSV reader's own iterator, it
     * throws {@link CsvParseException} for broken structure (its message saying when the file looks cut inside a
     * quoted field) and {@link java.io.UncheckedIOException} for failed reads.
     */
    @Override
    public Iterator<CsvRecord> iterator() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (pending != null) {
                    RuntimeException e = pending;
                    pending = null;
                    throw e;
                }
                try {
                    return records.hasNext();
                } catch (CsvParseException e) {
                    throw explained(e);
                }
            }

            @Override
            public CsvRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                last = records.next();
                return last;
            }
        };
    }

    /**
     * True when {@code record}, the one read last, is the file's last and ends without the line break the file's other
     * lines end with. Meant for a record that does not parse: it reads ahead to see that no record follows.
     */
    public boolean cutShort(CsvRecord record) {
        if (record == null || record != last || pending != null) {
            return false;
        }
        try {
            if (records.hasNext()) {
                return false;
            }
        } catch (CsvParseException e) { // the next record is broken: reported when the caller gets to it
            pending = explained(e);
            return false;
        } catch (RuntimeException e) {
            pending = e;
            return false;
        }
        return text.endsMidLine();
    }

    /**
     * Why {@code record} does not parse: {@code why}, or, when the file looks cut short there ({@link #cutShort}),
     * what that means and what to do, {@code why} included. The caller puts {@code file:line: } before it.
     */
    public String explain(CsvRecord record, String why) {
        return cutShort(record) ? cutShortReason(why) : why;
    }

    /** {@link #explain}'s text for a last line cut short. */
    public static String cutShortReason(String why) {
        return "the last line ends mid-row (truncated?): " + why + "; it lacks the line break the other lines end "
                + "with, as when a copy or download stops part-way: get the file again, or if it is complete, "
                + "correct that line";
    }

    /**
     * A broken CSV structure; a quote still open where a file ends mid-line is most likely a cut inside a quoted
     * field, and the message says so.
     */
    private CsvParseException explained(CsvParseException e) {
        return text.endsMidLine() ? new CsvParseException(e.getMessage() + "; the file ends mid-line inside a quoted "
                + "field (truncated?): get the file again, or if it is complete, close that quote", e) : e;
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
