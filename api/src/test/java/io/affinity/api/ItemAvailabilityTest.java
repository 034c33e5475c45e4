package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock overlay and its journal. */
class ItemAvailabilityTest {
    @TempDir
    Path tmp;

    @Test
    void journaledChangesAreReplayedAfterARestart() throws Exception {
        Path journal = tmp.resolve("availability.journal");
        try (ItemAvailability a = ItemAvailability.journaled(journal)) {
            assertFalse(a.anyUnavailable());
            a.set("22697", false);
            a.set("22698", false);
            a.set("22698", true);
        }
        try (ItemAvailability b = ItemAvailability.journaled(journal)) {
            assertFalse(b.isAvailable("22697"));
            assertTrue(b.isAvailable("22698"));
            assertTrue(b.isAvailable("85123A"));
        }
    }

    @Test
    void inMemoryOverlayForgets() throws Exception {
        ItemAvailability a = ItemAvailability.inMemory();
        a.set("X", false);
        assertFalse(a.isAvailable("X"));
        assertTrue(ItemAvailability.inMemory().isAvailable("X"));
    }

    @Test
    void aMalformedJournalLineIsReportedWithFileAndLine() throws Exception {
        Path journal = tmp.resolve("bad.journal");
        Files.writeString(journal, "22697\tfalse\n22698 maybe\n");
        IOException e = assertThrows(IOException.class, () -> ItemAvailability.journaled(journal));
        assertTrue(e.getMessage().contains("bad.journal:2"), e.getMessage());
        assertEquals("22697\tfalse\n22698 maybe\n", Files.readString(journal), "left untouched");
    }
}
