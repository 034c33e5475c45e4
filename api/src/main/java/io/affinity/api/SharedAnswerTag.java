package io.affinity.api;

import io.affinity.store.Manifest;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/**
 * HTTP validators for an answer that is the same for every caller (bought-together, and the popular fallback every
 * customer id without history gets, such as a logged-out visitor's placeholder): a weak ETag naming what it
 * depends on, the model version that answers and the stock overlay ({@link ItemAvailability#digest()}), with
 * {@code Cache-Control: no-cache}, so a CDN or proxy may keep the answer but asks each time whether it is still
 * current, and a stock change reaches the next page view. A request whose {@code If-None-Match} names the current
 * tag is answered 304 without a body. Server options do not enter the tag: none changes these answers (the margin
 * rate values offers, the default recently-bought window needs a customer's history).
 */
final class SharedAnswerTag {
    /** The build: another build may render the same model's answer differently. */
    private static final String BUILD = Long.toHexString(
            Manifest.Software.current().affinityVersion().hashCode() & 0xffffffffL);

    private SharedAnswerTag() {
    }

    /**
     * The tag of an answer of {@code modelVersion} under the stock overlay whose {@link ItemAvailability#digest()}
     * is {@code stock}. Read the digest before making the answer, so that the answer is at least as new as its tag
     * (the other way round, a stock change between the two would leave a cache holding the old answer under the
     * new tag).
     */
    static String of(String modelVersion, long stock) {
        return "W/\"" + safe(modelVersion) + "-" + Long.toHexString(stock) + "-" + BUILD + "\"";
    }

    /**
     * When the request's {@code If-None-Match} names {@code tag} (or is {@code *}): the 304 status with the tag
     * ({@link #tag}), and true; the caller then writes no body. Else false, and nothing is set.
     */
    static boolean notModified(Context ctx, String tag) {
        if (!matches(ctx.header("If-None-Match"), tag)) {
            return false;
        }
        tag(ctx, tag);
        ctx.status(HttpStatus.NOT_MODIFIED);
        return true;
    }

    /** The tag and {@code Cache-Control: no-cache} (instead of the no-store every answer starts with). */
    static void tag(Context ctx, String tag) {
        ctx.header("ETag", tag);
        ctx.header("Cache-Control", "no-cache");
    }

    /** Weak comparison (RFC 9110, 8.8.3.2) of each tag listed in an If-None-Match header with {@code tag}. */
    static boolean matches(String ifNoneMatch, String tag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String opaque = opaque(tag);
        for (String listed : ifNoneMatch.split(",")) {
            String t = listed.trim();
            if (t.equals("*") || opaque(t).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /** A version id as it may stand in a tag: visible ASCII without quotes or backslashes, else its hash. */
    private static String safe(String version) {
        for (int i = 0; i < version.length(); i++) {
            char c = version.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\') {
                return Long.toHexString(version.hashCode() & 0xffffffffL);
            }
        }
        return version;
    }
}
