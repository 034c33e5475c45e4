package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --columns}, {@code --delimiter} and {@code --decimal-comma}: taken by every verb that reads transaction
 * exports (one shared mixin), passed through to the loader, recorded in the manifest, and refused clearly when wrong.
 */
@IntegrationTest
class ExportLayoutOptionsTest {
    private static final String COLUMNS = "customer=Kunde,order=Bestellnummer,timestamp=Datum,item=Artikel,"
            + "quantity=Menge,price=Preis";
    private static final List<String> VERBS_READING_EXPORTS = List.of("train", "evaluate", "customers");

    @TempDir
    Path dir;

    private Path germanExport() throws Exception {
        return Files.write(dir.resolve("de.csv"), List.of("Kunde;Bestellnummer;Datum;Artikel;Menge;Preis",
                "k1;B1;2024-01-05;TASSE;1;1,50", "k1;B1;2024-01-05;TELLER;2;2,25", "k2;B2;2024-01-06;TASSE;1;1,50",
                "k2;B2;2024-01-06;TELLER;1;2,25", "k1;B3;2024-02-06;TASSE;1;1,50", "k1;B3;2024-02-06;TELLER;1;2,25"));
    }

    /** The verb's arguments besides the input options, enough to reach the ingest step. */
    private List<String> rest(String verb) {
        return switch (verb) {
            case "train" -> List.of("--models", dir.resolve("models").toString(), "--recommender", "rules");
            case "evaluate" -> List.of("--split", "last-basket");
            default -> List.of("--calibration-end", "2024-03-01", "--output", dir.resolve("out").toString());
        };
    }

    private CommandErrorsTest.Run run(String verb, String... inputOptions) {
        List<String> args = new java.util.ArrayList<>(List.of(verb));
        args.addAll(List.of(inputOptions));
        args.addAll(rest(verb));
        return CommandErrorsTest.run(args.toArray(String[]::new));
    }

    @Test
    void trainReadsOwnColumnsSemicolonsAndDecimalCommasAndRecordsThem() throws Exception {
        Path f = germanExport();
        CommandErrorsTest.Run r = run("train", "--input", f.toString(), "--columns", COLUMNS, "--delimiter", ";",
                "--decimal-comma", "--min-support", "0.5");
        assertEquals(0, r.code(), r.err());
        Path models = dir.resolve("models");
        String version = Files.readString(models.resolve("CURRENT")).strip();
        JsonNode manifest = new ObjectMapper().readTree(models.resolve(version).resolve("manifest.json").toFile());
        assertEquals(6, manifest.path("sections").path("ingestReport").path("rowsAccepted").asLong(), manifest.toString());
        JsonNode parameters = manifest.path("parameters");
        assertEquals("columns", parameters.path("format").asText());
        assertEquals(COLUMNS, parameters.path("columns").asText());
        assertEquals(";", parameters.path("delimiter").asText());
        assertTrue(parameters.path("decimalComma").asBoolean());
    }

    @Test
    void everyVerbReadingExportsTakesTheOptions() throws Exception {
        Path f = germanExport();
        for (String verb : VERBS_READING_EXPORTS) {
            // without --delimiter: the file's separator is named
            run(verb, "--input", f.toString(), "--columns", COLUMNS).failsWith(f + ":1: the header has no ',' but "
                    + "contains ';': the file looks ';'-separated, pass --delimiter ';'");
            // the mapping reaches the loader: a role naming a header that is not there is named with the headers
            run(verb, "--input", f.toString(), "--delimiter", ";", "--columns", COLUMNS.replace("Menge", "Anzahl"))
                    .failsWith(f + ":1: column 'Anzahl' (role quantity, required by mapping 'columns') is missing "
                            + "from the header; headers found: [Kunde, Bestellnummer, Datum, Artikel, Menge, Preis]");
            // without --decimal-comma every price is malformed
            run(verb, "--input", f.toString(), "--delimiter", ";", "--columns", COLUMNS)
                    .failsWith("6 of 6 rows are malformed", "(Preis '1,50')");
            run(verb, "--input", f.toString(), "--delimiter", "x").failsWith("--delimiter must be one of , ; | or a "
                    + "tab (written \\t or tab), was 'x'");
            run(verb, "--input", f.toString(), "--columns", COLUMNS, "--format", "generic")
                    .failsWith("--columns replaces --format generic");
            run(verb, "--input", f.toString(), "--columns", "kunde=Kunde")
                    .failsWith("--columns unknown role 'kunde'; roles: customer, order, timestamp, sequence");
            String help = CommandErrorsTest.run(verb, "--help").out();
            for (String option : List.of("--columns", "--delimiter", "--decimal-comma")) {
                assertTrue(help.contains(option), verb + " --help lists " + option);
            }
        }
    }

    /**
     * {@code --time-zone}: an export written in UTC by a shop in Berlin. Every verb takes it and refuses a name that is
     * no zone; train converts the offsets, says so in its ingest report, and records the zone in the manifest, whose
     * snapshot then counts "today" in it.
     */
    @Test
    void everyVerbTakesTheShopsTimeZoneAndTrainRecordsIt() throws Exception {
        Path f = Files.write(dir.resolve("utc.csv"), List.of("customer_id,order_id,timestamp,item_id,quantity,unit_price",
                "k1,B1,2024-01-05T23:30:00Z,TASSE,1,1.50", "k1,B1,2024-01-05T23:30:00Z,KANNE,2,2.25",
                "k2,B2,2024-01-06T11:00:00Z,TASSE,1,1.50", "k2,B2,2024-01-06T11:00:00Z,TELLER,1,2.25",
                "k1,B3,2024-02-06T22:15:00Z,TASSE,1,1.50", "k1,B3,2024-02-06T22:15:00Z,TELLER,1,2.25"));
        for (String verb : VERBS_READING_EXPORTS) {
            run(verb, "--input", f.toString(), "--time-zone", "Europe/Berln").failsWith("--time-zone 'Europe/Berln' "
                    + "is not a time zone; give the shop's IANA time-zone name, e.g. Europe/Berlin");
            run(verb, "--input", f.toString(), "--time-zone", "+01:00").failsWith("is a fixed offset, not a time zone");
            assertTrue(CommandErrorsTest.run(verb, "--help").out().contains("--time-zone"), verb);
        }
        CommandErrorsTest.Run r = run("train", "--input", f.toString(), "--time-zone", "Europe/Berlin",
                "--min-support", "0.5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("timestamps with a UTC offset") && r.out().contains("converted to Europe/Berlin "
                + "local time"), r.out());
        Path models = dir.resolve("models");
        String version = Files.readString(models.resolve("CURRENT")).strip();
        JsonNode manifest = new ObjectMapper().readTree(models.resolve(version).resolve("manifest.json").toFile());
        assertEquals("Europe/Berlin", manifest.path("parameters").path("timeZone").asText());
        JsonNode offsets = manifest.path("sections").path("ingestReport").path("timeOffsets");
        assertEquals(6, offsets.path("rows").asLong(), offsets.toString());
        try (io.affinity.store.Snapshot s = io.affinity.store.ModelStore.open(models).openCurrent()) {
            assertEquals(java.time.ZoneId.of("Europe/Berlin"), s.timeZone().orElseThrow());
            // k1's orders were at 00:30 on 6 January (the jug, bought only then) and 23:15 on 6 February in Berlin
            java.util.Map<String, java.time.LocalDate> last = new java.util.HashMap<>();
            s.customer("k1").orElseThrow().items().forEach(p -> last.put(p.itemId(), p.lastPurchased()));
            assertEquals(java.util.Map.of("KANNE", java.time.LocalDate.of(2024, 1, 6), "TASSE",
                    java.time.LocalDate.of(2024, 2, 6), "TELLER", java.time.LocalDate.of(2024, 2, 6)), last);
        }
    }

    @Test
    void customersRefusesSequenceInputItHasNoCalendar() throws Exception {
        Path f = Files.write(dir.resolve("seq.csv"), List.of("customer_id,order_id,sequence,item_id,quantity,unit_price",
                "c1,o1,1,TASSE,1,1.5", "c1,o2,2,TELLER,1,2.5", "c2,o3,1,TASSE,1,1.5"));
        CommandErrorsTest.Run r = CommandErrorsTest.run("customers", "--input", f.toString(), "--calibration-end",
                "1970-03-01", "--output", dir.resolve("out").toString());
        r.failsWith("the input has an order sequence, not timestamps", "need order dates");
        assertTrue(!Files.exists(dir.resolve("out").resolve("profiles.csv")), "nothing written");
    }

    @Test
    void everyVerbReadsTheExportsOwnTimestampFormatAndTrainRecordsIt() throws Exception {
        // German Excel's dates: without --timestamp-format there was no way to read them but to rewrite the export
        Path f = Files.write(dir.resolve("de-dates.csv"), List.of("Kunde;Bestellnummer;Datum;Artikel;Menge;Preis",
                "k1;B1;05.01.2024 10:00;TASSE;1;1,50", "k1;B1;05.01.2024 10:00;TELLER;2;2,25",
                "k2;B2;06.01.2024 11:30;TASSE;1;1,50", "k2;B2;06.01.2024 11:30;TELLER;1;2,25",
                "k1;B3;06.02.2024 09:15;TASSE;1;1,50", "k1;B3;06.02.2024 09:15;TELLER;1;2,25"));
        for (String verb : VERBS_READING_EXPORTS) {
            run(verb, "--input", f.toString(), "--delimiter", ";", "--decimal-comma", "--columns", COLUMNS)
                    .failsWith("6 of 6 rows are malformed", "(Datum '05.01.2024 10:00')", "Timestamps are read as "
                            + "ISO 8601", "--timestamp-format");
            run(verb, "--input", f.toString(), "--delimiter", ";", "--decimal-comma", "--timestamp-format",
                    "dd.MM.yyyy HH:mm").failsWith("--timestamp-format needs --columns");
            run(verb, "--input", f.toString(), "--delimiter", ";", "--decimal-comma", "--columns", COLUMNS,
                    "--timestamp-format", "HH:mm").failsWith("--timestamp-format 'HH:mm' does not give a date");
            assertTrue(CommandErrorsTest.run(verb, "--help").out().contains("--timestamp-format"), verb);
        }
        CommandErrorsTest.Run r = run("train", "--input", f.toString(), "--columns", COLUMNS, "--delimiter", ";",
                "--decimal-comma", "--timestamp-format", "dd.MM.yyyy HH:mm", "--min-support", "0.5");
        assertEquals(0, r.code(), r.err());
        Path models = dir.resolve("models");
        String version = Files.readString(models.resolve("CURRENT")).strip();
        JsonNode manifest = new ObjectMapper().readTree(models.resolve(version).resolve("manifest.json").toFile());
        assertEquals(6, manifest.path("sections").path("ingestReport").path("rowsAccepted").asLong());
        assertEquals("dd.MM.yyyy HH:mm", manifest.path("parameters").path("timestampFormat").asText());
        // evaluate and customers read the rows too; six are too few for their models, which say so after the ingest
        run("evaluate", "--input", f.toString(), "--columns", COLUMNS, "--delimiter", ";", "--decimal-comma",
                "--timestamp-format", "dd.MM.yyyy HH:mm").failsWith("the last-basket split leaves no validation "
                + "customers (1 test customers)");
        run("customers", "--input", f.toString(), "--columns", COLUMNS, "--delimiter", ";", "--decimal-comma",
                "--timestamp-format", "dd.MM.yyyy HH:mm").failsWith("Gamma-Gamma needs at least 2 customers");
    }
}
