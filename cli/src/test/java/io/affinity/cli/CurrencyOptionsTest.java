package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --currency} and {@code --exchange-rates} on every verb that reads exports: an export of a shop selling in
 * euros, pounds and francs stops before any model work without rates, naming the currencies; with them train
 * records the reporting currency and the rates file (name, size, SHA-256) in the manifest, customers in its report,
 * evaluate among its inputs.
 */
@IntegrationTest
class CurrencyOptionsTest {
    private static final List<String> VERBS_READING_EXPORTS = List.of("train", "evaluate", "customers");

    @TempDir
    Path dir;

    private Path mixedExport() throws Exception {
        return export("shop.csv", new String[][] {{"de", "EUR", "10.00"}, {"uk", "GBP", "8.50"},
                {"ch", "CHF", "9.60"}});
    }

    /** Four customers of each shop {prefix, currency, price}, an order a month (January to March): mugs and a plate. */
    private Path export(String name, String[][] shops) throws Exception {
        List<String> lines = new ArrayList<>(List.of("customer_id,order_id,timestamp,item_id,quantity,unit_price,"
                + "currency"));
        int order = 1000;
        for (String[] shop : shops) {
            for (int c = 0; c < 4; c++) {
                for (int month = 1; month <= 3; month++) {
                    lines.add(shop[0] + "-" + c + "," + (++order) + ",2024-0" + month + "-1" + c + " 10:00:00,MUG,"
                            + (1 + c % 2) + "," + shop[2] + "," + shop[1]);
                    lines.add(shop[0] + "-" + c + "," + order + ",2024-0" + month + "-1" + c + " 10:00:00,PLATE,1,"
                            + shop[2] + "," + shop[1]);
                }
            }
        }
        return Files.write(dir.resolve(name), lines);
    }

    private List<String> rest(String verb) {
        return switch (verb) {
            case "train" -> List.of("--models", dir.resolve("models").toString(), "--recommender", "rules",
                    "--min-support", "0.1");
            case "evaluate" -> List.of("--split", "last-basket", "--report", dir.resolve("eval").toString());
            default -> List.of("--calibration-end", "2024-02-29", "--output", dir.resolve("out").toString());
        };
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    private CommandErrorsTest.Run run(String verb, String... inputOptions) {
        List<String> args = new ArrayList<>(List.of(verb));
        args.addAll(List.of(inputOptions));
        args.addAll(rest(verb));
        return CommandErrorsTest.run(args.toArray(String[]::new));
    }

    @Test
    void everyVerbStopsOnSeveralCurrenciesWithoutRatesAndRefusesBadOptions() throws Exception {
        Path f = mixedExport();
        Path rates = Files.writeString(dir.resolve("rates.csv"), "currency,rate\nGBP,1.17\nCHF,1.04\n");
        Path badRates = Files.writeString(dir.resolve("bad-rates.csv"), "currency,rate\nGBP,1.17\nCHF,-1\n");
        for (String verb : VERBS_READING_EXPORTS) {
            run(verb, "--input", f.toString()).failsWith("the exports hold amounts in 3 currencies (CHF 24 rows, "
                    + "EUR 24 rows, GBP 24 rows)", "--currency CODE", "--exchange-rates FILE", "nothing loaded");
            run(verb, "--input", f.toString(), "--exchange-rates", rates.toString())
                    .failsWith("--exchange-rates needs --currency");
            run(verb, "--input", f.toString(), "--currency", "EURO").failsWith("--currency 'EURO' is not an ISO 4217 "
                    + "currency code");
            run(verb, "--input", f.toString(), "--currency", "EURO", "--exchange-rates", rates.toString())
                    .failsWith("--currency 'EURO' is not an ISO 4217 currency code");
            run(verb, "--input", f.toString(), "--currency", "EUR", "--exchange-rates", badRates.toString())
                    .failsWith("--exchange-rates " + badRates + ":3: rate '-1' is not a positive decimal number");
            run(verb, "--input", f.toString(), "--currency", "EUR", "--exchange-rates",
                    dir.resolve("none.csv").toString()).failsWith("--exchange-rates", "none.csv does not exist");
        }
    }

    @Test
    void trainConvertsAndRecordsTheCurrencyAndTheRatesFile() throws Exception {
        Path f = mixedExport();
        Path rates = Files.writeString(dir.resolve("rates.csv"), "currency,rate\nGBP,1.17\nCHF,1.04\n");
        CommandErrorsTest.Run r = run("train", "--input", f.toString(), "--currency", "eur", "--exchange-rates",
                rates.toString());
        assertEquals(0, r.code(), r.err());
        Path models = dir.resolve("models");
        String version = Files.readString(models.resolve("CURRENT")).strip();
        JsonNode manifest = new ObjectMapper().readTree(models.resolve(version).resolve("manifest.json").toFile());
        JsonNode parameters = manifest.path("parameters");
        assertEquals("EUR", parameters.path("currency").asText(), manifest.toString());
        assertEquals("rates.csv", parameters.path("exchangeRates").path("file").asText());
        assertEquals(Files.size(rates), parameters.path("exchangeRates").path("bytes").asLong());
        assertEquals(sha256(rates),
                parameters.path("exchangeRates").path("sha256").asText());
        JsonNode currencies = manifest.path("sections").path("ingestReport").path("currencies");
        assertEquals("EUR", currencies.path("reportingCurrency").asText());
        assertEquals(24, currencies.path("rows").path("GBP").asLong());
        assertTrue(r.err().contains("reporting currency") || r.out().contains("reporting currency"), r.err());
    }

    /**
     * A converted line is the line the shop would have written in the reporting currency: every price rounded to the
     * cent (8.50 GBP at 1.17 is 9.945, so 9.95 EUR; 9.60 CHF at 1.04 is 9.984, so 9.98 EUR), so the profiles of the
     * three shops' export converted are those of the same export priced in euros, byte for byte, and each customer's
     * spend is the books' sum of cents (to the doubles' last digits: spend is summed exactly and rounded once per
     * purchase day, converted or not). Until the thirty-first session the raw products were summed (uk-1: 59.67
     * EUR where the books say 59.70).
     */
    @Test
    void customersOfAConvertedExportAreThoseOfTheExportPricedInTheReportingCurrency() throws Exception {
        Path f = mixedExport();
        Path rates = Files.writeString(dir.resolve("rates.csv"), "currency,rate\nGBP,1.17\nCHF,1.04\n");
        CommandErrorsTest.Run c = run("customers", "--input", f.toString(), "--currency", "EUR", "--exchange-rates",
                rates.toString());
        assertEquals(0, c.code(), c.err());
        Path euros = export("euros.csv", new String[][] {{"de", "EUR", "10.00"}, {"uk", "EUR", "9.95"},
                {"ch", "EUR", "9.98"}});
        Path priced = dir.resolve("native");
        CommandErrorsTest.Run e = CommandErrorsTest.run("customers", "--input", euros.toString(), "--currency", "EUR",
                "--calibration-end", "2024-02-29", "--output", priced.toString());
        assertEquals(0, e.code(), e.err());
        List<String> profiles = Files.readAllLines(dir.resolve("out").resolve("profiles.csv"));
        assertEquals(Files.readAllLines(priced.resolve("profiles.csv")), profiles);

        int monetary = List.of(profiles.get(0).split(",")).indexOf("monetary");
        java.util.Map<String, String> price = java.util.Map.of("de", "10.00", "uk", "9.95", "ch", "9.98");
        assertEquals(12, profiles.size() - 1, "every customer profiled");
        for (String line : profiles.subList(1, profiles.size())) {
            String[] cells = line.split(",");
            int n = Integer.parseInt(cells[0].substring(3));
            // two calibration days (January, February), each 1 or 2 mugs and a plate at the shop's price
            java.math.BigDecimal books = new java.math.BigDecimal(price.get(cells[0].substring(0, 2)))
                    .multiply(java.math.BigDecimal.valueOf(2L * (2 + n % 2)));
            assertTrue(books.subtract(new java.math.BigDecimal(cells[monetary])).abs()
                    .compareTo(new java.math.BigDecimal("1e-9")) < 0, books + " in the books: " + line);
        }
    }

    @Test
    void customersAndEvaluateRecordTheCurrencyInTheirReports() throws Exception {
        Path f = mixedExport();
        Path rates = Files.writeString(dir.resolve("rates.csv"), "currency,rate\nGBP,1.17\nCHF,1.04\n");
        CommandErrorsTest.Run c = run("customers", "--input", f.toString(), "--currency", "EUR", "--exchange-rates",
                rates.toString());
        assertEquals(0, c.code(), c.err());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("out").resolve("report.json").toFile());
        assertTrue(report.toString().contains("\"reportingCurrency\":\"EUR\""), report.toString());
        assertTrue(report.toString().contains(sha256(rates)), report.toString());
        // the profiles: the three shops' customers bought the same at the same converted prices...
        List<String> profiles = Files.readAllLines(dir.resolve("out").resolve("profiles.csv"));
        List<String> header = List.of(profiles.get(0).split(","));
        int monetary = header.indexOf("monetary");
        int sensitivity = header.indexOf("price_sensitivity");
        for (String line : profiles.subList(1, profiles.size())) {
            String[] cells = line.split(",");
            // ...none of them looks price sensitive because 8.50 GBP reads as less than 10 EUR
            assertFalse(cells[sensitivity].equals("high") && cells[0].startsWith("uk-"), line);
            assertTrue(Double.parseDouble(cells[monetary]) > 0, line);
        }
        CommandErrorsTest.Run e = run("evaluate", "--input", f.toString(), "--currency", "EUR", "--exchange-rates",
                rates.toString());
        assertEquals(0, e.code(), e.err());
        String evaluation = Files.readString(dir.resolve("eval").resolve("report.json"));
        assertTrue(evaluation.contains(sha256(rates)), evaluation);
    }
}
