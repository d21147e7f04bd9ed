package dev.fanout;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
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

  /**
   * Returns one line for people: {@code GovernorReport{429s 0, 200 calls waited 1826.867 s in all, longest
   * 19.800 s, buckets [127.0.0.1:8080 gpt-4o-mini: requests 600 per 1 min (10.00/s), pacing 15.00/s now, 5
   * left]}}.
   */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "GovernorReport{429s %d, %d calls waited %s in all, longest %s, buckets %s}",
        rateLimited, waitedCalls, seconds(totalWait), seconds(maxWait), buckets);
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
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

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(host).append(' ').append(name).append(':');
      concurrencyLimit.ifPresent(c -> out.append(" at most ").append(c).append(" in flight,"));
      out.append(' ').append(admitted).append(" admitted, ").append(rateLimited).append(" answered 429");
      for (Limit l : limits) {
        out.append(", ").append(l);
      }
      return out.toString();
    }
  }

  /**
   * One published limit of a bucket, as the governor paces it.
   *
   * <p>{@link #ratePerSecond()} is the pace now, not the quota's rate: it spends what is left over at most the
   * next second on top of the quota's refill, so a 600-per-minute limit (10 per second, {@link
   * #sustainedPerSecond()}) with 5 requests left paces at 15 per second until they are spent, then at 10.
   *
   * @param dimension what it counts
   * @param limit the published quota ({@code x-ratelimit-limit-*}), or -1 when the server did not say
   * @param window the period the quota counts over (a minute for OpenAI's and Anthropic's per-minute limits),
   *     or {@link Duration#ZERO} when not known
   * @param ratePerSecond the pace the governor admits at now, in units per second (requests or tokens)
   * @param remaining what the governor's ledger says is left now (NaN when not known)
   */
  public record Limit(Dimension dimension, long limit, Duration window, double ratePerSecond, double remaining) {
    public Limit {
      Objects.requireNonNull(dimension, "dimension == null");
      Objects.requireNonNull(window, "window == null");
    }

    /** Returns the quota over its window in units per second (600 per minute: 10.0), or NaN when either is not known. */
    public double sustainedPerSecond() {
      return limit < 0 || window.isZero() ? Double.NaN : limit / (window.toNanos() / 1e9);
    }

    /** Returns {@code requests 600 per 1 min (10.00/s), pacing 15.00/s now, 5 left}. */
    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(dimension.name().toLowerCase(Locale.ROOT).replace('_', ' '));
      if (limit >= 0) {
        out.append(' ').append(limit);
        if (!window.isZero()) {
          out.append(" per ").append(window(window))
              .append(String.format(Locale.ROOT, " (%.2f/s)", sustainedPerSecond()));
        }
      }
      out.append(String.format(Locale.ROOT, ", pacing %.2f/s now", ratePerSecond));
      if (!Double.isNaN(remaining)) {
        out.append(", ").append(Math.round(remaining)).append(" left");
      }
      return out.toString();
    }

    private static String window(Duration w) {
      if (w.toNanos() % 60_000_000_000L == 0) {
        return w.toMinutes() + " min";
      }
      return w.toNanos() % 1_000_000_000L == 0 ? w.toSeconds() + " s" : seconds(w);
    }
  }
}
