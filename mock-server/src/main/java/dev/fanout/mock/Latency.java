package dev.fanout.mock;

import dev.fanout.common.Durations;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A latency is how long a simulated backend takes to answer: a fixed delay plus an optional seeded
 * {@link Jitter}, with optional per-route overrides and, for streamed chat completions, a
 * time-to-first-token and a per-token delay. It is an immutable value, like Retrofit's {@code
 * NetworkBehavior}.
 *
 * <p>Delays run concurrently: N requests in flight at once all finish after about one delay.
 * Jitter draws come from a random sequence seeded by {@link #seed()}, one sequence per route, in
 * request arrival order, so the same run reproduces the same multiset of delays.
 *
 * <pre>{@code
 * Latency latency = Latency.builder()
 *     .delay(Duration.ofMillis(200))
 *     .jitter(Jitter.logNormal(0.5))
 *     .seed(42)
 *     .route("chat", Latency.builder().timeToFirstToken(Duration.ofMillis(300))
 *         .perTokenDelay(Duration.ofMillis(20)).build())
 *     .build();
 * }</pre>
 */
public final class Latency {
  /** The default delay, one second: the latency the project's source document assumes. */
  public static final Duration DEFAULT_DELAY = Duration.ofSeconds(1);
  /** The default jitter seed. */
  public static final long DEFAULT_SEED = 1L;
  /** The default per-token delay of streamed chat completions: none. */
  public static final Duration DEFAULT_PER_TOKEN_DELAY = Duration.ZERO;
  /** The default share of requests that take the tail latency: none. */
  public static final double DEFAULT_TAIL_SHARE = 0;

  private static final Latency DEFAULTS = builder().build();
  private static final Latency NONE = builder().delay(Duration.ZERO).build();

  private final Duration delay;
  private final Jitter jitter;
  private final long seed;
  private final Map<String, Latency> routes;
  private final Duration timeToFirstToken;
  private final Duration perTokenDelay;
  private final double tailShare;
  private final Duration tailDelay;

  private Latency(Builder b) {
    this.delay = b.delay;
    this.jitter = b.jitter;
    this.seed = b.seed;
    this.routes = Collections.unmodifiableMap(new LinkedHashMap<>(b.routes));
    this.timeToFirstToken = b.timeToFirstToken;
    this.perTokenDelay = b.perTokenDelay;
    this.tailShare = b.tailShare;
    this.tailDelay = b.tailDelay;
  }

  /** A fixed delay without jitter. */
  public static Latency fixed(Duration delay) {
    return builder().delay(delay).build();
  }

  /** No delay at all. */
  public static Latency none() {
    return NONE;
  }

  /** The defaults: a fixed {@link #DEFAULT_DELAY} of one second. */
  public static Latency defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** The fixed part of the delay. */
  public Duration delay() {
    return delay;
  }

  public Jitter jitter() {
    return jitter;
  }

  public long seed() {
    return seed;
  }

  /** Per-route overrides, keyed by route name (see {@link Routes}). */
  public Map<String, Latency> routes() {
    return routes;
  }

  /** The latency that applies to {@code route}: its override if any, otherwise this. */
  public Latency forRoute(String route) {
    return Routes.overrideOr(routes, route, this);
  }

  /**
   * The wait before the first chunk of a streamed chat completion, or null when it is the sampled
   * delay.
   */
  public Duration timeToFirstToken() {
    return timeToFirstToken;
  }

  /** The wait between chunks of a streamed chat completion. */
  public Duration perTokenDelay() {
    return perTokenDelay;
  }

  /**
   * The share of requests, in [0, 1], that take {@link #tailDelay()} instead of the sampled delay (and,
   * for a stream, instead of its time to first token): a heavy latency tail. Which requests do is drawn
   * from a random sequence of its own, seeded by {@link #seed()}, one per route in arrival order, so a
   * run of N requests has the same tail every time and the jitter sequence is unchanged.
   */
  public double tailShare() {
    return tailShare;
  }

  /** The latency of a request in the tail (see {@link #tailShare()}); zero when there is no tail. */
  public Duration tailDelay() {
    return tailDelay;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Latency)) return false;
    Latency l = (Latency) o;
    return delay.equals(l.delay)
        && jitter.equals(l.jitter)
        && seed == l.seed
        && routes.equals(l.routes)
        && Objects.equals(timeToFirstToken, l.timeToFirstToken)
        && perTokenDelay.equals(l.perTokenDelay)
        && tailShare == l.tailShare
        && tailDelay.equals(l.tailDelay);
  }

  @Override
  public int hashCode() {
    return Objects.hash(delay, jitter, seed, routes, timeToFirstToken, perTokenDelay, tailShare, tailDelay);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Latency{delay=").append(Durations.format(delay));
    if (jitter.kind() != Jitter.Kind.NONE) s.append(", jitter=").append(jitter).append(", seed=").append(seed);
    if (timeToFirstToken != null) s.append(", timeToFirstToken=").append(Durations.format(timeToFirstToken));
    if (!perTokenDelay.isZero()) s.append(", perTokenDelay=").append(Durations.format(perTokenDelay));
    if (tailShare > 0) s.append(", tail=").append(tailShare).append(':').append(Durations.format(tailDelay));
    if (!routes.isEmpty()) s.append(", routes=").append(routes);
    return s.append('}').toString();
  }

  /** Builds a {@link Latency}; every setter validates and names the bad value. */
  public static final class Builder {
    private Duration delay = DEFAULT_DELAY;
    private Jitter jitter = Jitter.none();
    private long seed = DEFAULT_SEED;
    private final Map<String, Latency> routes = new LinkedHashMap<>();
    private Duration timeToFirstToken;
    private Duration perTokenDelay = DEFAULT_PER_TOKEN_DELAY;
    private double tailShare = DEFAULT_TAIL_SHARE;
    private Duration tailDelay = Duration.ZERO;

    private Builder() {}

    private Builder(Latency l) {
      delay = l.delay;
      jitter = l.jitter;
      seed = l.seed;
      routes.putAll(l.routes);
      timeToFirstToken = l.timeToFirstToken;
      perTokenDelay = l.perTokenDelay;
      tailShare = l.tailShare;
      tailDelay = l.tailDelay;
    }

    /** The fixed delay before each response. Defaults to {@link #DEFAULT_DELAY} (1 s). */
    public Builder delay(Duration delay) {
      this.delay = Durations.requireNonNegative(delay, "delay");
      return this;
    }

    /** The random variation around the delay. Defaults to {@link Jitter#none()}. */
    public Builder jitter(Jitter jitter) {
      if (jitter == null) throw new IllegalArgumentException("jitter == null");
      this.jitter = jitter;
      return this;
    }

    /** The seed of the jitter sequences. Defaults to {@link #DEFAULT_SEED}. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Uses {@code override} instead of this latency for requests to {@code route} (one of {@link
     * Routes#BACKENDS}). Defaults to no overrides.
     */
    public Builder route(String route, Latency override) {
      Routes.putOverride(routes, route, override, Latency::routes);
      return this;
    }

    /**
     * For streamed chat completions, the wait before the first chunk (the response headers are sent
     * at once). Defaults to the sampled delay.
     */
    public Builder timeToFirstToken(Duration timeToFirstToken) {
      this.timeToFirstToken = Durations.requireNonNegative(timeToFirstToken, "timeToFirstToken");
      return this;
    }

    /**
     * For streamed chat completions, the wait between chunks. Defaults to {@link
     * #DEFAULT_PER_TOKEN_DELAY} (none).
     */
    public Builder perTokenDelay(Duration perTokenDelay) {
      this.perTokenDelay = Durations.requireNonNegative(perTokenDelay, "perTokenDelay");
      return this;
    }

    /**
     * A heavy tail: a seeded share {@code share} in [0, 1] of requests take {@code tailDelay} instead of
     * the sampled delay, e.g. {@code tail(0.03, Duration.ofSeconds(3))} for "3% of requests take 3 s".
     * Defaults to {@link #DEFAULT_TAIL_SHARE} (no tail).
     */
    public Builder tail(double share, Duration tailDelay) {
      Checks.probability("tail share", share);
      this.tailDelay = Durations.requireNonNegative(tailDelay, "tailDelay");
      this.tailShare = share;
      return this;
    }

    public Latency build() {
      return new Latency(this);
    }
  }
}
