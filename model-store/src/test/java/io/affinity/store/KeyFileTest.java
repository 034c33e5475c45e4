package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key list larger than the 64 KiB pieces it is read in, with keys of every length up to the longest allowed,
 * comes back whole and in order; a list in the wrong order is refused at open even when its CRC is right (a writer's
 * mistake, not damage).
 */
@UnitTest
class KeyFileTest {
    @TempDir
    Path dir;

    @Test
    void aListOfManyPiecesComesBackWholeAndInOrder() throws Exception {
        Random random = new Random(30);
        TreeSet<String> keys = new TreeSet<>();
        while (keys.size() < 20_000) {
            StringBuilder b = new StringBuilder();
            int length = 1 + random.nextInt(random.nextInt(10) == 0 ? 600 : 12);
            for (int i = 0; i < length; i++) {
                b.append((char) ('0' + random.nextInt(60)));
            }
            keys.add(b.toString());
        }
        keys.add("Z".repeat(KeyFile.MAX_KEY_BYTES)); // the longest key allowed
        keys.add("é".repeat(KeyFile.MAX_KEY_BYTES / 2)); // as long, in two-byte characters
        Path file = dir.resolve("profiles.keys");
        KeyFile.write(file, "profiles.cmap", keys);
        assertTrue(Files.size(file) > 4 * 65536, "several pieces: " + Files.size(file));
        try (KeyFile k = KeyFile.open(file, "profiles.cmap", keys.size())) {
            assertEquals(keys.size(), k.count());
            List<String> read = new ArrayList<>();
            k.forEach(read::add);
            assertEquals(new ArrayList<>(keys), read);
        }
        assertThrows(IllegalArgumentException.class,
                () -> KeyFile.write(dir.resolve("long.keys"), "profiles.cmap", List.of("Z".repeat(4097))));
    }

    @Test
    void keysOutOfOrderAreRefusedAtOpenThoughTheCrcIsRight() throws Exception {
        Path file = dir.resolve("rules.keys");
        KeyFile.write(file, "rules.cmap", List.of("A1", "B2", "C3"));
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int a = text.indexOf("A1");
        int b = text.indexOf("B2");
        bytes[a] = 'B';
        bytes[a + 1] = '2';
        bytes[b] = 'A';
        bytes[b + 1] = '1';
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue());
        Files.write(file, bytes);
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                () -> KeyFile.open(file, "rules.cmap", 3).close());
        assertTrue(e.getMessage().contains("key 1") && e.getMessage().contains("not strictly ascending"),
                e.getMessage());
    }
}
