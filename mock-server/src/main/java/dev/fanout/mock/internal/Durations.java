package dev.fanout.mock.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and formats the short duration syntax used by the CLI: {@code 1s}, {@code 250ms}, {@code 0}. */
public final class Durations {
  private static final Pattern SYNTAX =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /**
   * Parses {@code 0}, {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 100us}, {@code 1h}
   * or an ISO-8601 duration such as {@code PT1S}. A bare number other than 0 is rejected, because
   * its unit would be a guess.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static Duration parse(String text) {
    if (text == null) throw new IllegalArgumentException("duration == null");
    String s = text.trim();
    if (s.toUpperCase(Locale.ROOT).startsWith("PT")) {
      try {
        return nonNegative(Duration.parse(s), text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("invalid duration: " + text);
      }
    }
    Matcher m = SYNTAX.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid duration: '" + text + "' (expected e.g. 0, 250ms, 1s, 1.5s, 2m)");
    }
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    double value = Double.parseDouble(m.group(1));
    if (unit.isEmpty()) {
      if (value == 0) return Duration.ZERO;
      throw new IllegalArgumentException(
          "invalid duration: '" + text + "' needs a unit (ms, s, m), e.g. " + m.group(1) + "ms");
    }
    double nanosPerUnit;
    switch (unit) {
      case "ns": nanosPerUnit = 1; break;
      case "us": nanosPerUnit = 1e3; break;
      case "ms": nanosPerUnit = 1e6; break;
      case "s": nanosPerUnit = 1e9; break;
      case "m": nanosPerUnit = 60e9; break;
      case "h": nanosPerUnit = 3600e9; break;
      default: throw new IllegalArgumentException("invalid duration unit: " + text);
    }
    double nanos = value * nanosPerUnit;
    if (nanos > Long.MAX_VALUE) throw new IllegalArgumentException("duration too large: " + text);
    return Duration.ofNanos(Math.round(nanos));
  }

  /** Formats a duration compactly: {@code 0}, {@code 250ms}, {@code 1s}, {@code 1.5s}. */
  public static String format(Duration d) {
    if (d.isZero()) return "0";
    long nanos = d.toNanos();
    if (nanos % 1_000_000_000L == 0) return (nanos / 1_000_000_000L) + "s";
    if (nanos % 1_000_000L == 0) return (nanos / 1_000_000L) + "ms";
    if (nanos % 1_000L == 0) return (nanos / 1_000L) + "us";
    return nanos + "ns";
  }

  /** Throws unless {@code d} is non-null and not negative. */
  public static Duration nonNegative(Duration d, Object name) {
    if (d == null) throw new IllegalArgumentException(name + " == null");
    if (d.isNegative()) throw new IllegalArgumentException(name + " < 0: " + d);
    return d;
  }
}
