package dev.fanout;

import dev.fanout.common.Durations;
import java.io.Serializable;
import java.time.Duration;

/**
 * How a client's rate-limit governor admits calls to each rate-limited bucket of a host: it paces calls to
 * the limits the server publishes (OpenAI's {@code x-ratelimit-*}, Anthropic's {@code anthropic-ratelimit-*},
 * the IETF {@code RateLimit} fields), pauses a bucket for all its calls on a 429, and, where a server
 * publishes nothing, adapts its concurrency to 429s and latency (additive increase, multiplicative decrease).
 *
 * <p>The client's {@code maxInFlight} stays the hard ceiling: the governor only ever admits fewer. Its waits
 * never block a thread, and are charged to each call's deadline: a wait that would end past the deadline
 * fails the call at once.
 *
 * <p>A policy is an immutable, {@link Serializable} value. {@link #defaults()} is on; {@link #disabled()}
 * admits every call at once (only {@code maxInFlight} then bounds a fan-out).
 */
public final class GovernorPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Calls a model API's bucket (chat, messages, embeddings) admits at once before it has seen any response. */
  public static final int DEFAULT_INITIAL_CONCURRENCY = 32;
  /** The factor a bucket's concurrency is cut by on a 429. */
  public static final double DEFAULT_BACKOFF_RATIO = 0.5;
  /** Latency up to this multiple of the fastest response seen still counts as "latency holds". */
  public static final double DEFAULT_LATENCY_TOLERANCE = 2.0;
  /** The share of a 429's pause added at random, so processes sharing a key do not resume in step. */
  public static final double DEFAULT_PAUSE_JITTER = 0.2;
  /** The pause after a 429 that names no wait ({@code retry-after}) and no reset time. */
  public static final Duration DEFAULT_PAUSE_WITHOUT_RETRY_AFTER = Duration.ofSeconds(1);
  /** The longest wait a 429 or a published limit's reset can impose on a bucket; longer ones are cut to it. */
  public static final Duration DEFAULT_MAX_PAUSE = Duration.ofSeconds(60);
  /** How often a bucket its published limits say is exhausted for longer still sends one call to check. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
  /** The output tokens charged to a chat call that sets no {@code max_tokens}. */
  public static final long DEFAULT_OUTPUT_TOKENS_WITHOUT_MAX = 1024;
  /** Defaults to false: a bucket that publishes no limits runs open after its first response, until a 429. */
  public static final boolean DEFAULT_CAP_BEFORE_FIRST_LIMIT = false;

  private static final GovernorPolicy DEFAULTS = new Builder().build();
  private static final GovernorPolicy DISABLED = new Builder().enabled(false).build();

  private final boolean enabled;
  private final int initialConcurrency;
  private final double backoffRatio;
  private final double latencyTolerance;
  private final double pauseJitter;
  private final Duration pauseWithoutRetryAfter;
  private final Duration maxPause;
  private final Duration probeInterval;
  private final long outputTokensWithoutMax;
  private final boolean capBeforeFirstLimit;

  private GovernorPolicy(Builder b) {
    this.capBeforeFirstLimit = b.capBeforeFirstLimit;
    this.enabled = b.enabled;
    this.initialConcurrency = b.initialConcurrency;
    this.backoffRatio = b.backoffRatio;
    this.latencyTolerance = b.latencyTolerance;
    this.pauseJitter = b.pauseJitter;
    this.pauseWithoutRetryAfter = b.pauseWithoutRetryAfter;
    this.maxPause = b.maxPause;
    this.probeInterval = b.probeInterval;
    this.outputTokensWithoutMax = b.outputTokensWithoutMax;
  }

  /**
   * Returns the default policy: on; a bucket admits {@link #DEFAULT_INITIAL_CONCURRENCY} calls until its
   * first response, then paces to the limits the server publishes or, if it publishes none, runs open (only
   * {@code maxInFlight} bounds it) until a 429 starts AIMD from the concurrency it had; a 429's pause is
   * jittered by 20%.
   */
  public static GovernorPolicy defaults() {
    return DEFAULTS;
  }

  /** Returns a policy that admits every call at once: no pacing, no pause, no adaptive concurrency. */
  public static GovernorPolicy disabled() {
    return DISABLED;
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  public boolean enabled() {
    return enabled;
  }

  public int initialConcurrency() {
    return initialConcurrency;
  }

  public double backoffRatio() {
    return backoffRatio;
  }

  public double latencyTolerance() {
    return latencyTolerance;
  }

  public double pauseJitter() {
    return pauseJitter;
  }

  public Duration pauseWithoutRetryAfter() {
    return pauseWithoutRetryAfter;
  }

  public Duration maxPause() {
    return maxPause;
  }

  /**
   * Returns how often a bucket that its published limits say is exhausted for longer than this sends one
   * call anyway, so that a wrong or lying reset header cannot hold a bucket shut.
   */
  public Duration probeInterval() {
    return probeInterval;
  }

  public long outputTokensWithoutMax() {
    return outputTokensWithoutMax;
  }

  /**
   * Returns whether a bucket whose server publishes no limits runs AIMD from {@link #initialConcurrency()}
   * from its first call (true), or probes with it until its first response and then runs open until its
   * first 429 (false: a server that never limits is never slowed).
   */
  public boolean capBeforeFirstLimit() {
    return capBeforeFirstLimit;
  }

  @Override
  public String toString() {
    return "GovernorPolicy{enabled=" + enabled
        + ", initialConcurrency=" + initialConcurrency
        + ", backoffRatio=" + backoffRatio
        + ", latencyTolerance=" + latencyTolerance
        + ", pauseJitter=" + pauseJitter
        + ", pauseWithoutRetryAfter=" + Durations.format(pauseWithoutRetryAfter)
        + ", maxPause=" + Durations.format(maxPause)
        + ", probeInterval=" + Durations.format(probeInterval)
        + ", outputTokensWithoutMax=" + outputTokensWithoutMax
        + ", capBeforeFirstLimit=" + capBeforeFirstLimit + '}';
  }

  /** Returns a builder with this policy's settings, to derive another. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Builds a {@link GovernorPolicy}; each setter validates its argument and names a bad value. */
  public static final class Builder {
    private boolean enabled = true;
    private int initialConcurrency = DEFAULT_INITIAL_CONCURRENCY;
    private double backoffRatio = DEFAULT_BACKOFF_RATIO;
    private double latencyTolerance = DEFAULT_LATENCY_TOLERANCE;
    private double pauseJitter = DEFAULT_PAUSE_JITTER;
    private Duration pauseWithoutRetryAfter = DEFAULT_PAUSE_WITHOUT_RETRY_AFTER;
    private Duration maxPause = DEFAULT_MAX_PAUSE;
    private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
    private long outputTokensWithoutMax = DEFAULT_OUTPUT_TOKENS_WITHOUT_MAX;
    private boolean capBeforeFirstLimit = DEFAULT_CAP_BEFORE_FIRST_LIMIT;

    private Builder() {}

    private Builder(GovernorPolicy p) {
      this.enabled = p.enabled;
      this.initialConcurrency = p.initialConcurrency;
      this.backoffRatio = p.backoffRatio;
      this.latencyTolerance = p.latencyTolerance;
      this.pauseJitter = p.pauseJitter;
      this.pauseWithoutRetryAfter = p.pauseWithoutRetryAfter;
      this.maxPause = p.maxPause;
      this.probeInterval = p.probeInterval;
      this.outputTokensWithoutMax = p.outputTokensWithoutMax;
      this.capBeforeFirstLimit = p.capBeforeFirstLimit;
    }

    /**
     * Sets whether a bucket whose server publishes no limits runs AIMD from {@link #initialConcurrency(int)}
     * from its first call (true), or probes with {@code initialConcurrency} calls until its first response,
     * then admits up to the client's {@code maxInFlight} until its first 429 (or a 503/529 with a
     * {@code retry-after}) and runs AIMD from the concurrency it had then (false). A bucket whose server
     * publishes limits is paced to them either way, not capped in concurrency. Defaults to false.
     */
    public Builder capBeforeFirstLimit(boolean capBeforeFirstLimit) {
      this.capBeforeFirstLimit = capBeforeFirstLimit;
      return this;
    }

    /** Turns the governor on or off; off admits every call at once. Defaults to true. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Sets how many calls a model API's bucket (chat completions, Anthropic messages, embeddings) admits at
     * once before its first response (the cold-start probe: every LLM provider meters every key, and a
     * fan-out of 1,000 must not send 1,000 against a burst of 100 before the first answer tells it the
     * limits), and where AIMD starts for a server that publishes no limits. Other routes start open: they
     * are paced from the first response that publishes limits and capped from their first 429. Defaults
     * to 32.
     */
    public Builder initialConcurrency(int initialConcurrency) {
      if (initialConcurrency < 1) {
        throw new IllegalArgumentException("initialConcurrency < 1: " + initialConcurrency);
      }
      this.initialConcurrency = initialConcurrency;
      return this;
    }

    /**
     * Sets the factor a 429 cuts by, once per round trip, in (0, 1): this client's share of a published pace,
     * and the AIMD concurrency limit of a bucket that publishes none. Defaults to 0.5.
     */
    public Builder backoffRatio(double backoffRatio) {
      if (!(backoffRatio > 0.0 && backoffRatio < 1.0)) {
        throw new IllegalArgumentException("backoffRatio not in (0, 1): " + backoffRatio);
      }
      this.backoffRatio = backoffRatio;
      return this;
    }

    /**
     * Sets how much slower than the fastest response seen a response may be and still let the concurrency
     * limit grow; at least 1. Defaults to 2.0.
     */
    public Builder latencyTolerance(double latencyTolerance) {
      if (!(latencyTolerance >= 1.0) || Double.isInfinite(latencyTolerance)) {
        throw new IllegalArgumentException("latencyTolerance < 1 or not finite: " + latencyTolerance);
      }
      this.latencyTolerance = latencyTolerance;
      return this;
    }

    /**
     * Sets the jitter of a 429's pause: up to this share of the pause is added at random, in [0, 1].
     * Defaults to 0.2.
     */
    public Builder pauseJitter(double pauseJitter) {
      if (!(pauseJitter >= 0.0 && pauseJitter <= 1.0)) {
        throw new IllegalArgumentException("pauseJitter not in [0, 1]: " + pauseJitter);
      }
      this.pauseJitter = pauseJitter;
      return this;
    }

    /** Sets the pause after a 429 that says neither how long to wait nor when the limit resets. Defaults to 1 s. */
    public Builder pauseWithoutRetryAfter(Duration pauseWithoutRetryAfter) {
      this.pauseWithoutRetryAfter = Durations.requireNonNegative(pauseWithoutRetryAfter, "pauseWithoutRetryAfter");
      return this;
    }

    /**
     * Sets the longest wait a 429 or a published limit's reset can impose on all the calls of a bucket; a
     * longer one is cut to it. A {@code retry-after} the client's {@code RetryPolicy.maxRetryAfter} refuses
     * (the call it came with fails at once) is not imposed on the other calls at all: they pause
     * {@link #pauseWithoutRetryAfter} instead. Defaults to 60 s.
     */
    public Builder maxPause(Duration maxPause) {
      this.maxPause = Durations.requireNonNegative(maxPause, "maxPause");
      return this;
    }

    /**
     * Sets how often a bucket whose published limits say it is exhausted for longer than this sends one call
     * anyway (a probe): its answer's headers replace what the bucket believed, so one wrong reset header
     * cannot hold the bucket shut. Not during a 429's pause. Defaults to 5 s.
     */
    public Builder probeInterval(Duration probeInterval) {
      Durations.requireNonNegative(probeInterval, "probeInterval");
      if (probeInterval.isZero()) {
        throw new IllegalArgumentException("probeInterval <= 0: " + probeInterval);
      }
      this.probeInterval = probeInterval;
      return this;
    }

    /**
     * Sets the output tokens charged against a token limit for a chat call with no {@code max_tokens}.
     * Defaults to 1024.
     */
    public Builder outputTokensWithoutMax(long outputTokensWithoutMax) {
      if (outputTokensWithoutMax < 0) {
        throw new IllegalArgumentException("outputTokensWithoutMax < 0: " + outputTokensWithoutMax);
      }
      this.outputTokensWithoutMax = outputTokensWithoutMax;
      return this;
    }

    public GovernorPolicy build() {
      return new GovernorPolicy(this);
    }
  }
}
