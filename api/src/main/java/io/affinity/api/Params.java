package io.affinity.api;

import io.javalin.http.Context;

/** Parsing of query parameters into typed values, failing with a 400 that names the parameter. */
final class Params {
    private Params() {
    }

    static int limit(Context ctx, ApiConfig config) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return config.defaultLimit();
        }
        return checkLimit(parseInt("limit", raw), "query parameter 'limit'", config);
    }

    static int checkLimit(long limit, String where, ApiConfig config) {
        if (limit < 1 || limit > config.maxLimit()) {
            throw ApiProblem.badRequest(where + " must be between 1 and " + config.maxLimit() + ", was " + limit);
        }
        return (int) limit;
    }

    static double optionalDouble(Context ctx, String name, double fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(raw);
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("query parameter '" + name + "' must be a finite number, was '"
                    + abbreviate(raw) + "'");
        }
    }

    static long optionalLong(Context ctx, String name, long fallback, long min, long max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        long value = parseInt(name, raw);
        if (value < min || value > max) {
            throw ApiProblem.badRequest("query parameter '" + name + "' must be between " + min + " and " + max
                    + ", was " + value);
        }
        return value;
    }

    private static long parseInt(String name, String raw) {
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("query parameter '" + name + "' must be an integer, was '"
                    + abbreviate(raw) + "'");
        }
    }

    /** Keeps echoed input short: error bodies must not become a reflection channel. */
    static String abbreviate(String raw) {
        return raw.length() <= 40 ? raw : raw.substring(0, 40) + "...";
    }
}
