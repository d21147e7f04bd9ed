package dev.fanout.mock;

/**
 * The range checks of this package's builders, each failing with an {@link IllegalArgumentException} that
 * names the setting and the bad value: {@code "maxBodyBytes < 0: -1"}, {@code "errorRate not in [0, 1]: 2.0"}.
 */
final class Checks {
  private Checks() {}

  /** Returns {@code value}; throws {@code "name < 0: value"} if it is negative. */
  static long nonNegative(String name, long value) {
    if (value < 0) throw new IllegalArgumentException(name + " < 0: " + value);
    return value;
  }

  /** Returns {@code value}; throws {@code "name < 0: value"} if it is negative. */
  static int nonNegative(String name, int value) {
    if (value < 0) throw new IllegalArgumentException(name + " < 0: " + value);
    return value;
  }

  /** Returns {@code value}; throws {@code "name < 0 or not finite: value"} if it is negative, infinite or NaN. */
  static double finiteNonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " < 0 or not finite: " + value);
    }
    return value;
  }

  /** Returns {@code p}; throws {@code "name not in [0, 1]: p"} unless {@code 0 <= p <= 1} (NaN included). */
  static double probability(String name, double p) {
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " not in [0, 1]: " + p);
    return p;
  }
}
