package io.affinity.api;

import java.nio.charset.StandardCharsets;

/**
 * Which customers a canary takes. A customer's bucket (0..99) is a hash of the UTF-8 bytes of their (normalised)
 * id, seeded by a hash of the canary's version id: the same customer gets the same bucket in every process and
 * after every restart (the hash is MurmurHash3 x86_32 with fixed seeds, not {@link String#hashCode()} of one JVM,
 * and nothing random), and each new canary version takes a fresh slice rather than the same unlucky customers
 * again. The canary answers the customers whose bucket is below its percent, so raising the percent of a running
 * canary keeps every customer it already had.
 */
final class CanaryAssignment {
    /** Seed of the version hash: fixed, so that the salt of a version is the same everywhere. */
    private static final int VERSION_SEED = 0x0a5f_1e27;

    private CanaryAssignment() {
    }

    /** The seed a canary of {@code version} hashes customer ids with. */
    static int salt(String version) {
        return murmur3(version.getBytes(StandardCharsets.UTF_8), VERSION_SEED);
    }

    /** The customer's bucket, 0..99, under a canary of salt {@code salt}. */
    static int bucket(String customerId, int salt) {
        int h = murmur3(customerId.getBytes(StandardCharsets.UTF_8), salt);
        // Multiply-shift maps the 32 unsigned bits onto 0..99 evenly (a bias below 1e-7), using all the bits.
        return (int) (((h & 0xFFFF_FFFFL) * 100) >>> 32);
    }

    /** MurmurHash3, x86 32-bit variant (Austin Appleby, public domain), over {@code data} with {@code seed}. */
    static int murmur3(byte[] data, int seed) {
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h = seed;
        int len = data.length;
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16
                    | (data[i + 3] & 0xff) << 24;
            k *= c1;
            k = Integer.rotateLeft(k, 15);
            k *= c2;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int k = 0;
        switch (len & 3) {
            case 3:
                k ^= (data[i + 2] & 0xff) << 16;
                // fall through
            case 2:
                k ^= (data[i + 1] & 0xff) << 8;
                // fall through
            case 1:
                k ^= data[i] & 0xff;
                k *= c1;
                k = Integer.rotateLeft(k, 15);
                k *= c2;
                h ^= k;
                break;
            default:
                break;
        }
        h ^= len;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
