package dev.fanout.internal.governor;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One limit a server published on one response: for one dimension (and, for the IETF fields, one named
 * policy), the limit, what remains, and when it resets, as a {@link dev.fanout.FanoutClock#nanoTime()} value.
 *
 * @param dimension what the limit counts
 * @param policy the convention's name for this limit: {@code "openai"}, {@code "anthropic"}, or the IETF
 *     policy identifier ({@code "default"}); observations with the same dimension and policy describe the
 *     same server-side quota
 * @param refill how the quota comes back
 * @param limit the quota's size, if published
 * @param remaining what the server says is left, if published
 * @param resetAtNanos when the quota is whole again (replenishing) or starts a new window (fixed window),
 *     on the clock's {@code nanoTime}, if published
 * @param window the quota's period ({@code w} of {@code RateLimit-Policy}; a minute for OpenAI's and
 *     Anthropic's per-minute limits), if known
 */
record LimitObservation(
    LimitDimension dimension,
    String policy,
    Refill refill,
    OptionalLong limit,
    OptionalLong remaining,
    OptionalLong resetAtNanos,
    Optional<Duration> window) {

  /** How a quota comes back after it is spent. */
  public enum Refill {
    /**
     * A token bucket that refills continuously at {@code limit / window} and is full at the reset time
     * (OpenAI, Anthropic: "the time until the rate limit resets to its initial state").
     */
    REPLENISHING,
    /** A fixed window: {@code remaining} is all there is until the reset, then the whole quota (IETF). */
    FIXED_WINDOW
  }

  public LimitObservation {
    Objects.requireNonNull(dimension, "dimension == null");
    Objects.requireNonNull(policy, "policy == null");
    Objects.requireNonNull(refill, "refill == null");
    Objects.requireNonNull(limit, "limit == null");
    Objects.requireNonNull(remaining, "remaining == null");
    Objects.requireNonNull(resetAtNanos, "resetAtNanos == null");
    Objects.requireNonNull(window, "window == null");
  }
}
