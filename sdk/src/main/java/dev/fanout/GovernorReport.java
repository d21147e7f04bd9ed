package dev.fanout;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What the client's rate-limit governor did for one fan-out: how many of its attempts were answered 429,
 * how long its calls waited for admission, and, for each rate-limited bucket its calls went to, the limits
 * the governor was pacing to when the report was taken (the limit it converged to).
 *
 * <p>The counts ({@link #rateLimited()}, {@link #waitedCalls()}, {@link #totalWait()}, {@link #maxWait()})
 * are this fan-out's own; a {@link Bucket} is the client-wide state of that bucket, shared with every other
 * call of the client. With the governor off ({@link GovernorPolicy#disabled()}) the waits are zero and
 * there are no buckets; the 429s are still counted.
 *
 * @param rateLimited attempts of this fan-out answered 429 Too Many Requests (retried ones included)
 * @param waitedCalls calls of this fan-out that waited for the governor at all
 * @param totalWait the governor waits of this fan-out's calls, summed
 * @param maxWait the longest governor wait of one of this fan-out's calls
 * @param buckets the buckets this fan-out's calls were admitted to, in no particular order
 */
public record GovernorReport(int rateLimited, int waitedCalls, Duration totalWait, Duration maxWait,
    List<Bucket> buckets) {
  /** A report of a fan-out that saw no 429 and never waited. */
  public static final GovernorReport NONE = new GovernorReport(0, 0, Duration.ZERO, Duration.ZERO, List.of());

  public GovernorReport {
    if (rateLimited < 0) {
      throw new IllegalArgumentException("rateLimited < 0: " + rateLimited);
    }
    if (waitedCalls < 0) {
      throw new IllegalArgumentException("waitedCalls < 0: " + waitedCalls);
    }
    Objects.requireNonNull(totalWait, "totalWait == null");
    Objects.requireNonNull(maxWait, "maxWait == null");
    buckets = List.copyOf(buckets);
  }

  /** What a published limit counts. */
  public enum Dimension {
    /** Requests: every call costs 1. */
    REQUESTS,
    /** Tokens, input and output together (OpenAI's {@code x-ratelimit-*-tokens}). */
    TOKENS,
    /** Input tokens only (Anthropic's {@code anthropic-ratelimit-input-tokens-*}). */
    INPUT_TOKENS,
    /** Output tokens only (Anthropic's {@code anthropic-ratelimit-output-tokens-*}). */
    OUTPUT_TOKENS
  }

  /**
   * One rate-limited bucket of a host, client-wide, when the report was taken.
   *
   * @param host {@code host:port}
   * @param name the bucket: the chat model, or the route with its ids as {@code *}
   * @param concurrencyLimit the adaptive concurrency limit, or empty while the bucket is not capped (a
   *     server that publishes no limits and has not answered 429)
   * @param rateLimited 429 responses this bucket has seen since the client was built
   * @param admitted calls admitted to this bucket since the client was built
   * @param limits the published limits the bucket paces to (empty if the server publishes none)
   */
  public record Bucket(String host, String name, OptionalInt concurrencyLimit, long rateLimited, long admitted,
      List<Limit> limits) {
    public Bucket {
      Objects.requireNonNull(host, "host == null");
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(concurrencyLimit, "concurrencyLimit == null");
      limits = List.copyOf(limits);
    }
  }

  /**
   * One published limit of a bucket, as the governor paces it.
   *
   * @param dimension what it counts
   * @param limit the published quota ({@code x-ratelimit-limit-*}), or -1 when the server did not say
   * @param ratePerSecond the pace the governor admits at now, in units per second (requests or tokens)
   * @param remaining what the governor's ledger says is left now (NaN when not known)
   */
  public record Limit(Dimension dimension, long limit, double ratePerSecond, double remaining) {
    public Limit {
      Objects.requireNonNull(dimension, "dimension == null");
    }
  }
}
