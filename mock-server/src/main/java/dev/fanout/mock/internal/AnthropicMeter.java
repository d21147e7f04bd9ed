package dev.fanout.mock.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Anthropic's metering of one model of a key on {@code /v1/messages} ({@link PerModel} holds one per model):
 * requests, input tokens and output tokens per minute (RPM, ITPM, OTPM), each a token bucket refilled
 * continuously, as Anthropic documents its limits.
 * Before a request: one request, the input estimate (prompt characters / 4) and {@code max_tokens} output
 * tokens must fit; after it, both token charges are corrected to the usage (input counting uncached input
 * and cache writes, not cache reads). Thread-safe.
 *
 * <p>Headers, as Anthropic's: {@code anthropic-ratelimit-requests|input-tokens|output-tokens-limit|
 * remaining|reset}, and {@code anthropic-ratelimit-tokens-*} for input and output together (as recorded
 * responses show them: the two limits and remainders added); resets are RFC 3339 instants (when the bucket is full again, to the millisecond, as Anthropic writes them
 * too: {@code 2025-08-21T12:41:00.060Z}). A refusal is a
 * {@code rate_limit_error} 429 with {@code retry-after} in whole seconds.
 */
final class AnthropicMeter {
  private final long requestsPerMinute;
  private final long inputPerMinute;
  private final long outputPerMinute;
  private final Meter.Bucket requests;
  private final Meter.Bucket input;
  private final Meter.Bucket output;
  private final LongSupplier clock;

  /**
   * A meter of {@code requestsPerMinute} and {@code tokensPerMinute} input and as many output tokens per
   * minute (0: that dimension is not metered), buckets {@code depthShare} of a minute deep.
   */
  AnthropicMeter(long requestsPerMinute, long tokensPerMinute, double depthShare, LongSupplier clock) {
    this.requestsPerMinute = requestsPerMinute;
    this.inputPerMinute = tokensPerMinute;
    this.outputPerMinute = tokensPerMinute;
    this.clock = clock;
    long now = clock.getAsLong();
    requests = Meter.Bucket.perMinute(requestsPerMinute, depthShare, now);
    input = Meter.Bucket.perMinute(tokensPerMinute, depthShare, now);
    output = Meter.Bucket.perMinute(tokensPerMinute, depthShare, now);
  }

  /** The outcome of one {@link #admit}: admitted, or the 429 to send; the headers to send either way. */
  record Admission(boolean admitted, long retryNanos, String message, Map<String, String> headers) {}

  synchronized Admission admit(String model, long inputEstimate, long maxTokens, long inputUsed, long outputUsed) {
    long now = clock.getAsLong();
    for (Meter.Bucket b : new Meter.Bucket[] {requests, input, output}) {
      if (b != null) b.refill(now);
    }
    if (requests != null && requests.level < 1) {
      return refused("requests", requests, 1, model);
    }
    if (input != null && inputEstimate > 0 && input.level < Math.min(inputEstimate, input.capacity)) {
      return refused("input tokens", input, Math.min(inputEstimate, input.capacity), model);
    }
    if (output != null && maxTokens > 0 && output.level < Math.min(maxTokens, output.capacity)) {
      return refused("output tokens", output, Math.min(maxTokens, output.capacity), model);
    }
    if (requests != null) requests.level -= 1;
    if (input != null) input.level -= inputEstimate;
    if (output != null) output.level -= maxTokens;
    Map<String, String> headers = headers(now);
    if (input != null && inputUsed >= 0) input.correct(inputEstimate, inputUsed);
    if (output != null && outputUsed >= 0) output.correct(maxTokens, outputUsed);
    return new Admission(true, 0, null, headers);
  }

  private Admission refused(String limit, Meter.Bucket bucket, double need, String model) {
    long wait = bucket.nanosUntil(need);
    String message = "This request would exceed your organization's rate limit of " + perMinute(bucket) + " "
        + limit + " per minute (model: " + model + "). For details, refer to: "
        + "https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage.";
    return new Admission(false, wait, message, headers(clock.getAsLong()));
  }

  private long perMinute(Meter.Bucket b) {
    return b == requests ? requestsPerMinute : b == input ? inputPerMinute : outputPerMinute;
  }

  private Map<String, String> headers(long now) {
    Map<String, String> h = new LinkedHashMap<>();
    Instant wall = Instant.now();
    put(h, "requests", requests, requestsPerMinute, wall);
    put(h, "input-tokens", input, inputPerMinute, wall);
    put(h, "output-tokens", output, outputPerMinute, wall);
    if (input != null) {
      // As Anthropic's responses show it: input and output together (limits and remainders added).
      h.put("anthropic-ratelimit-tokens-limit", Long.toString(inputPerMinute + outputPerMinute));
      h.put("anthropic-ratelimit-tokens-remaining", Long.toString(input.remaining() + output.remaining()));
      h.put("anthropic-ratelimit-tokens-reset",
          reset(wall, Math.max(input.nanosUntil(input.capacity), output.nanosUntil(output.capacity))));
    }
    return h;
  }

  private static void put(Map<String, String> h, String name, Meter.Bucket b, long perMinute, Instant wall) {
    if (b == null) return;
    String prefix = "anthropic-ratelimit-" + name + "-";
    h.put(prefix + "limit", Long.toString(perMinute));
    h.put(prefix + "remaining", Long.toString(b.remaining()));
    h.put(prefix + "reset", reset(wall, b.nanosUntil(b.capacity)));
  }

  /** An RFC 3339 instant {@code nanos} after {@code wall}, rounded up to the millisecond. */
  static String reset(Instant wall, long nanos) {
    Instant at = wall.plusNanos(nanos);
    Instant up = at.truncatedTo(ChronoUnit.MILLIS);
    if (up.isBefore(at)) up = up.plusMillis(1);
    return up.toString();
  }
}
