package dev.fanout;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a client retries, and how long it waits before trying a failed call again.
 *
 * <h2>What is retried.</h2>
 * An error response is retried when the server says so with {@code x-should-retry: true}, never when it
 * says {@code x-should-retry: false}, and otherwise when {@link #retriesStatus(int)} holds: by default
 * (like openai-java) 408, 409, 429 and 5xx, except Anthropic's spend-cap 429 (its body's
 * {@code error.details.error_code} is {@code enforced_spend_limit_reached}), which fails until the next
 * month whatever the retries. An attempt that failed without a response (a
 * {@link dev.fanout.errors.TransportException}: refused, reset, cut short, a connect or read timeout, or a
 * {@link dev.fanout.errors.FanoutTimeoutException} of the client's {@code attemptTimeout}) is retried when
 * {@link #retriesError(Throwable)} holds: by default every one except a redirect loop and a {@link
 * dev.fanout.errors.ConnectionSetupException} (an untrusted certificate, an unknown host, a refused
 * connection: configuration that a retry does not fix). Other statuses
 * (400, 401, 404, ...) and decode failures are never retried. Connection failures are retried for every
 * method, POST included; use {@link #none()} or a per-call policy where a repeated POST would do harm.
 *
 * <p>The wait before attempt {@code n + 1} is {@code initialBackoff * multiplier^(n-1)}, capped at
 * {@code maxBackoff}, then reduced by a random jitter of up to {@code jitter} of itself. When the server
 * sends {@code Retry-After-Ms} or {@code Retry-After} (seconds or an HTTP date), that wait is used instead,
 * capped at {@code retryAfterCap}. A server-requested wait longer than {@code maxRetryAfter} (60 s by
 * default) is not waited out at all: the call fails at once with the
 * {@link dev.fanout.errors.RateLimitedException} (or other error) that carried it, whose
 * {@link dev.fanout.errors.RateLimitedException#retryAfter()} says how long the server asked for, so the
 * caller decides instead of the SDK blocking silently for minutes.
 *
 * <p>Waits never block a thread (they are scheduled), and are charged against the call's deadline: a wait
 * that would end past the deadline is not started; the call fails with
 * {@link dev.fanout.errors.FanoutTimeoutException} instead. When every allowed attempt fails the call
 * fails with the last attempt's own exception (a {@link dev.fanout.errors.RateLimitedException}, say),
 * whose {@link dev.fanout.errors.FanoutException#attempts()} says how many attempts were made.
 *
 * <p>A policy is an immutable value and {@link Serializable}, so it can travel inside a job graph (such as
 * Flink's) and be handed to a client built on the other side.
 */
public final class RetryPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default number of attempts, the first included. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final double DEFAULT_JITTER = 0.25;
  public static final Duration DEFAULT_RETRY_AFTER_CAP = Duration.ofSeconds(60);
  /**
   * The longest server-requested wait the SDK waits out before retrying: one minute, the longest wait a
   * rate-limit window usually asks for (OpenAI's and Anthropic's per-minute windows); longer ones fail fast.
   */
  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);

  /** Decides whether an error status is retried; serializable so a policy can travel in a job graph. */
  @FunctionalInterface
  public interface StatusPredicate extends Serializable {
    boolean test(int statusCode);
  }

  /** Decides whether an attempt's failure without a response is retried; serializable. */
  @FunctionalInterface
  public interface ErrorPredicate extends Serializable {
    boolean test(Throwable error);
  }

  /** 408, 409, 429 and 5xx, as openai-java retries. */
  public static final StatusPredicate DEFAULT_RETRY_STATUS =
      code -> code == 408 || code == 409 || code == 429 || (code >= 500 && code <= 599);

  /**
   * Every transport failure or attempt timeout except a redirect loop (OkHttp gives up after 20
   * follow-ups; trying again only repeats it).
   */
  public static final ErrorPredicate DEFAULT_RETRY_ERROR = RetryPolicy::isTransient;

  private static final RetryPolicy DEFAULTS = new Builder().build();
  private static final RetryPolicy NONE = new Builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final double jitter;
  private final Duration retryAfterCap;
  private final Duration maxRetryAfter;
  private final StatusPredicate retryStatus;
  private final ErrorPredicate retryError;

  private RetryPolicy(Builder b) {
    this.retryStatus = b.retryStatus;
    this.retryError = b.retryError;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.retryAfterCap = b.retryAfterCap;
    this.maxRetryAfter = b.maxRetryAfter;
  }

  /** Returns the default policy: 3 attempts, 0.5 s doubling to at most 8 s, 25% jitter, a Retry-After over 60 s fails fast. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** Returns a policy that never retries: one attempt, whose failure is the call's failure. */
  public static RetryPolicy none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public double multiplier() {
    return multiplier;
  }

  public double jitter() {
    return jitter;
  }

  public Duration retryAfterCap() {
    return retryAfterCap;
  }

  /** Returns the longest server-requested wait that is waited out; {@link Duration#ZERO} means no limit. */
  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  /**
   * Returns true if a server-requested wait of {@code retryAfter} is longer than {@link #maxRetryAfter()},
   * so the call fails at once instead of retrying. A null {@code retryAfter} (none sent) never is.
   */
  public boolean refusesRetryAfter(Duration retryAfter) {
    return retryAfter != null && !maxRetryAfter.isZero() && retryAfter.compareTo(maxRetryAfter) > 0;
  }

  /**
   * Returns the wait a response asks for before the next request, as the SDK reads it:
   * {@code retry-after-ms} first (OpenAI's, in milliseconds), then {@code retry-after} in seconds or as an
   * HTTP date, measured against the response's {@code Date} header (or {@code clock}'s time without one);
   * {@link Duration#ZERO} for a date already past. Empty when neither header is present or readable.
   */
  public static java.util.Optional<Duration> retryAfter(okhttp3.Headers headers, FanoutClock clock) {
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(clock, "clock == null");
    return dev.fanout.internal.governor.RateLimitHeaders.retryAfter(headers, clock);
  }

  /** Returns true if an error response with {@code statusCode} is retried (absent {@code x-should-retry}). */
  public boolean retriesStatus(int statusCode) {
    return retryStatus.test(statusCode);
  }

  /**
   * Returns true if an error response is retried: {@code xShouldRetry} ({@code true}/{@code false}, the
   * header's value, or null when absent) decides when present, {@link #retriesStatus(int)} otherwise.
   */
  public boolean retriesResponse(int statusCode, String xShouldRetry) {
    if (xShouldRetry != null) {
      String v = xShouldRetry.strip();
      if (v.equalsIgnoreCase("true")) {
        return true;
      }
      if (v.equalsIgnoreCase("false")) {
        return false;
      }
    }
    return retriesStatus(statusCode);
  }

  /** Returns true if an attempt that failed with {@code error} and no response is retried. */
  public boolean retriesError(Throwable error) {
    return retryError.test(error);
  }

  private static boolean isTransient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (t instanceof java.net.ProtocolException && m != null && m.startsWith("Too many follow-up requests")) {
        return false;
      }
    }
    // a connection that cannot be set up (untrusted certificate, unknown host, refused) is a configuration error
    return (error instanceof dev.fanout.errors.TransportException
            && !(error instanceof dev.fanout.errors.ConnectionSetupException))
        || error instanceof dev.fanout.errors.FanoutTimeoutException;
  }

  /**
   * Returns the wait before the attempt after {@code failedAttempt} (1-based): the server's
   * {@code retryAfter} capped at {@link #retryAfterCap()} when it is not {@code null}, the jittered
   * exponential backoff otherwise.
   */
  public Duration backoff(int failedAttempt, Duration retryAfter) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("failedAttempt < 1: " + failedAttempt);
    }
    if (retryAfter != null && !retryAfter.isNegative()) {
      return retryAfter.compareTo(retryAfterCap) > 0 ? retryAfterCap : retryAfter;
    }
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, failedAttempt - 1);
    nanos = Math.min(nanos, (double) maxBackoff.toNanos());
    if (jitter > 0) {
      nanos *= 1.0 - jitter * ThreadLocalRandom.current().nextDouble();
    }
    return Duration.ofNanos((long) nanos);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts
        + ", initialBackoff=" + initialBackoff
        + ", maxBackoff=" + maxBackoff
        + ", multiplier=" + multiplier
        + ", jitter=" + jitter
        + ", retryAfterCap=" + retryAfterCap
        + ", maxRetryAfter=" + maxRetryAfter + '}';
  }

  /** Builds a {@link RetryPolicy}; each setter validates its argument and names a bad value. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double multiplier = DEFAULT_MULTIPLIER;
    private double jitter = DEFAULT_JITTER;
    private Duration retryAfterCap = DEFAULT_RETRY_AFTER_CAP;
    private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
    private StatusPredicate retryStatus = DEFAULT_RETRY_STATUS;
    private ErrorPredicate retryError = DEFAULT_RETRY_ERROR;

    private Builder() {}

    private Builder(RetryPolicy p) {
      this.maxAttempts = p.maxAttempts;
      this.initialBackoff = p.initialBackoff;
      this.maxBackoff = p.maxBackoff;
      this.multiplier = p.multiplier;
      this.jitter = p.jitter;
      this.retryAfterCap = p.retryAfterCap;
      this.maxRetryAfter = p.maxRetryAfter;
      this.retryStatus = p.retryStatus;
      this.retryError = p.retryError;
    }

    /**
     * Sets which error statuses are retried (a server's {@code x-should-retry} header still overrides).
     * Defaults to {@link #DEFAULT_RETRY_STATUS} (408, 409, 429, 5xx).
     */
    public Builder retryOnStatus(StatusPredicate retryStatus) {
      this.retryStatus = Objects.requireNonNull(retryStatus, "retryStatus == null");
      return this;
    }

    /**
     * Sets which failures without a response are retried. Defaults to {@link #DEFAULT_RETRY_ERROR}
     * (every transport failure and attempt timeout but a redirect loop).
     */
    public Builder retryOnError(ErrorPredicate retryError) {
      this.retryError = Objects.requireNonNull(retryError, "retryError == null");
      return this;
    }

    /** Sets how many attempts a call gets, the first included; 1 disables retries. Defaults to 3. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Sets the wait before the second attempt. Defaults to 500 ms. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = nonNegative(initialBackoff, "initialBackoff");
      return this;
    }

    /** Sets the longest exponential backoff (before jitter). Defaults to 8 s. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = nonNegative(maxBackoff, "maxBackoff");
      return this;
    }

    /** Sets the factor each backoff grows by; at least 1. Defaults to 2.0. */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier < 1 or not finite: " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the jitter: each exponential backoff is reduced by a random fraction of up to this much of
     * itself, in [0, 1]; 0 makes backoffs exact. Defaults to 0.25.
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0.0 && jitter <= 1.0)) {
        throw new IllegalArgumentException("jitter not in [0, 1]: " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /** Sets the longest server-requested ({@code Retry-After}) wait that is honoured; longer ones are cut to it. Defaults to 60 s. */
    public Builder retryAfterCap(Duration retryAfterCap) {
      this.retryAfterCap = nonNegative(retryAfterCap, "retryAfterCap");
      return this;
    }

    /**
     * Sets the longest server-requested ({@code Retry-After}) wait that is waited out; a longer one makes the
     * call fail at once with the error that asked for it ({@link dev.fanout.errors.RateLimitedException#retryAfter()}
     * says how long). {@link Duration#ZERO} removes the limit (long waits are then cut to
     * {@link #retryAfterCap(Duration)} and obeyed). Defaults to {@link #DEFAULT_MAX_RETRY_AFTER} (60 s).
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = nonNegative(maxRetryAfter, "maxRetryAfter");
      return this;
    }

    public RetryPolicy build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff > maxBackoff: " + initialBackoff + " > " + maxBackoff);
      }
      return new RetryPolicy(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " < 0: " + d);
      }
      return d;
    }
  }
}
