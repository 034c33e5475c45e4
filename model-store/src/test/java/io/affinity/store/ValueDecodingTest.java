package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.TradeUp;
import io.affinity.testing.UnitTest;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A stored value is read exactly: every codec refuses bytes left over after a value (a value written by another
 * layout, or two values run together), and the reader refuses to read past the end of the value it was given, even
 * when the buffer holds more. The file checksums catch damage at open; these checks are what is left for a value
 * that a writer got wrong.
 */
@UnitTest
class ValueDecodingTest {
    private static final Path FILE = Path.of("values.cmap");

    @Test
    void everyCodecRefusesTrailingBytesNamingTheKey() {
        LocalDate day = LocalDate.of(2011, 5, 1);
        Map<Consent.Channel, Consent.ListEntry> consent = new EnumMap<>(Consent.Channel.class);
        consent.put(Consent.Channel.EMAIL, new Consent.ListEntry(Consent.State.OPTED_IN, Instant.EPOCH));
        CustomerProfile profile = new CustomerProfile(3, 4, 8, 5, 5, 5, "champions", 1, 2, 2, 10,
                CustomerProfile.Tier.GOLD, CustomerProfile.Stage.ACTIVE, CustomerProfile.Strategy.PROTECT, 1,
                Double.NaN, CustomerProfile.PriceSensitivity.MEDIUM, List.of());
        trailing(w -> ValueCodecs.encodeItem(new ItemFacts("K", "MUG", "cups", 2, 10, 5, 20), w),
                v -> ValueCodecs.decodeItem("K", v, FILE));
        trailing(w -> ValueCodecs.encodeRules(List.of(new AssociationRule(List.of("K"), "B", 10, 0.1, 0.5, 2, 0.05,
                2)), w), v -> ValueCodecs.decodeRules("K", v, FILE));
        trailing(w -> ValueCodecs.encodeCustomer(new CustomerHistory(2, List.of(new PurchasedItem("A", 1, 1, day)),
                1), w), v -> ValueCodecs.decodeCustomer("K", v, FILE));
        trailing(w -> ValueCodecs.encodeProfile(profile, w), v -> ValueCodecs.decodeProfile("K", v, FILE));
        trailing(w -> ValueCodecs.encodeTradeUps(List.of(new TradeUp("B", TradeUp.ALL, 2, 4, true)), w),
                v -> ValueCodecs.decodeTradeUps("K", v, FILE));
        trailing(w -> ValueCodecs.encodeConsent(consent, w), v -> ValueCodecs.decodeConsent("K", v, FILE));
    }

    /** Encodes a value, checks it decodes, then that it no longer does with one byte more. */
    private static void trailing(Consumer<ByteWriter> encode, Function<byte[], Object> decode) {
        ByteWriter w = new ByteWriter(64);
        encode.accept(w);
        byte[] value = w.toByteArray();
        decode.apply(value);
        byte[] longer = Arrays.copyOf(value, value.length + 1);
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> decode.apply(longer));
        assertTrue(e.getMessage().contains("value of key 'K': 1 unexpected trailing bytes at offset " + value.length),
                e.getMessage());
    }

    @Test
    void aReaderStopsAtTheEndOfItsValueNotOfTheBuffer() {
        ByteWriter w = new ByteWriter(32);
        w.writeInt(7);
        w.writeString("abcdef");
        byte[] bytes = w.toByteArray(); // 4 bytes of int, 1 of length, 6 of text
        assertThrows(CorruptSnapshotException.class, () -> new ByteReader(bytes, 0, 3, FILE, "K").readInt());
        ByteReader text = new ByteReader(bytes, 4, 8, FILE, "K");
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, text::readString);
        assertTrue(e.getMessage().contains("truncated value (needs 6 more bytes, has 3)"), e.getMessage());
        ByteReader interned = new ByteReader(bytes, 4, 8, FILE, "K");
        e = assertThrows(CorruptSnapshotException.class, () -> interned.readString(new StringInterner(16)));
        assertTrue(e.getMessage().contains("truncated value (needs 6 more bytes, has 3)"), e.getMessage());
        ByteReader whole = new ByteReader(bytes, 0, bytes.length, FILE, null);
        assertEquals(7, whole.readInt());
        assertEquals("abcdef", whole.readString());
        whole.expectEnd();
        // without a key the message names none
        ByteReader unkeyed = new ByteReader(bytes, 0, bytes.length, FILE, null);
        unkeyed.readInt();
        assertEquals(FILE + ": 7 unexpected trailing bytes at offset 4",
                assertThrows(CorruptSnapshotException.class, unkeyed::expectEnd).getMessage());
    }

    @Test
    void theLargestIntVarintReadsBackAndOneMoreIsRefused() {
        ByteWriter w = new ByteWriter(16);
        w.writeVarLong(Integer.MAX_VALUE);
        w.writeVarLong(Integer.MAX_VALUE + 1L);
        ByteReader r = new ByteReader(w.toByteArray(), FILE, "K");
        assertEquals(Integer.MAX_VALUE, r.readVarInt());
        assertThrows(CorruptSnapshotException.class, r::readVarInt);
    }
}
