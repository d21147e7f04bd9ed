package dev.fanout.mock;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Faults are the failures a simulated backend injects, each with a seeded probability, globally or
 * per route: 5xx errors, disconnects before or during the response body, stalls (no answer ever),
 * malformed JSON bodies, and rate limiting as token buckets (requests per second, and for chat
 * also tokens per minute) answered with {@code 429}, {@code Retry-After} and {@code Retry-After-Ms}.
 * It is an immutable value.
 *
 * <p>Each request that passes validation and the rate limiter draws one number from a random
 * sequence seeded by {@link #seed()} (one sequence per route, in arrival order), so a run of N
 * requests injects the same number of each fault every time.
 *
 * <h2>Metering like a real provider</h2>
 *
 * <p>{@link Builder#requestsPerMinute(long)} and {@link Builder#tokensPerMinute(long)} meter the OpenAI
 * routes ({@code chat} and {@code embeddings}, sharing one quota like one API key) the way OpenAI does:
 * a per-minute limit enforced continuously as token buckets that refill at {@code n / 60} per second and
 * hold {@link #meterDepth()} worth (one second by default: "6,000/min" admits 100 at once, then one
 * every 10 ms). A chat request is charged its estimate, prompt characters / 4 plus {@code max_tokens}
 * times {@code n} (or {@link #maxTokensEstimate()}), then corrected to the usage it reports; an
 * embeddings request is charged its input tokens. Every metered response carries {@code
 * x-ratelimit-limit|remaining|reset-requests|tokens}; an empty bucket answers 429 with OpenAI's body
 * ({@code code: rate_limit_exceeded}, "Please try again in 20ms."), {@code retry-after} and {@code
 * retry-after-ms}. A route override with its own limits has its own buckets, and can meter any route.
 *
 * <p>The probabilities of the exclusive faults ({@code errorRate}, {@code disconnectBeforeBodyRate},
 * {@code disconnectDuringBodyRate}, {@code stallRate}, {@code malformedJsonRate}) must sum to at
 * most 1.
 */
public final class Faults {
  /** The default fault seed. */
  public static final long DEFAULT_SEED = 1L;
  /** No rate limit. */
  public static final double NO_RATE_LIMIT = 0;
  /** No tokens-per-minute limit. */
  public static final long NO_TOKEN_LIMIT = 0;
  /** No requests-per-minute metering. */
  public static final long NO_METERING = 0;
  /** The default depth of the metering buckets: one second's worth of the per-minute limit. */
  public static final Duration DEFAULT_METER_DEPTH = Duration.ofSeconds(1);
  /** The default completion tokens charged for a chat request that sets no {@code max_tokens}. */
  public static final long DEFAULT_MAX_TOKENS_ESTIMATE = 256;
  /** The default time source of the metering buckets. */
  public static final LongSupplier DEFAULT_METER_CLOCK = System::nanoTime;

  private static final Faults NONE = builder().build();

  private final long seed;
  private final double errorRate;
  private final double disconnectBeforeBodyRate;
  private final double disconnectDuringBodyRate;
  private final double stallRate;
  private final double malformedJsonRate;
  private final double rateLimit;
  private final double rateLimitBurst;
  private final long chatTokensPerMinute;
  private final long requestsPerMinute;
  private final long tokensPerMinute;
  private final Duration meterDepth;
  private final long maxTokensEstimate;
  private final LongSupplier meterClock;
  private final Map<String, Faults> routes;

  private Faults(Builder b) {
    seed = b.seed;
    errorRate = b.errorRate;
    disconnectBeforeBodyRate = b.disconnectBeforeBodyRate;
    disconnectDuringBodyRate = b.disconnectDuringBodyRate;
    stallRate = b.stallRate;
    malformedJsonRate = b.malformedJsonRate;
    rateLimit = b.rateLimit;
    rateLimitBurst = b.rateLimitBurst > 0 ? b.rateLimitBurst : Math.max(1, Math.ceil(b.rateLimit));
    chatTokensPerMinute = b.chatTokensPerMinute;
    requestsPerMinute = b.requestsPerMinute;
    tokensPerMinute = b.tokensPerMinute;
    meterDepth = b.meterDepth;
    maxTokensEstimate = b.maxTokensEstimate;
    meterClock = b.meterClock;
    routes = Collections.unmodifiableMap(new LinkedHashMap<>(b.routes));
  }

  /** No faults at all. */
  public static Faults none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  public long seed() {
    return seed;
  }

  /** Probability of answering a 5xx error (500, 502 or 503) instead of the response. */
  public double errorRate() {
    return errorRate;
  }

  /** Probability of closing the connection after the delay, before any response byte. */
  public double disconnectBeforeBodyRate() {
    return disconnectBeforeBodyRate;
  }

  /** Probability of closing the connection halfway through the response body. */
  public double disconnectDuringBodyRate() {
    return disconnectDuringBodyRate;
  }

  /** Probability of never answering (until the client gives up or the server stops). */
  public double stallRate() {
    return stallRate;
  }

  /** Probability of answering 200 with a truncated, unparseable JSON body. */
  public double malformedJsonRate() {
    return malformedJsonRate;
  }

  /** The sum of the exclusive fault probabilities. */
  public double totalRate() {
    return errorRate + disconnectBeforeBodyRate + disconnectDuringBodyRate + stallRate + malformedJsonRate;
  }

  /** Requests per second the token bucket admits, or {@link #NO_RATE_LIMIT}. */
  public double rateLimit() {
    return rateLimit;
  }

  /** The token bucket's capacity in requests. */
  public double rateLimitBurst() {
    return rateLimitBurst;
  }

  /** Chat tokens (prompt plus completion) admitted per minute, or {@link #NO_TOKEN_LIMIT}. */
  public long chatTokensPerMinute() {
    return chatTokensPerMinute;
  }

  /** Requests per minute the meter admits, or {@link #NO_METERING}. */
  public long requestsPerMinute() {
    return requestsPerMinute;
  }

  /** Tokens per minute the meter admits, or {@link #NO_METERING}. */
  public long tokensPerMinute() {
    return tokensPerMinute;
  }

  /** True if requests or tokens per minute are metered (with {@code x-ratelimit-*} headers). */
  public boolean isMetered() {
    return requestsPerMinute > 0 || tokensPerMinute > 0;
  }

  /** How much of the per-minute limits the metering buckets hold: one second's worth by default. */
  public Duration meterDepth() {
    return meterDepth;
  }

  /** Completion tokens charged for a chat request without {@code max_tokens}. */
  public long maxTokensEstimate() {
    return maxTokensEstimate;
  }

  /** The time source of the metering buckets, in nanoseconds (for tests: a fake clock). */
  public LongSupplier meterClock() {
    return meterClock;
  }

  /** Per-route overrides, keyed by route name (see {@link Routes}). */
  public Map<String, Faults> routes() {
    return routes;
  }

  /** The faults that apply to {@code route}: its override if any, otherwise this. */
  public Faults forRoute(String route) {
    return Routes.overrideOr(routes, route, this);
  }

  /** True if this injects nothing and limits nothing (ignoring overrides). */
  public boolean isNone() {
    return totalRate() == 0 && rateLimit == NO_RATE_LIMIT && chatTokensPerMinute == NO_TOKEN_LIMIT && !isMetered();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Faults)) return false;
    Faults f = (Faults) o;
    return seed == f.seed
        && errorRate == f.errorRate
        && disconnectBeforeBodyRate == f.disconnectBeforeBodyRate
        && disconnectDuringBodyRate == f.disconnectDuringBodyRate
        && stallRate == f.stallRate
        && malformedJsonRate == f.malformedJsonRate
        && rateLimit == f.rateLimit
        && rateLimitBurst == f.rateLimitBurst
        && chatTokensPerMinute == f.chatTokensPerMinute
        && requestsPerMinute == f.requestsPerMinute
        && tokensPerMinute == f.tokensPerMinute
        && meterDepth.equals(f.meterDepth)
        && maxTokensEstimate == f.maxTokensEstimate
        && meterClock == f.meterClock
        && routes.equals(f.routes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seed, errorRate, disconnectBeforeBodyRate, disconnectDuringBodyRate, stallRate,
        malformedJsonRate, rateLimit, rateLimitBurst, chatTokensPerMinute, requestsPerMinute, tokensPerMinute,
        meterDepth, maxTokensEstimate, routes);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Faults{seed=").append(seed);
    if (errorRate > 0) s.append(", errorRate=").append(errorRate);
    if (disconnectBeforeBodyRate > 0) s.append(", disconnectBeforeBodyRate=").append(disconnectBeforeBodyRate);
    if (disconnectDuringBodyRate > 0) s.append(", disconnectDuringBodyRate=").append(disconnectDuringBodyRate);
    if (stallRate > 0) s.append(", stallRate=").append(stallRate);
    if (malformedJsonRate > 0) s.append(", malformedJsonRate=").append(malformedJsonRate);
    if (rateLimit > 0) s.append(", rateLimit=").append(rateLimit).append("/s burst ").append(rateLimitBurst);
    if (chatTokensPerMinute > 0) s.append(", chatTokensPerMinute=").append(chatTokensPerMinute);
    if (requestsPerMinute > 0) s.append(", requestsPerMinute=").append(requestsPerMinute);
    if (tokensPerMinute > 0) s.append(", tokensPerMinute=").append(tokensPerMinute);
    if (isMetered()) s.append(", meterDepth=").append(dev.fanout.common.Durations.format(meterDepth));
    if (!routes.isEmpty()) s.append(", routes=").append(routes);
    return s.append('}').toString();
  }

  /** Builds {@link Faults}; every setter validates and names the bad value. */
  public static final class Builder {
    private long seed = DEFAULT_SEED;
    private double errorRate;
    private double disconnectBeforeBodyRate;
    private double disconnectDuringBodyRate;
    private double stallRate;
    private double malformedJsonRate;
    private double rateLimit = NO_RATE_LIMIT;
    private double rateLimitBurst;
    private long chatTokensPerMinute = NO_TOKEN_LIMIT;
    private long requestsPerMinute = NO_METERING;
    private long tokensPerMinute = NO_METERING;
    private Duration meterDepth = DEFAULT_METER_DEPTH;
    private long maxTokensEstimate = DEFAULT_MAX_TOKENS_ESTIMATE;
    private LongSupplier meterClock = DEFAULT_METER_CLOCK;
    private final Map<String, Faults> routes = new LinkedHashMap<>();

    private Builder() {}

    private Builder(Faults f) {
      seed = f.seed;
      errorRate = f.errorRate;
      disconnectBeforeBodyRate = f.disconnectBeforeBodyRate;
      disconnectDuringBodyRate = f.disconnectDuringBodyRate;
      stallRate = f.stallRate;
      malformedJsonRate = f.malformedJsonRate;
      rateLimit = f.rateLimit;
      rateLimitBurst = f.rateLimitBurst;
      chatTokensPerMinute = f.chatTokensPerMinute;
      requestsPerMinute = f.requestsPerMinute;
      tokensPerMinute = f.tokensPerMinute;
      meterDepth = f.meterDepth;
      maxTokensEstimate = f.maxTokensEstimate;
      meterClock = f.meterClock;
      routes.putAll(f.routes);
    }

    /** The seed of the fault sequences. Defaults to {@link #DEFAULT_SEED}. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Probability in [0, 1] of a 5xx error. Defaults to 0. */
    public Builder errorRate(double p) {
      errorRate = Checks.probability("errorRate", p);
      return this;
    }

    /** Probability in [0, 1] of a disconnect before the response. Defaults to 0. */
    public Builder disconnectBeforeBodyRate(double p) {
      disconnectBeforeBodyRate = Checks.probability("disconnectBeforeBodyRate", p);
      return this;
    }

    /** Probability in [0, 1] of a disconnect halfway through the body. Defaults to 0. */
    public Builder disconnectDuringBodyRate(double p) {
      disconnectDuringBodyRate = Checks.probability("disconnectDuringBodyRate", p);
      return this;
    }

    /** Probability in [0, 1] of never answering. Defaults to 0. */
    public Builder stallRate(double p) {
      stallRate = Checks.probability("stallRate", p);
      return this;
    }

    /** Probability in [0, 1] of a malformed JSON body. Defaults to 0. */
    public Builder malformedJsonRate(double p) {
      malformedJsonRate = Checks.probability("malformedJsonRate", p);
      return this;
    }

    /**
     * Admits at most {@code requestsPerSecond} requests per second on average, with a burst of
     * {@code max(1, ceil(requestsPerSecond))}; others get 429. Defaults to {@link #NO_RATE_LIMIT}.
     */
    public Builder rateLimit(double requestsPerSecond) {
      return rateLimit(requestsPerSecond, 0);
    }

    /**
     * Admits at most {@code requestsPerSecond} requests per second on average and {@code burst} at
     * once (0 picks {@code max(1, ceil(requestsPerSecond))}); others get 429. Defaults to {@link
     * #NO_RATE_LIMIT}.
     */
    public Builder rateLimit(double requestsPerSecond, double burst) {
      Checks.finiteNonNegative("requestsPerSecond", requestsPerSecond);
      Checks.finiteNonNegative("burst", burst);
      if (burst > 0 && burst < 1) throw new IllegalArgumentException("burst < 1: " + burst);
      rateLimit = requestsPerSecond;
      rateLimitBurst = burst;
      return this;
    }

    /**
     * Admits at most this many chat tokens (prompt estimate plus {@code max_tokens} or the completion
     * length) per minute, as a token bucket holding one minute's worth; others get 429. Defaults to
     * {@link #NO_TOKEN_LIMIT}.
     *
     * @deprecated use {@link #tokensPerMinute(long)}: OpenAI's quantised metering with {@code
     *     x-ratelimit-*} headers
     */
    @Deprecated
    public Builder chatTokensPerMinute(long tokensPerMinute) {
      chatTokensPerMinute = Checks.nonNegative("chatTokensPerMinute", tokensPerMinute);
      return this;
    }

    /**
     * Meters {@code n} requests per minute as OpenAI does (see the class doc): a token bucket refilled
     * at {@code n / 60} per second holding {@link #meterDepth(Duration)} worth, {@code x-ratelimit-*}
     * headers on every metered response, 429 with {@code retry-after-ms} when empty. 0 turns it off.
     * Defaults to {@link #NO_METERING}.
     */
    public Builder requestsPerMinute(long n) {
      requestsPerMinute = Checks.nonNegative("requestsPerMinute", n);
      return this;
    }

    /**
     * Meters {@code n} tokens per minute as OpenAI does: each chat request is charged its estimate
     * (prompt characters / 4 plus {@code max_tokens} times {@code n}, or {@link
     * #maxTokensEstimate(long)}) and then corrected to its usage; an embeddings request its input
     * tokens. 0 turns it off. Defaults to {@link #NO_METERING}.
     */
    public Builder tokensPerMinute(long n) {
      tokensPerMinute = Checks.nonNegative("tokensPerMinute", n);
      return this;
    }

    /**
     * How much of the per-minute limits the metering buckets hold (OpenAI enforces a per-minute
     * limit over shorter windows): {@code 1s} lets {@code 6000/min} burst 100; {@code 1m} gives a
     * whole minute's worth. A bucket always holds at least one request. Defaults to {@link
     * #DEFAULT_METER_DEPTH} (1 s).
     */
    public Builder meterDepth(Duration depth) {
      if (depth == null) throw new IllegalArgumentException("meterDepth == null");
      if (depth.isNegative() || depth.isZero() || depth.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("meterDepth not in (0, 1m]: "
            + (depth.isNegative() ? depth.toString() : dev.fanout.common.Durations.format(depth)));
      }
      meterDepth = depth;
      return this;
    }

    /**
     * The completion tokens charged (before the usage correction) for a chat request that sets no
     * {@code max_tokens}. Defaults to {@link #DEFAULT_MAX_TOKENS_ESTIMATE} (256).
     */
    public Builder maxTokensEstimate(long tokens) {
      maxTokensEstimate = Checks.nonNegative("maxTokensEstimate", tokens);
      return this;
    }

    /**
     * The time source of the metering buckets, in nanoseconds like {@link System#nanoTime()}; tests
     * pass a fake clock they advance by hand. Defaults to {@link #DEFAULT_METER_CLOCK}.
     */
    public Builder meterClock(LongSupplier nanoTime) {
      if (nanoTime == null) throw new IllegalArgumentException("meterClock == null");
      meterClock = nanoTime;
      return this;
    }

    /**
     * Uses {@code override} instead of these faults for requests to {@code route} (one of {@link
     * Routes#BACKENDS}); a route with its own rate limit has its own token bucket. Defaults to no
     * overrides.
     */
    public Builder route(String route, Faults override) {
      Routes.putOverride(routes, route, override, Faults::routes);
      return this;
    }

    public Faults build() {
      Faults faults = new Faults(this);
      if (faults.totalRate() > 1 + 1e-9) {
        throw new IllegalArgumentException("fault probabilities sum to more than 1: " + faults.totalRate());
      }
      return faults;
    }
  }
}
