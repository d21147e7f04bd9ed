package dev.fanout.mock;

import dev.fanout.common.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * A jitter is the random variation added to a {@link Latency}'s fixed delay, drawn from a seeded
 * random sequence so that runs are reproducible.
 *
 * <ul>
 *   <li>{@link #none()}: every request waits exactly the delay.
 *   <li>{@link #uniform(Duration)}: uniform in {@code [delay - spread, delay + spread]}.
 *   <li>{@link #normal(Duration)}: {@code delay + N(0, stddev)}.
 *   <li>{@link #logNormal(double)}: {@code delay * exp(sigma * Z - sigma^2 / 2)}, a right-skewed tail
 *       whose mean is the delay (the shape of real service latencies).
 * </ul>
 *
 * <p>Sampled delays are clamped to be at least zero.
 */
public final class Jitter {
  /** The jitter distributions. */
  public enum Kind { NONE, UNIFORM, NORMAL, LOG_NORMAL }

  private static final Jitter NONE = new Jitter(Kind.NONE, Duration.ZERO, 0);

  private final Kind kind;
  private final Duration spread;
  private final double sigma;

  private Jitter(Kind kind, Duration spread, double sigma) {
    this.kind = kind;
    this.spread = spread;
    this.sigma = sigma;
  }

  /** No jitter: every request waits exactly the delay. */
  public static Jitter none() {
    return NONE;
  }

  /** Uniform jitter in {@code [delay - spread, delay + spread]}. */
  public static Jitter uniform(Duration spread) {
    Durations.requireNonNegative(spread, "spread");
    return spread.isZero() ? NONE : new Jitter(Kind.UNIFORM, spread, 0);
  }

  /** Normal jitter: {@code delay + N(0, stddev)}. */
  public static Jitter normal(Duration stddev) {
    Durations.requireNonNegative(stddev, "stddev");
    return stddev.isZero() ? NONE : new Jitter(Kind.NORMAL, stddev, 0);
  }

  /** Log-normal jitter with shape {@code sigma} (for example 0.5), mean-preserving. */
  public static Jitter logNormal(double sigma) {
    if (!(sigma >= 0) || Double.isInfinite(sigma) || sigma > 10) {
      throw new IllegalArgumentException("sigma out of range [0, 10]: " + sigma);
    }
    return sigma == 0 ? NONE : new Jitter(Kind.LOG_NORMAL, Duration.ZERO, sigma);
  }

  /**
   * Parses the CLI syntax: {@code none}, {@code uniform:100ms}, {@code normal:50ms}, {@code
   * lognormal:0.5}; a bare duration such as {@code 100ms} means uniform.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static Jitter parse(String text) {
    if (text == null) throw new IllegalArgumentException("jitter == null");
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("none") || s.equals("0")) return NONE;
    int colon = s.indexOf(':');
    if (colon < 0) return uniform(Durations.parse(s));
    String kind = s.substring(0, colon);
    String arg = s.substring(colon + 1);
    switch (kind) {
      case "uniform": return uniform(Durations.parse(arg));
      case "normal": return normal(Durations.parse(arg));
      case "lognormal":
      case "log-normal":
        try {
          return logNormal(Double.parseDouble(arg));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("invalid lognormal sigma: '" + arg + "'");
        }
      default:
        throw new IllegalArgumentException(
            "invalid jitter: '" + text + "' (expected none, uniform:100ms, normal:50ms, lognormal:0.5)");
    }
  }

  public Kind kind() {
    return kind;
  }

  /** The uniform spread or the normal standard deviation; zero for other kinds. */
  public Duration spread() {
    return spread;
  }

  /** The log-normal shape; zero for other kinds. */
  public double sigma() {
    return sigma;
  }

  /** Applies this jitter to {@code base}, drawing from {@code random}. Never negative. */
  public Duration apply(Duration base, Random random) {
    long baseNanos = base.toNanos();
    double nanos;
    switch (kind) {
      case NONE:
        return base;
      case UNIFORM:
        nanos = baseNanos + (random.nextDouble() * 2 - 1) * spread.toNanos();
        break;
      case NORMAL:
        nanos = baseNanos + random.nextGaussian() * spread.toNanos();
        break;
      case LOG_NORMAL:
        nanos = baseNanos * Math.exp(sigma * random.nextGaussian() - sigma * sigma / 2);
        break;
      default:
        throw new AssertionError(kind);
    }
    return Duration.ofNanos(Math.max(0L, Math.min((long) nanos, Long.MAX_VALUE / 2)));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Jitter)) return false;
    Jitter j = (Jitter) o;
    return kind == j.kind && spread.equals(j.spread) && Double.compare(sigma, j.sigma) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, spread, sigma);
  }

  @Override
  public String toString() {
    switch (kind) {
      case NONE: return "none";
      case UNIFORM: return "uniform:" + Durations.format(spread);
      case NORMAL: return "normal:" + Durations.format(spread);
      default: return "lognormal:" + sigma;
    }
  }
}
