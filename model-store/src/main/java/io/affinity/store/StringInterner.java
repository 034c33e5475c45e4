package io.affinity.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Canonical strings for UTF-8 byte ranges that recur across decoded values (item ids, model and source names
 * of precomputed lists). Serving looks every decoded item id up in hash-keyed caches (descriptions, encoded JSON);
 * a fresh String per decode makes each lookup hash and compare its characters again, while a canonical one has
 * its hash cached and compares equal by identity.
 *
 * <p>Direct-mapped (a fixed array of slots indexed by the bytes' hash; a colliding range replaces the occupant):
 * bounded, lock-free, nothing to evict. An entry holds its own bytes and a hit needs equal bytes, so a collision
 * or a racy overwrite only costs a new String, never a wrong one. Entries are immutable, so a reader that sees
 * one sees it whole.
 */
final class StringInterner {
    private record Entry(byte[] bytes, String value) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;

    StringInterner(int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size must be a power of two, was " + size);
        }
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    /** The string of {@code buf[from, from + length)}, decoded as UTF-8. */
    String get(byte[] buf, int from, int length) {
        int h = 1;
        for (int i = from, to = from + length; i < to; i++) {
            h = 31 * h + buf[i];
        }
        int slot = (h ^ (h >>> 16)) & mask;
        Entry e = slots.getPlain(slot);
        if (e != null && Arrays.equals(e.bytes, 0, e.bytes.length, buf, from, from + length)) {
            return e.value;
        }
        byte[] bytes = Arrays.copyOfRange(buf, from, from + length);
        e = new Entry(bytes, new String(bytes, StandardCharsets.UTF_8));
        slots.setPlain(slot, e);
        return e.value;
    }
}
