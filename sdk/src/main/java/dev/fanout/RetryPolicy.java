package dev.fanout;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how long a client waits before trying a failed call again.
 *
 * <p>A call is retried when an attempt fails on the wire (a {@link dev.fanout.errors.TransportException}:
 * connection refused or reset, a connect or read timeout) or the server answers 408, 429 or 5xx. Other
 * statuses (400, 401, 404, ...) and decode failures are not retried. Like openai-java, connection failures
 * are retried for every method, POST included (chat completions are retried); point the client at
 * idempotent endpoints or use {@link #none()} where a repeated POST would do harm.
 *
 * <p>The wait before attempt {@code n + 1} is {@code initialBackoff * multiplier^(n-1)}, capped at
 * {@code maxBackoff}, then reduced by a random jitter of up to {@code jitter} of itself. When the server
 * sends {@code Retry-After-Ms} or {@code Retry-After} (seconds or an HTTP date), that wait is used instead,
 * capped at {@code retryAfterCap} (a week-long {@code Retry-After} is capped, not obeyed).
 *
 * <p>Waits never block a thread (they are scheduled), and are charged against the call's deadline: a wait
 * that would end past the deadline is not started; the call fails with
 * {@link dev.fanout.errors.FanoutTimeoutException} instead. When every allowed attempt fails the call
 * fails with {@link dev.fanout.errors.RetriesExhaustedException}.
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

  private static final RetryPolicy DEFAULTS = new Builder().build();
  private static final RetryPolicy NONE = new Builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final double jitter;
  private final Duration retryAfterCap;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.retryAfterCap = b.retryAfterCap;
  }

  /** Returns the default policy: 3 attempts, 0.5 s doubling to at most 8 s, 25% jitter, Retry-After capped at 60 s. */
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
        + ", retryAfterCap=" + retryAfterCap + '}';
  }

  /** Builds a {@link RetryPolicy}; each setter validates its argument and names a bad value. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double multiplier = DEFAULT_MULTIPLIER;
    private double jitter = DEFAULT_JITTER;
    private Duration retryAfterCap = DEFAULT_RETRY_AFTER_CAP;

    private Builder() {}

    private Builder(RetryPolicy p) {
      this.maxAttempts = p.maxAttempts;
      this.initialBackoff = p.initialBackoff;
      this.maxBackoff = p.maxBackoff;
      this.multiplier = p.multiplier;
      this.jitter = p.jitter;
      this.retryAfterCap = p.retryAfterCap;
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
