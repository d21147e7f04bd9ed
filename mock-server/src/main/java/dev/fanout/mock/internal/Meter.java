package dev.fanout.mock.internal;

import dev.fanout.common.Durations;
import dev.fanout.mock.Faults;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A provider's metering of one quota, like OpenAI's limits of one model of a key ({@link PerModel} holds one
 * per model): requests and tokens per minute,
 * each a token bucket refilled continuously at {@code n / 60} per second and holding the configured
 * depth (one second's worth by default, at least one request). Thread-safe.
 *
 * <p>The published headers follow OpenAI: {@code x-ratelimit-limit-*} is the per-minute limit, {@code
 * -remaining-*} what the bucket holds now (what may be sent at once), {@code -reset-*} the time until
 * the bucket is full again, written like {@code 20ms}, {@code 1s}, {@code 6m0s}.
 */
final class Meter {
  private final long requestsPerMinute;
  private final long tokensPerMinute;
  private final Bucket requests;
  private final Bucket tokens;
  private final LongSupplier clock;

  Meter(Faults f) {
    this(f.requestsPerMinute(), f.tokensPerMinute(), f.meterDepth(), f.meterClock());
  }

  Meter(long requestsPerMinute, long tokensPerMinute, Duration depth, LongSupplier clock) {
    this.requestsPerMinute = requestsPerMinute;
    this.tokensPerMinute = tokensPerMinute;
    this.clock = clock;
    long now = clock.getAsLong();
    double share = depth.toNanos() / 60e9;
    requests = Bucket.perMinute(requestsPerMinute, share, now);
    tokens = Bucket.perMinute(tokensPerMinute, share, now);
  }

  /** The outcome of one {@link #admit}: admitted or not, and the headers to send either way. */
  static final class Admission {
    final boolean admitted;
    /** "requests" or "tokens" when refused. */
    final String limit;
    final long retryNanos;
    final String message;
    final Map<String, String> headers;

    private Admission(boolean admitted, String limit, long retryNanos, String message, Map<String, String> headers) {
      this.admitted = admitted;
      this.limit = limit;
      this.retryNanos = retryNanos;
      this.message = message;
      this.headers = headers;
    }
  }

  /**
   * Charges one request and {@code tokenEstimate} tokens if both buckets allow it (a request larger than
   * the token bucket needs it full, and leaves it in debt), then credits back {@code estimate - used}
   * (the usage correction); otherwise charges nothing and says when to retry.
   */
  synchronized Admission admit(String model, long tokenEstimate, long tokensUsed) {
    long now = clock.getAsLong();
    if (requests != null) requests.refill(now);
    if (tokens != null) tokens.refill(now);
    if (requests != null && requests.level < 1) {
      long wait = requests.nanosUntil(1);
      return refused("requests", "RPM", requestsPerMinute, requests, 1, wait, model);
    }
    if (tokens != null && tokenEstimate > tokensPerMinute) {
      String message = "Request too large for " + model + " in organization org-fanout-mock on tokens per min (TPM): "
          + "Limit " + tokensPerMinute + ", Requested " + tokenEstimate + ". The input or output tokens must be "
          + "reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.";
      return new Admission(false, "tokens", 0, message, headers());
    }
    if (tokens != null && tokenEstimate > 0) {
      double need = Math.min(tokenEstimate, tokens.capacity);
      if (tokens.level < need) {
        return refused("tokens", "TPM", tokensPerMinute, tokens, tokenEstimate, tokens.nanosUntil(need), model);
      }
    }
    if (requests != null) requests.level -= 1;
    if (tokens != null) tokens.level -= tokenEstimate;
    Map<String, String> headers = headers();
    if (tokens != null && tokensUsed >= 0) tokens.correct(tokenEstimate, tokensUsed);
    return new Admission(true, null, 0, null, headers);
  }

  private Admission refused(String limit, String unit, long perMinute, Bucket bucket, long requested, long waitNanos,
      String model) {
    long used = perMinute - bucket.remaining();
    String message = "Rate limit reached for " + model + " in organization org-fanout-mock on " + limit + " per min ("
        + unit + "): Limit " + perMinute + ", Used " + used + ", Requested " + requested + ". Please try again in "
        + format(waitNanos) + ". Visit https://platform.openai.com/account/rate-limits to learn more.";
    return new Admission(false, limit, waitNanos, message, headers());
  }

  private Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    if (requests != null) {
      h.put("x-ratelimit-limit-requests", Long.toString(requestsPerMinute));
      h.put("x-ratelimit-remaining-requests", Long.toString(requests.remaining()));
      h.put("x-ratelimit-reset-requests", format(requests.nanosUntil(requests.capacity)));
    }
    if (tokens != null) {
      h.put("x-ratelimit-limit-tokens", Long.toString(tokensPerMinute));
      h.put("x-ratelimit-remaining-tokens", Long.toString(tokens.remaining()));
      h.put("x-ratelimit-reset-tokens", format(tokens.nanosUntil(tokens.capacity)));
    }
    return h;
  }

  /**
   * A wait as OpenAI writes it (Go's duration format): rounded up to the millisecond, {@code 0s}, {@code
   * 20ms}, {@code 1.5s}, {@code 6m0s}, {@code 1h0m0s}; {@link Durations#parse} reads each back.
   */
  static String format(long nanos) {
    long ms = (nanos + 999_999) / 1_000_000;
    if (ms == 0) return "0s";
    String s = Durations.format(Duration.ofMillis(ms));
    if (s.endsWith("h")) return s + "0m0s";
    if (s.endsWith("m") && !s.endsWith("ms")) return s + "0s";
    return s;
  }

  /** One continuously refilled limit: {@code perMinute / 60} per second, holding {@code capacity}. */
  static final class Bucket {
    final double perNano;
    final double capacity;
    double level;
    long last;

    Bucket(long perMinute, double capacity, long now) {
      this.perNano = perMinute / 60e9;
      this.capacity = capacity;
      this.level = capacity;
      this.last = now;
    }

    /**
     * A full bucket of {@code perMinute} that holds {@code depthShare} of a minute's worth (at least one),
     * or null when {@code perMinute} is 0: that limit is not metered.
     */
    static Bucket perMinute(long perMinute, double depthShare, long now) {
      return perMinute > 0 ? new Bucket(perMinute, Math.max(1, perMinute * depthShare), now) : null;
    }

    void refill(long now) {
      if (now > last) {
        level = Math.min(capacity, level + (now - last) * perNano);
        last = now;
      }
    }

    /** Corrects a charge of {@code charged} to what was {@code used}: credits back the difference, never past full. */
    void correct(long charged, long used) {
      level = Math.min(capacity, level + charged - used);
    }

    long remaining() {
      return (long) Math.max(0, Math.floor(level));
    }

    long nanosUntil(double amount) {
      // Less a thousandth of a nanosecond, so that rounding in the refill never adds a whole one.
      return level >= amount ? 0 : Math.max(1, (long) Math.ceil((amount - level) / perNano - 1e-3));
    }
  }
}
