package dev.fanout;

import dev.fanout.common.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When a client sends a backup ("hedge") of a slow call: after a fixed delay, or after the observed p95 of
 * the call's route ({@link #auto()}), at most {@code maxBackups} per call, within a client-wide budget of
 * extra requests; the first success wins and the other attempts are cancelled (after gRPC's hedging policy
 * and Dean and Barroso's "The Tail at Scale").
 *
 * <h2>Only idempotent calls are hedged.</h2>
 * A hedge sends the same request twice. By default only {@code GET}, {@code HEAD} and {@code OPTIONS} are
 * hedged; other calls only when the caller marks them idempotent.
 *
 * <p>An immutable, {@link Serializable} value; {@link #disabled()} (the default of a client) never hedges.
 */
public final class HedgePolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Backups a call may get, beyond its first attempt. */
  public static final int DEFAULT_MAX_BACKUPS = 1;
  /** The most backups a policy allows (gRPC caps hedged attempts at 5 in all). */
  public static final int MAX_BACKUPS_LIMIT = 4;
  /** Extra requests allowed, as a share of calls (0.1: at most 10% more requests than calls). */
  public static final double DEFAULT_BUDGET = 0.10;
  /** The latency percentile after which {@link #auto()} hedges. */
  public static final double DEFAULT_PERCENTILE = 0.95;
  /** Latencies a route must have recorded before {@link #auto()} hedges on it. */
  public static final int DEFAULT_MIN_SAMPLES = 20;
  /** Methods hedged without the caller marking the call idempotent. */
  public static final Set<String> DEFAULT_IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private static final HedgePolicy DISABLED = new Builder().enabled(false).build();

  private final boolean enabled;
  private final Duration delay;
  private final int maxBackups;
  private final double budget;
  private final double percentile;
  private final int minSamples;
  private final Set<String> idempotentMethods;

  private HedgePolicy(Builder b) {
    this.enabled = b.enabled;
    this.delay = b.delay;
    this.maxBackups = b.maxBackups;
    this.budget = b.budget;
    this.percentile = b.percentile;
    this.minSamples = b.minSamples;
    this.idempotentMethods = Set.copyOf(b.idempotentMethods);
  }

  /** Returns a policy that never hedges. */
  public static HedgePolicy disabled() {
    return DISABLED;
  }

  /** Returns a policy that sends one backup {@code delay} after the first attempt, within a 10% budget. */
  public static HedgePolicy fixed(Duration delay) {
    return new Builder().delay(delay).build();
  }

  /** Returns a policy that sends one backup after the route's observed p95, within a 10% budget. */
  public static HedgePolicy auto() {
    return new Builder().build();
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  public boolean enabled() {
    return enabled;
  }

  /** The fixed delay, or null when the delay is the route's observed percentile ({@link #auto()}). */
  public Duration delay() {
    return delay;
  }

  public boolean isAuto() {
    return delay == null;
  }

  public int maxBackups() {
    return maxBackups;
  }

  public double budget() {
    return budget;
  }

  public double percentile() {
    return percentile;
  }

  public int minSamples() {
    return minSamples;
  }

  public Set<String> idempotentMethods() {
    return idempotentMethods;
  }

  /** Returns true if a call of {@code method} may be hedged: the policy is on and the call idempotent. */
  public boolean allows(String method, boolean markedIdempotent) {
    return enabled && (markedIdempotent || idempotentMethods.contains(method.toUpperCase(Locale.ROOT)));
  }

  @Override
  public String toString() {
    return "HedgePolicy{enabled=" + enabled
        + ", delay=" + (delay == null ? "auto(p" + Math.round(percentile * 100) + ")" : Durations.format(delay))
        + ", maxBackups=" + maxBackups
        + ", budget=" + budget
        + ", minSamples=" + minSamples
        + ", idempotentMethods=" + idempotentMethods.stream().sorted().collect(Collectors.toList()) + '}';
  }

  /** Returns a builder with this policy's settings, to derive another. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Builds a {@link HedgePolicy}; each setter validates its argument and names a bad value. */
  public static final class Builder {
    private boolean enabled = true;
    private Duration delay;
    private int maxBackups = DEFAULT_MAX_BACKUPS;
    private double budget = DEFAULT_BUDGET;
    private double percentile = DEFAULT_PERCENTILE;
    private int minSamples = DEFAULT_MIN_SAMPLES;
    private Set<String> idempotentMethods = DEFAULT_IDEMPOTENT_METHODS;

    private Builder() {}

    private Builder(HedgePolicy p) {
      this.enabled = p.enabled;
      this.delay = p.delay;
      this.maxBackups = p.maxBackups;
      this.budget = p.budget;
      this.percentile = p.percentile;
      this.minSamples = p.minSamples;
      this.idempotentMethods = p.idempotentMethods;
    }

    /** Turns hedging on or off. Defaults to true (a built policy hedges; a client's default is {@link #disabled()}). */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Sets a fixed delay before each backup; null hedges after the route's observed percentile. Defaults to null (auto). */
    public Builder delay(Duration delay) {
      this.delay = delay == null ? null : Durations.requireNonNegative(delay, "delay");
      return this;
    }

    /** Hedges after the route's observed percentile instead of a fixed delay. Defaults to auto. */
    public Builder auto() {
      this.delay = null;
      return this;
    }

    /** Sets how many backups a call may get, in [1, 4]. Defaults to 1. */
    public Builder maxBackups(int maxBackups) {
      if (maxBackups < 1 || maxBackups > MAX_BACKUPS_LIMIT) {
        throw new IllegalArgumentException("maxBackups not in [1, " + MAX_BACKUPS_LIMIT + "]: " + maxBackups);
      }
      this.maxBackups = maxBackups;
      return this;
    }

    /** Sets the extra requests allowed client-wide, as a share of calls, in (0, 1]. Defaults to 0.1. */
    public Builder budget(double budget) {
      if (!(budget > 0.0 && budget <= 1.0)) {
        throw new IllegalArgumentException("budget not in (0, 1]: " + budget);
      }
      this.budget = budget;
      return this;
    }

    /** Sets the latency percentile after which an auto policy hedges, in (0, 1). Defaults to 0.95. */
    public Builder percentile(double percentile) {
      if (!(percentile > 0.0 && percentile < 1.0)) {
        throw new IllegalArgumentException("percentile not in (0, 1): " + percentile);
      }
      this.percentile = percentile;
      return this;
    }

    /** Sets how many latencies a route needs before an auto policy hedges on it; at least 1. Defaults to 20. */
    public Builder minSamples(int minSamples) {
      if (minSamples < 1) {
        throw new IllegalArgumentException("minSamples < 1: " + minSamples);
      }
      this.minSamples = minSamples;
      return this;
    }

    /** Sets the HTTP methods hedged without the caller's mark. Defaults to GET, HEAD, OPTIONS. */
    public Builder idempotentMethods(Set<String> methods) {
      if (methods == null) {
        throw new IllegalArgumentException("idempotentMethods == null");
      }
      this.idempotentMethods = methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
      return this;
    }

    public HedgePolicy build() {
      return new HedgePolicy(this);
    }
  }
}
