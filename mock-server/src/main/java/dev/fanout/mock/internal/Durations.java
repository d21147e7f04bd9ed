package dev.fanout.mock.internal;

import java.time.Duration;

/**
 * The mock server's duration helpers, kept for the code that already calls them: parsing and formatting
 * are {@link dev.fanout.common.Durations}, the one grammar of every Fanout module ({@code 0}, {@code
 * 250ms}, {@code 1.5s}, {@code 6m0s}, {@code PT1S}).
 */
public final class Durations {
  private Durations() {}

  /**
   * Parses a duration in the grammar of {@link dev.fanout.common.Durations#parse}.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static Duration parse(String text) {
    return dev.fanout.common.Durations.parse(text);
  }

  /** Formats a duration compactly, as {@link dev.fanout.common.Durations#format} does. */
  public static String format(Duration d) {
    return dev.fanout.common.Durations.format(d);
  }

  /** Throws unless {@code d} is non-null and not negative. */
  public static Duration nonNegative(Duration d, Object name) {
    return dev.fanout.common.Durations.requireNonNegative(d, String.valueOf(name));
  }
}
