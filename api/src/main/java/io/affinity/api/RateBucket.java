package io.affinity.api;

/**
 * A token bucket: a client's requests take one token each, tokens come back at its {@link RequestRate}, up to the
 * rate's burst. Shared by every key of the client; the rate changes when a reloaded keys file gives another.
 */
final class RateBucket {
    /** Read without the lock on every request: a client without a limit (the shop pages, usually) never contends. */
    private volatile RequestRate rate;
    private double tokens;
    private long lastNanos;

    RateBucket(RequestRate rate, long nowNanos) {
        this.rate = rate;
        this.tokens = rate.unlimited() ? 0 : rate.burst();
        this.lastNanos = nowNanos;
    }

    RequestRate rate() {
        return rate;
    }

    /**
     * From now on, this rate, starting with a full burst of it: an operator who raised a client's rate in the
     * keys file expects its next request to pass, not to wait for tokens the old rate had spent (refused for a
     * millisecond at 1000/s, a race a test once lost).
     */
    synchronized void setRate(RequestRate newRate, long nowNanos) {
        if (!newRate.equals(rate)) {
            tokens = newRate.unlimited() ? 0 : newRate.burst();
            lastNanos = Math.max(lastNanos, nowNanos);
            rate = newRate;
        }
    }

    /**
     * Takes a token for a request at {@code nowNanos}: 0 when there was one (the request may go), else the
     * nanoseconds until there will be one (the request is refused; nothing is taken).
     */
    long take(long nowNanos) {
        if (rate.unlimited()) {
            return 0;
        }
        synchronized (this) {
            if (rate.unlimited()) { // changed meanwhile
                return 0;
            }
            refill(nowNanos);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate.perSecond() * 1e9));
        }
    }

    private void refill(long nowNanos) {
        if (!rate.unlimited() && nowNanos > lastNanos) {
            tokens = Math.min(rate.burst(), tokens + (nowNanos - lastNanos) * rate.perSecond() / 1e9);
        }
        lastNanos = Math.max(lastNanos, nowNanos);
    }
}
