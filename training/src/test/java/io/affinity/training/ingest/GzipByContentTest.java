package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.customers.ConsentFile;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader of a retailer's file decides gzip by the bytes, as the exports' reader did: the catalogue decided by
 * the {@code .gz} name, so a compressed file saved as {@code .csv} failed as "not valid UTF-8 (byte 0x8B)" and a plain
 * file named {@code .gz} as "not readable as gzip"; the consent and exclusion lists read no gzip at all. A truncated
 * one is an error naming the file.
 */
@UnitTest
class GzipByContentTest {
    private static final String CATALOGUE = "item_id,price\ncup,1.60\n";
    private static final String CONSENT = "customer_id,channel,state\n17850,email,opted_in\n";
    private static final String ERASED = "customer_id\n17850\n";
    private static final String EXPORT = "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
            + "17850,o1,2024-03-01T10:15:30,cup,1,1.6\n";

    @TempDir
    Path dir;

    @Test
    void aCompressedFileIsReadWhateverItsNameAndAPlainOneToo() throws Exception {
        for (String name : List.of("gzip-named.csv", "gzip-named.csv.gz", "plain-named.csv.gz", "plain-named.csv")) {
            boolean gzip = name.startsWith("gzip");
            Path catalogue = write("catalogue-" + name, CATALOGUE, gzip);
            assertEquals(1.60, CatalogFile.read(catalogue, 0).entries().get("CUP").price(), name);
            Path consent = write("consent-" + name, CONSENT, gzip);
            assertEquals(Set.of("17850"), ConsentFile.read(consent).keySet(), name);
            Path erased = write("erased-" + name, ERASED, gzip);
            ExcludedCustomers list = ExcludedCustomers.read(erased);
            assertEquals(Set.of("17850"), list.ids(), name);
            assertEquals(HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(erased))), list.sha256(), "the file's own SHA-256, as stored: " + name);
            Path export = write("orders-" + name, EXPORT, gzip);
            assertEquals(1, TransactionLoader.load(List.of(export), IngestOptions.defaults()).report().rowsAccepted(),
                    name);
        }
    }

    @Test
    void aTruncatedOrDamagedCompressedFileIsAnErrorNamingIt() throws Exception {
        for (boolean truncated : new boolean[] {true, false}) {
            Path catalogue = broken("catalogue.csv", CATALOGUE, truncated);
            Path consent = broken("consent.csv", CONSENT, truncated);
            Path erased = broken("erased.csv", ERASED, truncated);
            assertNames(catalogue, () -> CatalogFile.read(catalogue, 0));
            assertNames(consent, () -> ConsentFile.read(consent));
            assertNames(erased, () -> ExcludedCustomers.read(erased));
        }
    }

    private static void assertNames(Path file, Executable read) {
        Exception e = assertThrows(Exception.class, read);
        assertTrue(e instanceof CatalogFile.CatalogException || e instanceof ConsentFile.ConsentFileException
                || e instanceof ExcludedCustomers.InvalidListException, e.toString());
        assertTrue(e.getMessage().startsWith(file + ": not readable as gzip ("), e.getMessage());
        assertTrue(e.getMessage().contains("the file is truncated or corrupt"), e.getMessage());
    }

    private Path write(String name, String text, boolean gzip) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Files.write(dir.resolve(name), gzip ? gzip(bytes) : bytes);
    }

    /** Cut short in the deflate data, or with a flipped bit in the CRC-32 trailer. */
    private Path broken(String name, String text, boolean truncated) throws Exception {
        byte[] gz = gzip(text.getBytes(StandardCharsets.UTF_8));
        if (truncated) {
            gz = Arrays.copyOf(gz, gz.length - 12);
        } else {
            gz[gz.length - 5] ^= 0x10;
        }
        return Files.write(dir.resolve((truncated ? "truncated-" : "damaged-") + name), gz);
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
